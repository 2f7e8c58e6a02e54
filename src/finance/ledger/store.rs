//! Ledger rows: positions, moves, alerts, and the allocation of lines in force.

use super::domain::Split;
use crate::finance::expenses::domain::ExpenseStatus;
use crate::store::{decode, Conn};
use chrono::NaiveDate;
use sqlx::FromRow;

/// Where a document is charged: the department, category and month of its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub department: String,
    pub category: String,
    pub year: i32,
    pub month: u32,
}

/// A document's position.
#[derive(Debug, Clone)]
pub struct Position {
    pub key: Key,
    pub split: Split,
}

#[derive(FromRow)]
struct PositionRow {
    department_code: String,
    category: String,
    year: i64,
    month: i64,
    requested_minor: i64,
    committed_minor: i64,
    spent_minor: i64,
}

/// The position of `doc` (`REQ-000042`), if it has one.
pub async fn position(conn: &mut Conn, doc: &str) -> sqlx::Result<Option<Position>> {
    let row: Option<PositionRow> = sqlx::query_as(
        "SELECT department_code, category, year, month, requested_minor, committed_minor, \
         spent_minor FROM budget_positions WHERE doc = $1",
    )
    .bind(doc)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Position {
        key: Key {
            department: r.department_code,
            category: r.category,
            year: r.year as i32,
            month: r.month as u32,
        },
        split: Split {
            requested: r.requested_minor,
            committed: r.committed_minor,
            spent: r.spent_minor,
        },
    }))
}

/// Moves `doc` to `split` under `key` and records the move (`delta`).
pub async fn put(
    conn: &mut Conn,
    doc: &str,
    key: &Key,
    split: &Split,
    delta: &Split,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO budget_positions (doc, department_code, category, year, month, \
         requested_minor, committed_minor, spent_minor, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (doc) DO UPDATE SET requested_minor = $6, committed_minor = $7, \
         spent_minor = $8, updated_at = $9",
    )
    .bind(doc)
    .bind(&key.department)
    .bind(&key.category)
    .bind(i64::from(key.year))
    .bind(i64::from(key.month))
    .bind(split.requested)
    .bind(split.committed)
    .bind(split.spent)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO budget_moves (doc, department_code, category, year, month, \
         requested_minor, committed_minor, spent_minor, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(doc)
    .bind(&key.department)
    .bind(&key.category)
    .bind(i64::from(key.year))
    .bind(i64::from(key.month))
    .bind(delta.requested)
    .bind(delta.committed)
    .bind(delta.spent)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Locks one line of the budget in force for `year` (its rows, every period) until the
/// transaction ends, so that checks against it run one after the other while other lines are
/// checked at the same time; a line that does not exist locks nothing (it allocates nothing,
/// so a stop refuses every charge against it anyway).
pub async fn lock_line(
    conn: &mut Conn,
    year: i32,
    department: &str,
    category: &str,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE budget_lines SET updated_at = updated_at WHERE department_code = $2 \
         AND category = $3 AND round_id IN \
         (SELECT id FROM budget_rounds WHERE year = $1 AND status = 'in_force')",
    )
    .bind(i64::from(year))
    .bind(department)
    .bind(category)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Every line of `department` in the budget in force for `year`: (category, period, amount).
/// Empty: the department has no budget in force that year.
pub async fn department_lines(
    conn: &mut Conn,
    year: i32,
    department: &str,
) -> sqlx::Result<Vec<(String, String, i64)>> {
    sqlx::query_as(
        "SELECT l.category, l.period, l.amount_minor FROM budget_lines l \
         JOIN budget_rounds r ON r.id = l.round_id \
         WHERE r.year = $1 AND r.status = 'in_force' AND l.department_code = $2",
    )
    .bind(i64::from(year))
    .bind(department)
    .fetch_all(conn)
    .await
}

/// The in-force line of one department and category for `year`, by period
/// (`2027`, `2027-Q1`, `2027-03`) with its amount.
pub async fn lines(
    conn: &mut Conn,
    year: i32,
    department: &str,
    category: &str,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT l.period, l.amount_minor FROM budget_lines l \
         JOIN budget_rounds r ON r.id = l.round_id \
         WHERE r.year = $1 AND r.status = 'in_force' AND l.department_code = $2 \
         AND l.category = $3 ORDER BY l.period",
    )
    .bind(i64::from(year))
    .bind(department)
    .bind(category)
    .fetch_all(conn)
    .await
}

/// What documents hold against one department and category in each month of `year`
/// (index 0 = January).
pub async fn used_by_month(
    conn: &mut Conn,
    year: i32,
    department: &str,
    category: &str,
) -> sqlx::Result<[i64; 12]> {
    let rows: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT month, CAST(SUM(requested_minor + committed_minor + spent_minor) AS BIGINT) \
         FROM budget_positions WHERE year = $1 AND department_code = $2 AND category = $3 \
         GROUP BY month",
    )
    .bind(i64::from(year))
    .bind(department)
    .bind(category)
    .fetch_all(conn)
    .await?;
    let mut out = [0i64; 12];
    for (m, sum) in rows {
        if (1..=12).contains(&m) {
            out[m as usize - 1] = sum.unwrap_or(0);
        }
    }
    Ok(out)
}

