//! Finance's dashboard panels: budget execution.

use crate::service::panels::Panel;

/// Finance's panels, in the order the dashboard shows them.
pub fn panels() -> Vec<Panel> {
    Vec::new()
}
