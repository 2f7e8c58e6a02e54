//! Expense claims (EXP-): an employee's own spending, approved by their head (and finance
//! above a threshold), charged to the department's budget, paid by finance.

pub mod chat;
pub mod subject;
