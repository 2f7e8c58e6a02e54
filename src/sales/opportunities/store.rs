//! Opportunity rows.

use super::domain::Priority;
use crate::approval::domain::ApprovalStatus;
use crate::domain::directory::EmployeeId;
use crate::domain::money::{Currency, Money};
use crate::service_desk::customers::domain::CustomerId;
use crate::store::{decode, Conn};
use sqlx::any::AnyRow;
use sqlx::FromRow;

/// A stored opportunity.
#[derive(Debug, Clone)]
pub struct Opportunity {
    pub id: i64,
    pub customer_id: CustomerId,
    pub owner_id: i64,
    pub title: String,
    /// The estimated value, if the owner gave one.
    pub value: Option<Money>,
    /// The currency of the value (the company's when none was given).
    pub currency: Currency,
    pub notes: String,
    /// Mirrors its assessment round.
    pub status: ApprovalStatus,
    pub priority: Option<Priority>,
    pub feasibility: Option<String>,
    pub assessed_by: Option<i64>,
    pub created_at: i64,
}

#[derive(FromRow)]
struct OpportunityRecord {
    id: i64,
    customer_id: CustomerId,
    owner_id: i64,
    title: String,
    value_minor: Option<i64>,
    currency: String,
    notes: String,
    status: String,
    priority: Option<String>,
    feasibility: Option<String>,
    assessed_by: Option<i64>,
    created_at: i64,
}

impl<'r> FromRow<'r, AnyRow> for Opportunity {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Opportunity> {
        let r = OpportunityRecord::from_row(row)?;
        const T: &str = "opportunities";
        let currency: Currency = decode::column(T, r.id, "currency", &r.currency)?;
        Ok(Opportunity {
            value: r.value_minor.map(|v| Money::new(v, currency)),
            currency,
            status: decode::column(T, r.id, "status", &r.status)?,
            priority: decode::optional(T, r.id, "priority", r.priority.as_deref())?,
            id: r.id,
            customer_id: r.customer_id,
            owner_id: r.owner_id,
            title: r.title,
            notes: r.notes,
            feasibility: r.feasibility,
            assessed_by: r.assessed_by,
            created_at: r.created_at,
        })
    }
}

const OPP_COLS: &str = "id, customer_id, owner_id, title, value_minor, currency, notes, status, \
     priority, feasibility, assessed_by, created_at";

/// Writes a new opportunity, pending its assessment.
#[allow(clippy::too_many_arguments)]
pub async fn insert_opportunity(
    conn: &mut Conn,
    customer_id: CustomerId,
    owner: EmployeeId,
    title: &str,
    value_minor: Option<i64>,
    currency: Currency,
    notes: &str,
    now_ms: i64,
) -> sqlx::Result<Opportunity> {
    sqlx::query_as(&format!(
        "INSERT INTO opportunities (customer_id, owner_id, title, value_minor, currency, notes, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) RETURNING {OPP_COLS}"
    ))
    .bind(customer_id)
    .bind(owner)
    .bind(title)
    .bind(value_minor)
    .bind(currency.as_str())
    .bind(notes)
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

pub async fn opportunity(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Opportunity>> {
    sqlx::query_as(&format!(
        "SELECT {OPP_COLS} FROM opportunities WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Opportunities, newest first: one owner's, or everyone's.
pub async fn opportunities(
    conn: &mut Conn,
    owner: Option<EmployeeId>,
) -> sqlx::Result<Vec<Opportunity>> {
    sqlx::query_as(&format!(
        "SELECT {OPP_COLS} FROM opportunities WHERE ($1 = 0 OR owner_id = $1) ORDER BY id DESC LIMIT 50"
    ))
    .bind(owner.unwrap_or(0))
    .fetch_all(conn)
    .await
}

pub async fn set_opportunity_status(
    conn: &mut Conn,
    id: i64,
    status: ApprovalStatus,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE opportunities SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(status.as_str())
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the central office's assessment (with its decision).
pub async fn assess(
    conn: &mut Conn,
    id: i64,
    priority: Option<Priority>,
    feasibility: Option<&str>,
    by: EmployeeId,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE opportunities SET priority = $2, feasibility = $3, assessed_by = $4, updated_at = $5 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(priority.map(Priority::as_str))
    .bind(feasibility)
    .bind(by)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}
