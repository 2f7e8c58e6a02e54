//! The `bizdesk` command line: serve, console, org sync, audit, backup/restore, bench.

use anyhow::{bail, Context};
use bizdesk::app;
use bizdesk::chat::console::{self, Session, EXIT_USER_ERROR};
use bizdesk::clock::{Clock, OffsetClock, SystemClock};
use bizdesk::config::{redact_url, Config};
use bizdesk::operator::output;
use bizdesk::outln;
use bizdesk::service;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "bizdesk",
    version,
    about = "A chat-ops desk for a company's centralized business processes"
)]
struct Cli {
    /// Settings file (default: config/bizdesk.toml, else the embedded defaults).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Run as if it were this much later (e.g. 65m, 2d; -1d earlier; at most 10 years): for
    /// trying reminders and schedules without waiting. Give every process of one desk the same
    /// offset.
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        allow_hyphen_values = true
    )]
    clock_offset: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the desk: database, directory sync, web server, and Discord when configured.
    Serve,
    /// Use the desk in a terminal as an employee.
    Console {
        /// The employee's handle, e.g. li.na.
        #[arg(long = "as", value_name = "HANDLE")]
        as_handle: String,
        /// Run one command line and exit (0 ok, 2 user error).
        #[arg(short = 'c', value_name = "LINE")]
        line: Option<String>,
    },
    /// The company directory.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// The tamper-evident audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Copy the live SQLite database to FILE (consistent while serving).
    Backup {
        file: PathBuf,
        /// Encrypt it (age, with the passphrase in BIZDESK_BACKUP_PASSPHRASE), together with
        /// the key file, so it can leave the machine.
        #[arg(long)]
        encrypt: bool,
    },
    /// Replace the SQLite database with a backup, plain or encrypted (stop `serve` first; an
    /// encrypted one needs BIZDESK_BACKUP_PASSPHRASE).
    Restore {
        file: PathBuf,
        /// Overwrite even when the current database has newer history than the backup.
        #[arg(long)]
        force: bool,
    },
    /// Discord: register the slash commands now (serve also does at start).
    Discord {
        #[command(subcommand)]
        command: DiscordCommand,
    },
    /// Measure requisition submissions through the service layer against raw SQL.
    Bench(bizdesk::bench::BenchArgs),
    /// Outbound messages: list them, replay dead letters.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Timed work: counts by status and the latest jobs (or only failed ones), with their
    /// schedules' next fire times.
    Jobs {
        /// Only jobs that failed for good.
        #[arg(long)]
        failed: bool,
        /// How many to show.
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Customer records.
    Customers {
        #[command(subcommand)]
        command: CustomersCommand,
    },
    /// Supplier records.
    Suppliers {
        #[command(subcommand)]
        command: SuppliersCommand,
    },
    /// The configuration files.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// CSV for the accounting system on standard output: KIND budget, payments or receivables
    /// of one year (exit 2 for an unknown kind or a bad year).
    Export {
        kind: String,
        /// The year, e.g. 2027 (default: this year).
        #[arg(long, value_name = "YEAR")]
        year: Option<String>,
    },
    /// Send a test email with the [smtp] settings, and explain what fails.
    SendTestEmail {
        /// Where to send it.
        address: String,
    },
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// The latest messages (newest first), or only dead letters with --failed.
    List {
        /// Only messages that could not be delivered (dead letters).
        #[arg(long)]
        failed: bool,
        /// How many to show.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Put dead letters back in the queue: one by ID, or all with --all-failed.
    Retry {
        /// The message's id (from `outbox list --failed`).
        #[arg(required_unless_present = "all_failed", conflicts_with = "all_failed")]
        id: Option<i64>,
        /// Every dead letter.
        #[arg(long)]
        all_failed: bool,
    },
}

#[derive(Subcommand)]
enum CustomersCommand {
    /// Import customers from a CSV file with a header row: name (required), company, email,
    /// phone, locale, owner (English or Chinese column names). Good rows are added; each bad
    /// row is reported with its line and reason, and nothing of it is written. Exit 0 when
    /// every row was added, 2 when some were refused.
    Import {
        file: PathBuf,
        /// The employee importing (and the owner of rows without one), e.g. li.na.
        #[arg(long = "as", value_name = "HANDLE")]
        as_handle: String,
    },
    /// Erase a customer's personal data (a data-protection request): name, company, email,
    /// phone, what was written on their inquiries, unsent emails to them. Orders and the
    /// audit trail stay (the trail holds no personal data). Without --yes it only says what
    /// it would erase.
    Forget {
        /// The customer, e.g. #12.
        customer: String,
        /// Erase for real.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
enum SuppliersCommand {
    /// Import suppliers from a CSV file with a header row: name and email (required),
    /// company, phone, categories (separated by `;`), locale (English or Chinese column
    /// names). Good rows are added as candidates owned by --as; each bad row is reported with
    /// its line and reason, and nothing of it is written. Exit 0 when every row was added, 2
    /// when some were refused.
    Import {
        file: PathBuf,
        /// The employee importing (procurement or the central office), e.g. zhou.qiang.
        #[arg(long = "as", value_name = "HANDLE")]
        as_handle: String,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Check the settings and every file they name (directory, workflows, routing, schedules,
    /// templates, key file) as `serve` would, without opening the database: list every
    /// problem, one a line; exit 0 when there is none, 2 when there are some.
    Check,
}

#[derive(Subcommand)]
enum DiscordCommand {
    /// Overwrite the application's commands with commands/*.toml (in discord.guild_id when set).
    Register,
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Apply a directory file: add, change and deactivate employees (idempotent).
    Sync { file: PathBuf },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain: exit 0 when intact, 1 naming the first bad sequence number.
    Verify,
    /// Write the trail as CSV to standard output.
    Export {
        /// Only events on or after this date (YYYY-MM-DD, company time zone).
        #[arg(long, value_name = "DATE")]
        since: Option<chrono::NaiveDate>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let clock: Arc<dyn Clock> = match cli.clock_offset.as_deref() {
        None => Arc::new(SystemClock),
        Some(text) => match OffsetClock::parse(text) {
            Ok(c) => Arc::new(c),
            Err(e) => {
                eprintln!("bizdesk: --clock-offset: {e}");
                return ExitCode::from(EXIT_USER_ERROR as u8);
            }
        },
    };
    let loaded = Config::load_checked(cli.config.as_deref(), std::env::vars());
    if let Command::Config {
        command: ConfigCommand::Check,
    } = cli.command
    {
        return ExitCode::from(config_check(loaded));
    }
    let (config, source) = match loaded {
        Ok(l) if l.problems.is_empty() => (l.config, l.source),
        Ok(l) => {
            // The other files' problems too, so that one run lists them all.
            let mut problems = l.problems;
            if let Err(more) = app::load_files(&l.config, &l.config.directory.file) {
                problems.extend(more);
            }
            eprintln!("bizdesk: {problems}");
            return ExitCode::from(1);
        }
        Err(problems) => {
            eprintln!("bizdesk: {problems}");
            return ExitCode::from(1);
        }
    };
    bizdesk::logging::init(&config.log.level, !matches!(cli.command, Command::Serve));
    tracing::debug!(?source, "configuration loaded");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bizdesk: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(offset) = &cli.clock_offset {
        tracing::warn!("the clock runs {offset} ahead (--clock-offset)");
    }
    match runtime.block_on(run(cli.command, config, clock)) {
        Ok(code) => ExitCode::from(code),
        // A reader that went away (`bizdesk jobs | head`) is not an error of ours.
        Err(e) if output::is_closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bizdesk: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn run(command: Command, config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<u8> {
    match command {
        Command::Serve => {
            tracing::info!(database = %redact_url(config.database.url.expose()), "starting bizdesk");
            let chat = app::open_with_clock(&config, clock.clone()).await?;
            app::serve(&config, chat, shutdown_signal()).await?;
            Ok(0)
        }
        Command::Console { as_handle, line } => {
            let chat = app::open_with_clock(&config, clock.clone()).await?;
            let actor = match service::directory::actor_by_handle(&chat.desk, &as_handle).await {
                Ok(a) => a,
                Err(e) => {
                    let locale = console::locale_for_handle(&chat, &as_handle).await;
                    for m in e.user_msgs().unwrap_or_default() {
                        eprintln!("{}", chat.renderer.msg(locale, m));
                    }
                    if e.user_msgs().is_none() {
                        eprintln!("bizdesk: {e:#}");
                    }
                    return Ok(EXIT_USER_ERROR as u8);
                }
            };
            let mut out = std::io::stdout();
            let code = match line {
                Some(line) => console::run_once(&chat, &actor, &line, &mut out).await,
                None => {
                    let input = tokio::io::BufReader::new(tokio::io::stdin());
                    Session::new(&chat, actor)
                        .run(input, &mut out, Duration::from_secs(2))
                        .await?;
                    0
                }
            };
            out.flush()?;
            chat.desk.store.close().await;
            Ok(code as u8)
        }
        Command::Org {
            command: OrgCommand::Sync { file },
        } => {
            // Every file is checked against the directory about to be applied (and, as at
            // every start, against the configured one).
            let org = app::load_org_for_sync(&config, &file)?;
            let chat = app::open_with_clock(&config, clock.clone()).await?;
            let report = service::directory::sync(&chat.desk, &org, "operator")
                .await
                .map_err(anyhow::Error::from)?;
            outln!("{}: {}", file.display(), report.summary())?;
            for (what, list) in [
                ("added", &report.added),
                ("changed", &report.changed),
                ("deactivated", &report.deactivated),
                ("reactivated", &report.reactivated),
                ("departments", &report.departments_changed),
            ] {
                if !list.is_empty() {
                    outln!("  {what}: {}", list.join(", "))?;
                }
            }
            Ok(0)
        }
        Command::Outbox { command } => {
            let chat = app::open_with_clock(&config, clock.clone()).await?;
            let code = outbox_command(&chat, command).await?;
            chat.desk.store.close().await;
            Ok(code)
        }
        Command::Jobs { failed, limit } => {
            let chat = app::open_with_clock(&config, clock.clone()).await?;
            let report = bizdesk::operator::jobs_report(&chat.desk, failed, limit).await?;
            output::write(&report)?;
            chat.desk.store.close().await;
            Ok(0)
        }
        Command::Customers {
            command: CustomersCommand::Forget { customer, yes },
        } => {
            let chat = app::open_with_clock(&config, clock.clone()).await?;
            let code = bizdesk::operator::forget_customer(&chat, &customer, yes).await?;
            chat.desk.store.close().await;
            Ok(code)
        }
        Command::Customers {
            command: CustomersCommand::Import { file, as_handle },
        } => {
            let csv =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let chat = app::open_with_clock(&config, clock.clone()).await?;
            let code = bizdesk::operator::import_customers(&chat, &as_handle, &csv).await?;
            chat.desk.store.close().await;
            Ok(code)
        }
        Command::Suppliers {
            command: SuppliersCommand::Import { file, as_handle },
        } => {
            let csv =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let chat = app::open_with_clock(&config, clock.clone()).await?;
            let code = bizdesk::operator::import_suppliers(&chat, &as_handle, &csv).await?;
            chat.desk.store.close().await;
            Ok(code)
        }
        Command::Export { kind, year } => {
            bizdesk::operator::export(&config, clock, &kind, year.as_deref()).await
        }
        Command::SendTestEmail { address } => {
            let chat = app::open_with_clock(&config, clock.clone()).await?;
            let mailer = bizdesk::mail::Mailer::from_config(&config.smtp, &config.company.name)?;
            outln!(
                "sending a test email to {address} through {}",
                mailer.describe()
            )?;
            if let Err(e) = mailer.check().await {
                let (bizdesk::mail::SendError::Transient(r)
                | bizdesk::mail::SendError::Permanent(r)) = e;
                outln!("cannot connect: {r}")?;
                return Ok(1);
            }
            let sent = bizdesk::mail::send_test(
                &mailer,
                &chat.renderer,
                config.company.locale,
                config.company.name_in(config.company.locale),
                !config.discord.token.expose().trim().is_empty(),
                &address,
            )
            .await;
            match sent {
                Ok(id) => {
                    outln!("sent: {id}")?;
                    Ok(0)
                }
                Err(reason) => {
                    outln!("not sent: {reason}")?;
                    Ok(1)
                }
            }
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let chat = app::open_with_clock(&config, clock.clone()).await?;
            match service::audit::verify(&chat.desk)
                .await
                .map_err(anyhow::Error::from)?
            {
                Ok(v) => {
                    outln!("audit trail intact: {} events", v.events)?;
                    match v.keyed_from {
                        Some(1) => outln!("keyed with the key file's audit key (HMAC-SHA256)")?,
                        Some(k) => outln!(
                            "keyed with the key file's audit key (HMAC-SHA256) from event {k}; events before it are SHA-256, sealed by it"
                        )?,
                        None => {}
                    }
                    outln!(
                        "head hash: {} (record it elsewhere to anchor this history)",
                        v.head_hash
                    )?;
                    Ok(0)
                }
                Err(fault) => {
                    outln!("audit trail BROKEN at sequence {}: {fault:?}", fault.seq())?;
                    Ok(1)
                }
            }
        }
        Command::Audit {
            command: AuditCommand::Export { since },
        } => {
            let chat = app::open_with_clock(&config, clock.clone()).await?;
            let since_ms = match since {
                Some(d) => {
                    let local = d.and_hms_opt(0, 0, 0).context("date")?;
                    let tz = chat.desk.company.time_zone;
                    let start = local
                        .and_local_timezone(tz)
                        .earliest()
                        .context("no such local time")?;
                    start.timestamp_millis()
                }
                None => i64::MIN,
            };
            let mut out = std::io::BufWriter::new(std::io::stdout());
            let n = service::audit::export(&chat.desk, since_ms, &mut out)
                .await
                .map_err(anyhow::Error::from)?;
            out.flush()?;
            eprintln!("exported {n} events");
            Ok(0)
        }
        Command::Backup { file, encrypt } => {
            let chat = app::open_with_clock(&config, clock.clone()).await?;
            bizdesk::backups::backup(&chat.desk.store, &config, &file, encrypt).await?;
            if encrypt {
                outln!(
                    "encrypted backup (database and key file) written to {}",
                    file.display()
                )?;
            } else {
                outln!(
                    "backup written to {}; back up the key file {} separately (or use --encrypt, which includes it)",
                    file.display(),
                    config.security.key_file.display()
                )?;
            }
            Ok(0)
        }
        Command::Restore { file, force } => bizdesk::backups::restore(&config, &file, force).await,
        Command::Discord {
            command: DiscordCommand::Register,
        } => {
            if !config.discord.token.is_set() {
                bail!("set discord.token (or BIZDESK__DISCORD__TOKEN) first");
            }
            let chat = app::open_with_clock(&config, clock.clone()).await?;
            let discord = bizdesk::chat::discord::Discord::new(&config, chat).await?;
            let n = discord.register_commands(config.discord.guild_id).await?;
            match config.discord.guild_id {
                Some(g) => outln!("registered {n} commands in server {g} (available at once)")?,
                None => outln!(
                    "registered {n} global commands (Discord may take up to an hour to show them)"
                )?,
            }
            Ok(0)
        }
        Command::Bench(args) => bizdesk::bench::run(&config, args).await.map(|_| 0),
        Command::Config { .. } => unreachable!("`config check` runs before the settings are used"),
    }
}

/// `bizdesk config check`: every problem of the settings and of the files they name, one a
/// line, and exit 2; or one line saying what was loaded, and exit 0.
fn config_check(
    loaded: Result<bizdesk::config::Loaded, bizdesk::config::problems::Problems>,
) -> u8 {
    let (problems, summary) = match loaded {
        Err(problems) => (problems, None),
        Ok(l) => {
            let mut problems = l.problems;
            let files = app::load_files(&l.config, &l.config.directory.file);
            let label = l
                .source
                .file
                .map(|f| f.display().to_string())
                .unwrap_or_else(|| "embedded defaults".into());
            match files {
                Ok(files) => (
                    problems,
                    Some(format!("{}; settings: {label}", files.summary())),
                ),
                Err(more) => {
                    problems.extend(more);
                    (problems, None)
                }
            }
        }
    };
    match summary {
        Some(summary) if problems.is_empty() => {
            // A reader that went away (`config check | head`) changes nothing: the exit code says it.
            let _ = outln!("configuration OK: {summary}");
            0
        }
        _ => {
            let _ = outln!("{problems}");
            EXIT_USER_ERROR as u8
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

/// `bizdesk outbox list|retry`.
async fn outbox_command(chat: &bizdesk::chat::Chat, command: OutboxCommand) -> anyhow::Result<u8> {
    match command {
        OutboxCommand::List { failed, limit } => {
            bizdesk::operator::outbox::list(chat, failed, limit).await
        }
        OutboxCommand::Retry { id, all_failed } => {
            bizdesk::operator::outbox::retry(chat, if all_failed { None } else { id }).await
        }
    }
}
