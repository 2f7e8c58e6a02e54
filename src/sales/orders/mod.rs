//! Sales orders (销售订单) and the stages they move through.

pub mod chat;
pub mod domain;
pub mod service;
pub mod store;
