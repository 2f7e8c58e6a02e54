//! Procurement (采购): requisitions today; suppliers, purchase orders, receipts and payments
//! arrive here as new features.

pub mod requisitions;
