//! `/order`: new, update, status, list.

use super::actions::{missing, Chat, Reply};
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::service::collection;
use crate::service::orders::{self, Story};
use crate::service::DeskError;
use serde_json::{json, Value};

impl Chat {
    /// Runs an `order.*` action.
    pub(super) async fn orders(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let (event, story) = match inv.action.as_str() {
            "order.new" => {
                let customer = inv.str("customer").ok_or_else(|| missing("customer"))?;
                let items = inv.str("items").ok_or_else(|| missing("items"))?;
                let amount = inv.money("amount").ok_or_else(|| missing("amount"))?;
                let s =
                    orders::new(desk, actor, customer, items, amount, inv.date("delivery")).await?;
                ("new", s)
            }
            "order.update" => {
                let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                let stage = inv.str("stage").ok_or_else(|| missing("stage"))?;
                (
                    "updated",
                    orders::update(desk, actor, r, stage, inv.str("note")).await?,
                )
            }
            "order.status" => {
                let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                ("status", orders::status(desk, r).await?)
            }
            "order.terms" | "order.paid" => {
                let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                let (event, p) = if inv.action == "order.terms" {
                    let due = inv.date("due").ok_or_else(|| missing("due"))?;
                    let p = collection::terms(desk, actor, r, due, inv.money("amount")).await?;
                    ("terms", p)
                } else {
                    let amount = inv.money("amount").ok_or_else(|| missing("amount"))?;
                    (
                        "paid",
                        collection::paid(desk, actor, r, amount, inv.date("date")).await?,
                    )
                };
                return self.render(
                    locale,
                    "reply/order_payment.txt",
                    json!({
                        "event": event, "ref": r.to_string(), "due": p.payment_due,
                        "amount_due": p.money(p.amount_due_minor.unwrap_or(p.amount_minor)),
                        "paid": p.money(p.paid_minor), "outstanding": p.money(p.outstanding()),
                        "days_before": collection::DAYS_BEFORE,
                    }),
                );
            }
            "order.list" => {
                let mine = inv.str("scope") != Some("all");
                let dir = crate::service::directory::snapshot(desk).await?;
                let rows: Vec<Value> = orders::list(desk, actor, mine, inv.str("stage"))
                    .await?
                    .into_iter()
                    .map(|(o, customer)| {
                        let s = desk.company.order_stages.iter().find(|s| s.code == o.stage);
                        json!({
                            "ref": orders::reference(o.id).to_string(), "customer": customer, "items": o.items,
                            "stage": s.map_or(o.stage.clone(), |s| s.name.clone()),
                            "stage_zh": s.map_or(o.stage.clone(), |s| s.name_zh.clone()),
                            "owner": dir.by_id(o.owner_id).map(|e| e.name.clone()),
                        })
                    })
                    .collect();
                return self.render(
                    locale,
                    "reply/orders.txt",
                    json!({ "rows": rows, "mine": mine }),
                );
            }
            other => {
                return Err(DeskError::Internal(anyhow::anyhow!(
                    "no handler for action {other}"
                )))
            }
        };
        self.order_reply(locale, event, &story).await
    }

    async fn order_reply(
        &self,
        locale: Locale,
        event: &str,
        s: &Story,
    ) -> Result<Reply, DeskError> {
        let dir = crate::service::directory::snapshot(&self.desk).await?;
        let mut ctx = orders::view(&self.desk, s, &dir);
        ctx["event"] = json!(event);
        let stages: Vec<Value> = self
            .desk
            .company
            .order_stages
            .iter()
            .map(|s| json!({ "code": s.code, "name": s.name, "name_zh": s.name_zh }))
            .collect();
        ctx["stages"] = json!(stages);
        self.render(locale, "reply/order.txt", ctx)
    }
}
