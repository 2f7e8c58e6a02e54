//! Persistence on SQLite (the embedded default) and PostgreSQL (scale-out), through one set of
//! runtime-checked queries on sqlx's `Any` driver.
//!
//! Why `Any`: one compiled code path for both backends keeps builds lean, and every query is
//! exercised on both by the same test suite. Its limits shape the schema: times are BIGINT
//! milliseconds, booleans BIGINT 0/1, ids come back with `RETURNING`. SQL that must differ
//! branches on [`Backend`]. Every function takes the caller's connection or transaction, so a
//! service composes them into one transaction.

pub mod acknowledgements;
pub mod audit;
pub mod backup;
pub mod decode;
pub mod delivery;
pub mod directory;
pub mod files;
pub mod fresh;
pub mod ids;
pub mod interactions;
pub mod jobs;
pub mod keys;
pub mod outbox;
pub mod reports;
pub mod schedules;
pub mod sealed;

use anyhow::Context;
use chrono::{DateTime, TimeZone, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// Which SQL engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database: a pool plus the knowledge of which backend it is.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    /// Where write transactions run. On SQLite a one-connection pool: SQLite has one writer
    /// anyway, and queueing in-process beats its busy handler's sleep-and-retry (which put
    /// the p99 of 8 concurrent writers at ~130 ms). On PostgreSQL the same pool as reads.
    writer: AnyPool,
    backend: Backend,
}

/// A connection or transaction, as every store function takes it.
pub type Conn = AnyConnection;
/// A transaction on the store.
pub type Tx = Transaction<'static, Any>;

static MIGRATE_SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static MIGRATE_POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// Opens (creating a SQLite file and its folder if needed) and migrates the database.
    pub async fn open(
        url: &str,
        max_connections: u32,
        busy_timeout_ms: u64,
    ) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let url = match backend {
            Backend::Sqlite => sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        let opts = AnyConnectOptions::from_str(&url)
            .with_context(|| format!("bad database url {}", crate::config::redact_url(&url)))?;
        let pool_options = move |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(move |conn, _| {
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            conn.execute(
                                format!(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {busy_timeout_ms};"
                            )
                                .as_str(),
                            )
                            .await?;
                        }
                        Ok(())
                    })
                })
        };
        let cannot = || format!("cannot open database {}", crate::config::redact_url(&url));
        let pool = pool_options(max_connections)
            .connect_with(opts.clone())
            .await
            .with_context(cannot)?;
        let writer = match backend {
            Backend::Sqlite => pool_options(1)
                .connect_with(opts)
                .await
                .with_context(cannot)?,
            Backend::Postgres => pool.clone(),
        };
        let store = Store {
            pool,
            writer,
            backend,
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &MIGRATE_SQLITE,
            Backend::Postgres => &MIGRATE_POSTGRES,
        };
        migrator
            .run(&self.writer)
            .await
            .context("applying migrations")?;
        Ok(())
    }

    /// The pool, for reads outside a transaction.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so a transaction that reads before it writes never fails to upgrade.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Begins a read-only transaction that sees one consistent snapshot throughout (for
    /// reports that read several tables or pages, such as `audit verify`).
    pub async fn begin_snapshot(&self) -> sqlx::Result<Tx> {
        match self.backend {
            // In WAL mode a read transaction keeps the snapshot of its first read.
            Backend::Sqlite => self.pool.begin_with("BEGIN DEFERRED").await,
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await
            }
        }
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// Adds `mode=rwc` and creates a SQLite file (private) and its folder so a fresh machine just
/// works.
fn sqlite_url(url: &str) -> anyhow::Result<String> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let file = path.split('?').next().unwrap_or("");
    if !file.is_empty() && file != ":memory:" {
        private_database_file(std::path::Path::new(file))?;
    }
    Ok(if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// Makes a SQLite file private before SQLite opens it: a new one is created empty with mode
/// 0600 in a 0700 folder (SQLite gives its -wal and -shm the database file's mode); an
/// existing one, and its -wal and -shm, are narrowed to 0600.
fn private_database_file(file: &std::path::Path) -> anyhow::Result<()> {
    if file.exists() {
        for suffix in ["", "-wal", "-shm"] {
            files::restrict_file(std::path::Path::new(&format!("{}{suffix}", file.display())))?;
        }
        return Ok(());
    }
    match files::create_new_private(file) {
        Ok(_) => Ok(()),
        // Another process created it meanwhile: it made it private too.
        Err(_) if file.exists() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Milliseconds since the epoch, as stored.
pub fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// A stored time back as a UTC time.
pub fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// Comma-joined ids, as stored in list columns.
pub fn join_ids(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}
