//! What every area shares: access, audit, catalogs, the command line, the console, email, the scheduler, storage.

mod access;
mod audit_trail;
mod catalogs;
mod chinese;
mod cli;
mod config_check;
mod console;
mod email;
mod fuzz;
mod hints;
mod layers;
mod limits;
mod scheduler;
mod scheduler_cluster;
mod storage;
mod suggest;
