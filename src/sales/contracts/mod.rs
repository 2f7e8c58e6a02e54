//! Contracts (合同): for sales orders and purchase orders, reviewed by legal before the order
//! proceeds.

pub mod chat;
pub mod domain;
pub mod purchase;
pub mod service;
pub mod store;
pub mod subject;
