//! Collaboration: follow-ups and callbacks, reminders on any reference.

/// Longest note on a follow-up or a callback (characters), for every caller alike.
pub const MAX_NOTE: usize = 500;
/// Longest customer name a callback keeps when it names no customer on record.
pub const MAX_CUSTOMER: usize = 200;

pub mod callbacks;
pub mod chat;
pub mod followups;

use crate::scheduler::handlers::{none, JobHandler};
use crate::service::jobs::kind;
use crate::service::notify::{kind as note, Notification};
use futures::FutureExt;

/// The job kinds collaboration schedules: a follow-up or a callback falls due.
pub fn jobs() -> Vec<JobHandler> {
    vec![
        JobHandler::new(kind::FOLLOWUP, |d, c, p, _| {
            Box::pin(followups::service::fire(d, c, p).map(|r| r.map(none)))
        }),
        JobHandler::new(kind::CALLBACK, |d, c, p, at| {
            Box::pin(callbacks::service::fire(d, c, p, at).map(|r| r.map(none)))
        }),
    ]
}

/// The notifications collaboration sends.
pub const NOTIFICATIONS: &[Notification] = &[
    Notification::both(note::FOLLOWUP_DUE),
    Notification::both(note::CALLBACK_DUE),
];
