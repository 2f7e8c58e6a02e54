//! Expense claims (EXP-): an employee's own spending, approved by their head (and finance
//! above a threshold), charged to the department's budget, paid by finance.

pub mod chat;
pub mod domain;
pub mod read;
pub mod service;
pub mod store;
pub mod subject;

use crate::service::notify::Notification;

/// The notifications expense claims send (besides the approval engine's).
pub const NOTIFICATIONS: &[Notification] = &[Notification::chat(service::PAID_NOTE)];
