//! Finance's analysis (财务分析): `/report budget` (budget against actuals per department and
//! category, with the top overruns), the monthly finance summary to management, and
//! `bizdesk export budget|payments|receivables` for the accounting system.

pub mod chat;
pub mod domain;
pub mod export;
pub mod service;
pub mod store;
pub mod summary;

use crate::scheduler::handlers::JobHandler;
use crate::service::jobs::kind;
use crate::service::notify::Notification;

/// The notifications finance's reports send: the monthly summary, with an email copy.
pub const NOTIFICATIONS: &[Notification] = &[Notification::both(summary::SUMMARY)];

/// The job kinds of reports: the monthly finance summary.
pub fn jobs() -> Vec<JobHandler> {
    vec![JobHandler::new(kind::FINANCE_SUMMARY, |d, c, _, at| {
        Box::pin(summary::run(d, c, at))
    })]
}
