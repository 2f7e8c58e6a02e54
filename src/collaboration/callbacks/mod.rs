//! Callbacks: calling a customer back at an agreed time.

pub mod domain;
pub mod service;
pub mod store;
