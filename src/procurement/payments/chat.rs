//! `/payment` (request, show, list, paid, settle, cancel) and the exception prompt's buttons.

use super::service as payments;
use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::chat::buttons::{Action, Style};
use crate::chat::views;
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::reference::RefKind;
use crate::domain::{Locale, Msg};
use crate::service::{directory, DeskError};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Request,
    Show,
    List,
    Paid,
    Settle,
    Cancel,
}

/// The `/payment` actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("payment.request", |c, a, i, l| {
            Box::pin(c.payment(a, i, l, Verb::Request))
        }),
        Handler::new("payment.show", |c, a, i, l| {
            Box::pin(c.payment(a, i, l, Verb::Show))
        }),
        Handler::new("payment.list", |c, a, i, l| {
            Box::pin(c.payment(a, i, l, Verb::List))
        }),
        Handler::new("payment.paid", |c, a, i, l| {
            Box::pin(c.payment(a, i, l, Verb::Paid))
        }),
        Handler::new("payment.settle", |c, a, i, l| {
            Box::pin(c.payment(a, i, l, Verb::Settle))
        }),
        Handler::new("payment.cancel", |c, a, i, l| {
            Box::pin(c.payment(a, i, l, Verb::Cancel))
        }),
    ]
}

impl Chat {
    /// Pay accepted amount / Hold / Ask supplier / Override on an exception prompt.
    pub(crate) fn payment_actions(&self, locale: Locale, id: i64) -> Vec<Action> {
        let r = payments::reference(id).to_string();
        [
            ("pay_accepted", "button.pay_accepted", Style::Go, false),
            ("hold", "button.hold", Style::Neutral, false),
            ("ask_supplier", "button.ask_supplier", Style::Neutral, false),
            ("override", "button.override", Style::Stop, true),
        ]
        .into_iter()
        .map(|(verb, label, style, needs_comment)| Action {
            label: self.renderer.msg(locale, &Msg::new(label)),
            command: self
                .catalog
                .localize_line(&format!("/payment settle ref:{r} action:{verb}"), locale),
            needs_comment,
            custom_id: format!("pay:{verb}:{id}"),
            // Not the PAY reference: these buttons decide no approval task, so the engine's
            // stale-prompt check must not take them for one.
            reference: Some(format!("payment:{id}")),
            task_id: None,
            style,
            modal_title: needs_comment.then_some("button.override_title"),
        })
        .collect()
    }

    /// Runs a `payment.*` action.
    async fn payment(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
        verb: Verb,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let dir = directory::snapshot(desk).await?;
        let r = || inv.reference("ref").ok_or_else(|| missing("ref"));
        let (event, story) = match verb {
            Verb::List => {
                let rows = payments::list(desk, actor, inv.str("status")).await?;
                let rows: Vec<_> = rows.iter().map(|s| payments::view(s, &dir)).collect();
                return self.render(locale, "reply/payments.txt", json!({ "rows": rows }));
            }
            Verb::Request => {
                let input = payments::RequestInput {
                    po: inv.reference("po").ok_or_else(|| missing("po"))?,
                    invoice: inv.str("invoice").ok_or_else(|| missing("invoice"))?,
                    amount: inv.money("amount").ok_or_else(|| missing("amount"))?,
                    due: inv.date("due"),
                    attachment: inv.str("attachment"),
                    ack: inv.bool("ack").unwrap_or(false),
                };
                ("requested", payments::request(desk, actor, input).await?)
            }
            Verb::Show => ("show", payments::show(desk, actor, r()?).await?),
            Verb::Paid => {
                let r = r()?;
                let (date, amount) = (inv.date("date"), inv.money("amount"));
                match r.kind {
                    RefKind::Payment => {
                        ("paid", payments::paid(desk, actor, r, date, amount).await?)
                    }
                    RefKind::Expense => {
                        let paid =
                            crate::finance::expenses::service::paid(desk, actor, r, date, amount)
                                .await?;
                        return self.expense_paid_reply(&paid, locale).await;
                    }
                    _ => return Err(Msg::new("expense.not_payable").arg("ref", r).into()),
                }
            }
            Verb::Settle => {
                let action = inv.str("action").ok_or_else(|| missing("action"))?;
                let reason = inv.str("reason").or(inv.str("comment"));
                let s = super::settle::settle(desk, actor, r()?, action, reason).await?;
                ("settled", s)
            }
            Verb::Cancel => {
                let s = super::cancel::cancel(desk, actor, r()?, inv.str("reason")).await?;
                ("cancelled", s)
            }
        };
        let mut ctx = payments::view(&story, &dir);
        ctx["event"] = json!(event);
        ctx["progress"] = story
            .progress
            .as_ref()
            .map(|p| views::progress(p, locale))
            .unwrap_or(Value::Null);
        let mut reply = self.render(locale, "reply/payment.txt", ctx)?;
        reply.reference = Some(payments::reference(story.payment.id));
        Ok(reply)
    }
}
