//! Opportunities, orders, contracts, collection.

mod orders;
mod sales;
mod unknown_values;
