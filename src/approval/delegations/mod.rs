//! Delegations: one employee stands in for another over a date range.

pub mod domain;
pub mod service;
pub mod store;
