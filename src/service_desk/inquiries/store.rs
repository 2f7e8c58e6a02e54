//! Inquiries, complaints and feedback, with their timeline.

use crate::domain::directory::EmployeeId;
use crate::service_desk::customers::domain::CustomerId;
use crate::service_desk::inquiries::domain::{Channel, EventKind, Kind, Priority, Status};
use crate::store::{decode, Conn};
use sqlx::any::AnyRow;
use sqlx::FromRow;

/// A stored inquiry.
#[derive(Debug, Clone)]
pub struct Inquiry {
    pub id: i64,
    pub customer_id: CustomerId,
    pub channel: Channel,
    pub kind: Kind,
    pub subject: String,
    pub details: String,
    pub category: Option<String>,
    pub department_code: String,
    pub priority: Priority,
    pub status: Status,
    pub owner_id: Option<i64>,
    pub logged_by: i64,
    pub resolution: Option<String>,
    pub created_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// The customer's score (1–5), once given.
    pub satisfaction: Option<i64>,
}

#[derive(FromRow)]
struct InquiryRecord {
    id: i64,
    customer_id: CustomerId,
    channel: String,
    kind: String,
    subject: String,
    details: String,
    category: Option<String>,
    department_code: String,
    priority: String,
    status: String,
    owner_id: Option<i64>,
    logged_by: i64,
    resolution: Option<String>,
    created_at: i64,
    first_response_at: Option<i64>,
    resolved_at: Option<i64>,
    satisfaction: Option<i64>,
}

impl<'r> FromRow<'r, AnyRow> for Inquiry {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Inquiry> {
        let r = InquiryRecord::from_row(row)?;
        const T: &str = "inquiries";
        if let Some(score) = r.satisfaction.filter(|s| !(1..=5).contains(s)) {
            return Err(decode::unknown(T, r.id, "satisfaction", &score.to_string()).into());
        }
        Ok(Inquiry {
            channel: decode::column(T, r.id, "channel", &r.channel)?,
            kind: decode::column(T, r.id, "kind", &r.kind)?,
            priority: decode::column(T, r.id, "priority", &r.priority)?,
            status: decode::column(T, r.id, "status", &r.status)?,
            id: r.id,
            customer_id: r.customer_id,
            subject: r.subject,
            details: r.details,
            category: r.category,
            department_code: r.department_code,
            owner_id: r.owner_id,
            logged_by: r.logged_by,
            resolution: r.resolution,
            created_at: r.created_at,
            first_response_at: r.first_response_at,
            resolved_at: r.resolved_at,
            satisfaction: r.satisfaction,
        })
    }
}

const COLS: &str = "id, customer_id, channel, kind, subject, details, category, department_code, \
    priority, status, owner_id, logged_by, resolution, created_at, first_response_at, resolved_at, \
    satisfaction";

/// One entry of an inquiry's timeline.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: EventKind,
    /// `None`: bizdesk itself (an SLA breach).
    pub author_id: Option<i64>,
    pub text: String,
    pub created_at: i64,
}

#[derive(FromRow)]
struct EventRecord {
    id: i64,
    kind: String,
    author_id: Option<i64>,
    text: String,
    created_at: i64,
}

impl<'r> FromRow<'r, AnyRow> for Event {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Event> {
        let r = EventRecord::from_row(row)?;
        Ok(Event {
            kind: decode::column("inquiry_events", r.id, "kind", &r.kind)?,
            author_id: r.author_id,
            text: r.text,
            created_at: r.created_at,
        })
    }
}

/// What a new inquiry needs.
pub struct NewInquiry<'a> {
    pub customer_id: CustomerId,
    pub channel: Channel,
    pub kind: Kind,
    pub subject: &'a str,
    pub details: &'a str,
    pub category: Option<&'a str>,
    pub department: &'a str,
    pub priority: Priority,
    pub logged_by: EmployeeId,
}

/// Writes an open inquiry; returns it.
pub async fn insert(conn: &mut Conn, i: &NewInquiry<'_>, now_ms: i64) -> sqlx::Result<Inquiry> {
    sqlx::query_as(&format!(
        "INSERT INTO inquiries (customer_id, channel, kind, subject, details, category, department_code, \
         priority, status, logged_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $10) RETURNING {COLS}"
    ))
    .bind(i.customer_id)
    .bind(i.channel.as_str())
    .bind(i.kind.as_str())
    .bind(i.subject)
    .bind(i.details)
    .bind(i.category)
    .bind(i.department)
    .bind(i.priority.as_str())
    .bind(i.logged_by)
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

/// An inquiry by id, locked for the caller's transaction (PostgreSQL; SQLite has one writer).
pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Inquiry>> {
    sqlx::query_as(&format!("SELECT {COLS} FROM inquiries WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Sets who owns it and where it stands.
pub async fn set_owner(
    conn: &mut Conn,
    id: i64,
    owner: Option<EmployeeId>,
    department: &str,
    status: Status,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE inquiries SET owner_id = $2, department_code = $3, status = $4, updated_at = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(owner)
    .bind(department)
    .bind(status.as_str())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the first answer the customer got (only the first counts).
pub async fn mark_responded(conn: &mut Conn, id: i64, now_ms: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE inquiries SET first_response_at = COALESCE(first_response_at, $2), \
         status = CASE WHEN status = 'open' THEN 'in_progress' ELSE status END, updated_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Resolves it with the result the customer was sent; `false` if it was resolved already.
pub async fn resolve(
    conn: &mut Conn,
    id: i64,
    resolution: &str,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE inquiries SET status = 'resolved', resolution = $2, resolved_at = $3, \
         first_response_at = COALESCE(first_response_at, $3), updated_at = $3 \
         WHERE id = $1 AND status <> 'resolved'",
    )
    .bind(id)
    .bind(resolution)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The satisfaction score recorded for an inquiry, if any.
pub async fn satisfaction(conn: &mut Conn, id: i64) -> sqlx::Result<Option<i64>> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT satisfaction FROM inquiries WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.and_then(|(s,)| s))
}

/// Records a resolved inquiry's satisfaction score once; `false` if one was recorded already.
pub async fn record_satisfaction(
    conn: &mut Conn,
    id: i64,
    score: i64,
    comment: Option<&str>,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE inquiries SET satisfaction = $2, satisfaction_comment = $3, satisfaction_at = $4 \
         WHERE id = $1 AND satisfaction IS NULL AND status = 'resolved'",
    )
    .bind(id)
    .bind(score)
    .bind(comment)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds a timeline entry.
pub async fn add_event(
    conn: &mut Conn,
    id: i64,
    kind: EventKind,
    author: Option<EmployeeId>,
    text: &str,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO inquiry_events (inquiry_id, kind, author_id, text, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(kind.as_str())
    .bind(author)
    .bind(text)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// An inquiry's timeline, oldest first.
pub async fn events(conn: &mut Conn, id: i64) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as(
        "SELECT id, kind, author_id, text, created_at FROM inquiry_events WHERE inquiry_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(conn)
    .await
}

/// Unresolved inquiries: someone's, a department's, or all; oldest first, at most 50.
pub async fn unresolved(
    conn: &mut Conn,
    owner: Option<EmployeeId>,
    department: Option<&str>,
) -> sqlx::Result<Vec<Inquiry>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM inquiries WHERE status <> 'resolved' \
         AND ($1 = 0 OR owner_id = $1) AND ($2 = '' OR department_code = $2) ORDER BY id LIMIT 50"
    ))
    .bind(owner.unwrap_or(0))
    .bind(department.unwrap_or(""))
    .fetch_all(conn)
    .await
}
