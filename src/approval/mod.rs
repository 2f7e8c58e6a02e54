//! The approval engine: policies from `config/workflows.toml`, rounds, stages, tasks,
//! decisions, delegation, SLA reminders and escalation, and the inbox. It knows the things it
//! approves only through [`subject::Subject`].

pub mod decisions;
pub mod delegations;
pub mod domain;
pub mod inbox;
pub mod policy;
pub mod service;
pub mod sla;
pub mod store;
pub mod subject;
