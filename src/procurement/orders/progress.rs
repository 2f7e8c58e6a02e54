//! A purchase order's progress as its requester sees it: one Discord DM, edited as the PO
//! moves (approved → sent → confirmed → received → matched → paid).

use crate::domain::words::words;
use crate::service::{notify, DeskResult};
use crate::store::{outbox, Conn};
use serde_json::{json, Value};

words!(
    /// The steps of a PO's life its requester is told about.
    Step {
        Approved = "approved",
        Sent = "sent",
        Confirmed = "confirmed",
        /// Goods received (partly or fully: the message says what is still due).
        Received = "received",
        /// A payment request passed the three-way match (or finance settled its exception).
        Matched = "matched",
        Paid = "paid",
        Cancelled = "cancelled",
        /// Its review rejected it.
        Rejected = "rejected",
    }
);

/// The steps shown in the DM, in order (cancelled is shown instead of those not reached).
const LINE: [Step; 6] = [
    Step::Approved,
    Step::Sent,
    Step::Confirmed,
    Step::Received,
    Step::Matched,
    Step::Paid,
];

/// Tells PO `po_id`'s requester it reached `step`, in the caller's transaction: the first
/// time as a new DM, afterwards as an edit of that DM (a new outbox row that `edits` it, so
/// Discord edits the message in place and the console shows each step).
pub async fn moved(conn: &mut Conn, po_id: i64, step: Step, now_ms: i64) -> DeskResult<()> {
    let Some(po) = super::store::get(&mut *conn, po_id).await? else {
        return Ok(());
    };
    let supplier = crate::procurement::suppliers::store::get(&mut *conn, po.supplier_id)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let reached = LINE.iter().position(|s| *s == step);
    let steps: Vec<Value> = LINE
        .iter()
        .enumerate()
        .map(|(i, s)| json!({ "step": s.as_str(), "done": reached.is_some_and(|r| i <= r) }))
        .collect();
    // What arrived and what was paid so far, so "received" and "paid" say how much.
    let receipts = super::store::receipts_of(&mut *conn, po.id).await?;
    let accepted: i64 = receipts.iter().map(|r| r.1).sum();
    let rejected: i64 = receipts.iter().map(|r| r.2).sum();
    let paid = super::store::paid_of(&mut *conn, po.id).await?;
    let paid =
        (paid > 0).then(|| crate::domain::money::Money::new(paid, po.total.currency).to_string());
    let r = super::service::reference(po.id).to_string();
    let mut m = notify::message(
        po.requester_id,
        notify::kind::PO_PROGRESS,
        Some(&r),
        json!({
            "ref": r, "step": step.as_str(), "item": po.item, "quantity": po.quantity,
            "total": po.total.to_string(), "supplier": supplier,
            "delivery": po.delivery_on.map(|d| d.to_string()), "steps": steps,
            "reason": po.cancel_reason, "at_ms": now_ms,
            "accepted": accepted, "rejected": rejected, "paid": paid,
        }),
    );
    m.edits = po.dm_message_id;
    let id = outbox::enqueue(&mut *conn, &m, now_ms).await?;
    if po.dm_message_id.is_none() {
        super::store::set_dm(conn, po.id, id).await?;
    }
    Ok(())
}
