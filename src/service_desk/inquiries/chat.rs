//! `/inquiry`: log, take, assign, hand off, note, reply, resolve, show, list.

use crate::chat::actions::{missing, Chat, Reply};
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::service::DeskError;
use crate::service_desk::inquiries::service::{self as inquiries, LogInput, Scope, Step, Story};
use serde_json::{json, Value};

impl Chat {
    /// Runs an `inquiry.*` action.
    pub(crate) async fn inquiries(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let text = |name: &str| inv.str(name).ok_or_else(|| missing(name));
        let (event, story) = match inv.action.as_str() {
            "inquiry.log" => {
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
            "inquiry.list" => {
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
            action => {
                let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                match action {
                    "inquiry.show" => ("show", inquiries::show(desk, actor, r).await?),
                    "inquiry.take" => ("taken", inquiries::step(desk, actor, r, Step::Take).await?),
                    "inquiry.assign" => {
                        let to = inv.handle("to").ok_or_else(|| missing("to"))?;
                        (
                            "assigned",
                            inquiries::step(desk, actor, r, Step::Assign(to)).await?,
                        )
                    }
                    "inquiry.handoff" => {
                        let d = text("department")?;
                        (
                            "handed_off",
                            inquiries::step(desk, actor, r, Step::Handoff(d)).await?,
                        )
                    }
                    "inquiry.note" => (
                        "noted",
                        inquiries::step(desk, actor, r, Step::Note(text("text")?)).await?,
                    ),
                    "inquiry.reply" => (
                        "replied",
                        inquiries::step(desk, actor, r, Step::Reply(text("text")?)).await?,
                    ),
                    "inquiry.resolve" => {
                        let res = text("resolution")?;
                        (
                            "resolved",
                            inquiries::step(desk, actor, r, Step::Resolve(res)).await?,
                        )
                    }
                    other => {
                        return Err(DeskError::Internal(anyhow::anyhow!(
                            "no handler for action {other}"
                        )))
                    }
                }
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
