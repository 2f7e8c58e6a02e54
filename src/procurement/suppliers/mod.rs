//! Suppliers (采购 2): the qualified-supplier list, qualification review, certificates,
//! ratings and scorecards.

pub mod certs;
pub mod chat;
pub mod domain;
pub mod import;
pub mod scorecard;
pub mod service;
pub mod store;
pub mod subject;
