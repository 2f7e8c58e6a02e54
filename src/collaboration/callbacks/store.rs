//! Customer callbacks: one-off (a job) or recurring (a schedule).

use crate::collaboration::callbacks::domain::CallbackStatus;
use crate::domain::directory::EmployeeId;
use crate::service_desk::customers::domain::CustomerId;
use crate::store::{decode, Conn};
use sqlx::any::AnyRow;
use sqlx::FromRow;

/// A stored callback.
#[derive(Debug, Clone)]
pub struct Callback {
    pub id: i64,
    pub owner_id: i64,
    pub customer: String,
    pub note: String,
    pub repeat_text: Option<String>,
    pub repeat_cron: Option<String>,
    /// The next reminder (UTC ms), if any.
    pub due_at: Option<i64>,
    pub schedule_id: Option<i64>,
    pub status: CallbackStatus,
    pub done_count: i64,
    pub last_fired_at: Option<i64>,
    pub created_at: i64,
    /// The customer record it calls, when `customer` named one.
    pub customer_id: Option<CustomerId>,
}

#[derive(FromRow)]
struct CallbackRecord {
    id: i64,
    owner_id: i64,
    customer: String,
    note: String,
    repeat_text: Option<String>,
    repeat_cron: Option<String>,
    due_at: Option<i64>,
    schedule_id: Option<i64>,
    status: String,
    done_count: i64,
    last_fired_at: Option<i64>,
    created_at: i64,
    customer_id: Option<CustomerId>,
}

impl<'r> FromRow<'r, AnyRow> for Callback {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Callback> {
        let r = CallbackRecord::from_row(row)?;
        Ok(Callback {
            status: decode::column("callbacks", r.id, "status", &r.status)?,
            id: r.id,
            owner_id: r.owner_id,
            customer: r.customer,
            note: r.note,
            repeat_text: r.repeat_text,
            repeat_cron: r.repeat_cron,
            due_at: r.due_at,
            schedule_id: r.schedule_id,
            done_count: r.done_count,
            last_fired_at: r.last_fired_at,
            created_at: r.created_at,
            customer_id: r.customer_id,
        })
    }
}

const COLS: &str = "id, owner_id, customer, note, repeat_text, repeat_cron, due_at, schedule_id, \
    status, done_count, last_fired_at, created_at, customer_id";

/// What a new callback needs.
pub struct NewCallback<'a> {
    pub owner: EmployeeId,
    pub customer: &'a str,
    pub note: &'a str,
    pub repeat_text: Option<&'a str>,
    pub repeat_cron: Option<&'a str>,
    pub due_at: i64,
}

/// Writes a scheduled callback; returns it.
pub async fn insert(conn: &mut Conn, c: &NewCallback<'_>, now_ms: i64) -> sqlx::Result<Callback> {
    sqlx::query_as(&format!(
        "INSERT INTO callbacks (owner_id, customer, note, repeat_text, repeat_cron, due_at, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', $7) RETURNING {COLS}"
    ))
    .bind(c.owner)
    .bind(c.customer)
    .bind(c.note)
    .bind(c.repeat_text)
    .bind(c.repeat_cron)
    .bind(c.due_at)
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

/// Links a recurring callback to its schedule.
pub async fn set_schedule(conn: &mut Conn, id: i64, schedule_id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE callbacks SET schedule_id = $2 WHERE id = $1")
        .bind(id)
        .bind(schedule_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Links a callback to a customer record.
pub async fn link_customer(conn: &mut Conn, id: i64, customer_id: CustomerId) -> sqlx::Result<()> {
    sqlx::query("UPDATE callbacks SET customer_id = $2 WHERE id = $1")
        .bind(id)
        .bind(customer_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A callback by id.
pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Callback>> {
    sqlx::query_as(&format!("SELECT {COLS} FROM callbacks WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Someone's scheduled callbacks, soonest first.
pub async fn scheduled_for(conn: &mut Conn, owner: EmployeeId) -> sqlx::Result<Vec<Callback>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM callbacks WHERE owner_id = $1 AND status = 'scheduled' ORDER BY due_at, id"
    ))
    .bind(owner)
    .fetch_all(conn)
    .await
}

/// Every scheduled callback, by owner (for holiday greetings).
pub async fn all_scheduled(conn: &mut Conn) -> sqlx::Result<Vec<Callback>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM callbacks WHERE status = 'scheduled' ORDER BY owner_id, id"
    ))
    .fetch_all(conn)
    .await
}

/// Scheduled callbacks due in `[from, to)` (for the morning digest).
pub async fn due_between(conn: &mut Conn, from: i64, to: i64) -> sqlx::Result<Vec<Callback>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM callbacks WHERE status = 'scheduled' AND due_at >= $1 AND due_at < $2 \
         ORDER BY owner_id, due_at, id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// Closes a scheduled callback as `done` or `cancelled`; returns whether it was scheduled.
pub async fn close(
    conn: &mut Conn,
    id: i64,
    status: CallbackStatus,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE callbacks SET status = $2, closed_at = $3, due_at = NULL, \
         done_count = done_count + CASE WHEN $2 = 'done' THEN 1 ELSE 0 END \
         WHERE id = $1 AND status = 'scheduled'",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts a recurring callback's occurrence as done (it stays scheduled).
pub async fn count_done(conn: &mut Conn, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE callbacks SET done_count = done_count + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a reminder and the next one (`None`: no more), if the callback is still scheduled;
/// returns whether it was.
pub async fn fired(conn: &mut Conn, id: i64, now_ms: i64, next: Option<i64>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE callbacks SET last_fired_at = $2, due_at = $3 WHERE id = $1 AND status = 'scheduled'",
    )
    .bind(id)
    .bind(now_ms)
    .bind(next)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
