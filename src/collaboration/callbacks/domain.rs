//! Where a callback stands.

use serde::Serialize;

/// A callback's state: scheduled (one-off or recurring) until done or cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackStatus {
    Scheduled,
    Done,
    Cancelled,
}

impl CallbackStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CallbackStatus::Scheduled => "scheduled",
            CallbackStatus::Done => "done",
            CallbackStatus::Cancelled => "cancelled",
        }
    }
}

impl TryFrom<&str> for CallbackStatus {
    type Error = ();
    fn try_from(s: &str) -> Result<CallbackStatus, ()> {
        [
            CallbackStatus::Scheduled,
            CallbackStatus::Done,
            CallbackStatus::Cancelled,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
        .ok_or(())
    }
}
