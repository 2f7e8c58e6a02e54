//! Requisitions end to end.

mod requisitions;
