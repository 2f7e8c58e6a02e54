//! Erasing a customer's personal data on request.

pub mod service;
pub mod store;
