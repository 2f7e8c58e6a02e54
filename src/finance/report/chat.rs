//! `/report budget`.

use crate::chat::actions::Handler;

/// The `/report budget` action.
pub fn actions() -> Vec<Handler> {
    Vec::new()
}
