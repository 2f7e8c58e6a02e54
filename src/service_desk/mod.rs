//! Customer service (客服): customers, inquiries and complaints, satisfaction.

pub mod customers;
pub mod forget;
pub mod inquiries;
pub mod panels;
pub mod satisfaction;

use crate::scheduler::handlers::JobHandler;
use crate::service::jobs::kind;
use crate::service::notify::{kind as note, Notification};

/// The job kinds the service desk schedules: inquiry service-level checks.
pub fn jobs() -> Vec<JobHandler> {
    vec![JobHandler::new(kind::INQUIRY_SLA, |d, c, p, _| {
        Box::pin(inquiries::service::sla_check(d, c, p))
    })]
}

/// The notifications the service desk sends: to staff in chat, to customers by email.
pub const NOTIFICATIONS: &[Notification] = &[
    Notification::chat(note::INQUIRY_HANDOFF),
    Notification::chat(note::INQUIRY_ASSIGNED),
    Notification::chat(note::COMPLAINT),
    Notification::chat(note::INQUIRY_SLA),
    Notification::email(note::INQUIRY_ACK),
    Notification::email(note::INQUIRY_REPLY),
    Notification::email(note::INQUIRY_RESOLVED),
];
