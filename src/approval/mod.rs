//! The approval engine: policies from `config/workflows.toml`, rounds, stages, tasks,
//! decisions, delegation, SLA reminders and escalation, and the inbox. It knows the things it
//! approves only through [`subject::Subject`].

pub mod chat;
pub mod decisions;
pub mod delegations;
pub mod domain;
pub mod inbox;
pub mod link_token;
pub mod panels;
pub mod policy;
pub mod service;
pub mod sla;
pub mod store;
pub mod story;
pub mod subject;

use crate::service::notify::{kind as note, Notification};

/// The notifications the approval engine sends.
pub const NOTIFICATIONS: &[Notification] = &[
    Notification::both(note::APPROVAL_PROMPT),
    Notification::chat(note::PROMPT_CLOSED),
    Notification::both(note::STAGE_PASSED),
    Notification::both(note::OUTCOME),
    Notification::both(note::DELEGATION),
    Notification::email(note::RECEIVED),
    Notification::both(note::REMINDER),
    Notification::both(note::ESCALATED),
];
