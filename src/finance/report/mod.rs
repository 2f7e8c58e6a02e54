//! `/report budget`, the monthly finance summary and `bizdesk export`.

pub mod chat;

use crate::scheduler::handlers::JobHandler;
use crate::service::notify::Notification;

/// The notifications finance's reports send.
pub const NOTIFICATIONS: &[Notification] = &[];

/// The job kinds of reports: the monthly finance summary.
pub fn jobs() -> Vec<JobHandler> {
    Vec::new()
}
