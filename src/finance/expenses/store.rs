//! Expense claim rows.

use super::domain::{ClaimDraft, ExpenseStatus};
use crate::domain::directory::EmployeeId;
use crate::domain::reference::{RefKind, Reference};
use crate::store::{decode, Conn};
use sqlx::FromRow;

/// A stored claim.
#[derive(Debug, Clone)]
pub struct Claim {
    pub id: i64,
    pub claimant_id: EmployeeId,
    pub department_code: String,
    pub category: String,
    pub amount_minor: i64,
    pub currency: String,
    pub description: String,
    /// YYYY-MM-DD.
    pub spent_on: String,
    pub document_url: Option<String>,
    pub status: ExpenseStatus,
    pub round: i64,
    pub paid_minor: i64,
    pub paid_on: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    claimant_id: i64,
    department_code: String,
    category: String,
    amount_minor: i64,
    currency: String,
    description: String,
    spent_on: String,
    document_url: Option<String>,
    status: String,
    round: i64,
    paid_minor: i64,
    paid_on: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for Claim {
    type Error = sqlx::Error;
    fn try_from(r: Row) -> sqlx::Result<Claim> {
        let status = decode::column("expense_claims", r.id, "status", &r.status)?;
        Ok(Claim {
            id: r.id,
            claimant_id: r.claimant_id,
            department_code: r.department_code,
            category: r.category,
            amount_minor: r.amount_minor,
            currency: r.currency,
            description: r.description,
            spent_on: r.spent_on,
            document_url: r.document_url,
            status,
            round: r.round,
            paid_minor: r.paid_minor,
            paid_on: r.paid_on,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

impl Claim {
    pub fn reference(&self) -> Reference {
        reference(self.id)
    }

    /// What is still to pay of it.
    pub fn unpaid(&self) -> i64 {
        (self.amount_minor - self.paid_minor).max(0)
    }

    /// An amount in the claim's currency, formatted.
    pub fn money(&self, minor: i64) -> String {
        crate::domain::money::format_stored(minor, &self.currency)
    }
}

/// The reference of claim `id`, e.g. `EXP-000001`.
pub fn reference(id: i64) -> Reference {
    Reference {
        kind: RefKind::Expense,
        number: id,
    }
}

const COLS: &str = "id, claimant_id, department_code, category, amount_minor, currency, \
    description, spent_on, document_url, status, round, paid_minor, paid_on, created_at, updated_at";

/// Inserts a new claim (pending, round 1) and returns its id.
pub async fn insert(
    conn: &mut Conn,
    claimant: EmployeeId,
    department: &str,
    d: &ClaimDraft,
    now_ms: i64,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO expense_claims (claimant_id, department_code, category, amount_minor, \
         currency, description, spent_on, document_url, status, round, paid_minor, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 1, 0, $9, $9) RETURNING id",
    )
    .bind(claimant)
    .bind(department)
    .bind(&d.category)
    .bind(d.amount.minor)
    .bind(d.amount.currency.as_str())
    .bind(&d.description)
    .bind(d.spent_on.to_string())
    .bind(&d.document_url)
    .bind(now_ms)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// A claim by id.
pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Claim>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLS} FROM expense_claims WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(Claim::try_from).transpose()
}

/// Claims newest first: one claimant's (`Some`), or everyone's; optionally of one status.
pub async fn list(
    conn: &mut Conn,
    claimant: Option<EmployeeId>,
    status: Option<ExpenseStatus>,
    limit: i64,
) -> sqlx::Result<Vec<Claim>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM expense_claims WHERE ($1 = 0 OR claimant_id = $1) \
         AND ($2 = '' OR status = $2) ORDER BY id DESC LIMIT $3"
    ))
    .bind(claimant.unwrap_or(0))
    .bind(status.map(|s| s.as_str()).unwrap_or(""))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Claim::try_from).collect()
}

/// Moves a claim from `from` to `to`; `false` when it was no longer in `from`.
pub async fn set_status(
    conn: &mut Conn,
    id: i64,
    from: &[ExpenseStatus],
    to: ExpenseStatus,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let mut done = false;
    for f in from {
        let r = sqlx::query(
            "UPDATE expense_claims SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2",
        )
        .bind(id)
        .bind(f.as_str())
        .bind(to.as_str())
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
        done |= r.rows_affected() == 1;
        if done {
            break;
        }
    }
    Ok(done)
}

/// Records a payment of an approved claim: `false` when it is no longer approved or the
/// payment would be more than what is unpaid (a concurrent payment).
pub async fn paid(
    conn: &mut Conn,
    id: i64,
    amount_minor: i64,
    on: &str,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE expense_claims SET paid_minor = paid_minor + $2, paid_on = $3, \
         status = CASE WHEN paid_minor + $2 >= amount_minor THEN 'paid' ELSE 'approved' END, \
         updated_at = $4 \
         WHERE id = $1 AND status = 'approved' AND paid_minor + $2 <= amount_minor",
    )
    .bind(id)
    .bind(amount_minor)
    .bind(on)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
