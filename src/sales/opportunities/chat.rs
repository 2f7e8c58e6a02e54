//! `/opportunity` (new, show, list).

use super::service as opportunities;
use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::chat::views;
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::service::{directory, DeskError};
use serde_json::{json, Value};

/// The `/opportunity` actions, one variant each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    New,
    Show,
    List,
}

/// The `/opportunity` actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("opportunity.new", |c, a, i, l| {
            Box::pin(c.opportunity(a, i, l, Verb::New))
        }),
        Handler::new("opportunity.show", |c, a, i, l| {
            Box::pin(c.opportunity(a, i, l, Verb::Show))
        }),
        Handler::new("opportunity.list", |c, a, i, l| {
            Box::pin(c.opportunity(a, i, l, Verb::List))
        }),
    ]
}

impl Chat {
    /// Runs an `opportunity.*` action.
    async fn opportunity(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
        verb: Verb,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let dir = directory::snapshot(desk).await?;
        let progress = |p: &Option<_>| -> Value {
            p.as_ref()
                .map(|p| views::progress(p, locale))
                .unwrap_or(Value::Null)
        };
        match verb {
            Verb::New | Verb::Show => {
                let (event, story) = if verb == Verb::New {
                    let customer = inv.str("customer").ok_or_else(|| missing("customer"))?;
                    let title = inv.str("title").ok_or_else(|| missing("title"))?;
                    let s = opportunities::new(
                        desk,
                        actor,
                        customer,
                        title,
                        inv.money("value"),
                        inv.str("notes"),
                    )
                    .await?;
                    ("new", s)
                } else {
                    let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                    ("show", opportunities::show(desk, r).await?)
                };
                let mut ctx = opportunities::view(&story, &dir);
                ctx["event"] = json!(event);
                ctx["progress"] = progress(&story.progress);
                let mut reply = self.render(locale, "reply/opportunity.txt", ctx)?;
                reply.reference = Some(opportunities::reference(story.opportunity.id));
                Ok(reply)
            }
            Verb::List => {
                let scope = inv
                    .str("scope")
                    .and_then(opportunities::Scope::parse)
                    .unwrap_or_default();
                let mine = scope == opportunities::Scope::Mine;
                let rows: Vec<Value> = opportunities::list(desk, actor, scope)
                    .await?
                    .into_iter()
                    .map(|(o, customer)| {
                        json!({
                            "ref": opportunities::reference(o.id).to_string(), "title": o.title,
                            "customer": customer, "status": o.status, "priority": o.priority,
                            "value": o.value.map(|v| v.to_string()),
                        })
                    })
                    .collect();
                self.render(
                    locale,
                    "reply/opportunities.txt",
                    json!({ "rows": rows, "mine": mine }),
                )
            }
        }
    }
}
