//! Procurement (采购): requisitions (1), suppliers and their qualification and ratings (2),
//! purchase orders (3) and their contracts (4), goods receipts (5) and payments (6).

pub mod orders;
pub mod report;
pub mod requisitions;
pub mod settings;
pub mod suppliers;

pub use settings::Settings;
