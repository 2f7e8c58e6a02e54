//! Follow-ups, callbacks, digests.

mod reminders;
