//! Transports and what they share. A transport turns its input into an [`Invocation`] for an
//! employee, asks [`Chat::run`] for a [`Reply`], and shows it; notifications from the outbox
//! are rendered by [`Chat::notification`]. No business rules live here.
//!
//! [`Invocation`]: crate::commands::Invocation

pub mod ack;
pub mod actions;
pub mod buttons;
pub mod console;
pub mod discord;
pub mod general;
pub mod render;
pub(crate) mod views;

pub use actions::{Chat, Reply};
pub use buttons::Action;
