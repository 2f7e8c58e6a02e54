//! Budget rounds, departments' drafts, consolidation, approval by management and revisions
//! of lines in force.
//!
//! `rounds` opens a round and chases late drafts; `drafts` is the heads' part (draft, submit)
//! and finance's return; `consolidate` puts the drafts side by side and sends them to
//! management; `revise` changes a line in force and mirrors finished `BUD-` approvals;
//! `read` shows lines, approvals and the ledger's figures.

pub mod chat;
pub mod consolidate;
pub mod domain;
pub mod drafts;
pub mod read;
pub mod revise;
pub mod rounds;
pub mod service;
pub mod store;
pub mod subject;

use crate::scheduler::handlers::JobHandler;
use crate::service::jobs::kind;
use crate::service::notify::Notification;

/// The notifications budgets send.
pub const NOTIFICATIONS: &[Notification] = &[
    Notification::both(service::ASK_NOTE),
    Notification::both(service::REMIND_NOTE),
    Notification::both(service::LATE_NOTE),
    Notification::chat(service::UPDATE_NOTE),
];

/// The job kinds of budget rounds: the reminder before the due date and the escalation after.
pub fn jobs() -> Vec<JobHandler> {
    vec![
        JobHandler::new(kind::BUDGET_REMIND, |d, c, p, _| {
            Box::pin(rounds::remind(d, c, p))
        }),
        JobHandler::new(kind::BUDGET_ESCALATE, |d, c, p, _| {
            Box::pin(rounds::escalate(d, c, p))
        }),
    ]
}
