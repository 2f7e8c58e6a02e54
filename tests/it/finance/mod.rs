//! Finance: budget rounds, the ledger and its checks, expense claims, reports and exports.

mod budgets;
mod expenses;
mod ledger;
mod ledger_props;
mod report;
