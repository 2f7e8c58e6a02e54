//! Finance: budgets.
