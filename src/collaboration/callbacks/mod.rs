//! Callbacks: calling a customer back at an agreed time.

pub mod service;
pub mod store;
