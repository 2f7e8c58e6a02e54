//! Opportunities, orders, contracts, collection.

mod orders;
mod pipeline;
