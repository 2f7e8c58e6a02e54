//! Pure types and rules. Nothing in here does I/O or knows about sqlx, serenity or lettre.

pub mod audit;
pub mod cron;
pub mod delivery;
pub mod directory;
pub mod email;
pub mod horizon;
pub mod locale;
pub mod money;
pub mod msg;
pub mod reference;
pub mod repeat;
pub mod schedule;
pub mod term;
pub mod text;
pub mod when;
pub mod words;

pub use locale::Locale;
pub use msg::Msg;
