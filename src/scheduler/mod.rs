//! The scheduler: fires due schedules and runs due jobs, in every `serve` process, without a
//! leader.
//!
//! One tick: (1) lock due schedules (SKIP LOCKED on PostgreSQL), write each one's occurrence
//! jobs — unique per (schedule, fire time) — and advance it, in one transaction; (2) in one
//! transaction, take a batch of due jobs off the queue (one statement marks them done) and
//! run their handlers, whose effects (outbox rows, state changes, audit events) commit with
//! that mark — a crash or error rolls both back, so a job never has half an effect or two.
//! (3) If a handler fails, each due job runs alone under a lease (claimed in one statement,
//! marked done in its effects' transaction only while the lease is still ours), and the
//! failing one is retried with capped backoff. A job whose lease ran out (its process died or
//! stalled) is due again; the first run to commit wins and the other's mark finds nothing.
//!
//! Time comes from the desk's clock, so tests move time instead of sleeping; idle waits sleep
//! until the next due job or schedule (at most `poll`), and on PostgreSQL a `NOTIFY` from a
//! job written for now wakes every process at once.

pub mod handlers;

use crate::domain::schedule::{firing, CatchUp, Recurrence};
use crate::scheduler::handlers::JobHandlers;
use crate::service::Desk;
use crate::store::jobs::{self, Job};
use crate::store::{self, audit, schedules};
use anyhow::Context;
use rand::Rng;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// How the scheduler claims and waits.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long a claimed job stays ours before another process may take it.
    pub lease: Duration,
    /// Jobs claimed (and completed in one transaction) at a time.
    pub batch: i64,
    /// The longest idle wait: the floor that finds jobs written by others.
    pub poll: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            lease: Duration::from_secs(60),
            batch: 64,
            poll: Duration::from_secs(1),
        }
    }
}

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tick {
    /// Occurrences written for due schedules.
    pub occurrences: usize,
    /// Jobs run to completion.
    pub done: usize,
    /// Jobs that failed and will be retried (or were given up).
    pub failed: usize,
}

impl Tick {
    fn busy(&self) -> bool {
        self.occurrences + self.done + self.failed > 0
    }
}

/// Runs timed work for one desk.
#[derive(Clone)]
pub struct Scheduler {
    desk: Desk,
    opts: Options,
    wake: Arc<Notify>,
    /// How often a batch fell back to running its jobs one by one (a handler failed).
    slow_runs: Arc<AtomicUsize>,
    /// What runs each job kind.
    handlers: Arc<JobHandlers>,
}

/// Capped exponential backoff with ±10 % jitter: attempt⁴ seconds (River's curve), at most an
/// hour.
pub fn backoff(attempts: i64) -> Duration {
    let a = attempts.clamp(1, 100) as f64;
    let secs = a.powi(4).clamp(1.0, 3600.0);
    Duration::from_secs_f64(secs * rand::thread_rng().gen_range(0.9..1.1))
}

impl Scheduler {
    /// A scheduler on the desk's store and clock.
    pub fn new(desk: Desk, opts: Options) -> Scheduler {
        Scheduler {
            desk,
            opts,
            wake: Arc::new(Notify::new()),
            slow_runs: Arc::new(AtomicUsize::new(0)),
            handlers: Arc::new(crate::registry::job_handlers()),
        }
    }

    /// How many batches fell back to one-by-one runs because a handler failed.
    pub fn slow_runs(&self) -> usize {
        self.slow_runs.load(Ordering::Relaxed)
    }

    /// Wakes an idle scheduler now (a job was written for now).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs until `stop` turns true. `listen_url`: a PostgreSQL URL to LISTEN on for wake-ups.
    pub async fn run(self, mut stop: watch::Receiver<bool>, listen_url: Option<String>) {
        tracing::info!("scheduler started");
        if let Some(url) = listen_url {
            tokio::spawn(listen(url, self.wake.clone(), stop.clone()));
        }
        loop {
            if *stop.borrow() {
                return;
            }
            let busy = match self.tick().await {
                Ok(t) => t.busy(),
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "scheduler tick failed");
                    false
                }
            };
            if busy {
                continue;
            }
            let idle = self.idle_for().await.unwrap_or(self.opts.poll);
            tokio::select! {
                _ = tokio::time::sleep(idle) => {}
                _ = self.wake.notified() => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }

    /// How long nothing is due: until the next job or schedule, at most `poll`.
    async fn idle_for(&self) -> anyhow::Result<Duration> {
        let mut conn = self.desk.store.pool().acquire().await?;
        let now = store::to_ms(self.desk.now());
        let job = jobs::next_due_after(&mut conn, now).await?;
        let sched = schedules::next_fire_after(&mut conn, now).await?;
        let next = job.into_iter().chain(sched).min();
        let poll = self.opts.poll;
        Ok(next.map_or(poll, |n| {
            Duration::from_millis((n - now).max(0) as u64).min(poll)
        }))
    }

