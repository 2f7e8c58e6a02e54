//! Requisitions end to end.

mod requisitions;
mod suppliers;
