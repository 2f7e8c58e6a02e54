//! `/receipt` (new, show, list, resolve).

use super::service as receipts;
use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::service::{directory, DeskError};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    New,
    Show,
    List,
    Resolve,
}

/// The `/receipt` actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("receipt.new", |c, a, i, l| {
            Box::pin(c.receipt(a, i, l, Verb::New))
        }),
        Handler::new("receipt.show", |c, a, i, l| {
            Box::pin(c.receipt(a, i, l, Verb::Show))
        }),
        Handler::new("receipt.list", |c, a, i, l| {
            Box::pin(c.receipt(a, i, l, Verb::List))
        }),
        Handler::new("receipt.resolve", |c, a, i, l| {
            Box::pin(c.receipt(a, i, l, Verb::Resolve))
        }),
    ]
}

impl Chat {
    /// Runs a `receipt.*` action.
    async fn receipt(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
        verb: Verb,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let dir = directory::snapshot(desk).await?;
        let (event, story) = match verb {
            Verb::List => {
                let rows = receipts::list(
                    desk,
                    actor,
                    inv.reference("po"),
                    inv.bool("open").unwrap_or(false),
                )
                .await?;
                let rows: Vec<_> = rows.iter().map(|s| receipts::view(s, &dir)).collect();
                return self.render(locale, "reply/receipts.txt", json!({ "rows": rows }));
            }
            Verb::New => {
                let input = receipts::NewInput {
                    po: Some(inv.reference("po").ok_or_else(|| missing("po"))?),
                    accepted: inv.int("accepted").ok_or_else(|| missing("accepted"))?,
                    rejected: inv.int("rejected"),
                    reason: inv.str("reason"),
                    note: inv.str("note"),
                    attachment: inv.str("attachment"),
                };
                ("received", receipts::receive(desk, actor, input).await?)
            }
            Verb::Show => {
                let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                ("show", receipts::show(desk, actor, r).await?)
            }
            Verb::Resolve => {
                let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                let res = inv.str("resolution").ok_or_else(|| missing("resolution"))?;
                let s = receipts::resolve(desk, actor, r, res, inv.str("note")).await?;
                ("resolved", s)
            }
        };
        let mut ctx = receipts::view(&story, &dir);
        ctx["event"] = json!(event);
        let mut reply = self.render(locale, "reply/receipt.txt", ctx)?;
        reply.reference = Some(receipts::reference(story.receipt.id));
        Ok(reply)
    }
}