    /// Runs everything due now, until nothing is (tests call this after moving the clock).
    pub async fn drain(&self) -> anyhow::Result<Tick> {
        let mut total = Tick::default();
        loop {
            let t = self.tick().await?;
            total.occurrences += t.occurrences;
            total.done += t.done;
            total.failed += t.failed;
            if !t.busy() || t.failed > 0 && t.done == 0 && t.occurrences == 0 {
                return Ok(total);
            }
        }
    }

    /// One round: fire due schedules, then run one batch of due jobs. On SQLite, a read first
    /// says whether either has anything due, so an idle tick takes no write lock (SQLite has
    /// one writer: an idle scheduler would otherwise hold up every other write twice a tick).
    pub async fn tick(&self) -> anyhow::Result<Tick> {
        let (schedules_due, jobs_due) = if self.desk.store.backend() == store::Backend::Sqlite {
            let mut conn = self.desk.store.pool().acquire().await?;
            let now = store::to_ms(self.desk.now());
            (
                schedules::any_due(&mut conn, now).await?,
                jobs::any_due(&mut conn, now).await?,
            )
        } else {
            (true, true)
        };
        let occurrences = if schedules_due {
            self.fire_schedules().await?
        } else {
            0
        };
        // Occurrences just written are due jobs.
        let (done, failed) = if jobs_due || occurrences > 0 {
            self.run_batch().await?
        } else {
            (0, 0)
        };
        Ok(Tick {
            occurrences,
            done,
            failed,
        })
    }

    /// Writes the occurrences of due schedules and advances them; returns how many were new.
    pub async fn fire_schedules(&self) -> anyhow::Result<usize> {
        let desk = &self.desk;
        let mut tx = desk.store.begin().await?;
        let now = desk.now();
        let now_ms = store::to_ms(now);
        let due = schedules::lock_due(&mut tx, desk.store.backend(), now_ms, 100).await?;
        let mut written = 0;
        for s in due {
            let Some(due_ms) = s.next_fire_at else {
                continue;
            };
            let rule = Recurrence::parse(&s.expr, &s.tz)
                .and_then(|r| CatchUp::parse(&s.catch_up).map(|c| (r, c)));
            let (rule, catch_up) = match rule {
                Ok(r) => r,
                Err(e) => {
                    // Stored rules are checked when written; a bad one stops rather than spins.
                    tracing::error!(schedule = %s.name, error = %e, "schedule has a bad rule; turned off");
                    schedules::stop(&mut tx, s.id, now_ms).await?;
                    continue;
                }
            };
            let f = firing(&rule, store::from_ms(due_ms), now, catch_up);
            let Some(last) = f.fire.last() else {
                continue;
            };
            let next = f.next.map(store::to_ms);
            if !schedules::advance(&mut tx, s.id, due_ms, next, store::to_ms(*last), now_ms).await?
            {
                continue; // another process advanced it first
            }
            for at in &f.fire {
                let at = store::to_ms(*at);
                if jobs::insert_occurrence(&mut tx, s.id, at, &s.kind, &s.payload, now_ms)
                    .await?
                    .is_some()
                {
                    written += 1;
                }
            }
        }
        tx.commit()
            .await
            .context("committing schedule occurrences")?;
        Ok(written)
    }

