//! Suppliers (采购 2): the qualified-supplier list, qualification review, certificates,
//! ratings and scorecards.

pub mod domain;
pub mod scorecard;
pub mod store;
