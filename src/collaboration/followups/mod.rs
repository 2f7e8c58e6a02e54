//! Follow-ups: a reminder to come back to a reference at a time.

pub mod domain;
pub mod service;
pub mod store;
