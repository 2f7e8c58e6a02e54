//! A purchase order's rules that need no I/O.

use crate::domain::words::words;

/// The subject kind (and policy name) of a purchase order's review.
pub const PURCHASE_ORDER: &str = "purchase_order";

words!(
    /// Where a purchase order stands.
    PoStatus {
        /// In review by the central office.
        Pending = "pending",
        /// Approved; waiting for its contract to be filed before it is sent.
        Approved = "approved",
        Rejected = "rejected",
        /// Emailed to the supplier.
        Sent = "sent",
        /// The supplier confirmed it.
        Confirmed = "confirmed",
        /// Everything ordered was received (accepted or rejected).
        Received = "received",
        Cancelled = "cancelled",
    }
);

impl PoStatus {
    /// Whether goods may be received against it (sent or confirmed, or partly received).
    pub fn receivable(self) -> bool {
        matches!(self, PoStatus::Sent | PoStatus::Confirmed)
    }

    /// Whether it still commits money (not rejected or cancelled).
    pub fn live(self) -> bool {
        !matches!(self, PoStatus::Rejected | PoStatus::Cancelled)
    }
}
