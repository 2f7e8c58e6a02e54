//! Budget rows: rounds, departments' drafts, lines, `BUD-` approvals and the history of lines
//! in force (`budget_rounds`, `budget_drafts`, `budget_lines`, `budgets`,
//! `budget_line_history`).

mod approvals;

pub use approvals::*;

use super::domain::{DraftStatus, RoundStatus};
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
            year: i32::try_from(year)
                .map_err(|_| decode::unknown(T, id, "year", &year.to_string()))?,
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
    sqlx::query_as(&format!(
        "SELECT {ROUND} FROM budget_rounds WHERE year = $1"
    ))
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

/// Moves row `id` of `table` (rounds or `BUD-` approvals) from status `from` to `to`;
/// `false` when it was not in `from` (someone else moved it first).
async fn move_status(
    conn: &mut Conn,
    table: &str,
    id: i64,
    (from, to): (&str, &str),
    now_ms: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(&format!(
        "UPDATE {table} SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2"
    ))
    .bind(id)
    .bind(from)
    .bind(to)
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
    let statuses = (from.as_str(), to.as_str());
    move_status(conn, "budget_rounds", id, statuses, now_ms).await
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

/// A draft's move: from one status to another, with finance's comment (returned) or who
/// submitted it (submitted).
pub struct DraftMove<'a> {
    pub from: DraftStatus,
    pub to: DraftStatus,
    pub comment: Option<&'a str>,
    pub submitted_by: Option<EmployeeId>,
}

/// Moves a draft as `m` says; `false` when it was not in `m.from`.
pub async fn set_draft_status(
    conn: &mut Conn,
    round_id: i64,
    dept: &str,
    m: &DraftMove<'_>,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let (from, to, comment, submitted_by) = (m.from, m.to, m.comment, m.submitted_by);
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
    let column = if escalated {
        "escalated_at"
    } else {
        "reminded_at"
    };
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
