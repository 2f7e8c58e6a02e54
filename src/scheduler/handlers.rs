//! What each job kind does: a thin dispatch to the use cases, which write their effects in
//! the transaction that completes the job.

use crate::approval::sla;
use crate::collaboration::callbacks::service as callbacks;
use crate::collaboration::followups::service as followups;
use crate::domain::audit::AuditEvent;
use crate::service::jobs::kind;
use crate::service::{digests, Desk, DeskError};
use crate::store::jobs::Due;
use crate::store::Conn;
use anyhow::anyhow;
use futures::FutureExt;
use serde_json::Value;
use std::panic::AssertUnwindSafe;

/// For handlers that audit nothing themselves.
fn none<T>(_: T) -> Vec<AuditEvent> {
    vec![]
}

/// Runs one job's handler in the completing transaction; returns the audit events it
/// produced, for the caller to append just before committing.
pub(super) async fn run(
    desk: &Desk,
    conn: &mut Conn,
    job: &Due,
) -> anyhow::Result<Vec<AuditEvent>> {
    // A panicking handler becomes a failed attempt (retried with backoff, then given up),
    // not a dead scheduler that panics again on every restart.
    match AssertUnwindSafe(dispatch(desk, conn, job))
        .catch_unwind()
        .await
    {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(anyhow!("the handler panicked: {what}"))
        }
    }
}

async fn dispatch(desk: &Desk, conn: &mut Conn, job: &Due) -> anyhow::Result<Vec<AuditEvent>> {
    if job.kind == kind::NOOP {
        return Ok(vec![]);
    }
    let payload: Value = serde_json::from_str(&job.payload)
        .map_err(|e| anyhow!("payload is not JSON ({e}): {}", job.payload))?;
    // An occurrence runs for its schedule's fire time, even when it runs late.
    let fire_at = job.fire_at.unwrap_or(job.run_at);
    let result = match job.kind.as_str() {
        kind::SLA_REMIND => sla::remind(desk, conn, &payload).await,
        kind::SLA_ESCALATE => sla::escalate(desk, conn, &payload).await,
        kind::SLA_SWEEP => sla::sweep(conn).await.map(none),
        kind::FOLLOWUP => followups::fire(desk, conn, &payload).await.map(none),
        kind::CALLBACK => callbacks::fire(desk, conn, &payload, fire_at)
            .await
            .map(none),
        kind::DAILY_DIGEST => digests::daily(desk, conn, fire_at).await.map(none),
        kind::WEEKLY_KPI => digests::weekly_kpi(desk, conn, fire_at).await.map(none),
        kind::HOLIDAY_GREETINGS => digests::holiday_greetings(desk, conn).await.map(none),
        kind::COLLECTION => crate::sales::collection::service::remind(desk, conn, &payload).await,
        kind::INQUIRY_SLA => {
            crate::service_desk::inquiries::service::sla_check(desk, conn, &payload).await
        }
        kind::PRUNE => return Ok(crate::service::jobs::prune(conn, fire_at).await.map(none)?),
        other => return Err(anyhow!("no handler for job kind `{other}`")),
    };
    result.map_err(|e| match e {
        DeskError::Internal(e) => e,
        other => anyhow!("{other}"),
    })
}
