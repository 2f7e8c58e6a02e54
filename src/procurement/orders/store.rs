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

/// What a new PO row holds.
pub struct NewPo<'a> {
    pub requisition_id: i64,
    pub supplier_id: i64,
    pub requester_id: i64,
    pub department: &'a str,
    pub buyer_id: i64,
    pub item: &'a str,
    pub spec: &'a str,
    pub category: Option<&'a str>,
    pub draft: &'a super::domain::PoDraft,
    pub delivery_on: Option<NaiveDate>,
    pub place: &'a str,
    pub terms: &'a str,
    pub important: bool,
}

/// Writes a new PO (pending, round 1) and returns its id.
pub async fn insert(conn: &mut Conn, p: &NewPo<'_>, now_ms: i64) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO purchase_orders (requisition_id, supplier_id, requester_id, department_code, \
         buyer_id, item, spec, category, quantity, unit_price_minor, total_minor, currency, \
         delivery_on, place, terms, important, needs_contract, warning, status, round, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
         $13, $14, $15, $16, $17, $18, 'pending', 1, $19, $19) RETURNING id",
    )
    .bind(p.requisition_id)
    .bind(p.supplier_id)
    .bind(p.requester_id)
    .bind(p.department)
    .bind(p.buyer_id)
    .bind(p.item)
    .bind(p.spec)
    .bind(p.category)
    .bind(p.draft.quantity)
    .bind(p.draft.unit_price.minor)
    .bind(p.draft.total.minor)
    .bind(p.draft.unit_price.currency.as_str())
    .bind(p.delivery_on.map(|d| d.to_string()))
    .bind(p.place)
    .bind(p.terms)
    .bind(i64::from(p.important))
    .bind(i64::from(p.draft.needs_contract))
    .bind(&p.draft.warning)
    .bind(now_ms)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Takes requisition `id`'s row lock for the rest of the transaction, so two POs raised
/// from it at once are counted one after the other; `false` when it does not exist.
pub async fn lock_requisition(conn: &mut Conn, id: i64, now_ms: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE requisitions SET updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The quantity live POs (not rejected or cancelled) of a requisition order.
pub async fn ordered_of(conn: &mut Conn, requisition_id: i64) -> sqlx::Result<i64> {
    let (n,): (Option<i64>,) = sqlx::query_as(
        "SELECT CAST(SUM(quantity) AS BIGINT) FROM purchase_orders WHERE requisition_id = $1 \
         AND status NOT IN ('rejected', 'cancelled')",
    )
    .bind(requisition_id)
    .fetch_one(conn)
    .await?;
    Ok(n.unwrap_or(0))
}

/// POs, newest first: `buyer_or_requester` limits them to one person's (raised or asked
/// for), `open` to those not finished, `status` to one status.
pub async fn list(
    conn: &mut Conn,
    person: Option<i64>,
    open: bool,
    status: Option<PoStatus>,
    limit: i64,
) -> sqlx::Result<Vec<PurchaseOrder>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM purchase_orders WHERE ($1 = 0 OR buyer_id = $1 OR requester_id = $1) \
         AND ($2 = 0 OR status NOT IN ('rejected', 'cancelled', 'received')) \
         AND ($3 = '' OR status = $3) ORDER BY id DESC LIMIT $4"
    ))
    .bind(person.unwrap_or(0))
    .bind(i64::from(open))
    .bind(status.map(|s| s.as_str()).unwrap_or(""))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Moves a PO from `from` to `to`; `false` when it was no longer in `from`.
pub async fn move_status(
    conn: &mut Conn,
    id: i64,
    from: &[PoStatus],
    to: PoStatus,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let from: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
    let stamp = match to {
        PoStatus::Sent => ", sent_at = $3",
        PoStatus::Confirmed => ", confirmed_at = $3",
        _ => "",
    };
    let done = sqlx::query(&format!(
        "UPDATE purchase_orders SET status = $2, updated_at = $3{stamp} WHERE id = $1 \
         AND status IN ({})",
        from.join(", ")
    ))
    .bind(id)
    .bind(to.as_str())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets a confirmed PO's new delivery date; a date that moved is reminded of again (its
/// inspection reminder is reset).
pub async fn set_delivery(conn: &mut Conn, id: i64, on: NaiveDate) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE purchase_orders SET delivery_on = $2, inspection_reminded_at = CASE \
         WHEN delivery_on = $2 THEN inspection_reminded_at ELSE NULL END WHERE id = $1",
    )
    .bind(id)
    .bind(on.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Records why a PO was cancelled.
pub async fn set_cancel_reason(conn: &mut Conn, id: i64, reason: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE purchase_orders SET cancel_reason = $2 WHERE id = $1")
        .bind(id)
        .bind(reason)
        .execute(conn)
        .await?;
    Ok(())
}

/// Remembers the requester's DM that later steps edit.
pub async fn set_dm(conn: &mut Conn, id: i64, message_id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE purchase_orders SET dm_message_id = $2 WHERE id = $1")
        .bind(id)
        .bind(message_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether anything was received or requested for payment against a PO.
pub async fn received_or_paid(conn: &mut Conn, id: i64) -> sqlx::Result<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM receipts WHERE po_id = $1) + \
         (SELECT COUNT(*) FROM supplier_payments WHERE po_id = $1 AND status = 'paid')",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Sent or confirmed POs due by `until` (`YYYY-MM-DD`) whose inspection reminder has not
/// gone out.
pub async fn inspection_pending(
    conn: &mut Conn,
    until: NaiveDate,
) -> sqlx::Result<Vec<PurchaseOrder>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM purchase_orders WHERE status IN ('sent', 'confirmed') \
         AND delivery_on IS NOT NULL AND delivery_on <= $1 AND inspection_reminded_at IS NULL \
         ORDER BY id"
    ))
    .bind(until.to_string())
    .fetch_all(conn)
    .await
}

/// Marks a PO's inspection reminder sent; `false` when another run got there first.
pub async fn mark_inspection_reminded(conn: &mut Conn, id: i64, now_ms: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE purchase_orders SET inspection_reminded_at = $2 WHERE id = $1 \
         AND inspection_reminded_at IS NULL",
    )
    .bind(id)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// PO `po_id`'s goods receipts, oldest first: (id, accepted, rejected).
pub async fn receipts_of(conn: &mut Conn, po_id: i64) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as("SELECT id, accepted, rejected FROM receipts WHERE po_id = $1 ORDER BY id")
        .bind(po_id)
        .fetch_all(conn)
        .await
}

/// PO `po_id`'s payment requests, oldest first: (id, status, amount in minor units).
pub async fn payments_of(conn: &mut Conn, po_id: i64) -> sqlx::Result<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT id, status, amount_minor FROM supplier_payments WHERE po_id = $1 ORDER BY id",
    )
    .bind(po_id)
    .fetch_all(conn)
    .await
}

/// What was paid on PO `po_id` so far, in minor units (all its payment requests).
pub async fn paid_of(conn: &mut Conn, po_id: i64) -> sqlx::Result<i64> {
    let (paid,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(paid_minor), 0) AS BIGINT) FROM supplier_payments WHERE po_id = $1",
    )
    .bind(po_id)
    .fetch_one(conn)
    .await?;
    Ok(paid)
}
