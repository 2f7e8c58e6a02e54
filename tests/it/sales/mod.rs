//! Opportunities, orders, contracts, collection.

mod opportunities;
mod orders;
mod unknown_values;
