//! Collaboration: follow-ups and callbacks, reminders on any reference.

/// Longest note on a follow-up or a callback (characters), for every caller alike.
pub const MAX_NOTE: usize = 500;
/// Longest customer name a callback keeps when it names no customer on record.
pub const MAX_CUSTOMER: usize = 200;

pub mod callbacks;
pub mod chat;
pub mod followups;
