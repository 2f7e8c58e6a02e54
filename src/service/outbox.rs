//! The operator's view of the outbox: what was sent, what failed and why, and replaying
//! dead letters (`bizdesk outbox list|retry`). A replay is audited.

use crate::service::{audit_event, Desk, DeskResult};
use crate::store::{self, audit, outbox};

pub use crate::store::outbox::Message;

/// The latest `limit` messages, newest first; only dead letters with `failed`.
pub async fn list(desk: &Desk, failed: bool, limit: i64) -> DeskResult<Vec<Message>> {
    let mut conn = desk.store.pool().acquire().await?;
    Ok(outbox::list(&mut conn, failed, limit.clamp(1, 10_000)).await?)
}

/// Puts dead letters back in the queue (one, or all with `None`); returns their ids.
pub async fn retry(desk: &Desk, id: Option<i64>, operator: &str) -> DeskResult<Vec<i64>> {
    let mut tx = desk.store.begin().await?;
    let ids = outbox::retry_dead(&mut tx, id, store::to_ms(desk.now())).await?;
    if !ids.is_empty() {
        let shown: Vec<String> = ids.iter().take(20).map(i64::to_string).collect();
        let more = if ids.len() > 20 { " …" } else { "" };
        let event = audit_event(
            desk.now(),
            operator,
            None,
            "outbox.retry",
            "outbox",
            format!(
                "requeued {} dead letter(s): {}{more}",
                ids.len(),
                shown.join(", ")
            ),
        );
        audit::append(&mut tx, &desk.keys.audit, event).await?;
    }
    tx.commit().await?;
    Ok(ids)
}
