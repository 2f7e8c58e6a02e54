//! `/contract` (submit, show).

use super::service as contracts;
use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::chat::views;
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::{Locale, Msg};
use crate::service::{directory, DeskError};
use serde_json::{json, Value};

/// The `/contract` actions, one variant each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Submit,
    Show,
}

/// The `/contract` actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("contract.submit", |c, a, i, l| {
            Box::pin(c.contract(a, i, l, Verb::Submit))
        }),
        Handler::new("contract.show", |c, a, i, l| {
            Box::pin(c.contract(a, i, l, Verb::Show))
        }),
    ]
}

impl Chat {
    /// Runs a `contract.*` action.
    async fn contract(
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
            Verb::Submit | Verb::Show => {
                let (event, story) = if verb == Verb::Submit {
                    let (terms, doc) = (inv.str("terms"), inv.str("attachment"));
                    let s = match (inv.reference("order"), inv.reference("po")) {
                        (Some(order), None) => {
                            contracts::submit(desk, actor, order, terms, doc).await?
                        }
                        (None, Some(po)) => {
                            super::purchase::submit(desk, actor, po, terms, doc).await?
                        }
                        _ => return Err(Msg::new("contract.order_or_po").into()),
                    };
                    ("submitted", s)
                } else {
                    let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
                    ("show", contracts::show(desk, actor, r).await?)
                };
                let mut ctx = contracts::view(&story, &dir);
                ctx["event"] = json!(event);
                ctx["progress"] = progress(&story.progress);
                let mut reply = self.render(locale, "reply/contract.txt", ctx)?;
                reply.reference = Some(contracts::reference(story.contract.id));
                Ok(reply)
            }
        }
    }
}
