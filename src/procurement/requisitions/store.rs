//! Requisition rows.

use crate::approval::domain::ApprovalStatus;
use crate::domain::directory::EmployeeId;
use crate::domain::money::{Currency, Money};
use crate::domain::reference::{RefKind, Reference};
use crate::procurement::requisitions::domain::RequisitionDraft;
use crate::store::{decode, Conn};
use chrono::NaiveDate;
use sqlx::FromRow;

/// A stored requisition.
#[derive(Debug, Clone)]
pub struct Requisition {
    pub id: i64,
    pub reference: Reference,
    pub requester: EmployeeId,
    pub department: String,
    pub draft: RequisitionDraft,
    pub status: ApprovalStatus,
    pub round: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    requester_id: i64,
    department_code: String,
    item: String,
    spec: String,
    quantity: i64,
    unit_price_minor: i64,
    total_minor: i64,
    currency: String,
    needed_by: Option<String>,
    reason: String,
    category: Option<String>,
    status: String,
    round: i64,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for Requisition {
    type Error = sqlx::Error;
    fn try_from(r: Row) -> sqlx::Result<Requisition> {
        const T: &str = "requisitions";
        let currency: Currency = decode::column(T, r.id, "currency", &r.currency)?;
        let needed_by = match r.needed_by.as_deref() {
            Some(d) => Some(
                d.parse::<NaiveDate>()
                    .map_err(|_| decode::unknown(T, r.id, "needed_by", d))?,
            ),
            None => None,
        };
        let status = decode::column(T, r.id, "status", &r.status)?;
        Ok(Requisition {
            id: r.id,
            reference: Reference {
                kind: RefKind::Requisition,
                number: r.id,
            },
            requester: r.requester_id,
            department: r.department_code,
            draft: RequisitionDraft {
                item: r.item,
                spec: r.spec,
                quantity: r.quantity,
                unit_price: Money::new(r.unit_price_minor, currency),
                total: Money::new(r.total_minor, currency),
                needed_by,
                reason: r.reason,
                category: r.category,
            },
            status,
            round: r.round,
            created_at_ms: r.created_at,
            updated_at_ms: r.updated_at,
        })
    }
}

const COLS: &str = "id, requester_id, department_code, item, spec, quantity, unit_price_minor, \
    total_minor, currency, needed_by, reason, category, status, round, created_at, updated_at";

/// Inserts a new requisition (round 1, pending) and returns its id.
pub async fn insert(
    conn: &mut Conn,
    requester: EmployeeId,
    department: &str,
    d: &RequisitionDraft,
    now_ms: i64,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO requisitions (requester_id, department_code, item, spec, quantity, unit_price_minor, \
         total_minor, currency, needed_by, reason, category, status, round, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', 1, $12, $12) RETURNING id",
    )
    .bind(requester)
    .bind(department)
    .bind(&d.item)
    .bind(&d.spec)
    .bind(d.quantity)
    .bind(d.unit_price.minor)
    .bind(d.total.minor)
    .bind(d.unit_price.currency.as_str())
    .bind(d.needed_by.map(|n| n.to_string()))
    .bind(&d.reason)
    .bind(&d.category)
    .bind(now_ms)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// A requisition by id.
pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Requisition>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLS} FROM requisitions WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(Requisition::try_from).transpose()
}

/// A requester's requisitions, newest first, optionally by status.
pub async fn list_for(
    conn: &mut Conn,
    requester: EmployeeId,
    status: Option<ApprovalStatus>,
    limit: i64,
) -> sqlx::Result<Vec<Requisition>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM requisitions WHERE requester_id = $1 AND ($2 = '' OR status = $2) \
         ORDER BY id DESC LIMIT $3"
    ))
    .bind(requester)
    .bind(status.map(|s| s.as_str()).unwrap_or(""))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Requisition::try_from).collect()
}

/// Sets a requisition's status (mirroring its current approval round).
pub async fn set_status(
    conn: &mut Conn,
    id: i64,
    status: ApprovalStatus,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE requisitions SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(status.as_str())
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Withdraws a requisition only if it is still in the status and round the caller saw;
/// returns false when a concurrent change (a resubmission, a decision) got there first.
pub async fn withdraw_if(
    conn: &mut Conn,
    id: i64,
    seen_status: ApprovalStatus,
    seen_round: i64,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE requisitions SET status = 'withdrawn', updated_at = $4 WHERE id = $1 AND status = $2 AND round = $3",
    )
    .bind(id)
    .bind(seen_status.as_str())
    .bind(seen_round)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a requisition's fields for a new round, only if it is still waiting for changes
/// in the round the caller saw. Returns false when someone else got there first.
pub async fn resubmit(
    conn: &mut Conn,
    id: i64,
    expected_round: i64,
    d: &RequisitionDraft,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE requisitions SET item = $3, spec = $4, quantity = $5, unit_price_minor = $6, \
         total_minor = $7, needed_by = $8, reason = $9, category = $10, status = 'pending', \
         round = round + 1, updated_at = $11 \
         WHERE id = $1 AND round = $2 AND status = 'changes_requested'",
    )
    .bind(id)
    .bind(expected_round)
    .bind(&d.item)
    .bind(&d.spec)
    .bind(d.quantity)
    .bind(d.unit_price.minor)
    .bind(d.total.minor)
    .bind(d.needed_by.map(|n| n.to_string()))
    .bind(&d.reason)
    .bind(&d.category)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
