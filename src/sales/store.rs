//! Opportunities, contracts and order issues.

use crate::approval::domain::ApprovalStatus;
use crate::domain::directory::EmployeeId;
use crate::domain::money::{Currency, Money};
use crate::sales::domain::{IssueKind, IssueStatus, Priority};
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

/// A stored contract.
#[derive(Debug, Clone)]
pub struct Contract {
    pub id: i64,
    pub order_id: i64,
    pub submitter_id: i64,
    pub terms: String,
    pub document_url: Option<String>,
    pub amount: Money,
    /// Mirrors its review round.
    pub status: ApprovalStatus,
    pub approved_by: Option<String>,
    pub filed_at: Option<i64>,
    pub created_at: i64,
}

#[derive(FromRow)]
struct ContractRecord {
    id: i64,
    order_id: i64,
    submitter_id: i64,
    terms: String,
    document_url: Option<String>,
    amount_minor: i64,
    currency: String,
    status: String,
    approved_by: Option<String>,
    filed_at: Option<i64>,
    created_at: i64,
}

impl<'r> FromRow<'r, AnyRow> for Contract {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Contract> {
        let r = ContractRecord::from_row(row)?;
        const T: &str = "contracts";
        Ok(Contract {
            amount: Money::new(
                r.amount_minor,
                decode::column(T, r.id, "currency", &r.currency)?,
            ),
            status: decode::column(T, r.id, "status", &r.status)?,
            id: r.id,
            order_id: r.order_id,
            submitter_id: r.submitter_id,
            terms: r.terms,
            document_url: r.document_url,
            approved_by: r.approved_by,
            filed_at: r.filed_at,
            created_at: r.created_at,
        })
    }
}

const CTR_COLS: &str = "id, order_id, submitter_id, terms, document_url, amount_minor, currency, \
     status, approved_by, filed_at, created_at";

/// Writes a contract submitted for review.
pub async fn insert_contract(
    conn: &mut Conn,
    order_id: i64,
    submitter: EmployeeId,
    terms: &str,
    document_url: Option<&str>,
    amount: Money,
    now_ms: i64,
) -> sqlx::Result<Contract> {
    sqlx::query_as(&format!(
        "INSERT INTO contracts (order_id, submitter_id, terms, document_url, amount_minor, currency, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) RETURNING {CTR_COLS}"
    ))
    .bind(order_id)
    .bind(submitter)
    .bind(terms)
    .bind(document_url)
    .bind(amount.minor)
    .bind(amount.currency.as_str())
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

pub async fn contract(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Contract>> {
    sqlx::query_as(&format!("SELECT {CTR_COLS} FROM contracts WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// An order's contracts, oldest first.
pub async fn contracts_of(conn: &mut Conn, order_id: i64) -> sqlx::Result<Vec<Contract>> {
    sqlx::query_as(&format!(
        "SELECT {CTR_COLS} FROM contracts WHERE order_id = $1 ORDER BY id"
    ))
    .bind(order_id)
    .fetch_all(conn)
    .await
}

/// Sets a contract's review status; an approved one is filed with its approvers' names.
pub async fn set_contract_status(
    conn: &mut Conn,
    id: i64,
    status: ApprovalStatus,
    approved_by: Option<&str>,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE contracts SET status = $2, approved_by = $3, filed_at = $4, updated_at = $5 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(approved_by)
    .bind(approved_by.map(|_| now_ms))
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

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
