//! Finance: expenses.
