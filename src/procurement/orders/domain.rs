//! A purchase order's rules that need no I/O.

use crate::approval::domain::ApprovalStatus;
use crate::domain::money::Money;
use crate::domain::words::words;
use crate::domain::Msg;
use crate::procurement::suppliers::domain::{orderable, Orderable, Standing, SupplierStatus};
use chrono::NaiveDate;

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

/// Longest delivery place (characters).
pub const MAX_PLACE: usize = 300;
/// Longest terms.
pub const MAX_TERMS: usize = 2000;
/// Longest cancellation reason.
pub const MAX_REASON: usize = 1000;

/// What a buyer typed for a new PO, with what the rules need to know about its requisition
/// and supplier.
#[derive(Debug, Clone)]
pub struct PoInput<'a> {
    /// The requisition's reference, for messages.
    pub requisition: &'a str,
    pub requisition_status: ApprovalStatus,
    pub requisition_quantity: i64,
    pub requisition_unit_price: Money,
    /// What live POs of the requisition already order.
    pub ordered: i64,
    pub supplier: &'a str,
    pub supplier_status: SupplierStatus,
    pub standing: Option<Standing>,
    pub unit_price: Option<Money>,
    pub quantity: Option<i64>,
    pub delivery: Option<NaiveDate>,
    pub today: NaiveDate,
    pub important: bool,
    /// `procurement.contract_threshold` in minor units.
    pub contract_threshold_minor: i64,
}

/// A PO that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoDraft {
    pub quantity: i64,
    pub unit_price: Money,
    pub total: Money,
    pub needs_contract: bool,
    /// `poor` when the supplier's standing warrants a warning.
    pub warning: Option<String>,
}

/// Checks a new PO against its requisition and supplier: the requisition is approved and
/// not over-ordered, the supplier may get orders, the amounts make sense.
pub fn check_new(i: &PoInput<'_>) -> Result<PoDraft, Vec<Msg>> {
    let mut problems = Vec::new();
    if i.requisition_status != ApprovalStatus::Approved {
        problems.push(
            Msg::new("po.requisition_not_approved")
                .arg("ref", i.requisition)
                .arg("status", i.requisition_status.as_str()),
        );
    }
    let mut warning = None;
    match orderable(i.supplier_status, i.standing) {
        Orderable::Yes => {}
        Orderable::Warn(s) => warning = Some(s.as_str().to_string()),
        Orderable::NotQualified(s) => problems.push(
            Msg::new("po.supplier_not_qualified")
                .arg("ref", i.supplier)
                .arg("status", s.as_str()),
        ),
        Orderable::VeryPoor => {
            problems.push(Msg::new("po.supplier_very_poor").arg("ref", i.supplier))
        }
    }
    let remaining = (i.requisition_quantity - i.ordered).max(0);
    let quantity = i.quantity.unwrap_or(remaining);
    if i.quantity.is_some_and(|q| q < 1) {
        problems.push(Msg::new("po.quantity_positive"));
    } else if quantity > remaining || remaining == 0 {
        problems.push(
            Msg::new("po.over_quantity")
                .arg("ref", i.requisition)
                .arg("quantity", quantity)
                .arg("remaining", remaining)
                .arg("ordered", i.ordered)
                .arg("total", i.requisition_quantity),
        );
    }
    let unit_price = i.unit_price.unwrap_or(i.requisition_unit_price);
    let currency = i.requisition_unit_price.currency;
    if unit_price.currency != currency {
        problems.push(
            Msg::new("po.currency_mismatch")
                .arg("ref", i.requisition)
                .arg("currency", currency.as_str())
                .arg("given", unit_price.currency.as_str()),
        );
    } else if unit_price.minor <= 0 {
        problems.push(Msg::new("po.price_positive"));
    }
    if let Some(d) = i.delivery {
        if d < i.today {
            problems.push(Msg::new("po.delivery_past").arg("date", d));
        }
    }
    let total = unit_price
        .checked_mul(quantity)
        .filter(|t| t.minor <= crate::domain::money::MAX_MINOR);
    if total.is_none() {
        problems.push(Msg::new("po.total_too_large"));
    }
    match total {
        Some(total) if problems.is_empty() => Ok(PoDraft {
            quantity,
            unit_price,
            total,
            needs_contract: i.important || total.minor >= i.contract_threshold_minor,
            warning,
        }),
        _ => Err(problems),
    }
}

/// Whether an approved PO may be emailed now: it needs no contract, or its contract is filed.
pub fn sendable(needs_contract: bool, contract_filed: bool) -> bool {
    !needs_contract || contract_filed
}

/// Checks an approval of a PO with a warning: the approver must say in a comment that they
/// saw it.
pub fn check_acknowledged(
    reference: &str,
    warning: Option<&str>,
    approving: bool,
    comment: Option<&str>,
) -> Result<(), Msg> {
    match warning {
        Some(w) if approving && comment.is_none_or(|c| c.trim().is_empty()) => {
            Err(Msg::new("po.acknowledge_warning")
                .arg("ref", reference)
                .arg("standing", w))
        }
        _ => Ok(()),
    }
}

/// Checks `/po confirm`: only a sent PO is confirmed by its supplier.
pub fn check_confirm(reference: &str, status: PoStatus) -> Result<(), Msg> {
    if status == PoStatus::Sent {
        Ok(())
    } else {
        Err(Msg::new("po.not_confirmable")
            .arg("ref", reference)
            .arg("status", status.as_str()))
    }
}

/// Checks `/po cancel`: not once goods were received or paid for, nor twice.
pub fn check_cancel(reference: &str, status: PoStatus, received_or_paid: bool) -> Result<(), Msg> {
    if matches!(
        status,
        PoStatus::Cancelled | PoStatus::Rejected | PoStatus::Received
    ) || received_or_paid
    {
        Err(Msg::new("po.not_cancellable")
            .arg("ref", reference)
            .arg("status", status.as_str()))
    } else {
        Ok(())
    }
}

/// Whether a PO due on `delivery` gets its inspection reminder on `today` (`days` before).
pub fn inspection_due(
    status: PoStatus,
    delivery: Option<NaiveDate>,
    today: NaiveDate,
    days: u32,
) -> bool {
    status.receivable()
        && delivery.is_some_and(|d| d >= today && (d - today).num_days() <= i64::from(days))
}

#[cfg(test)]
mod tests;
