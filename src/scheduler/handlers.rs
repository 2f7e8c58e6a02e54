//! What each job kind does: a lookup of the kind's handler, registered by the business area
//! that schedules it ([`crate::registry::jobs`]). Handlers write their effects in the
//! transaction that completes the job.

use crate::domain::audit::AuditEvent;
use crate::service::jobs::kind;
use crate::service::{digests, Desk, DeskError, DeskResult};
use crate::store::jobs::Due;
use crate::store::Conn;
use anyhow::anyhow;
use futures::future::BoxFuture;
use futures::FutureExt;
use serde_json::Value;
use std::panic::AssertUnwindSafe;

/// What runs one job: the desk, the completing transaction, the job's payload and the time it
/// runs for (its schedule's fire time, even when it runs late); the audit events it produced
/// come back.
pub type JobRun = for<'a> fn(
    &'a Desk,
    &'a mut Conn,
    &'a Value,
    i64,
) -> BoxFuture<'a, DeskResult<Vec<AuditEvent>>>;

/// A job kind and what runs it. Each business area lists the kinds it schedules.
#[derive(Clone, Copy)]
pub struct JobHandler {
    pub kind: &'static str,
    pub run: JobRun,
}

impl JobHandler {
    /// `kind`, run by `run`.
    pub fn new(kind: &'static str, run: JobRun) -> JobHandler {
        JobHandler { kind, run }
    }
}

/// Every job kind's handler by name, built once per scheduler
/// ([`crate::registry::job_handlers`]).
pub type JobHandlers = crate::registry::ByName<JobRun>;

/// For handlers that audit nothing themselves.
pub fn none<T>(_: T) -> Vec<AuditEvent> {
    vec![]
}

/// The job kinds no single area owns: the benchmark's no-op, the digests and the prune.
pub fn shared() -> Vec<JobHandler> {
    vec![
        JobHandler::new(kind::NOOP, |_, _, _, _| Box::pin(async { Ok(vec![]) })),
        JobHandler::new(kind::DAILY_DIGEST, |d, c, _, at| {
            Box::pin(digests::daily(d, c, at).map(|r| r.map(none)))
        }),
        JobHandler::new(kind::WEEKLY_KPI, |d, c, _, at| {
            Box::pin(digests::weekly_kpi(d, c, at).map(|r| r.map(none)))
        }),
        JobHandler::new(kind::HOLIDAY_GREETINGS, |d, c, _, _| {
            Box::pin(digests::holiday_greetings(d, c).map(|r| r.map(none)))
        }),
        JobHandler::new(kind::PRUNE, |_, c, _, at| {
            Box::pin(async move { Ok(crate::service::jobs::prune(c, at).await.map(none)?) })
        }),
    ]
}

/// Runs one job's handler in the completing transaction; returns the audit events it
/// produced, for the caller to append just before committing.
pub(super) async fn run(
    handlers: &JobHandlers,
    desk: &Desk,
    conn: &mut Conn,
    job: &Due,
) -> anyhow::Result<Vec<AuditEvent>> {
    // A panicking handler becomes a failed attempt (retried with backoff, then given up),
    // not a dead scheduler that panics again on every restart.
    match AssertUnwindSafe(dispatch(handlers, desk, conn, job))
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

async fn dispatch(
    handlers: &JobHandlers,
    desk: &Desk,
    conn: &mut Conn,
    job: &Due,
) -> anyhow::Result<Vec<AuditEvent>> {
    // Every kind this version schedules has a handler (the registry test checks); a row of
    // another kind (written by a newer version, or by hand) fails and is retried.
    let Some(run) = handlers.get(&job.kind) else {
        return Err(anyhow!("no handler for job kind `{}`", job.kind));
    };
    let payload: Value = serde_json::from_str(&job.payload)
        .map_err(|e| anyhow!("payload is not JSON ({e}): {}", job.payload))?;
    // An occurrence runs for its schedule's fire time, even when it runs late.
    let fire_at = job.fire_at.unwrap_or(job.run_at);
    run(desk, conn, &payload, fire_at)
        .await
        .map_err(|e| match e {
            DeskError::Internal(e) => e,
            other => anyhow!("{other}"),
        })
}
