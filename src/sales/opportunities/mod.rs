//! Opportunities (商机): assessed and prioritised by the central office.

pub mod chat;
pub mod domain;
pub mod service;
pub mod store;
pub mod subject;
