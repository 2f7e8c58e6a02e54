//! `/report procurement` (采购报表): spend by supplier, category and department; purchase
//! order cycle times; price variance; suppliers' on-time and acceptance rates; open claims;
//! payables due and overdue.

pub mod chat;
pub mod domain;
pub mod service;
pub mod store;
