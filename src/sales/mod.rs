//! Sales (销售): opportunities, orders and their stages, order issues, contracts, collection.

pub mod chat;
pub mod collection;
pub mod contracts;
pub mod domain;
pub mod opportunities;
pub mod order_issues;
pub mod orders;
pub mod store;
