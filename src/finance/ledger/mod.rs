//! The ledger: for each department × category × period, what is *allocated* (lines in force),
//! *requested* (requisitions and expense claims in approval), *committed* (approved
//! requisitions not yet on a PO, open POs, approved claims not yet paid) and *spent*
//! (payments made). Each document has one position (`budget_positions`), charged to the
//! department, category and month of its origin; [`sync`] moves it as the document moves, so
//! each amount is in exactly one column at a time. [`check`] applies `budget.control` before
//! a document adds to a line.

pub mod domain;
mod moves;
pub mod service;
pub mod store;

pub use domain::{Figures, Split};
pub use moves::{requisition_date, resync, sync};
pub use service::{
    acknowledge, check, figures, position_facts, position_msg, Charge, Checked, Doc,
};
pub use store::lock_line;

use crate::service::notify::Notification;

/// The kind of the 80 % / 100 % notice of a line (to its department's head and finance).
pub const ALERT: &str = "budget_alert";

/// The notifications the ledger sends.
pub const NOTIFICATIONS: &[Notification] = &[Notification::chat(ALERT)];
