//! `/order`: new, update, status, terms, paid, list (issues: `order_issues::chat`).

use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::sales::collection::service as collection;
use crate::sales::order_issues::chat::issue_view;
use crate::sales::order_issues::service as order_issues;
use crate::sales::orders::service::{self as orders, Story};
use crate::service::DeskError;
use serde_json::{json, Value};

/// The `/order` actions, one variant each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    New,
    Update,
    Status,
    Terms,
    Paid,
    List,
}

/// The `/order` actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("order.new", |c, a, i, l| {
            Box::pin(c.orders(a, i, l, Verb::New))
        }),
        Handler::new("order.update", |c, a, i, l| {
            Box::pin(c.orders(a, i, l, Verb::Update))
        }),
        Handler::new("order.status", |c, a, i, l| {
            Box::pin(c.orders(a, i, l, Verb::Status))
        }),
        Handler::new("order.terms", |c, a, i, l| {
            Box::pin(c.orders(a, i, l, Verb::Terms))
        }),
        Handler::new("order.paid", |c, a, i, l| {
            Box::pin(c.orders(a, i, l, Verb::Paid))
        }),
        Handler::new("order.list", |c, a, i, l| {
            Box::pin(c.orders(a, i, l, Verb::List))
        }),
    ]
}

impl Chat {
    /// Runs an `order.*` action.
    async fn orders(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
        verb: Verb,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let (event, story) = match verb {
            Verb::New => {
                let customer = inv.str("customer").ok_or_else(|| missing("customer"))?;
                let items = inv.str("items").ok_or_else(|| missing("items"))?;
                let amount = inv.money("amount").ok_or_else(|| missing("amount"))?;
                let s = orders::new(
                    desk,
                    actor,
                    customer,
                    items,
                    amount,
                    inv.date("delivery"),
                    inv.reference("opportunity"),
                )
                .await?;
                ("new", s)
            }
            Verb::Update => {
                let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                let stage = inv.str("stage").ok_or_else(|| missing("stage"))?;
                (
                    "updated",
                    orders::update(
                        desk,
                        actor,
                        r,
                        stage,
                        inv.str("note"),
                        inv.bool("back").unwrap_or(false),
                    )
                    .await?,
                )
            }
            Verb::Status => {
                let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                ("status", orders::status(desk, r).await?)
            }
            Verb::Terms | Verb::Paid => {
                let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                let mut due = None;
                let (event, p) = if verb == Verb::Terms {
                    let d = inv.date("due").ok_or_else(|| missing("due"))?;
                    due = Some(d);
                    let amount = inv.money("amount");
                    let p = collection::terms(desk, actor, r, d, amount).await?;
                    let removed = amount.is_some_and(|m| m.minor == 0);
                    (if removed { "terms_removed" } else { "terms" }, p)
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
                        "event": event, "ref": r.to_string(), "due": due.map(|d| d.to_string()),
                        "amount_due": p.installments.iter().find(|i| Some(i.due) == due)
                            .map(|i| p.money(i.amount_minor)),
                        "schedule": p.schedule().iter().map(|(i, owed)| json!({
                            "due": i.due.to_string(), "amount": p.money(i.amount_minor),
                            "owed": p.money(*owed), "settled": *owed == 0,
                        })).collect::<Vec<_>>(),
                        "unscheduled": (p.unscheduled() > 0).then(|| p.money(p.unscheduled())),
                        "paid": p.money(p.paid_minor), "outstanding": p.money(p.outstanding()),
                        "days_before": collection::DAYS_BEFORE,
                    }),
                );
            }
            Verb::List => {
                let q = orders::ListQuery {
                    scope: inv.str("scope").and_then(orders::Scope::parse),
                    stage: inv.str("stage"),
                    customer: inv.str("customer"),
                };
                // The service's default when none was asked for.
                let scope = q.scope();
                let mine = scope == orders::Scope::Mine;
                let scope = scope.as_str();
                let dir = crate::service::directory::snapshot(desk).await?;
                let rows: Vec<Value> = orders::list(desk, actor, q)
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
                    json!({ "rows": rows, "mine": mine, "scope": scope }),
                );
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
        let (issues, contracts) = if event == "status" {
            let issues = order_issues::of_order(&self.desk, s.order.id).await?;
            let contracts =
                crate::sales::contracts::service::of_order(&self.desk, s.order.id).await?;
            (
                issues.iter().map(|i| issue_view(i, &dir)).collect(),
                contracts,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        ctx["issues"] = json!(issues);
        ctx["contracts"] = json!(contracts);
        let mut reply = self.render(locale, "reply/order.txt", ctx)?;
        reply.reference = Some(orders::reference(s.order.id));
        Ok(reply)
    }
}
