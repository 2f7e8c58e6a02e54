//! Goods receipt rows.

use super::domain::{ClaimStatus, Resolution};
use crate::store::{decode, Conn};
use sqlx::any::AnyRow;
use sqlx::FromRow;

/// A stored goods receipt with its inspection report and claim.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Receipt {
    pub id: i64,
    pub po_id: i64,
    pub inspector_id: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub reason: String,
    pub note: String,
    /// Links to photos and documents.
    pub attachments: Vec<String>,
    /// `YYYY-MM-DD`, company time.
    pub received_on: String,
    pub days_late: i64,
    pub claim_status: Option<ClaimStatus>,
    pub resolution: Option<Resolution>,
    pub resolution_note: Option<String>,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<i64>,
    pub created_at: i64,
}

#[derive(FromRow)]
struct Record {
    id: i64,
    po_id: i64,
    inspector_id: i64,
    accepted: i64,
    rejected: i64,
    reason: String,
    note: String,
    attachments: String,
    received_on: String,
    days_late: i64,
    claim_status: Option<String>,
    resolution: Option<String>,
    resolution_note: Option<String>,
    resolved_by: Option<i64>,
    resolved_at: Option<i64>,
    created_at: i64,
}

impl<'r> FromRow<'r, AnyRow> for Receipt {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Receipt> {
        let r = Record::from_row(row)?;
        const T: &str = "receipts";
        Ok(Receipt {
            claim_status: decode::optional(T, r.id, "claim_status", r.claim_status.as_deref())?,
            resolution: decode::optional(T, r.id, "resolution", r.resolution.as_deref())?,
            attachments: r
                .attachments
                .lines()
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
            id: r.id,
            po_id: r.po_id,
            inspector_id: r.inspector_id,
            accepted: r.accepted,
            rejected: r.rejected,
            reason: r.reason,
            note: r.note,
            received_on: r.received_on,
            days_late: r.days_late,
            resolution_note: r.resolution_note,
            resolved_by: r.resolved_by,
            resolved_at: r.resolved_at,
            created_at: r.created_at,
        })
    }
}

const COLS: &str = "id, po_id, inspector_id, accepted, rejected, reason, note, attachments, \
     received_on, days_late, claim_status, resolution, resolution_note, resolved_by, \
     resolved_at, created_at";

/// What a new receipt records.
pub struct NewReceipt<'a> {
    pub po_id: i64,
    pub inspector_id: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub reason: &'a str,
    pub note: &'a str,
    pub attachments: &'a [String],
    pub received_on: &'a str,
    pub days_late: i64,
}

/// Writes a receipt; a rejection opens its claim.
pub async fn insert(conn: &mut Conn, n: &NewReceipt<'_>, now_ms: i64) -> sqlx::Result<Receipt> {
    let claim = (n.rejected > 0).then_some(ClaimStatus::Open.as_str());
    sqlx::query_as(&format!(
        "INSERT INTO receipts (po_id, inspector_id, accepted, rejected, reason, note, attachments, \
         received_on, days_late, claim_status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {COLS}"
    ))
    .bind(n.po_id)
    .bind(n.inspector_id)
    .bind(n.accepted)
    .bind(n.rejected)
    .bind(n.reason)
    .bind(n.note)
    .bind(n.attachments.join("\n"))
    .bind(n.received_on)
    .bind(n.days_late)
    .bind(claim)
    .bind(now_ms)
    .fetch_one(conn)
    .await
}

/// Receipt `id`.
pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Receipt>> {
    sqlx::query_as(&format!("SELECT {COLS} FROM receipts WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// What PO `po_id`'s receipts count so far: (accepted, rejected and written off by a claim
/// settled by credit or return).
pub async fn counted(conn: &mut Conn, po_id: i64) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(accepted), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN resolution IN ('credit', 'return') THEN rejected ELSE 0 END), 0) AS BIGINT) \
         FROM receipts WHERE po_id = $1",
    )
    .bind(po_id)
    .fetch_one(conn)
    .await
}

/// What was accepted on PO `po_id` so far.
pub async fn accepted_total(conn: &mut Conn, po_id: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(accepted), 0) AS BIGINT) FROM receipts WHERE po_id = $1",
    )
    .bind(po_id)
    .fetch_one(conn)
    .await?;
    Ok(n)
}

/// Receipts, newest first: of one PO, or only those with an open claim, and only of POs of
/// `department` when given; up to `limit`.
pub async fn list(
    conn: &mut Conn,
    po_id: Option<i64>,
    open_only: bool,
    department: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<Receipt>> {
    sqlx::query_as(&format!(
        "SELECT {COLS} FROM receipts WHERE po_id = COALESCE($1, po_id) \
         AND ($2 = 0 OR claim_status = 'open') AND ($3 = '' OR po_id IN \
         (SELECT id FROM purchase_orders WHERE department_code = $3)) ORDER BY id DESC LIMIT $4"
    ))
    .bind(po_id)
    .bind(i64::from(open_only))
    .bind(department.unwrap_or(""))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Closes receipt `id`'s open claim; `false` when it is not open (any more).
pub async fn resolve(
    conn: &mut Conn,
    id: i64,
    resolution: Resolution,
    note: &str,
    by: i64,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE receipts SET claim_status = 'resolved', resolution = $2, resolution_note = $3, \
         resolved_by = $4, resolved_at = $5 WHERE id = $1 AND claim_status = 'open'",
    )
    .bind(id)
    .bind(resolution.as_str())
    .bind(note)
    .bind(by)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets PO `po_id`'s status (the receipt that completes it).
pub async fn set_po_status(
    conn: &mut Conn,
    po_id: i64,
    status: &str,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE purchase_orders SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(po_id)
        .bind(status)
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}
