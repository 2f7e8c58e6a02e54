//! `/expense` (claim, show, list, withdraw).

use crate::chat::actions::Handler;

/// The `/expense` actions and their handlers.
pub fn actions() -> Vec<Handler> {
    Vec::new()
}
