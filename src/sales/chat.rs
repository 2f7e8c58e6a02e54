//! `/opportunity` (new, show, list) and `/contract` (submit, show).

use crate::chat::actions::{missing, Chat, Reply};
use crate::chat::views;
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::sales::contracts::service as contracts;
use crate::sales::opportunities::service as opportunities;
use crate::service::{directory, DeskError};
use serde_json::{json, Value};

impl Chat {
    /// Runs an `opportunity.*` or `contract.*` action.
    pub(crate) async fn sales(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let dir = directory::snapshot(desk).await?;
        let progress = |p: &Option<_>| -> Value {
            p.as_ref()
                .map(|p| views::progress(p, locale))
                .unwrap_or(Value::Null)
        };
        match inv.action.as_str() {
            "opportunity.new" | "opportunity.show" => {
                let (event, story) = if inv.action == "opportunity.new" {
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
                self.render(locale, "reply/opportunity.txt", ctx)
            }
            "opportunity.list" => {
                let mine = inv.str("scope") != Some("all");
                let rows: Vec<Value> = opportunities::list(desk, actor, mine)
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
            "contract.submit" | "contract.show" => {
                let (event, story) = if inv.action == "contract.submit" {
                    let order = inv.reference("order").ok_or_else(|| missing("order"))?;
                    let s = contracts::submit(
                        desk,
                        actor,
                        order,
                        inv.str("terms"),
                        inv.str("attachment"),
                    )
                    .await?;
                    ("submitted", s)
                } else {
                    let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                    ("show", contracts::show(desk, actor, r).await?)
                };
                let mut ctx = contracts::view(&story, &dir);
                ctx["event"] = json!(event);
                ctx["progress"] = progress(&story.progress);
                self.render(locale, "reply/contract.txt", ctx)
            }
            other => Err(DeskError::Internal(anyhow::anyhow!(
                "no handler for action {other}"
            ))),
        }
    }
}
