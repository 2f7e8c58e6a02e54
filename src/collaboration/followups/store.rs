//! Follow-ups: a person's own reminders about something with a reference.

use crate::collaboration::followups::domain::FollowupStatus;
use crate::domain::directory::EmployeeId;
use crate::store::{decode, Conn};
use sqlx::any::AnyRow;
use sqlx::FromRow;

/// A stored follow-up.
#[derive(Debug, Clone)]
pub struct Followup {
    pub id: i64,
    pub owner_id: i64,
    pub subject_ref: String,
    pub note: String,
    pub due_at: i64,
    pub status: FollowupStatus,
    /// Grows with each snooze; only the job of the current `seq` fires.
    pub seq: i64,
    pub fired_at: Option<i64>,
    pub created_at: i64,
    pub closed_at: Option<i64>,
}

#[derive(FromRow)]
struct FollowupRecord {
    id: i64,
    owner_id: i64,
    subject_ref: String,
    note: String,
    due_at: i64,
    status: String,
    seq: i64,
    fired_at: Option<i64>,
    created_at: i64,
    closed_at: Option<i64>,
}

impl<'r> FromRow<'r, AnyRow> for Followup {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Followup> {
        let r = FollowupRecord::from_row(row)?;
        Ok(Followup {
            status: decode::column("followups", r.id, "status", &r.status)?,
            id: r.id,
            owner_id: r.owner_id,
            subject_ref: r.subject_ref,
            note: r.note,
            due_at: r.due_at,
            seq: r.seq,
            fired_at: r.fired_at,
            created_at: r.created_at,
            closed_at: r.closed_at,
        })
    }
}

const COLS: &str =
    "id, owner_id, subject_ref, note, due_at, status, seq, fired_at, created_at, closed_at";

/// Writes an open follow-up; returns it.
pub async fn insert(
    conn: &mut Conn,
    owner: EmployeeId,
    subject_ref: &str,
    note: &str,
    due_at: i64,
    now_ms: i64,
) -> sqlx::Result<Followup> {
    sqlx::query_as(&format!(
        "INSERT INTO followups (owner_id, subject_ref, note, due_at, status, seq, created_at) \
         VALUES ($1, $2, $3, $4, 'open', 0, $5) RETURNING {COLS}"
    ))
    .bind(owner)
    .bind(subject_ref)
    .bind(note)
    .bind(due_at)
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

/// A follow-up by id.
pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Followup>> {
    sqlx::query_as(&format!("SELECT {COLS} FROM followups WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Someone's open follow-ups, soonest first.
pub async fn open_for(conn: &mut Conn, owner: EmployeeId) -> sqlx::Result<Vec<Followup>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM followups WHERE owner_id = $1 AND status = 'open' ORDER BY due_at, id"
    ))
    .bind(owner)
    .fetch_all(conn)
    .await
}

/// Open follow-ups due in `[from, to)`, by owner then time (for the morning digest).
pub async fn open_due_between(conn: &mut Conn, from: i64, to: i64) -> sqlx::Result<Vec<Followup>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM followups WHERE status = 'open' AND due_at >= $1 AND due_at < $2 \
         ORDER BY owner_id, due_at, id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// Closes an open follow-up as `done` or `cancelled`; returns whether it was open.
pub async fn close(
    conn: &mut Conn,
    id: i64,
    status: FollowupStatus,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE followups SET status = $2, closed_at = $3 WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves an open follow-up to `due_at`; returns its new `seq`, or `None` if it is not open.
pub async fn reschedule(conn: &mut Conn, id: i64, due_at: i64) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "UPDATE followups SET seq = seq + 1, due_at = $2 WHERE id = $1 AND status = 'open' RETURNING seq",
    )
    .bind(id)
    .bind(due_at)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(s,)| s))
}

/// Records that a follow-up fired, if it is still open at `seq`; returns whether it was.
pub async fn mark_fired(conn: &mut Conn, id: i64, seq: i64, now_ms: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE followups SET fired_at = $3 WHERE id = $1 AND seq = $2 AND status = 'open'",
    )
    .bind(id)
    .bind(seq)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
