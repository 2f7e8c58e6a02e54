//! Budget rounds, departments' drafts, consolidation, approval by management and revisions
//! of lines in force.

pub mod chat;
pub mod subject;

use crate::scheduler::handlers::JobHandler;
use crate::service::notify::Notification;

/// The notifications budgets send.
pub const NOTIFICATIONS: &[Notification] = &[];

/// The job kinds of budget rounds.
pub fn jobs() -> Vec<JobHandler> {
    Vec::new()
}
