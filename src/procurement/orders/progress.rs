//! A purchase order's progress as its requester sees it: one Discord DM, edited as the PO
//! moves (approved → sent → confirmed → received → matched → paid).

use crate::domain::words::words;
use crate::service::DeskResult;
use crate::store::Conn;

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
    }
);

/// Tells PO `po_id`'s requester it reached `step`, in the caller's transaction: the first
/// time as a new DM, afterwards as an edit of that DM.
///
/// The orders work fills this in; receipts and payments call it.
pub async fn moved(_conn: &mut Conn, _po_id: i64, _step: Step, _now_ms: i64) -> DeskResult<()> {
    Ok(())
}
