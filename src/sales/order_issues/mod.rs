//! Order issues: change requests and quality problems raised on a sales order.

pub mod chat;
pub mod domain;
pub mod service;
pub mod store;
