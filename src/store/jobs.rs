//! The job table: timed work, claimed with leases.
//!
//! The pattern is the mature systems' (Oban, River, graphile-worker, solid_queue): one claim
//! statement takes due rows and leases them (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has
//! one writer); a worker then marks its batch done *in the transaction that writes the jobs'
//! effects*, only where it still holds the lease, so a job fired twice has one effect.

use crate::domain::words::words;
use crate::store::{decode, join_ids, Backend, Conn};
use sqlx::any::AnyRow;
use sqlx::FromRow;

words!(
    /// Where a job stands.
    JobStatus {
        /// Due (or leased by a worker until `locked_until`).
        Pending = "pending",
        Done = "done",
        /// Given up after its last attempt, with its last error.
        Failed = "failed",
        /// Withdrawn before it ran (its subject changed).
        Cancelled = "cancelled",
    }
);

/// A stored job.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    /// A registered job kind (`service::jobs::kind`); the scheduler fails a job whose kind has
    /// no handler, with that error on the job.
    pub kind: String,
    pub payload: String,
    pub run_at: i64,
    pub status: JobStatus,
    pub attempts: i64,
    pub max_attempts: i64,
    pub locked_until: Option<i64>,
    pub unique_key: Option<String>,
    pub schedule_id: Option<i64>,
    pub fire_at: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

#[derive(FromRow)]
struct JobRecord {
    id: i64,
    kind: String,
    payload: String,
    run_at: i64,
    status: String,
    attempts: i64,
    max_attempts: i64,
    locked_until: Option<i64>,
    unique_key: Option<String>,
    schedule_id: Option<i64>,
    fire_at: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    finished_at: Option<i64>,
}

impl<'r> FromRow<'r, AnyRow> for Job {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Job> {
        let r = JobRecord::from_row(row)?;
        Ok(Job {
            status: decode::column("jobs", r.id, "status", &r.status)?,
            id: r.id,
            kind: r.kind,
            payload: r.payload,
            run_at: r.run_at,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            locked_until: r.locked_until,
            unique_key: r.unique_key,
            schedule_id: r.schedule_id,
            fire_at: r.fire_at,
            last_error: r.last_error,
            created_at: r.created_at,
            finished_at: r.finished_at,
        })
    }
}

/// What running a job needs (the fast path reads no more than this).
#[derive(Debug, Clone, FromRow)]
pub struct Due {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub run_at: i64,
    pub fire_at: Option<i64>,
}

impl From<&Job> for Due {
    fn from(j: &Job) -> Due {
        Due {
            id: j.id,
            kind: j.kind.clone(),
            payload: j.payload.clone(),
            run_at: j.run_at,
            fire_at: j.fire_at,
        }
    }
}

const COLS: &str = "id, kind, payload, run_at, status, attempts, max_attempts, locked_until, \
    unique_key, schedule_id, fire_at, last_error, created_at, finished_at";

/// A job to write.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: &'static str,
    pub payload: serde_json::Value,
    pub run_at: i64,
    /// One event, one job: a second insert with the same key does nothing.
    pub unique_key: Option<String>,
    pub max_attempts: i64,
}

