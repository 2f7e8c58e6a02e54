//! `/inquiry`: log, take, assign, hand off, note, reply, resolve, show, list.

use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::service::DeskError;
use crate::service_desk::inquiries::service::{self as inquiries, LogInput, Scope, Step, Story};
use serde_json::{json, Value};

/// The `/inquiry` actions, one variant each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Log,
    List,
    Show,
    Take,
    Assign,
    Handoff,
    Note,
    Reply,
    Resolve,
}

/// The `/inquiry` actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("inquiry.log", |c, a, i, l| {
            Box::pin(c.inquiries(a, i, l, Verb::Log))
        }),
        Handler::new("inquiry.list", |c, a, i, l| {
            Box::pin(c.inquiries(a, i, l, Verb::List))
        }),
        Handler::new("inquiry.show", |c, a, i, l| {
            Box::pin(c.inquiries(a, i, l, Verb::Show))
        }),
        Handler::new("inquiry.take", |c, a, i, l| {
            Box::pin(c.inquiries(a, i, l, Verb::Take))
        }),
        Handler::new("inquiry.assign", |c, a, i, l| {
            Box::pin(c.inquiries(a, i, l, Verb::Assign))
        }),
        Handler::new("inquiry.handoff", |c, a, i, l| {
            Box::pin(c.inquiries(a, i, l, Verb::Handoff))
        }),
        Handler::new("inquiry.note", |c, a, i, l| {
            Box::pin(c.inquiries(a, i, l, Verb::Note))
        }),
        Handler::new("inquiry.reply", |c, a, i, l| {
            Box::pin(c.inquiries(a, i, l, Verb::Reply))
        }),
        Handler::new("inquiry.resolve", |c, a, i, l| {
            Box::pin(c.inquiries(a, i, l, Verb::Resolve))
        }),
    ]
}

impl Chat {
    /// Runs an `inquiry.*` action.
    async fn inquiries(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
        verb: Verb,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let text = |name: &str| inv.str(name).ok_or_else(|| missing(name));
        // Every action but `log` and `list` is about one inquiry.
        let r = || inv.reference("ref").ok_or_else(|| missing("ref"));
        let (event, story) = match verb {
            Verb::Log => {
                let input = LogInput {
                    customer: text("customer")?,
                    channel: text("channel")?,
                    kind: text("kind")?,
                    subject: text("subject")?,
                    details: text("details")?,
                    category: inv.str("category"),
                    department: inv.str("department"),
                    priority: inv.str("priority"),
                };
                ("logged", inquiries::log(desk, actor, input).await?)
            }
            Verb::List => {
                let scope = inv.str("scope").and_then(Scope::parse).unwrap_or_default();
                let dir = crate::service::directory::snapshot(desk).await?;
                let rows: Vec<Value> = inquiries::list(desk, actor, scope)
                    .await?
                    .into_iter()
                    .map(|(i, customer)| {
                        json!({
                            "ref": inquiries::reference(i.id).to_string(), "subject": i.subject, "customer": customer,
                            "kind": i.kind, "priority": i.priority, "status": i.status,
                            "owner": i.owner_id.and_then(|o| dir.by_id(o)).map(|e| e.name.clone()),
                            "created_ms": i.created_at,
                        })
                    })
                    .collect();
                let scope = scope.as_str();
                return self.render(
                    locale,
                    "reply/inquiries.txt",
                    json!({ "scope": scope, "rows": rows }),
                );
            }
            Verb::Show => ("show", inquiries::show(desk, actor, r()?).await?),
            Verb::Take => (
                "taken",
                inquiries::step(desk, actor, r()?, Step::Take).await?,
            ),
            Verb::Assign => {
                let r = r()?;
                let to = inv.handle("to").ok_or_else(|| missing("to"))?;
                (
                    "assigned",
                    inquiries::step(desk, actor, r, Step::Assign(to)).await?,
                )
            }
            Verb::Handoff => {
                let r = r()?;
                let d = text("department")?;
                (
                    "handed_off",
                    inquiries::step(desk, actor, r, Step::Handoff(d)).await?,
                )
            }
            Verb::Note => {
                let r = r()?;
                (
                    "noted",
                    inquiries::step(desk, actor, r, Step::Note(text("text")?)).await?,
                )
            }
            Verb::Reply => {
                let r = r()?;
                (
                    "replied",
                    inquiries::step(desk, actor, r, Step::Reply(text("text")?)).await?,
                )
            }
            Verb::Resolve => {
                let r = r()?;
                let res = text("resolution")?;
                (
                    "resolved",
                    inquiries::step(desk, actor, r, Step::Resolve(res)).await?,
                )
            }
        };
        self.inquiry_reply(locale, event, &story).await
    }

    async fn inquiry_reply(
        &self,
        locale: Locale,
        event: &str,
        s: &Story,
    ) -> Result<Reply, DeskError> {
        let dir = crate::service::directory::snapshot(&self.desk).await?;
        let mut ctx = inquiries::view(s, &dir);
        ctx["event"] = json!(event);
        let mut reply = self.render(locale, "reply/inquiry.txt", ctx)?;
        reply.reference = Some(s.reference);
        Ok(reply)
    }
}
