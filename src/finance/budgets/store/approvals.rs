//! `BUD-` approvals (`budgets`) and the history of lines in force (`budget_line_history`).

use crate::domain::directory::EmployeeId;
use crate::finance::budgets::domain::{BudgetKind, BudgetStatus};
use crate::store::{decode, Conn};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

/// A change of a line in force, as history keeps it.
#[derive(Debug, Clone, FromRow)]
pub struct Change {
    pub line_id: i64,
    pub budget_id: i64,
    pub old_minor: i64,
    pub new_minor: i64,
    pub reason: String,
    pub changed_at: i64,
}

/// Records a change of a line in force.
pub async fn insert_change(conn: &mut Conn, c: &Change) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO budget_line_history (line_id, budget_id, old_minor, new_minor, reason, \
         changed_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(c.line_id)
    .bind(c.budget_id)
    .bind(c.old_minor)
    .bind(c.new_minor)
    .bind(&c.reason)
    .bind(c.changed_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The changes of a round's lines of one department, oldest first.
pub async fn changes(conn: &mut Conn, round_id: i64, dept: &str) -> sqlx::Result<Vec<Change>> {
    sqlx::query_as(
        "SELECT h.line_id, h.budget_id, h.old_minor, h.new_minor, h.reason, h.changed_at \
         FROM budget_line_history h JOIN budget_lines l ON l.id = h.line_id \
         WHERE l.round_id = $1 AND l.department_code = $2 ORDER BY h.id",
    )
    .bind(round_id)
    .bind(dept)
    .fetch_all(conn)
    .await
}

/// A stored `BUD-` approval.
#[derive(Debug, Clone)]
pub struct Budget {
    pub id: i64,
    pub kind: BudgetKind,
    pub round_id: i64,
    pub status: BudgetStatus,
    pub requested_by: EmployeeId,
    pub amount_minor: i64,
    pub currency: String,
    pub department_code: Option<String>,
    pub category: Option<String>,
    pub period: Option<String>,
    pub old_minor: Option<i64>,
    pub reason: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl<'r> FromRow<'r, AnyRow> for Budget {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Budget> {
        const T: &str = "budgets";
        let id: i64 = row.try_get("id")?;
        let kind: String = row.try_get("kind")?;
        let status: String = row.try_get("status")?;
        Ok(Budget {
            id,
            kind: decode::column(T, id, "kind", &kind)?,
            status: decode::column(T, id, "status", &status)?,
            round_id: row.try_get("round_id")?,
            requested_by: row.try_get("requested_by")?,
            amount_minor: row.try_get("amount_minor")?,
            currency: row.try_get("currency")?,
            department_code: row.try_get("department_code")?,
            category: row.try_get("category")?,
            period: row.try_get("period")?,
            old_minor: row.try_get("old_minor")?,
            reason: row.try_get("reason")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

const BUDGET: &str = "id, kind, round_id, status, requested_by, amount_minor, currency, \
     department_code, category, period, old_minor, reason, created_at, updated_at";

/// What a new `BUD-` approval records (a revision: its line, old amount and reason).
pub struct NewBudget<'a> {
    pub kind: BudgetKind,
    pub round_id: i64,
    pub requested_by: EmployeeId,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub line: Option<(&'a str, &'a str, &'a str)>,
    pub old_minor: Option<i64>,
    pub reason: &'a str,
}

/// Writes a `BUD-` approval, pending.
pub async fn insert_budget(
    conn: &mut Conn,
    n: &NewBudget<'_>,
    now_ms: i64,
) -> sqlx::Result<Budget> {
    sqlx::query_as(&format!(
        "INSERT INTO budgets (kind, round_id, status, requested_by, amount_minor, currency, \
         department_code, category, period, old_minor, reason, created_at, updated_at) \
         VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING {BUDGET}"
    ))
    .bind(n.kind.as_str())
    .bind(n.round_id)
    .bind(n.requested_by)
    .bind(n.amount_minor)
    .bind(n.currency)
    .bind(n.line.map(|l| l.0))
    .bind(n.line.map(|l| l.1))
    .bind(n.line.map(|l| l.2))
    .bind(n.old_minor)
    .bind(n.reason)
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

/// A `BUD-` approval by id.
pub async fn budget(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Budget>> {
    sqlx::query_as(&format!("SELECT {BUDGET} FROM budgets WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// A round's latest consolidated budget sent to management.
pub async fn latest_of_round(conn: &mut Conn, round_id: i64) -> sqlx::Result<Option<Budget>> {
    sqlx::query_as(&format!(
        "SELECT {BUDGET} FROM budgets WHERE round_id = $1 AND kind = 'round' ORDER BY id DESC LIMIT 1"
    ))
    .bind(round_id)
    .fetch_optional(conn)
    .await
}

/// The pending revision of one line, if any.
pub async fn pending_revision(
    conn: &mut Conn,
    round_id: i64,
    dept: &str,
    category: &str,
    period: &str,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM budgets WHERE round_id = $1 AND kind = 'revision' AND status = 'pending' \
         AND department_code = $2 AND category = $3 AND period = $4",
    )
    .bind(round_id)
    .bind(dept)
    .bind(category)
    .bind(period)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.0))
}

/// Moves a `BUD-` approval from `from` to `to`; `false` when it was not in `from`.
pub async fn set_budget_status(
    conn: &mut Conn,
    id: i64,
    from: BudgetStatus,
    to: BudgetStatus,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let statuses = (from.as_str(), to.as_str());
    super::move_status(conn, "budgets", id, statuses, now_ms).await
}