/// Allocations in force for `year`, per department and category.
pub async fn allocated(conn: &mut Conn, year: i32) -> sqlx::Result<Vec<(String, String, i64)>> {
    let rows: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT l.department_code, l.category, CAST(SUM(l.amount_minor) AS BIGINT) \
         FROM budget_lines l JOIN budget_rounds r ON r.id = l.round_id \
         WHERE r.year = $1 AND r.status = 'in_force' \
         GROUP BY l.department_code, l.category",
    )
    .bind(i64::from(year))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(d, c, s)| (d, c, s.unwrap_or(0)))
        .collect())
}

/// What documents hold in `year`, per department and category.
pub async fn held(conn: &mut Conn, year: i32) -> sqlx::Result<Vec<(String, String, Split)>> {
    type Sums = (String, String, Option<i64>, Option<i64>, Option<i64>);
    let rows: Vec<Sums> = sqlx::query_as(
        "SELECT department_code, category, CAST(SUM(requested_minor) AS BIGINT), \
         CAST(SUM(committed_minor) AS BIGINT), CAST(SUM(spent_minor) AS BIGINT) \
         FROM budget_positions WHERE year = $1 GROUP BY department_code, category",
    )
    .bind(i64::from(year))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(d, c, r, k, s)| {
            let split = Split {
                requested: r.unwrap_or(0),
                committed: k.unwrap_or(0),
                spent: s.unwrap_or(0),
            };
            (d, c, split)
        })
        .collect())
}

/// Records that a line's `level` % notice is going out; `false` when it went out before.
pub async fn alert_once(
    conn: &mut Conn,
    department: &str,
    category: &str,
    year: i32,
    level: u32,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO budget_alerts (department_code, category, year, level, sent_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(department)
    .bind(category)
    .bind(i64::from(year))
    .bind(i64::from(level))
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An expense claim as the ledger needs it.
#[derive(Debug, Clone)]
pub struct ClaimRow {
    pub department_code: String,
    pub category: String,
    pub amount_minor: i64,
    pub currency: String,
    pub spent_on: NaiveDate,
    pub status: ExpenseStatus,
    pub paid_minor: i64,
}

#[derive(FromRow)]
struct RawClaim {
    department_code: String,
    category: String,
    amount_minor: i64,
    currency: String,
    spent_on: String,
    status: String,
    paid_minor: i64,
}

/// The claim `id`; a stored status or date bizdesk does not know is an error naming the row.
pub async fn claim(conn: &mut Conn, id: i64) -> sqlx::Result<Option<ClaimRow>> {
    const T: &str = "expense_claims";
    let row: Option<RawClaim> = sqlx::query_as(
        "SELECT department_code, category, amount_minor, currency, spent_on, status, paid_minor \
         FROM expense_claims WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let spent_on = r
        .spent_on
        .parse::<NaiveDate>()
        .map_err(|_| decode::unknown(T, id, "spent_on", &r.spent_on))?;
    let status = ExpenseStatus::parse(&r.status)
        .ok_or_else(|| decode::unknown(T, id, "status", &r.status))?;
    Ok(Some(ClaimRow {
        department_code: r.department_code,
        category: r.category,
        amount_minor: r.amount_minor,
        currency: r.currency,
        spent_on,
        status,
        paid_minor: r.paid_minor,
    }))
}
