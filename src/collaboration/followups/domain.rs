//! Where a follow-up stands.

use serde::Serialize;

/// A follow-up's state: open until its owner marks it done or cancels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowupStatus {
    Open,
    Done,
    Cancelled,
}

impl FollowupStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            FollowupStatus::Open => "open",
            FollowupStatus::Done => "done",
            FollowupStatus::Cancelled => "cancelled",
        }
    }
}

impl TryFrom<&str> for FollowupStatus {
    type Error = ();
    fn try_from(s: &str) -> Result<FollowupStatus, ()> {
        [
            FollowupStatus::Open,
            FollowupStatus::Done,
            FollowupStatus::Cancelled,
        ]
        .into_iter()
        .find(|f| f.as_str() == s)
        .ok_or(())
    }
}
