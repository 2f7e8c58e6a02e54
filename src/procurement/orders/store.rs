//! Purchase order rows.

use super::domain::PoStatus;
use crate::domain::money::Money;
use crate::store::{decode, Conn};
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::FromRow;

/// A stored purchase order (one line: its requisition's item).
#[derive(Debug, Clone)]
pub struct PurchaseOrder {
    pub id: i64,
    pub requisition_id: i64,
    pub supplier_id: i64,
    /// The requisition's requester, told at each step.
    pub requester_id: i64,
    pub department: String,
    /// Who raised it.
    pub buyer_id: i64,
    pub item: String,
    pub spec: String,
    pub category: Option<String>,
    pub quantity: i64,
    pub unit_price: Money,
    pub total: Money,
    pub delivery_on: Option<NaiveDate>,
    pub place: String,
    pub terms: String,
    pub important: bool,
    pub needs_contract: bool,
    /// The supplier's standing when raised, when it warrants a warning (`poor`).
    pub warning: Option<String>,
    pub status: PoStatus,
    pub round: i64,
    pub sent_at: Option<i64>,
    pub confirmed_at: Option<i64>,
    pub cancel_reason: Option<String>,
    /// The requester's DM edited as the PO moves (an outbox message id).
    pub dm_message_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(FromRow)]
struct PoRecord {
    id: i64,
    requisition_id: i64,
    supplier_id: i64,
    requester_id: i64,
    department_code: String,
    buyer_id: i64,
    item: String,
    spec: String,
    category: Option<String>,
    quantity: i64,
    unit_price_minor: i64,
    total_minor: i64,
    currency: String,
    delivery_on: Option<String>,
    place: String,
    terms: String,
    important: i64,
    needs_contract: i64,
    warning: Option<String>,
    status: String,
    round: i64,
    sent_at: Option<i64>,
    confirmed_at: Option<i64>,
    cancel_reason: Option<String>,
    dm_message_id: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

/// A stored date (`YYYY-MM-DD`).
struct Day(NaiveDate);

impl TryFrom<&str> for Day {
    type Error = ();
    fn try_from(s: &str) -> Result<Day, ()> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Day)
            .map_err(|_| ())
    }
}

impl<'r> FromRow<'r, AnyRow> for PurchaseOrder {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<PurchaseOrder> {
        let r = PoRecord::from_row(row)?;
        const T: &str = "purchase_orders";
        let currency = decode::column(T, r.id, "currency", &r.currency)?;
        let delivery: Option<Day> =
            decode::optional(T, r.id, "delivery_on", r.delivery_on.as_deref())?;
        Ok(PurchaseOrder {
            unit_price: Money::new(r.unit_price_minor, currency),
            total: Money::new(r.total_minor, currency),
            delivery_on: delivery.map(|d| d.0),
            status: decode::column(T, r.id, "status", &r.status)?,
            id: r.id,
            requisition_id: r.requisition_id,
            supplier_id: r.supplier_id,
            requester_id: r.requester_id,
            department: r.department_code,
            buyer_id: r.buyer_id,
            item: r.item,
            spec: r.spec,
            category: r.category,
            quantity: r.quantity,
            place: r.place,
            terms: r.terms,
            important: r.important != 0,
            needs_contract: r.needs_contract != 0,
            warning: r.warning,
            round: r.round,
            sent_at: r.sent_at,
            confirmed_at: r.confirmed_at,
            cancel_reason: r.cancel_reason,
            dm_message_id: r.dm_message_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// The columns a [`PurchaseOrder`] is read from.
pub const COLS: &str = "id, requisition_id, supplier_id, requester_id, department_code, \
     buyer_id, item, spec, category, quantity, unit_price_minor, total_minor, currency, \
     delivery_on, place, terms, important, needs_contract, warning, status, round, sent_at, \
     confirmed_at, cancel_reason, dm_message_id, created_at, updated_at";

/// Purchase order `id`.
pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<PurchaseOrder>> {
    sqlx::query_as(&format!("SELECT {COLS} FROM purchase_orders WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Takes purchase order `id`'s row lock for the rest of the transaction (receipts and
/// payment requests against one PO then run one after another, on both backends); `false`
/// when it does not exist.
pub async fn lock(conn: &mut Conn, id: i64, now_ms: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE purchase_orders SET updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
