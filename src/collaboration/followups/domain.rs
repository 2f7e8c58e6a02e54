//! Where a follow-up stands.

use crate::domain::words::words;

words!(
    /// A follow-up's state: open until its owner marks it done or cancels it.
    FollowupStatus { Open = "open", Done = "done", Cancelled = "cancelled" }
);
