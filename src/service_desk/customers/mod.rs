//! Customers: the records sales and service share.

pub mod chat;
pub mod domain;
pub mod service;
pub mod store;
