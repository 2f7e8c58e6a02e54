//! Opportunities, orders, contracts, collection.

mod orders;
// `sales::sales`: the area's own flows (opportunities, contracts, issues) next to orders.
#[allow(clippy::module_inception)]
mod sales;
mod unknown_values;
