//! Finance: report.
