//! Budget rows: rounds, departments' drafts, lines, `BUD-` approvals and the history of lines
//! in force (`budget_rounds`, `budget_drafts`, `budget_lines`, `budgets`,
//! `budget_line_history`).

use super::domain::{BudgetKind, BudgetStatus, DraftStatus, RoundStatus};
use crate::domain::directory::EmployeeId;
use crate::finance::settings::Level;
use crate::store::{decode, Conn};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

/// A stored round.
#[derive(Debug, Clone)]
pub struct Round {
    pub id: i64,
    pub year: i32,
    pub period: Level,
    /// YYYY-MM-DD.
    pub due_on: String,
    pub status: RoundStatus,
    pub opened_by: EmployeeId,
    pub created_at: i64,
    pub updated_at: i64,
}

impl<'r> FromRow<'r, AnyRow> for Round {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Round> {
        const T: &str = "budget_rounds";
        let id: i64 = row.try_get("id")?;
        let period: String = row.try_get("period")?;
        let status: String = row.try_get("status")?;
        let year: i64 = row.try_get("year")?;
        Ok(Round {
            id,
            year: i32::try_from(year).map_err(|_| decode::unknown(T, id, "year", &year.to_string()))?,
            period: decode::column(T, id, "period", &period)?,
            due_on: row.try_get("due_on")?,
            status: decode::column(T, id, "status", &status)?,
            opened_by: row.try_get("opened_by")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

const ROUND: &str = "id, year, period, due_on, status, opened_by, created_at, updated_at";

/// The round of `year`.
pub async fn round_of_year(conn: &mut Conn, year: i32) -> sqlx::Result<Option<Round>> {
    sqlx::query_as(&format!("SELECT {ROUND} FROM budget_rounds WHERE year = $1"))
        .bind(i64::from(year))
        .fetch_optional(conn)
        .await
}

/// A round by id.
pub async fn round(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Round>> {
    sqlx::query_as(&format!("SELECT {ROUND} FROM budget_rounds WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The round departments draft in now: the latest year's round in drafting.
pub async fn drafting_round(conn: &mut Conn) -> sqlx::Result<Option<Round>> {
    sqlx::query_as(&format!(
        "SELECT {ROUND} FROM budget_rounds WHERE status = 'drafting' ORDER BY year DESC LIMIT 1"
    ))
    .fetch_optional(conn)
    .await
}

/// The latest round of all (for `/budget show` without a year).
pub async fn latest_round(conn: &mut Conn) -> sqlx::Result<Option<Round>> {
    sqlx::query_as(&format!(
        "SELECT {ROUND} FROM budget_rounds ORDER BY year DESC LIMIT 1"
    ))
    .fetch_optional(conn)
    .await
}

/// Writes a new round, drafting.
pub async fn insert_round(
    conn: &mut Conn,
    year: i32,
    period: Level,
    due_on: &str,
    opened_by: EmployeeId,
    now_ms: i64,
) -> sqlx::Result<Round> {
    sqlx::query_as(&format!(
        "INSERT INTO budget_rounds (year, period, due_on, status, opened_by, created_at, updated_at) \
         VALUES ($1, $2, $3, 'drafting', $4, $5, $5) RETURNING {ROUND}"
    ))
    .bind(i64::from(year))
    .bind(period.as_str())
    .bind(due_on)
    .bind(opened_by)
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

/// Locks a round for the rest of the transaction (changes of one round run one after another)
/// and reads it as it is now.
pub async fn lock_round(conn: &mut Conn, id: i64, now_ms: i64) -> sqlx::Result<Option<Round>> {
    sqlx::query("UPDATE budget_rounds SET updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    round(conn, id).await
}

/// Moves a drafting round's due date (and its phasing).
pub async fn set_due(
    conn: &mut Conn,
    id: i64,
    due_on: &str,
    period: Level,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE budget_rounds SET due_on = $2, period = $3, updated_at = $4 \
         WHERE id = $1 AND status = 'drafting'",
    )
    .bind(id)
    .bind(due_on)
    .bind(period.as_str())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Moves a round from `from` to `to`; `false` when it was not in `from`.
pub async fn set_round_status(
    conn: &mut Conn,
    id: i64,
    from: RoundStatus,
    to: RoundStatus,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE budget_rounds SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A stored draft.
#[derive(Debug, Clone)]
pub struct Draft {
    pub round_id: i64,
    pub department_code: String,
    pub status: DraftStatus,
    pub comment: String,
    pub submitted_by: Option<EmployeeId>,
    pub submitted_at: Option<i64>,
    pub reminded_at: Option<i64>,
    pub escalated_at: Option<i64>,
    pub updated_at: i64,
}

impl<'r> FromRow<'r, AnyRow> for Draft {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Draft> {
        let round_id: i64 = row.try_get("round_id")?;
        let status: String = row.try_get("status")?;
        Ok(Draft {
            round_id,
            status: decode::column("budget_drafts", round_id, "status", &status)?,
            department_code: row.try_get("department_code")?,
            comment: row.try_get("comment")?,
            submitted_by: row.try_get("submitted_by")?,
            submitted_at: row.try_get("submitted_at")?,
            reminded_at: row.try_get("reminded_at")?,
            escalated_at: row.try_get("escalated_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

const DRAFT: &str = "round_id, department_code, status, comment, submitted_by, submitted_at, \
     reminded_at, escalated_at, updated_at";

/// A round's drafts, by department.
pub async fn drafts(conn: &mut Conn, round_id: i64) -> sqlx::Result<Vec<Draft>> {
    sqlx::query_as(&format!(
        "SELECT {DRAFT} FROM budget_drafts WHERE round_id = $1 ORDER BY department_code"
    ))
    .bind(round_id)
    .fetch_all(conn)
    .await
}

/// One department's draft in a round.
pub async fn draft(conn: &mut Conn, round_id: i64, dept: &str) -> sqlx::Result<Option<Draft>> {
    sqlx::query_as(&format!(
        "SELECT {DRAFT} FROM budget_drafts WHERE round_id = $1 AND department_code = $2"
    ))
    .bind(round_id)
    .bind(dept)
    .fetch_optional(conn)
    .await
}

/// Adds a department's draft to a round unless it has one; `true` when added.
pub async fn ensure_draft(
    conn: &mut Conn,
    round_id: i64,
    dept: &str,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO budget_drafts (round_id, department_code, status, updated_at) \
         VALUES ($1, $2, 'drafting', $3) ON CONFLICT DO NOTHING",
    )
    .bind(round_id)
    .bind(dept)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Moves a draft from `from` to `to`, with finance's comment (returned) or who submitted it
/// (submitted); `false` when it was not in `from`.
pub async fn set_draft_status(
    conn: &mut Conn,
    round_id: i64,
    dept: &str,
    from: DraftStatus,
    to: DraftStatus,
    comment: Option<&str>,
    submitted_by: Option<EmployeeId>,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE budget_drafts SET status = $4, comment = COALESCE($5, comment), \
         submitted_by = COALESCE($6, submitted_by), submitted_at = COALESCE($7, submitted_at), \
         updated_at = $8 WHERE round_id = $1 AND department_code = $2 AND status = $3",
    )
    .bind(round_id)
    .bind(dept)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(comment)
    .bind(submitted_by)
    .bind(submitted_by.map(|_| now_ms))
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Moves every draft of a round in `from` to `to`.
pub async fn set_drafts(
    conn: &mut Conn,
    round_id: i64,
    from: DraftStatus,
    to: DraftStatus,
    now_ms: i64,
) -> sqlx::Result<u64> {
    let r = sqlx::query(
        "UPDATE budget_drafts SET status = $3, updated_at = $4 WHERE round_id = $1 AND status = $2",
    )
    .bind(round_id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}

/// Records that a draft's head was reminded (`escalated`: its superior was told).
pub async fn mark_chased(
    conn: &mut Conn,
    round_id: i64,
    dept: &str,
    escalated: bool,
    now_ms: i64,
) -> sqlx::Result<()> {
    let column = if escalated { "escalated_at" } else { "reminded_at" };
    sqlx::query(&format!(
        "UPDATE budget_drafts SET {column} = $3 WHERE round_id = $1 AND department_code = $2"
    ))
    .bind(round_id)
    .bind(dept)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// A stored line.
#[derive(Debug, Clone, FromRow)]
pub struct Line {
    pub id: i64,
    pub round_id: i64,
    pub department_code: String,
    pub category: String,
    pub period: String,
    pub amount_minor: i64,
    pub currency: String,
    pub note: String,
    pub updated_by: i64,
    pub updated_at: i64,
}

const LINE: &str = "id, round_id, department_code, category, period, amount_minor, currency, \
     note, updated_by, updated_at";

/// A round's lines (of one department, or all), by department, category and period.
pub async fn lines(conn: &mut Conn, round_id: i64, dept: Option<&str>) -> sqlx::Result<Vec<Line>> {
    let only = if dept.is_some() {
        "AND department_code = $2"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {LINE} FROM budget_lines WHERE round_id = $1 {only} \
         ORDER BY department_code, category, period"
    );
    let q = sqlx::query_as(&sql).bind(round_id);
    match dept {
        Some(d) => q.bind(d).fetch_all(conn).await,
        None => q.fetch_all(conn).await,
    }
}

/// One line of a round.
pub async fn line(
    conn: &mut Conn,
    round_id: i64,
    dept: &str,
    category: &str,
    period: &str,
) -> sqlx::Result<Option<Line>> {
    sqlx::query_as(&format!(
        "SELECT {LINE} FROM budget_lines WHERE round_id = $1 AND department_code = $2 \
         AND category = $3 AND period = $4"
    ))
    .bind(round_id)
    .bind(dept)
    .bind(category)
    .bind(period)
    .fetch_optional(conn)
    .await
}

/// What a line is set to.
pub struct NewLine<'a> {
    pub round_id: i64,
    pub department_code: &'a str,
    pub category: &'a str,
    pub period: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    /// `None` keeps an existing line's note.
    pub note: Option<&'a str>,
    pub updated_by: EmployeeId,
}

/// Adds a line or changes its amount (and note); returns it.
pub async fn upsert_line(conn: &mut Conn, n: &NewLine<'_>, now_ms: i64) -> sqlx::Result<Line> {
    sqlx::query_as(&format!(
        "INSERT INTO budget_lines (round_id, department_code, category, period, amount_minor, \
         currency, note, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, ''), $8, $9) \
         ON CONFLICT (round_id, department_code, category, period) DO UPDATE SET \
         amount_minor = excluded.amount_minor, currency = excluded.currency, \
         note = COALESCE($7, budget_lines.note), updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at RETURNING {LINE}"
    ))
    .bind(n.round_id)
    .bind(n.department_code)
    .bind(n.category)
    .bind(n.period)
    .bind(n.amount_minor)
    .bind(n.currency)
    .bind(n.note)
    .bind(n.updated_by)
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

/// Removes a line (a draft's amount 0); `true` when there was one.
pub async fn delete_line(
    conn: &mut Conn,
    round_id: i64,
    dept: &str,
    category: &str,
    period: &str,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "DELETE FROM budget_lines WHERE round_id = $1 AND department_code = $2 \
         AND category = $3 AND period = $4",
    )
    .bind(round_id)
    .bind(dept)
    .bind(category)
    .bind(period)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

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
pub async fn insert_budget(conn: &mut Conn, n: &NewBudget<'_>, now_ms: i64) -> sqlx::Result<Budget> {
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
    let r = sqlx::query(
        "UPDATE budgets SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}
