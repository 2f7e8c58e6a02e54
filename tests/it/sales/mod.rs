//! Opportunities, orders, contracts, collection.

mod orders;
mod sales;
