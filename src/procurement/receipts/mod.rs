//! Goods receipts and inspection (采购 5): what arrived against a sent PO, accepted and
//! rejected, and the supplier claims rejections open.

pub mod chat;
pub mod domain;
pub mod service;
pub mod store;
