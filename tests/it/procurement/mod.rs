//! Procurement end to end: requisitions, suppliers, purchase orders, goods receipts, supplier
//! payments, the report, and the whole chain through the real commands.

mod chain;
mod orderfix;
pub(crate) mod orders;
mod payment_outcomes;
mod payments;
pub(crate) mod receipts;
mod report;
mod requisitions;
mod suppliers;
