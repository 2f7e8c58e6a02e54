//! `/po`: new, show, list, confirm, cancel.

use super::domain::PoStatus;
use super::service::{self as pos, NewInput, Scope};
use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::chat::views;
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::service::{directory, DeskError};
use serde_json::{json, Value};

/// The `/po` actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("po.new", |c, a, i, l| Box::pin(c.po(a, i, l))),
        Handler::new("po.show", |c, a, i, l| Box::pin(c.po(a, i, l))),
        Handler::new("po.confirm", |c, a, i, l| Box::pin(c.po(a, i, l))),
        Handler::new("po.cancel", |c, a, i, l| Box::pin(c.po(a, i, l))),
        Handler::new("po.list", |c, a, i, l| Box::pin(c.po_list(a, i, l))),
    ]
}

impl Chat {
    /// `/po new|show|confirm|cancel`: one PO in the reply.
    async fn po(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let r = || inv.reference("ref").ok_or_else(|| missing("ref"));
        let (event, story) = match inv.action.as_str() {
            "po.new" => {
                let input = NewInput {
                    requisition: inv.reference("requisition"),
                    supplier: inv.reference("supplier"),
                    unit_price: inv.money("unit_price"),
                    quantity: inv.int("quantity"),
                    delivery: inv.date("delivery"),
                    place: inv.str("place"),
                    terms: inv.str("terms"),
                    important: inv.bool("important"),
                    ack: inv.bool("ack").unwrap_or(false),
                };
                ("new", pos::create(desk, actor, input).await?)
            }
            "po.confirm" => (
                "confirmed",
                pos::confirm(desk, actor, r()?, inv.date("delivery")).await?,
            ),
            "po.cancel" => (
                "cancelled",
                pos::cancel(desk, actor, r()?, inv.str("reason")).await?,
            ),
            _ => ("show", pos::show(desk, actor, r()?).await?),
        };
        let dir = directory::snapshot(desk).await?;
        let mut ctx = pos::view(&story, &dir);
        ctx["event"] = json!(event);
        ctx["progress"] = story
            .progress
            .as_ref()
            .map(|p| views::progress(p, locale))
            .unwrap_or(Value::Null);
        ctx["budget"] = json!(story.budget.as_ref().map(|m| self.renderer.msg(locale, m)));
        let mut reply = self.render(locale, "reply/po.txt", ctx)?;
        reply.reference = Some(pos::reference(story.po.id));
        Ok(reply)
    }

    /// `/po list`.
    async fn po_list(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
    ) -> Result<Reply, DeskError> {
        let scope = match inv.str("scope") {
            Some("open") => Scope::Open,
            Some("all") => Scope::All,
            _ => Scope::Mine,
        };
        let status = inv.str("status").and_then(PoStatus::parse);
        let rows = pos::list(&self.desk, actor, scope, status).await?;
        let rows: Vec<Value> = rows
            .iter()
            .map(|(p, supplier)| {
                json!({
                    "ref": pos::reference(p.id).to_string(), "item": p.item, "quantity": p.quantity,
                    "total": p.total.to_string(), "supplier": supplier, "status": p.status.as_str(),
                    "delivery": p.delivery_on.map(|d| d.to_string()),
                })
            })
            .collect();
        self.render(
            locale,
            "reply/pos.txt",
            json!({ "rows": rows, "scope": inv.str("scope").unwrap_or("mine"), "status": status.map(|s| s.as_str()) }),
        )
    }
}
