//! Contract rows.

use crate::approval::domain::ApprovalStatus;
use crate::domain::directory::EmployeeId;
use crate::domain::money::Money;
use crate::store::{decode, Conn};
use sqlx::any::AnyRow;
use sqlx::FromRow;

/// A stored contract.
#[derive(Debug, Clone)]
pub struct Contract {
    pub id: i64,
    /// The sales order it is for, or
    pub order_id: Option<i64>,
    /// the purchase order it is for.
    pub po_id: Option<i64>,
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
    order_id: Option<i64>,
    po_id: Option<i64>,
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
            po_id: r.po_id,
            submitter_id: r.submitter_id,
            terms: r.terms,
            document_url: r.document_url,
            approved_by: r.approved_by,
            filed_at: r.filed_at,
            created_at: r.created_at,
        })
    }
}

const CTR_COLS: &str =
    "id, order_id, po_id, submitter_id, terms, document_url, amount_minor, currency, \
     status, approved_by, filed_at, created_at";

/// What a contract is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractFor {
    /// A sales order (its id).
    Order(i64),
    /// A purchase order (its id).
    Po(i64),
}

/// Writes a contract submitted for review, for a sales order or a purchase order.
pub async fn insert_contract(
    conn: &mut Conn,
    target: ContractFor,
    submitter: EmployeeId,
    terms: &str,
    document_url: Option<&str>,
    amount: Money,
    now_ms: i64,
) -> sqlx::Result<Contract> {
    sqlx::query_as(&format!(
        "INSERT INTO contracts (order_id, submitter_id, terms, document_url, amount_minor, currency, status, created_at, updated_at, po_id) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7, $8) RETURNING {CTR_COLS}"
    ))
    .bind(match target {
        ContractFor::Order(id) => Some(id),
        ContractFor::Po(_) => None,
    })
    .bind(submitter)
    .bind(terms)
    .bind(document_url)
    .bind(amount.minor)
    .bind(amount.currency.as_str())
    .bind(now_ms)
    .bind(match target {
        ContractFor::Po(id) => Some(id),
        ContractFor::Order(_) => None,
    })
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

/// A purchase order's contracts, oldest first.
pub async fn contracts_of_po(conn: &mut Conn, po_id: i64) -> sqlx::Result<Vec<Contract>> {
    sqlx::query_as(&format!(
        "SELECT {CTR_COLS} FROM contracts WHERE po_id = $1 ORDER BY id"
    ))
    .bind(po_id)
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
