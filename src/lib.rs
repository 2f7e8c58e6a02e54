//! bizdesk: a chat-ops desk for a company's centralized business processes.
//!
//! # Layout
//!
//! Layers, from the inside out; an inner layer never imports an outer one.
//!
//! * [`access`]: who may read and do what, per action and per subject; every transport
//!   and service asks it. No I/O.
//! * [`domain`]: pure types and rules (money, references, the directory, approval policies and
//!   the approval state machine, requisitions, delegation, the audit hash chain, recurrence and
//!   the `when`/`repeat` parsers, customers, inquiry kinds and routing). No I/O.
//! * [`store`]: persistence on SQLite and PostgreSQL through one set of queries; the schema is
//!   in `migrations/sqlite` and `migrations/postgres` (paired versions). The key file with the
//!   audit chain's and link-signing keys (`store::keys`), private (0600) files
//!   (`store::files`), encrypted backups (`store::sealed`) and erasing a customer's personal
//!   data (`crate::service_desk::forget::store`) live here too.
//! * [`service`]: use cases, one function per action (`crate::procurement::requisitions::service::submit`,
//!   `crate::approval::service::decide`, ...). Each runs in one transaction that writes the change,
//!   its audit event and the outbox messages it causes.
//! * [`commands`]: the slash commands as data (`commands/*.toml` at the top of the repo) and
//!   the one parser every transport uses.
//! * [`chat`]: transports (the terminal console and Discord) and rendering of replies
//!   and notifications from `templates/chat/<locale>/`. No business rules here. Discord is
//!   connected in the background (`chat::discord::link`), so an outage stops nothing else.
//! * [`scheduler`]: timed work (SLA reminders and escalation, follow-ups, callbacks, digests)
//!   from the job and schedule tables, claimed without a leader; cron via `croner`.
//! * [`outbox`]: delivery of outbox rows (chat messages to Discord DMs, email) with leases,
//!   retries and dead letters.
//! * [`mail`]: composing email from `templates/email/<locale>/`, Message-IDs and threading,
//!   sending by pooled SMTP or into `.eml` files, and advice when SMTP fails.
//! * [`web`]: the HTTP server (health, readiness, the Discord interactions endpoint; web pages
//!   later).
//! * [`config`]: settings (`config/bizdesk.toml`, env overrides) and the directory file
//!   (`config/org.toml`). Approval policies are `config/workflows.toml`; `config::setup` loads
//!   the directory and the policies and checks them against each other at every start.
//! * [`registry`]: the one list of every area's actions, job kinds and notification kinds,
//!   gathered at start-up, and the check (a unit test) that the command catalog,
//!   `workflows.toml`, the job kinds and the templates agree with it.
//! * [`app`]: wiring: opens the store, loads config, builds the [`service::Desk`]; runs `serve`.
//! * [`bench`]: the service-versus-raw-SQL benchmark behind `bizdesk bench`.
//! * [`backups`]: `bizdesk backup` (plain or encrypted with the key file) and `restore`.
//! * [`operator`]: reports the command line prints (`bizdesk jobs`, `customers import`).
//! * [`clock`]: time as a dependency, so tests move time instead of sleeping.
//! * [`logging`]: the log on stderr, coloured only on a terminal.
//!
//! The command-line entry point is `src/main.rs`; end-to-end tests live in `tests/`.

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
pub mod logging;
pub mod mail;
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
