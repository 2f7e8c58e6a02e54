//! What each job kind does: a thin dispatch to the use cases, which write their effects in
//! the transaction that completes the job.

use crate::service::jobs::kind;
use crate::service::{callbacks, digests, followups, sla, Desk, DeskError};
use crate::store::jobs::Due;
use crate::store::Conn;
use anyhow::anyhow;
use serde_json::Value;

/// Runs one job's handler in the completing transaction.
pub(super) async fn run(desk: &Desk, conn: &mut Conn, job: &Due) -> anyhow::Result<()> {
    if job.kind == kind::NOOP {
        return Ok(());
    }
    let payload: Value = serde_json::from_str(&job.payload)
        .map_err(|e| anyhow!("payload is not JSON ({e}): {}", job.payload))?;
    // An occurrence runs for its schedule's fire time, even when it runs late.
    let fire_at = job.fire_at.unwrap_or(job.run_at);
    let result = match job.kind.as_str() {
        kind::SLA_REMIND => sla::remind(desk, conn, &payload).await,
        kind::SLA_ESCALATE => sla::escalate(desk, conn, &payload).await,
        kind::SLA_SWEEP => sla::sweep(conn).await.map(|_| ()),
        kind::FOLLOWUP => followups::fire(desk, conn, &payload).await,
        kind::CALLBACK => callbacks::fire(desk, conn, &payload, fire_at).await,
        kind::DAILY_DIGEST => digests::daily(desk, conn, fire_at).await.map(|_| ()),
        kind::WEEKLY_KPI => digests::weekly_kpi(desk, conn, fire_at).await.map(|_| ()),
        kind::HOLIDAY_GREETINGS => digests::holiday_greetings(desk, conn).await.map(|_| ()),
        other => return Err(anyhow!("no handler for job kind `{other}`")),
    };
    result.map_err(|e| match e {
        DeskError::Internal(e) => e,
        other => anyhow!("{other}"),
    })
}
