//! Opportunities (商机): assessed and prioritised by the central office.

pub mod service;
pub mod subject;
