//! Where a callback stands.

use crate::domain::words::words;

words!(
    /// A callback's state: scheduled (one-off or recurring) until done or cancelled.
    CallbackStatus { Scheduled = "scheduled", Done = "done", Cancelled = "cancelled" }
);
