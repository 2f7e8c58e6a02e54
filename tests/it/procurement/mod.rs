//! Procurement end to end: requisitions, goods receipts, supplier payments.

mod payments;
pub(crate) mod receipts;
mod requisitions;
