//! The rows behind `/report procurement`: read-only, plain rows for [`super::domain`].

use super::domain::{Delivery, Payable, PaymentStep, Price, ReceiptStep, SpendLine};
use crate::domain::money::Currency;
use crate::store::{decode, Conn};
use chrono::NaiveDate;

/// A purchase order sent in the period (not rejected or cancelled since), with its supplier's
/// name and when its requisition was approved.
#[derive(Debug, Clone)]
pub struct SentOrder {
    pub id: i64,
    pub supplier_id: i64,
    pub supplier: String,
    pub department: String,
    pub category: Option<String>,
    pub item: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub total_minor: i64,
    pub currency: Currency,
    pub sent_at: i64,
    /// When its requisition's approval round closed as approved (the latest such round).
    pub approved_at: Option<i64>,
}

impl SentOrder {
    /// It as ordered spend.
    pub fn spend(&self) -> SpendLine {
        SpendLine {
            supplier_id: self.supplier_id,
            supplier: self.supplier.clone(),
            category: self.category.clone(),
            department: self.department.clone(),
            currency: self.currency,
            minor: self.total_minor,
            paid: false,
        }
    }

    /// Its price, for the variance.
    pub fn price(&self) -> Price {
        Price {
            po_id: self.id,
            item: self.item.clone(),
            unit_price_minor: self.unit_price_minor,
            currency: self.currency,
            sent_at: self.sent_at,
        }
    }
}

/// Live purchase orders: sent, and not rejected or cancelled afterwards.
const LIVE_SENT: &str = "p.sent_at IS NOT NULL AND p.status NOT IN ('rejected', 'cancelled')";

type SentRecord = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    i64,
    i64,
    i64,
    String,
    i64,
    Option<i64>,
);

/// Purchase orders sent in `[from, to)`.
pub async fn sent_orders(conn: &mut Conn, from: i64, to: i64) -> sqlx::Result<Vec<SentOrder>> {
    let rows: Vec<SentRecord> = sqlx::query_as(&format!(
        "SELECT p.id, p.supplier_id, s.name, p.department_code, p.category, p.item, p.quantity, \
         p.unit_price_minor, p.total_minor, p.currency, p.sent_at, \
         (SELECT MAX(a.closed_at) FROM approvals a WHERE a.subject_kind = 'requisition' \
          AND a.subject_id = p.requisition_id AND a.status = 'approved') \
         FROM purchase_orders p JOIN suppliers s ON s.id = p.supplier_id \
         WHERE {LIVE_SENT} AND p.sent_at >= $1 AND p.sent_at < $2 ORDER BY p.sent_at, p.id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(SentOrder {
                currency: decode::column("purchase_orders", r.0, "currency", &r.9)?,
                id: r.0,
                supplier_id: r.1,
                supplier: r.2,
                department: r.3,
                category: r.4,
                item: r.5,
                quantity: r.6,
                unit_price_minor: r.7,
                total_minor: r.8,
                sent_at: r.10,
                approved_at: r.11,
            })
        })
        .collect()
}

/// The prices of every live purchase order sent before `to` of an item that was ordered in
/// `[from, to)` (those of the period included): what the variance compares with.
pub async fn prices(conn: &mut Conn, from: i64, to: i64) -> sqlx::Result<Vec<Price>> {
    let rows: Vec<(i64, String, i64, String, i64)> = sqlx::query_as(&format!(
        "SELECT p.id, p.item, p.unit_price_minor, p.currency, p.sent_at FROM purchase_orders p \
         WHERE {LIVE_SENT} AND p.sent_at < $2 AND LOWER(TRIM(p.item)) IN \
         (SELECT LOWER(TRIM(q.item)) FROM purchase_orders q WHERE q.sent_at >= $1 AND q.sent_at < $2) \
         ORDER BY p.sent_at, p.id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, item, price, currency, sent_at)| {
            Ok(Price {
                po_id: id,
                item,
                unit_price_minor: price,
                currency: decode::column("purchase_orders", id, "currency", &currency)?,
                sent_at,
            })
        })
        .collect()
}

/// The receipts of the purchase orders sent in `[from, to)`, by order: (PO id, step).
pub async fn receipts_of_sent(
    conn: &mut Conn,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(i64, ReceiptStep)>> {
    let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT r.po_id, r.accepted, r.rejected, r.created_at FROM receipts r \
         WHERE r.po_id IN (SELECT p.id FROM purchase_orders p WHERE p.sent_at >= $1 AND p.sent_at < $2) \
         ORDER BY r.po_id, r.created_at, r.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(po, accepted, rejected, at)| {
            (
                po,
                ReceiptStep {
                    accepted,
                    rejected,
                    recorded_at: at,
                },
            )
        })
        .collect())
}

/// Payment request states that are still on their way to being paid.
const OPEN_PAYMENT: [&str; 5] = ["pending", "exception", "held", "queried", "approved"];
/// Every payment request state (`supplier_payments.status`).
const PAYMENT_STATES: [&str; 8] = [
    "pending",
    "exception",
    "held",
    "queried",
    "approved",
    "rejected",
    "paid",
    "cancelled",
];

