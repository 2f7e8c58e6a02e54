//! `/order issue` and `/order resolve`: change requests and quality problems on an order.

use crate::chat::actions::{missing, Chat, Handler, Reply};
use crate::commands::Invocation;
use crate::domain::directory::Employee;
use crate::domain::Locale;
use crate::sales::order_issues::service as order_issues;
use crate::sales::order_issues::store::Issue;
use crate::service::DeskError;
use serde_json::{json, Value};

/// The order-issue actions and their handlers.
pub fn actions() -> Vec<Handler> {
    vec![
        Handler::new("order.issue", |c, a, i, l| {
            Box::pin(c.order_issue(a, i, l, true))
        }),
        Handler::new("order.resolve", |c, a, i, l| {
            Box::pin(c.order_issue(a, i, l, false))
        }),
    ]
}

impl Chat {
    /// Raises an issue on an order (`raise`), or resolves one.
    async fn order_issue(
        &self,
        actor: &Employee,
        inv: &Invocation,
        locale: Locale,
        raise: bool,
    ) -> Result<Reply, DeskError> {
        let desk = &self.desk;
        let (issue, r) = if raise {
            let r = inv.reference("ref").ok_or_else(|| missing("ref"))?;
            let kind = inv.str("kind").ok_or_else(|| missing("kind"))?;
            let text = inv.str("text").ok_or_else(|| missing("text"))?;
            order_issues::raise(desk, actor, r, kind, text).await?
        } else {
            let id = inv.int("issue").ok_or_else(|| missing("issue"))?;
            let text = inv.str("resolution").ok_or_else(|| missing("resolution"))?;
            order_issues::resolve(desk, actor, id, text).await?
        };
        let mut ctx = issue_view(&issue, &crate::service::directory::snapshot(desk).await?);
        ctx["ref"] = json!(r.to_string());
        self.render(locale, "reply/order_issue.txt", ctx)
    }
}

/// An issue as replies show it.
pub(crate) fn issue_view(i: &Issue, dir: &crate::domain::directory::Directory) -> Value {
    let name = |id: Option<i64>| id.and_then(|id| dir.by_id(id)).map(|e| e.name.clone());
    json!({
        "id": i.id, "kind": i.kind, "text": i.body, "status": i.status,
        "by": name(Some(i.author_id)), "at_ms": i.created_at, "resolution": i.resolution,
        "resolved_by": name(i.resolved_by), "resolved_ms": i.resolved_at,
    })
}
