//! Consistent copies of a SQLite database, and the facts restore compares.

use super::{Backend, Conn, Store};
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};

/// Writes a consistent copy of a live SQLite database to `dest` (which must not exist).
pub async fn backup(store: &Store, dest: &Path) -> anyhow::Result<()> {
    if store.backend() != Backend::Sqlite {
        bail!(
            "bizdesk backup copies SQLite databases. On PostgreSQL use pg_dump, e.g.\n  \
             pg_dump --format=custom --file=bizdesk.dump \"$BIZDESK__DATABASE__URL\""
        );
    }
    if dest.exists() {
        bail!("{} already exists; choose a new file name", dest.display());
    }
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let dest = dest.to_str().context("backup path must be valid UTF-8")?;
    sqlx::query("VACUUM INTO $1")
        .bind(dest)
        .execute(store.pool())
        .await
        .context("VACUUM INTO")?;
    Ok(())
}

/// How far a database's history goes: the audit chain's length and its last event's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub audit_seq: i64,
    pub last_event_ms: i64,
}

/// Reads a database's progress (for restore's "is the target newer?" check).
pub async fn progress(conn: &mut Conn) -> anyhow::Result<Progress> {
    let (audit_seq,): (i64,) = sqlx::query_as("SELECT seq FROM audit_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    let (last,): (Option<i64>,) = sqlx::query_as("SELECT MAX(at) FROM audit_events")
        .fetch_one(conn)
        .await?;
    Ok(Progress {
        audit_seq,
        last_event_ms: last.unwrap_or(0),
    })
}

/// The file behind a `sqlite://` URL.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let file = rest.split('?').next()?;
    (!file.is_empty() && file != ":memory:").then(|| PathBuf::from(file))
}