    /// Runs one batch of due jobs; returns (done, failed).
    ///
    /// The fast path takes the batch off the queue and runs every handler in one transaction:
    /// one statement takes the jobs, and they are done exactly when their effects commit. If
    /// any handler fails, that transaction rolls back (nothing happened) and the slow path
    /// runs each due job alone under a lease, so one bad job is retried with backoff without
    /// holding back, or undoing, the others.
    pub async fn run_batch(&self) -> anyhow::Result<(usize, usize)> {
        match self.run_fast().await {
            Ok(n) => Ok((n, 0)),
            Err(e) => {
                self.slow_runs.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %format!("{e:#}"), "batch failed; running its jobs one by one");
                self.run_slow().await
            }
        }
    }

    async fn run_fast(&self) -> anyhow::Result<usize> {
        let mut tx = self.desk.store.begin().await?;
        match self.take_and_run(&mut tx).await {
            Ok(n) => {
                tx.commit().await?;
                Ok(n)
            }
            Err(e) => {
                // Roll back now: a dropped transaction's rollback waits for the connection's
                // next use, and until then PostgreSQL keeps the batch's rows locked, so the
                // slow path's SKIP LOCKED claim would not see them.
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    /// Takes a batch off the queue and runs its handlers in `tx`; returns how many ran.
    async fn take_and_run(&self, tx: &mut store::Tx) -> anyhow::Result<usize> {
        let desk = &self.desk;
        if desk.store.backend() == store::Backend::Postgres {
            // The transaction is the lease: a run stuck longer than a lease is cut off, its
            // jobs go back to the queue.
            let ms = self.opts.lease.as_millis().to_string();
            sqlx::query(
                "SELECT set_config('statement_timeout', $1, true), \
                 set_config('idle_in_transaction_session_timeout', $1, true)",
            )
            .bind(ms)
            .execute(&mut **tx)
            .await?;
        }
        let now = store::to_ms(desk.now());
        let mut batch = jobs::take(tx, desk.store.backend(), now, self.opts.batch).await?;
        // RETURNING has no order: run what fell due first, first (an escalation due on
        // Saturday before Monday's digest that should list its result).
        batch.sort_by_key(|j| (j.run_at, j.id));
        let mut events = Vec::new();
        for job in &batch {
            let audit = handlers::run(&self.handlers, desk, tx, job)
                .await
                .with_context(|| format!("job {} ({})", job.id, job.kind))?;
            events.extend(audit);
        }
        // Last, so the audit chain's head is locked only for the moment before commit.
        for e in events {
            audit::append(tx, &desk.keys.audit, e).await?;
        }
        Ok(batch.len())
    }

    async fn run_slow(&self) -> anyhow::Result<(usize, usize)> {
        let desk = &self.desk;
        let mut claimed = {
            let mut tx = desk.store.begin().await?;
            let now = store::to_ms(desk.now());
            let lease = self.opts.lease.as_millis() as i64;
            let rows =
                jobs::claim(&mut tx, desk.store.backend(), now, lease, self.opts.batch).await?;
            tx.commit().await?;
            rows
        };
        claimed.sort_by_key(|j| (j.run_at, j.id));
        let (mut done, mut failed) = (0, 0);
        for job in &claimed {
            match self.run_leased(job).await {
                Ok(n) => done += n,
                Err(e) => {
                    failed += 1;
                    self.record_failure(job, &format!("{e:#}")).await?;
                }
            }
        }
        Ok((done, failed))
    }

    /// Marks a leased job done and runs its handler in one transaction; returns 1 if it ran, 0
    /// if its lease was no longer ours (someone else ran it).
    async fn run_leased(&self, job: &Job) -> anyhow::Result<usize> {
        let mut tx = self.desk.store.begin().await?;
        match self.complete_and_run(&mut tx, job).await {
            Ok(n) => {
                tx.commit().await?;
                Ok(n)
            }
            Err(e) => {
                let _ = tx.rollback().await; // at once, as in `run_fast`
                Err(e)
            }
        }
    }

    async fn complete_and_run(&self, tx: &mut store::Tx, job: &Job) -> anyhow::Result<usize> {
        let desk = &self.desk;
        let now = store::to_ms(desk.now());
        let held = job.locked_until.unwrap_or_default();
        if jobs::complete(tx, &[job.id], held, now).await?.is_empty() {
            return Ok(0);
        }
        let events = handlers::run(&self.handlers, desk, tx, &job.into())
            .await
            .with_context(|| format!("job {} ({})", job.id, job.kind))?;
        for e in events {
            audit::append(tx, &desk.keys.audit, e).await?;
        }
        Ok(1)
    }

    /// Puts a failed job back with backoff (or gives it up), if its lease is still ours.
    async fn record_failure(&self, job: &Job, error: &str) -> anyhow::Result<()> {
        let desk = &self.desk;
        let now = store::to_ms(desk.now());
        let at = now + backoff(job.attempts).as_millis() as i64;
        let mut tx = desk.store.begin().await?;
        let held = job.locked_until.unwrap_or_default();
        jobs::fail(&mut tx, job.id, held, at, error, now).await?;
        tx.commit().await?;
        if job.attempts >= job.max_attempts {
            tracing::error!(job = job.id, kind = %job.kind, error, "job failed for the last time");
        } else {
            tracing::warn!(job = job.id, kind = %job.kind, attempts = job.attempts, error, "job failed; will retry");
        }
        Ok(())
    }
}

/// Wakes the scheduler whenever a job due now is written by any process (PostgreSQL).
async fn listen(url: String, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    use sqlx::postgres::PgListener;
    loop {
        let mut listener = match PgListener::connect(&url).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "scheduler: cannot LISTEN; polling only");
                return;
            }
        };
        if let Err(e) = listener.listen(crate::service::jobs::WAKE_CHANNEL).await {
            tracing::warn!(error = %e, "scheduler: LISTEN failed; polling only");
            return;
        }
        loop {
            tokio::select! {
                n = listener.recv() => match n {
                    Ok(_) => wake.notify_one(),
                    Err(e) => {
                        tracing::warn!(error = %e, "scheduler: LISTEN connection lost; reconnecting");
                        break;
                    }
                },
                _ = stop.wait_for(|s| *s) => return,
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
