//! Timed work, as the use cases write it: job kinds, and scheduling a job inside the caller's
//! transaction (so a change and the reminders it implies commit together).

use crate::store::jobs::{self, NewJob};
use crate::store::{Backend, Conn};

/// Job kinds: what the scheduler runs. Each is handled where its area lives (`jobs()` in the
/// area, gathered by [`crate::registry::jobs`]); the registry test fails for a kind here
/// without a handler.
pub mod kind {
    /// Does nothing; the benchmark's job, and a way to check a scheduler is alive.
    pub const NOOP: &str = "noop";
    /// Remind an approver of an open task (payload: `task_id`).
    pub const SLA_REMIND: &str = "sla.remind";
    /// Escalate a stage that waited too long (payload: `stage_id`).
    pub const SLA_ESCALATE: &str = "sla.escalate";
    /// Find active stages whose SLA jobs are missing (rounds opened before an upgrade).
    pub const SLA_SWEEP: &str = "sla.sweep";
    /// A follow-up is due (payload: `id`, `seq`).
    pub const FOLLOWUP: &str = "followup.fire";
    /// A customer callback is due (payload: `id`).
    pub const CALLBACK: &str = "callback.fire";
    /// The morning digest: pending approvals and today's follow-ups, per person.
    pub const DAILY_DIGEST: &str = "digest.daily";
    /// The weekly KPI summary to the central office.
    pub const WEEKLY_KPI: &str = "kpi.weekly";
    /// Reminds callback owners to greet their customers.
    pub const HOLIDAY_GREETINGS: &str = "greetings.holiday";
    /// Reminds finance and the owner of an unpaid order (payload: `id`, `when`, `due`).
    pub const COLLECTION: &str = "order.collect";
    /// Checks an inquiry's service level (payload: `id`, `check` = response | resolution).
    pub const INQUIRY_SLA: &str = "inquiry.sla";
    /// Reminds of sent POs due for delivery soon, to prepare their inspection (daily).
    pub const PO_INSPECTION: &str = "po.inspection";
    /// Daily: reminds of suppliers' certificates before expiry, suspends on expiry.
    pub const SUPPLIER_CERTS: &str = "supplier.certs";
    /// Quarterly: refreshes the scorecards of suppliers with orders in the period just ended
    /// and asks the central office to rate them.
    pub const SUPPLIER_EVALUATION: &str = "supplier.evaluation";
    /// Reminds finance of approved supplier payments due soon or overdue (daily).
    pub const PAYABLES: &str = "payables.remind";
    /// Reminds department heads who have not submitted a budget draft before the round's due
    /// date (payload: `round_id`, `due`).
    pub const BUDGET_REMIND: &str = "budget.remind";
    /// Tells the superiors of heads whose draft is late, the day after the due date (payload:
    /// `round_id`, `due`).
    pub const BUDGET_ESCALATE: &str = "budget.escalate";
    /// Monthly: the finance summary to management.
    pub const FINANCE_SUMMARY: &str = "finance.summary";
    /// Deletes finished jobs older than [`super::KEEP_DONE_DAYS`].
    pub const PRUNE: &str = "jobs.prune";
}

/// How long finished jobs are kept (for `bizdesk jobs` and investigations) before the prune
/// job deletes them. SLA jobs are kept: the sweep would otherwise schedule a long-open
/// stage's reminder again.
pub const KEEP_DONE_DAYS: i64 = 30;

/// How long Discord interaction ids are kept to spot replays. Discord redelivers an
/// interaction only while its token lives (15 minutes); a day is ample.
pub const KEEP_INTERACTIONS_MS: i64 = 86_400_000;

/// Deletes done and cancelled jobs that finished more than [`KEEP_DONE_DAYS`] before
/// `fire_at`, and interaction ids older than [`KEEP_INTERACTIONS_MS`]; returns how many jobs.
pub async fn prune(conn: &mut Conn, fire_at: i64) -> sqlx::Result<u64> {
    let cutoff = fire_at - KEEP_DONE_DAYS * 86_400_000;
    let n = jobs::prune(conn, cutoff).await?;
    crate::store::interactions::prune(conn, fire_at - KEEP_INTERACTIONS_MS).await?;
    Ok(n)
}

/// The PostgreSQL channel a scheduler listens on to wake up at once.
pub const WAKE_CHANNEL: &str = "bizdesk_jobs";

/// Writes a job in the caller's transaction; `false` when its unique key exists already.
/// A job due now wakes the schedulers of every process on PostgreSQL when the transaction
/// commits (`NOTIFY`); later jobs are found by the schedulers' own timers.
pub async fn schedule(
    conn: &mut Conn,
    backend: Backend,
    job: &NewJob,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let added = jobs::insert(&mut *conn, job, now_ms).await?.is_some();
    if added && backend == Backend::Postgres && job.run_at <= now_ms {
        sqlx::query(&format!("NOTIFY {WAKE_CHANNEL}"))
            .execute(conn)
            .await?;
    }
    Ok(added)
}
