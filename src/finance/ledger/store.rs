//! Ledger rows: positions, moves, alerts, and the allocation of lines in force.
