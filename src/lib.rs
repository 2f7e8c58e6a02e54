//! bizdesk: a chat-ops desk for a company's centralized business processes.
//!
//! # Layout
//!
//! Shared machinery by layer, business areas by folder (DESIGN.md §3). An inner layer never
//! imports an outer one; domain code (the core and each area's `domain` part) does no I/O,
//! which `tests/it/desk/layers.rs` checks.
//!
//! Shared machinery:
//! * [`domain`]: the domain core — money, references, the directory, locale and messages,
//!   time and recurrence parsing, the audit hash chain. No I/O.
//! * [`store`]: the sqlx pool on SQLite or PostgreSQL, transactions, and the tables every area
//!   shares (audit, outbox, jobs, schedules, directory, delivery settings); the key file
//!   (`store::keys`), private files, encrypted backups. Schema in `migrations/{sqlite,postgres}`
//!   (paired versions).
//! * [`approval`]: the approval engine — policies from `workflows.toml`, rounds, stages, tasks,
//!   decisions, delegation, SLA reminders and escalation, the inbox. It knows what it approves
//!   only through [`approval::subject::Subject`].
//! * [`access`]: who may read and do what, per action and per subject; every transport and
//!   service asks it. No I/O.
//! * [`service`]: what use cases share — the [`service::Desk`], audit events, notifications as
//!   outbox rows, jobs, digests and reports, the directory sync, settings.
//! * [`commands`]: the slash commands as data (`commands/*.toml`) and the one parser.
//! * [`chat`]: transports and rendering only (console, Discord); no business rules.
//! * [`scheduler`], [`outbox`], [`mail`]: timed work, delivery with leases and retries, email.
//! * [`web`]: the HTTP server (health, readiness, metrics, Discord interactions, satisfaction pages);
//!   [`metrics`]: the in-process counters `/metrics` shows.
//! * [`config`]: settings, the directory file, the checks that list every problem at once.
//!
//! Business areas, each a folder with one sub-folder per feature holding its `domain`,
//! `store`, `service`, `chat` (and `subject`) parts under the feature's one name:
//! * [`procurement`]: requisitions, and next suppliers, purchase orders, receipts, payments.
//! * [`sales`]: opportunities, orders, order issues, contracts, collection.
//! * [`service_desk`]: customers, inquiries and complaints, satisfaction, erasure.
//! * [`collaboration`]: follow-ups and callbacks.
//! * [`registry`]: where the areas register with the shared machinery at start-up — their
//!   approval subjects, actions, job kinds and notification kinds — and the check that the
//!   command catalog, `workflows.toml`, the job kinds and the templates agree with them.
//!
//! Around them: [`app`] (wiring, `serve`), [`bench`](mod@bench), [`backups`], [`operator`] (command-line
//! reports), [`clock`] (time as a dependency), [`logging`].
//!
//! The command-line entry point is `src/main.rs`; end-to-end tests live in `tests/it/`.

pub mod access;
pub mod app;
pub mod approval;
pub mod backups;
pub mod bench;
pub mod chat;
pub mod clock;
pub mod collaboration;
pub mod commands;
pub mod config;
pub mod domain;
pub mod finance;
pub mod logging;
pub mod mail;
pub mod metrics;
pub mod operator;
pub mod outbox;
pub mod procurement;
pub mod registry;
pub mod sales;
pub mod scheduler;
pub mod service;
pub mod service_desk;
pub mod store;
pub mod web;
