//! Procurement end to end: requisitions, goods receipts, supplier payments.

mod payments;
mod receipts;
mod requisitions;
