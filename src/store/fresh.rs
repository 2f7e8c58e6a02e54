//! Fresh, empty databases for tests and benchmarks: a temporary SQLite file, or a new database
//! on a PostgreSQL server.

use anyhow::Context;
use sqlx::{AnyPool, Executor};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh database URL. With `postgres_admin_url` (a URL to any database on the server,
/// e.g. `postgres://postgres@127.0.0.1:5432/postgres`) a new database named after `label` is
/// created there; otherwise a SQLite file in `dir`.
pub async fn fresh_url(
    postgres_admin_url: Option<&str>,
    dir: &std::path::Path,
    label: &str,
) -> anyhow::Result<String> {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = format!("bzt_{}_{}_{}", label, std::process::id(), n);
    match postgres_admin_url {
        None => Ok(format!("sqlite://{}/{name}.db", dir.display())),
        Some(admin) => {
            sqlx::any::install_default_drivers();
            let pool = AnyPool::connect(admin).await.with_context(|| {
                format!(
                    "cannot reach PostgreSQL at {}",
                    crate::config::redact_url(admin)
                )
            })?;
            pool.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
                .await?;
            pool.execute(format!("CREATE DATABASE {name}").as_str())
                .await?;
            pool.close().await;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
            Ok(format!("{base}/{name}"))
        }
    }
}

/// Drops a database made by [`fresh_url`] on PostgreSQL (SQLite files go with their folder).
pub async fn drop_database(postgres_admin_url: &str, url: &str) -> anyhow::Result<()> {
    let name = url.rsplit('/').next().unwrap_or_default();
    if !name.starts_with("bzt_") {
        anyhow::bail!("refusing to drop {name}: not a test database");
    }
    let pool = AnyPool::connect(postgres_admin_url).await?;
    pool.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await?;
    pool.close().await;
    Ok(())
}
