//! Supplier payment rows.

use super::domain::{MatchResult, PaymentStatus};
use crate::store::{decode, Conn};
use sqlx::any::AnyRow;
use sqlx::FromRow;

/// A stored payment request.
#[derive(Debug, Clone)]
pub struct Payment {
    pub id: i64,
    pub po_id: i64,
    pub supplier_id: i64,
    pub requester_id: i64,
    pub invoice: String,
    pub amount_minor: i64,
    pub currency: String,
    pub ordered_minor: i64,
    pub expected_minor: i64,
    pub accepted_qty: i64,
    pub match_result: MatchResult,
    pub status: PaymentStatus,
    pub decision: Option<String>,
    pub approved_minor: Option<i64>,
    pub decided_by: Option<i64>,
    pub reason: Option<String>,
    pub due_on: Option<String>,
    pub document_url: Option<String>,
    pub paid_minor: Option<i64>,
    pub paid_on: Option<String>,
    pub round: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(FromRow)]
struct Record {
    id: i64,
    po_id: i64,
    supplier_id: i64,
    requester_id: i64,
    invoice: String,
    amount_minor: i64,
    currency: String,
    ordered_minor: i64,
    expected_minor: i64,
    accepted_qty: i64,
    match_result: String,
    status: String,
    decision: Option<String>,
    approved_minor: Option<i64>,
    decided_by: Option<i64>,
    reason: Option<String>,
    due_on: Option<String>,
    document_url: Option<String>,
    paid_minor: Option<i64>,
    paid_on: Option<String>,
    round: i64,
    created_at: i64,
    updated_at: i64,
}

impl<'r> FromRow<'r, AnyRow> for Payment {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Payment> {
        let r = Record::from_row(row)?;
        const T: &str = "supplier_payments";
        Ok(Payment {
            match_result: decode::column(T, r.id, "match_result", &r.match_result)?,
            status: decode::column(T, r.id, "status", &r.status)?,
            id: r.id,
            po_id: r.po_id,
            supplier_id: r.supplier_id,
            requester_id: r.requester_id,
            invoice: r.invoice,
            amount_minor: r.amount_minor,
            currency: r.currency,
            ordered_minor: r.ordered_minor,
            expected_minor: r.expected_minor,
            accepted_qty: r.accepted_qty,
            decision: r.decision,
            approved_minor: r.approved_minor,
            decided_by: r.decided_by,
            reason: r.reason,
            due_on: r.due_on,
            document_url: r.document_url,
            paid_minor: r.paid_minor,
            paid_on: r.paid_on,
            round: r.round,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

const COLS: &str = "id, po_id, supplier_id, requester_id, invoice, amount_minor, currency, \
     ordered_minor, expected_minor, accepted_qty, match_result, status, decision, \
     approved_minor, decided_by, reason, due_on, document_url, paid_minor, paid_on, round, \
     created_at, updated_at";

/// What a new request records.
pub struct NewPayment<'a> {
    pub po_id: i64,
    pub supplier_id: i64,
    pub requester_id: i64,
    pub invoice: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub ordered_minor: i64,
    pub expected_minor: i64,
    pub accepted_qty: i64,
    pub match_result: MatchResult,
    pub status: PaymentStatus,
    pub due_on: Option<&'a str>,
    pub document_url: Option<&'a str>,
}

/// Writes a payment request.
pub async fn insert(conn: &mut Conn, n: &NewPayment<'_>, now_ms: i64) -> sqlx::Result<Payment> {
    sqlx::query_as(&format!(
        "INSERT INTO supplier_payments (po_id, supplier_id, requester_id, invoice, amount_minor, \
         currency, ordered_minor, expected_minor, accepted_qty, match_result, status, due_on, \
         document_url, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING {COLS}"
    ))
    .bind(n.po_id)
    .bind(n.supplier_id)
    .bind(n.requester_id)
    .bind(n.invoice)
    .bind(n.amount_minor)
    .bind(n.currency)
    .bind(n.ordered_minor)
    .bind(n.expected_minor)
    .bind(n.accepted_qty)
    .bind(n.match_result.as_str())
    .bind(n.status.as_str())
    .bind(n.due_on)
    .bind(n.document_url)
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

/// Payment request `id`.
pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Payment>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM supplier_payments WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The live request (not rejected or cancelled) that used invoice `invoice` of supplier
/// `supplier_id`, if any; upper and lower case are the same invoice.
pub async fn by_invoice(
    conn: &mut Conn,
    supplier_id: i64,
    invoice: &str,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM supplier_payments WHERE supplier_id = $1 AND UPPER(invoice) = UPPER($2) \
         AND status NOT IN ('rejected', 'cancelled') ORDER BY id LIMIT 1",
    )
    .bind(supplier_id)
    .bind(invoice)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.0))
}

/// What live requests on PO `po_id` claim: approved or paid ones their approved amount,
/// others their invoiced amount.
pub async fn claimed(conn: &mut Conn, po_id: i64) -> sqlx::Result<i64> {
    claimed_except(conn, po_id, 0).await
}

/// [`claimed`] without request `except` (0: none).
pub async fn claimed_except(conn: &mut Conn, po_id: i64, except: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(COALESCE(approved_minor, amount_minor)), 0) AS BIGINT) \
         FROM supplier_payments WHERE po_id = $1 AND id <> $2 \
         AND status NOT IN ('rejected', 'cancelled')",
    )
    .bind(po_id)
    .bind(except)
    .fetch_one(conn)
    .await?;
    Ok(n)
}

