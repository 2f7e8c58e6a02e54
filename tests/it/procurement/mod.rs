//! Procurement end to end: requisitions, suppliers, purchase orders, receipts, payments, the report.

mod orders;
mod report;
mod requisitions;
mod suppliers;