impl NewJob {
    /// A job of `kind` due at `run_at`, unique by `key`.
    pub fn new(kind: &'static str, payload: serde_json::Value, run_at: i64, key: String) -> Self {
        NewJob {
            kind,
            payload,
            run_at,
            unique_key: Some(key),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }
}

/// Attempts before a job is given up (status `failed`, with its last error).
pub const DEFAULT_MAX_ATTEMPTS: i64 = 10;

/// Writes a job; `None` when a job with its unique key exists already.
pub async fn insert(conn: &mut Conn, j: &NewJob, now_ms: i64) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO jobs (kind, payload, run_at, status, attempts, max_attempts, unique_key, created_at) \
         VALUES ($1, $2, $3, 'pending', 0, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(j.kind)
    .bind(j.payload.to_string())
    .bind(j.run_at)
    .bind(j.max_attempts)
    .bind(&j.unique_key)
    .bind(now_ms)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Writes one occurrence of a schedule; `None` when that (schedule, fire time) exists already
/// (another instance got there first).
pub async fn insert_occurrence(
    conn: &mut Conn,
    schedule_id: i64,
    fire_at: i64,
    kind: &str,
    payload: &str,
    now_ms: i64,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO jobs (kind, payload, run_at, status, attempts, max_attempts, schedule_id, fire_at, created_at) \
         VALUES ($1, $2, $3, 'pending', 0, $4, $5, $3, $6) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(kind)
    .bind(payload)
    .bind(fire_at)
    .bind(DEFAULT_MAX_ATTEMPTS)
    .bind(schedule_id)
    .bind(now_ms)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Claims up to `limit` due jobs, oldest first, leasing them until `now + lease_ms`. A job
/// whose lease ran out (its worker died or stalled) is due again.
pub async fn claim(
    conn: &mut Conn,
    backend: Backend,
    now_ms: i64,
    lease_ms: i64,
    limit: i64,
) -> sqlx::Result<Vec<Job>> {
    let lock = match backend {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    sqlx::query_as(&format!(
        "UPDATE jobs SET locked_until = $1 + $2, attempts = attempts + 1 WHERE id IN ( \
           SELECT id FROM jobs WHERE status = 'pending' AND run_at <= $1 \
             AND (locked_until IS NULL OR locked_until < $1) \
           ORDER BY run_at LIMIT $3 {lock}) \
         RETURNING {COLS}"
    ))
    .bind(now_ms)
    .bind(lease_ms)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Takes up to `limit` due, unleased jobs off the queue in one statement: marks them done
/// (one attempt more) and returns them. Call first in the transaction that runs their
/// handlers: the jobs are done exactly when those effects commit, and a rollback puts them
/// back untouched. While the transaction runs, PostgreSQL's row locks (SKIP LOCKED) keep
/// other schedulers off them; SQLite has one writer.
pub async fn take(
    conn: &mut Conn,
    backend: Backend,
    now_ms: i64,
    limit: i64,
) -> sqlx::Result<Vec<Due>> {
    let due = "SELECT id FROM jobs WHERE status = 'pending' AND run_at <= $1 \
         AND (locked_until IS NULL OR locked_until < $1) ORDER BY run_at LIMIT $2";
    let set = "UPDATE jobs SET status = 'done', finished_at = $1, attempts = attempts + 1, \
         locked_until = NULL";
    match backend {
        Backend::Postgres => {
            sqlx::query_as(&format!(
                "{set} WHERE id IN ({due} FOR UPDATE SKIP LOCKED) \
                 RETURNING id, kind, payload, run_at, fire_at"
            ))
            .bind(now_ms)
            .bind(limit)
            .fetch_all(conn)
            .await
        }
        Backend::Sqlite => {
            // sqlx copies every returned value across from SQLite's thread one by one: the
            // job's fields packed into one JSON array cost a fifth of the batch (measured in
            // benches/scheduler.rs) against returning them as four columns.
            let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
                "{set} WHERE id IN ({due}) RETURNING id, json_array(kind, payload, run_at, fire_at)"
            ))
            .bind(now_ms)
            .bind(limit)
            .fetch_all(conn)
            .await?;
            rows.into_iter()
                .map(|(id, packed)| {
                    let (kind, payload, run_at, fire_at): (String, String, i64, Option<i64>) =
                        serde_json::from_str(&packed).map_err(|e| sqlx::Error::Decode(e.into()))?;
                    Ok(Due {
                        id,
                        kind,
                        payload,
                        run_at,
                        fire_at,
                    })
                })
                .collect()
        }
    }
}

/// Marks claimed jobs done, only those still leased until `held` (ours); returns their ids.
/// Call first in the transaction that writes the jobs' effects: on PostgreSQL it also locks
/// the rows, so nobody can claim them again until that transaction ends.
pub async fn complete(
    conn: &mut Conn,
    ids: &[i64],
    held: i64,
    now_ms: i64,
) -> sqlx::Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    // Ids are integers from our own rows, so inlining them is safe.
    let rows: Vec<(i64,)> = sqlx::query_as(&format!(
        "UPDATE jobs SET status = 'done', finished_at = $1, locked_until = NULL \
         WHERE id IN ({}) AND status = 'pending' AND locked_until = $2 RETURNING id",
        join_ids(ids)
    ))
    .bind(now_ms)
    .bind(held)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Puts a leased job back to run again at `at_ms` after a failure, or gives it up (`failed`)
/// when it has used its attempts — only while it is still pending under our lease `held`
/// (if the lease ran out and someone else ran it meanwhile, their result stands).
pub async fn fail(
    conn: &mut Conn,
    id: i64,
    held: i64,
    at_ms: i64,
    error: &str,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET \
           status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END, \
           finished_at = CASE WHEN attempts >= max_attempts THEN $4 ELSE NULL END, \
           run_at = $2, locked_until = NULL, last_error = $3 \
         WHERE id = $1 AND status = 'pending' AND locked_until = $5",
    )
    .bind(id)
    .bind(at_ms)
    .bind(error)
    .bind(now_ms)
    .bind(held)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Cancels a pending job by its unique key (e.g. a follow-up marked done early).
pub async fn cancel(conn: &mut Conn, unique_key: &str, now_ms: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET status = 'cancelled', finished_at = $2 WHERE unique_key = $1 AND status = 'pending'",
    )
    .bind(unique_key)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes done and cancelled jobs (not SLA jobs) that finished before `cutoff`; returns
/// how many.
pub async fn prune(conn: &mut Conn, cutoff: i64) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "DELETE FROM jobs WHERE status IN ('done', 'cancelled') AND finished_at < $1 \
         AND kind NOT IN ('sla.remind', 'sla.escalate')",
    )
    .bind(cutoff)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Whether any pending, unleased job is due at `now` (a read, so an idle scheduler on SQLite
/// need not take the write lock to find out).
pub async fn any_due(conn: &mut Conn, now_ms: i64) -> sqlx::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM jobs WHERE status = 'pending' AND run_at <= $1 \
         AND (locked_until IS NULL OR locked_until < $1) LIMIT 1",
    )
    .bind(now_ms)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// When the next pending job after `now` is due, if any (how long the scheduler may sleep).
pub async fn next_due_after(conn: &mut Conn, now_ms: i64) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT run_at FROM jobs WHERE status = 'pending' AND run_at > $1 ORDER BY run_at LIMIT 1",
    )
    .bind(now_ms)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(t,)| t))
}

/// A job by its unique key.
pub async fn by_key(conn: &mut Conn, unique_key: &str) -> sqlx::Result<Option<Job>> {
    sqlx::query_as(&format!("SELECT {COLS} FROM jobs WHERE unique_key = $1"))
        .bind(unique_key)
        .fetch_optional(conn)
        .await
}

/// The most recent jobs (newest first), or only the failed ones.
pub async fn recent(conn: &mut Conn, failed_only: bool, limit: i64) -> sqlx::Result<Vec<Job>> {
    let filter = if failed_only {
        "WHERE status = 'failed'"
    } else {
        ""
    };
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM jobs {filter} ORDER BY id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Counts of jobs by status.
pub async fn counts(conn: &mut Conn) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as("SELECT status, COUNT(*) FROM jobs GROUP BY status ORDER BY status")
        .fetch_all(conn)
        .await
}
