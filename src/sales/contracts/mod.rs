//! Sales contracts (合同): reviewed by legal before an order proceeds.

pub mod chat;
pub mod domain;
pub mod service;
pub mod store;
pub mod subject;
