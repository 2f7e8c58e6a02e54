//! Sales (销售): opportunities, orders and their stages, order issues, contracts, collection.

pub mod collection;
pub mod contracts;
pub mod opportunities;
pub mod order_issues;
pub mod orders;
pub mod panels;

use crate::scheduler::handlers::JobHandler;
use crate::service::jobs::kind;
use crate::service::notify::{kind as note, Notification};

/// The job kinds sales schedules: payment reminders.
pub fn jobs() -> Vec<JobHandler> {
    vec![JobHandler::new(kind::COLLECTION, |d, c, p, _| {
        Box::pin(collection::service::remind(d, c, p))
    })]
}

/// The notifications sales sends.
pub const NOTIFICATIONS: &[Notification] = &[
    Notification::chat(note::PAYMENT_DUE),
    Notification::chat(note::ORDER_ISSUE),
    Notification::email(note::ORDER_STAGE),
];
