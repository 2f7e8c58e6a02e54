//! `/budget` (round, draft, show, submit, consolidate, return, revise, status).

use crate::chat::actions::Handler;

/// The `/budget` actions and their handlers.
pub fn actions() -> Vec<Handler> {
    Vec::new()
}
