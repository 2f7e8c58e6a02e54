//! Recurring schedules: one row each, with the next fire time in UTC. Whoever claims a due row
//! writes its occurrence job and advances it in one transaction; the occurrence's unique
//! (schedule, fire time) key is the last guard, so several instances need no leader.

use crate::store::{Backend, Conn};
use sqlx::FromRow;

/// A stored schedule.
#[derive(Debug, Clone, FromRow)]
pub struct Schedule {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub payload: String,
    pub expr: String,
    pub tz: String,
    pub catch_up: String,
    pub next_fire_at: Option<i64>,
    pub last_fire_at: Option<i64>,
}

const COLS: &str = "id, name, kind, payload, expr, tz, catch_up, next_fire_at, last_fire_at";

/// A schedule to write or update, by name.
#[derive(Debug, Clone)]
pub struct NewSchedule<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub payload: &'a str,
    pub expr: &'a str,
    pub tz: &'a str,
    pub catch_up: &'a str,
    /// `None`: off.
    pub next_fire_at: Option<i64>,
}

/// Creates a schedule; returns its id, or `None` when one of that name exists (another
/// process created it first).
pub async fn create(
    conn: &mut Conn,
    s: &NewSchedule<'_>,
    now_ms: i64,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO schedules (name, kind, payload, expr, tz, catch_up, next_fire_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (name) DO NOTHING RETURNING id",
    )
    .bind(s.name)
    .bind(s.kind)
    .bind(s.payload)
    .bind(s.expr)
    .bind(s.tz)
    .bind(s.catch_up)
    .bind(s.next_fire_at)
    .bind(now_ms)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// A schedule by name.
pub async fn by_name(conn: &mut Conn, name: &str) -> sqlx::Result<Option<Schedule>> {
    sqlx::query_as(&format!("SELECT {COLS} FROM schedules WHERE name = $1"))
        .bind(name)
        .fetch_optional(conn)
        .await
}

/// A schedule by id.
pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Schedule>> {
    sqlx::query_as(&format!("SELECT {COLS} FROM schedules WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Replaces a schedule's rule and next fire time (config changed, or turned off with `None`).
pub async fn redefine(
    conn: &mut Conn,
    id: i64,
    s: &NewSchedule<'_>,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE schedules SET kind = $2, payload = $3, expr = $4, tz = $5, catch_up = $6, \
         next_fire_at = $7, updated_at = $8 WHERE id = $1",
    )
    .bind(id)
    .bind(s.kind)
    .bind(s.payload)
    .bind(s.expr)
    .bind(s.tz)
    .bind(s.catch_up)
    .bind(s.next_fire_at)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Turns a schedule off.
pub async fn stop(conn: &mut Conn, id: i64, now_ms: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE schedules SET next_fire_at = NULL, updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Locks up to `limit` due schedules for this transaction (SKIP LOCKED on PostgreSQL: another
/// instance's due rows are left to it).
pub async fn lock_due(
    conn: &mut Conn,
    backend: Backend,
    now_ms: i64,
    limit: i64,
) -> sqlx::Result<Vec<Schedule>> {
    let lock = match backend {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM schedules WHERE next_fire_at IS NOT NULL AND next_fire_at <= $1 \
         ORDER BY next_fire_at LIMIT $2 {lock}"
    ))
    .bind(now_ms)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Moves a schedule on from `expected` (compare-and-set) to `next` (`None`: no more
/// occurrences); returns whether this call did it.
pub async fn advance(
    conn: &mut Conn,
    id: i64,
    expected: i64,
    next: Option<i64>,
    fired: i64,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE schedules SET next_fire_at = $3, last_fire_at = $4, updated_at = $5 \
         WHERE id = $1 AND next_fire_at = $2",
    )
    .bind(id)
    .bind(expected)
    .bind(next)
    .bind(fired)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether any schedule is due at `now` (a read; see [`crate::store::jobs::any_due`]).
pub async fn any_due(conn: &mut Conn, now_ms: i64) -> sqlx::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM schedules WHERE next_fire_at IS NOT NULL AND next_fire_at <= $1 LIMIT 1",
    )
    .bind(now_ms)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// The earliest next fire time of any schedule after `now` (how long the scheduler may sleep).
pub async fn next_fire_after(conn: &mut Conn, now_ms: i64) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT next_fire_at FROM schedules WHERE next_fire_at IS NOT NULL AND next_fire_at > $1 \
         ORDER BY next_fire_at LIMIT 1",
    )
    .bind(now_ms)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(t,)| t))
}

/// Every schedule whose name starts with `prefix` (e.g. `system.`).
pub async fn with_prefix(conn: &mut Conn, prefix: &str) -> sqlx::Result<Vec<Schedule>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM schedules WHERE name LIKE $1 ORDER BY name"
    ))
    .bind(format!("{prefix}%"))
    .fetch_all(conn)
    .await
}
