//! Order issue rows.

use super::domain::{IssueKind, IssueStatus};
use crate::domain::directory::EmployeeId;
use crate::store::{decode, Conn};
use sqlx::any::AnyRow;
use sqlx::FromRow;

/// A change request or quality problem raised on an order.
#[derive(Debug, Clone)]
pub struct Issue {
    pub id: i64,
    pub order_id: i64,
    pub kind: IssueKind,
    pub body: String,
    pub author_id: i64,
    pub status: IssueStatus,
    pub resolution: Option<String>,
    pub resolved_by: Option<i64>,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
}

#[derive(FromRow)]
struct IssueRecord {
    id: i64,
    order_id: i64,
    kind: String,
    body: String,
    author_id: i64,
    status: String,
    resolution: Option<String>,
    resolved_by: Option<i64>,
    created_at: i64,
    resolved_at: Option<i64>,
}

impl<'r> FromRow<'r, AnyRow> for Issue {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Issue> {
        let r = IssueRecord::from_row(row)?;
        const T: &str = "order_issues";
        Ok(Issue {
            kind: decode::column(T, r.id, "kind", &r.kind)?,
            status: decode::column(T, r.id, "status", &r.status)?,
            id: r.id,
            order_id: r.order_id,
            body: r.body,
            author_id: r.author_id,
            resolution: r.resolution,
            resolved_by: r.resolved_by,
            created_at: r.created_at,
            resolved_at: r.resolved_at,
        })
    }
}

const ISSUE_COLS: &str = "id, order_id, kind, body, author_id, status, resolution, resolved_by, \
     created_at, resolved_at";

pub async fn insert_issue(
    conn: &mut Conn,
    order_id: i64,
    kind: IssueKind,
    body: &str,
    author: EmployeeId,
    now_ms: i64,
) -> sqlx::Result<Issue> {
    sqlx::query_as(&format!(
        "INSERT INTO order_issues (order_id, kind, body, author_id, status, created_at) \
         VALUES ($1, $2, $3, $4, 'open', $5) RETURNING {ISSUE_COLS}"
    ))
    .bind(order_id)
    .bind(kind.as_str())
    .bind(body)
    .bind(author)
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

pub async fn issue(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Issue>> {
    sqlx::query_as(&format!(
        "SELECT {ISSUE_COLS} FROM order_issues WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// An order's issues, oldest first.
pub async fn issues_of(conn: &mut Conn, order_id: i64) -> sqlx::Result<Vec<Issue>> {
    sqlx::query_as(&format!(
        "SELECT {ISSUE_COLS} FROM order_issues WHERE order_id = $1 ORDER BY id"
    ))
    .bind(order_id)
    .fetch_all(conn)
    .await
}

/// Resolves an open issue (compare-and-set: only while open); returns whether it did.
pub async fn resolve_issue(
    conn: &mut Conn,
    id: i64,
    resolution: &str,
    by: EmployeeId,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE order_issues SET status = 'resolved', resolution = $2, resolved_by = $3, \
         resolved_at = $4 WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(resolution)
    .bind(by)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
