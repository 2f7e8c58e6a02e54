//! Purchase orders (采购 3) from approved requisitions to qualified suppliers, reviewed by the
//! central office, emailed to the supplier; and their contracts (采购 4).

pub mod chat;
pub mod domain;
pub mod inspection;
pub mod progress;
pub mod sending;
pub mod service;
pub mod store;
pub mod subject;
