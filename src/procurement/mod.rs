//! Procurement (采购): requisitions (1), suppliers and their qualification and ratings (2),
//! purchase orders (3) and their contracts (4), goods receipts (5) and payments (6).

pub mod orders;
pub mod panels;
pub mod payments;
pub mod receipts;
pub mod report;
pub mod requisitions;
mod review;
pub mod settings;
pub mod suppliers;

pub use settings::Settings;

use crate::scheduler::handlers::JobHandler;
use crate::service::jobs::kind;
use crate::service::notify::{kind as note, Notification};

/// The job kinds procurement schedules: inspection reminders, the suppliers' certificate
/// check and evaluation, payables reminders.
pub fn jobs() -> Vec<JobHandler> {
    vec![
        JobHandler::new(kind::PO_INSPECTION, |d, c, _, at| {
            Box::pin(orders::inspection::remind(d, c, at))
        }),
        JobHandler::new(kind::SUPPLIER_CERTS, |d, c, _, at| {
            Box::pin(suppliers::certs::daily(d, c, at))
        }),
        JobHandler::new(kind::SUPPLIER_EVALUATION, |d, c, _, at| {
            Box::pin(suppliers::certs::evaluation(d, c, at))
        }),
        JobHandler::new(kind::PAYABLES, |d, c, _, at| {
            Box::pin(payments::service::remind(d, c, at))
        }),
    ]
}

/// The notifications procurement sends.
pub const NOTIFICATIONS: &[Notification] = &[
    Notification::chat(note::REQUISITION_TO_BUY),
    Notification::email(note::PO_SENT),
    Notification::email(note::PO_CANCELLED),
    Notification::chat(note::PO_PROGRESS),
    Notification::chat(note::PO_INSPECTION_DUE),
    Notification::chat(note::SUPPLIER_CERT_EXPIRING),
    Notification::chat(note::SUPPLIER_SUSPENDED),
    Notification::chat(note::SUPPLIER_DISQUALIFIED),
    Notification::chat(note::SUPPLIER_EVALUATION),
    Notification::chat(receipts::service::CLAIM_NOTE),
    Notification::email(receipts::service::CLAIM_EMAIL),
    Notification::chat(payments::service::EXCEPTION_NOTE),
    Notification::chat(payments::service::UPDATE_NOTE),
    Notification::chat(payments::service::DUE_NOTE),
    Notification::email(payments::service::QUERY_EMAIL),
];