/// The payment requests of the purchase orders sent in `[from, to)`: (PO id, step).
pub async fn payments_of_sent(
    conn: &mut Conn,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(i64, PaymentStep)>> {
    let rows: Vec<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT y.id, y.po_id, y.status, y.updated_at FROM supplier_payments y \
         WHERE y.po_id IN (SELECT p.id FROM purchase_orders p WHERE p.sent_at >= $1 AND p.sent_at < $2) \
         ORDER BY y.po_id, y.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, po, status, at)| {
            if !PAYMENT_STATES.contains(&status.as_str()) {
                return Err(decode::unknown("supplier_payments", id, "status", &status).into());
            }
            Ok((
                po,
                PaymentStep {
                    paid: status == "paid",
                    open: OPEN_PAYMENT.contains(&status.as_str()),
                    updated_at: at,
                },
            ))
        })
        .collect()
}

/// Supplier payments paid on days `from..=to` (their last payment), as paid spend (the amount
/// paid, else the amount approved, else the amount asked); an approved payment paid in part
/// counts what was paid so far.
pub async fn paid(conn: &mut Conn, from: NaiveDate, to: NaiveDate) -> sqlx::Result<Vec<SpendLine>> {
    type Row = (i64, i64, String, String, Option<String>, i64, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT y.id, y.supplier_id, s.name, p.department_code, p.category, \
         COALESCE(y.paid_minor, y.approved_minor, y.amount_minor), y.currency \
         FROM supplier_payments y JOIN purchase_orders p ON p.id = y.po_id JOIN suppliers s ON s.id = y.supplier_id \
         WHERE (y.status = 'paid' OR (y.status = 'approved' AND y.paid_minor > 0)) \
         AND y.paid_on >= $1 AND y.paid_on <= $2 ORDER BY y.id",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(SpendLine {
                currency: decode::column("supplier_payments", r.0, "currency", &r.6)?,
                supplier_id: r.1,
                supplier: r.2,
                department: r.3,
                category: r.4,
                minor: r.5,
                paid: true,
            })
        })
        .collect()
}

/// Receipts of goods received on days `from..=to`, with their supplier.
pub async fn deliveries(
    conn: &mut Conn,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<Delivery>> {
    let rows: Vec<(i64, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT p.supplier_id, s.name, r.accepted, r.rejected, r.days_late FROM receipts r \
         JOIN purchase_orders p ON p.id = r.po_id JOIN suppliers s ON s.id = p.supplier_id \
         WHERE r.received_on >= $1 AND r.received_on <= $2 ORDER BY r.id",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(supplier_id, supplier, accepted, rejected, days_late)| Delivery {
                supplier_id,
                supplier,
                accepted,
                rejected,
                days_late,
            },
        )
        .collect())
}

/// A supplier claim still open.
#[derive(Debug, Clone)]
pub struct OpenClaim {
    pub receipt_id: i64,
    pub po_id: i64,
    pub supplier: String,
    pub rejected: i64,
    pub reason: String,
    pub received_on: NaiveDate,
}

/// Every open supplier claim, oldest first.
pub async fn open_claims(conn: &mut Conn) -> sqlx::Result<Vec<OpenClaim>> {
    let rows: Vec<(i64, i64, String, i64, String, String)> = sqlx::query_as(
        "SELECT r.id, r.po_id, s.name, r.rejected, r.reason, r.received_on FROM receipts r \
         JOIN purchase_orders p ON p.id = r.po_id JOIN suppliers s ON s.id = p.supplier_id \
         WHERE r.claim_status = 'open' ORDER BY r.received_on, r.id",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, po_id, supplier, rejected, reason, on)| {
            Ok(OpenClaim {
                received_on: on
                    .parse()
                    .map_err(|_| decode::unknown("receipts", id, "received_on", &on))?,
                receipt_id: id,
                po_id,
                supplier,
                rejected,
                reason,
            })
        })
        .collect()
}

/// Supplier payments approved and not yet paid (the amount approved, else the amount asked,
/// less what was paid of it so far).
pub async fn payables(conn: &mut Conn) -> sqlx::Result<Vec<Payable>> {
    type Row = (i64, i64, String, i64, String, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT y.id, y.po_id, s.name, \
         COALESCE(y.approved_minor, y.amount_minor) - COALESCE(y.paid_minor, 0), y.currency, y.due_on \
         FROM supplier_payments y JOIN suppliers s ON s.id = y.supplier_id \
         WHERE y.status = 'approved' ORDER BY y.id",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, po_id, supplier, minor, currency, due)| {
            let due_on = match due {
                None => None,
                Some(d) => Some(
                    d.parse()
                        .map_err(|_| decode::unknown("supplier_payments", id, "due_on", &d))?,
                ),
            };
            Ok(Payable {
                payment_id: id,
                po_id,
                supplier,
                currency: decode::column("supplier_payments", id, "currency", &currency)?,
                minor,
                due_on,
            })
        })
        .collect()
}
