//! Requisitions end to end.

mod orders;
mod requisitions;
mod suppliers;
