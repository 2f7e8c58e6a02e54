//! Sales contracts (合同): reviewed by legal before an order proceeds.

pub mod service;
pub mod subject;