/// Requests, newest first, optionally of one status.
pub async fn list(
    conn: &mut Conn,
    status: Option<PaymentStatus>,
    limit: i64,
) -> sqlx::Result<Vec<Payment>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM supplier_payments WHERE status = COALESCE($1, status) \
         ORDER BY id DESC LIMIT $2"
    ))
    .bind(status.map(|s| s.as_str()))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Approved requests due on or before `until` (`YYYY-MM-DD`), earliest first.
pub async fn approved_due_by(conn: &mut Conn, until: &str) -> sqlx::Result<Vec<Payment>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM supplier_payments WHERE status = 'approved' AND due_on IS NOT NULL \
         AND due_on <= $1 ORDER BY due_on, id"
    ))
    .bind(until)
    .fetch_all(conn)
    .await
}

/// Approved requests due from `from` to `until` not yet reminded of before their due date.
pub async fn due_unreminded(
    conn: &mut Conn,
    from: &str,
    until: &str,
) -> sqlx::Result<Vec<Payment>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM supplier_payments WHERE status = 'approved' AND due_on IS NOT NULL \
         AND due_on >= $1 AND due_on <= $2 AND due_reminded_at IS NULL ORDER BY due_on, id"
    ))
    .bind(from)
    .bind(until)
    .fetch_all(conn)
    .await
}

/// Approved requests due before `day` not yet reminded of as overdue.
pub async fn overdue_unreminded(conn: &mut Conn, day: &str) -> sqlx::Result<Vec<Payment>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM supplier_payments WHERE status = 'approved' AND due_on IS NOT NULL \
         AND due_on < $1 AND overdue_reminded_at IS NULL ORDER BY due_on, id"
    ))
    .bind(day)
    .fetch_all(conn)
    .await
}

/// Records that request `id` was reminded of (`overdue`: as overdue); `false` when it
/// already was.
pub async fn reminded(conn: &mut Conn, id: i64, overdue: bool, now_ms: i64) -> sqlx::Result<bool> {
    let sql = if overdue {
        "UPDATE supplier_payments SET overdue_reminded_at = $2 WHERE id = $1 \
         AND overdue_reminded_at IS NULL"
    } else {
        "UPDATE supplier_payments SET due_reminded_at = $2 WHERE id = $1 \
         AND due_reminded_at IS NULL"
    };
    let done = sqlx::query(sql).bind(id).bind(now_ms).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// Moves request `id` from `from` to `to`, recording the settlement; `false` when it was
/// not in `from` any more.
#[allow(clippy::too_many_arguments)]
pub async fn set_status(
    conn: &mut Conn,
    id: i64,
    from: PaymentStatus,
    to: PaymentStatus,
    decision: Option<&str>,
    approved_minor: Option<i64>,
    decided_by: Option<i64>,
    reason: Option<&str>,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE supplier_payments SET status = $3, decision = COALESCE($4, decision), \
         approved_minor = COALESCE($5, approved_minor), decided_by = COALESCE($6, decided_by), \
         reason = COALESCE($7, reason), updated_at = $8 WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(decision)
    .bind(approved_minor)
    .bind(decided_by)
    .bind(reason)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds `amount_minor` paid on `on` to approved request `id`: it is paid once all of its
/// approved amount is; `false` when it was not approved (any more) or the amount is more
/// than what remains.
pub async fn paid(
    conn: &mut Conn,
    id: i64,
    amount_minor: i64,
    on: &str,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE supplier_payments SET paid_minor = COALESCE(paid_minor, 0) + $2, paid_on = $3, \
         status = CASE WHEN COALESCE(paid_minor, 0) + $2 >= COALESCE(approved_minor, amount_minor) \
         THEN 'paid' ELSE 'approved' END, updated_at = $4 \
         WHERE id = $1 AND status = 'approved' \
         AND COALESCE(paid_minor, 0) + $2 <= COALESCE(approved_minor, amount_minor)",
    )
    .bind(id)
    .bind(amount_minor)
    .bind(on)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
