//! Procurement (采购): requisitions (1), suppliers and their qualification and ratings (2),
//! purchase orders (3) and their contracts (4), goods receipts (5) and payments (6).

pub mod orders;
pub mod payments;
pub mod receipts;
pub mod requisitions;
pub mod settings;
pub mod suppliers;

pub use settings::Settings;

use crate::scheduler::handlers::JobHandler;
use crate::service::jobs::kind;
use crate::service::notify::Notification;

/// The job kinds procurement schedules: payables reminders.
pub fn jobs() -> Vec<JobHandler> {
    vec![JobHandler::new(kind::PAYABLES, |d, c, _, at| {
        Box::pin(payments::service::remind(d, c, at))
    })]
}

/// The notifications procurement sends.
pub const NOTIFICATIONS: &[Notification] = &[
    Notification::chat(receipts::service::CLAIM_NOTE),
    Notification::email(receipts::service::CLAIM_EMAIL),
    Notification::chat(payments::service::EXCEPTION_NOTE),
    Notification::chat(payments::service::UPDATE_NOTE),
    Notification::chat(payments::service::DUE_NOTE),
    Notification::email(payments::service::QUERY_EMAIL),
];
