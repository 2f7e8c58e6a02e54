//! Collaboration: follow-ups and callbacks, reminders on any reference.

pub mod callbacks;
pub mod chat;
pub mod followups;
