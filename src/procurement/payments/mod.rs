//! Supplier payments (采购 6): payment requests checked three ways (the PO's price, the
//! accepted quantity received, the invoice), finance's approval or exception, and payment.

pub mod cancel;
pub mod chat;
pub mod domain;
mod pay;
pub mod service;
pub mod settle;
pub mod store;
pub mod subject;
