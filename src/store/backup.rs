//! Consistent copies of a SQLite database, and the facts restore compares.

use crate::store::{Backend, Conn, Store};
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
    // An empty private file first: VACUUM INTO fills an empty file and keeps its mode.
    crate::store::files::create_new_private(dest)?;
    let name = dest.to_str().context("backup path must be valid UTF-8")?;
    let copied = sqlx::query("VACUUM INTO $1")
        .bind(name)
        .execute(store.pool())
        .await
        .context("VACUUM INTO");
    if copied.is_err() {
        let _ = std::fs::remove_file(dest);
    }
    copied.map(|_| ())
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

/// The marker `serve` keeps beside a SQLite database while it runs (it holds the PID).
pub fn serving_marker(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.serving", db.display()))
}

/// The PID of a live `serve` using this database, if any (a stale marker is ignored).
pub fn serving_pid(db: &Path) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(serving_marker(db))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let alive = Path::new(&format!("/proc/{pid}")).exists() || !Path::new("/proc/self").exists();
    alive.then_some(pid)
}

/// Marks a SQLite database as served by this process until the guard is dropped.
pub struct ServingGuard(PathBuf);

impl ServingGuard {
    /// Writes the marker for `db`.
    pub fn new(db: &Path) -> std::io::Result<ServingGuard> {
        let marker = serving_marker(db);
        std::fs::write(&marker, std::process::id().to_string())?;
        Ok(ServingGuard(marker))
    }
}

impl Drop for ServingGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
