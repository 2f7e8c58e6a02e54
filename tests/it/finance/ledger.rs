//! Finance: ledger.
