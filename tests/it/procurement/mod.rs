//! Requisitions end to end.

mod report;
mod requisitions;
