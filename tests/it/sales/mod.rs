//! Opportunities, orders, contracts, collection.

mod opportunities;
mod orders;
