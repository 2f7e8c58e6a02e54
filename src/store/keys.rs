//! The key file: the secrets kept outside the database (the audit chain's key and the key
//! that signs satisfaction links), so a copy of the database or of a plain backup can neither
//! rewrite the trail unnoticed nor forge links.
//!
//! It is made on the first start, 0600, as TOML with hex keys. A database records (in
//! `audit_head.keyed_check`) which audit key keyed it, so a missing or foreign key file is a
//! clear error at start, never a silent new key that would break verification.

use crate::domain::audit::{AuditEvent, ChainKey};
use crate::store::{audit, files, Conn, Store};
use anyhow::{anyhow, bail, Context};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// The secrets of one desk.
#[derive(Clone)]
pub struct Keys {
    /// Keys the audit chain (HMAC-SHA256).
    pub audit: ChainKey,
    /// Signs satisfaction links.
    pub satisfaction: Vec<u8>,
    /// The signing key the database held before keys moved to the file, and the latest
    /// expiry it may vouch for: links sent before keep working, and nobody holding an old
    /// backup can mint new ones with it.
    pub satisfaction_previous: Option<(Vec<u8>, i64)>,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keys([redacted])")
    }
}

/// The file's layout.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    version: u32,
    audit: String,
    satisfaction: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    satisfaction_previous: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    satisfaction_previous_until_ms: Option<i64>,
}

const HEADER: &str = "\
# bizdesk keys. SECRET: readable by bizdesk's user only (0600).
# Back this file up apart from the database (`bizdesk backup --encrypt` includes it):
# without it `bizdesk audit verify` cannot prove the trail and satisfaction links already
# sent stop working. bizdesk never replaces it for a database that uses it.
";

fn random_key() -> Vec<u8> {
    let mut k = vec![0u8; 32];
    rand::thread_rng().fill_bytes(&mut k);
    k
}

fn decode(path: &Path, field: &str, text: &str) -> anyhow::Result<Vec<u8>> {
    match hex::decode(text.trim()) {
        Ok(k) if k.len() >= 16 => Ok(k),
        _ => bail!(
            "{}: `{field}` is not a key (hex, at least 32 characters)",
            path.display()
        ),
    }
}

impl Keys {
    /// New random keys; `previous` is a signing key to keep checking links with, and until when.
    pub fn generate(previous: Option<(Vec<u8>, i64)>) -> Keys {
        Keys {
            audit: ChainKey::new(random_key()),
            satisfaction: random_key(),
            satisfaction_previous: previous,
        }
    }

    /// The file's text.
    pub fn to_text(&self) -> String {
        let file = KeyFile {
            version: 1,
            audit: hex::encode(self.audit.bytes()),
            satisfaction: hex::encode(&self.satisfaction),
            satisfaction_previous: self
                .satisfaction_previous
                .as_ref()
                .map(|p| hex::encode(&p.0)),
            satisfaction_previous_until_ms: self.satisfaction_previous.as_ref().map(|p| p.1),
        };
        let body = toml::to_string(&file).expect("keys serialize");
        format!("{HEADER}{body}")
    }

    /// Parses a key file's text (`path` names it in errors).
    pub fn parse(path: &Path, text: &str) -> anyhow::Result<Keys> {
        // The message and line only: TOML's own display quotes the line, which holds a key.
        let f: KeyFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map_or(1, |s| crate::config::problems::line_at(text, s.start));
            anyhow!(
                "{}: line {line}: {}",
                path.display(),
                e.message().trim_end()
            )
        })?;
        if f.version != 1 {
            bail!(
                "{}: version {} is not one this bizdesk reads",
                path.display(),
                f.version
            );
        }
        let previous = match (f.satisfaction_previous, f.satisfaction_previous_until_ms) {
            (Some(k), Some(until)) => Some((decode(path, "satisfaction_previous", &k)?, until)),
            _ => None,
        };
        Ok(Keys {
            audit: ChainKey::new(decode(path, "audit", &f.audit)?),
            satisfaction: decode(path, "satisfaction", &f.satisfaction)?,
            satisfaction_previous: previous,
        })
    }

    /// Reads the key file; `None` when there is none.
    pub fn load(path: &Path) -> anyhow::Result<Option<Keys>> {
        match std::fs::read_to_string(path) {
            Ok(text) => Keys::parse(path, &text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => {
                Err(e).with_context(|| format!("cannot read the key file {}", path.display()))
            }
        }
    }

    /// Writes a new key file (0600, its folder 0700 if made). `Ok(false)` if one exists.
    pub fn write_new(&self, path: &Path) -> anyhow::Result<bool> {
        files::write_new_private(path, self.to_text().as_bytes())
    }
}

/// Where a database's audit chain stands with respect to keys.
struct Keying {
    seq: i64,
    keyed_from: Option<i64>,
    check: Option<String>,
}

async fn keying(conn: &mut Conn, lock: bool) -> sqlx::Result<Keying> {
    let lock = if lock && conn.backend_name() == "PostgreSQL" {
        " FOR UPDATE"
    } else {
        ""
    };
    let (seq, keyed_from, check): (i64, Option<i64>, Option<String>) = sqlx::query_as(&format!(
        "SELECT seq, keyed_from, keyed_check FROM audit_head WHERE id = 1{lock}"
    ))
    .fetch_one(conn)
    .await?;
    Ok(Keying {
        seq,
        keyed_from,
        check,
    })
}

fn check_belongs(k: &Keying, keys: &Keys, path: &Path) -> anyhow::Result<()> {
    match k.keyed_from {
        Some(from) if k.check.as_deref() != Some(keys.audit.cutover_check(from).as_str()) => bail!(
            "the key file {} does not belong to this database: its audit key did not key this \
             database's trail. Use the key file that was kept with this database (or with the \
             backup it was restored from).",
            path.display()
        ),
        _ => Ok(()),
    }
}

/// The keys for `store` from the key file at `path`. On a database that has never been keyed
/// (new, or made before key files) it makes the file if missing, moving the satisfaction key
/// the database held into it as the previous key, and keys the chain from the next event; an
/// upgraded database records that in the trail. On a keyed database a missing or foreign key
/// file is an error that says what to do.
pub async fn open(store: &Store, path: &Path, now_ms: i64, link_days: i64) -> anyhow::Result<Keys> {
    let mut conn = store.pool().acquire().await?;
    let k = keying(&mut conn, false).await?;
    drop(conn);
    if k.keyed_from.is_some() {
        let Some(keys) = Keys::load(path)? else {
            bail!(
                "the key file {} is missing, but this database's audit trail is keyed with it \
                 (from event {}). Put it back from your backup (`bizdesk backup --encrypt` \
                 includes it), or point security.key_file (BIZDESK__SECURITY__KEY_FILE) at it. \
                 bizdesk does not make a new one: the trail could no longer be verified and \
                 satisfaction links already sent would stop working.",
                path.display(),
                k.keyed_from.unwrap_or(1)
            );
        };
        check_belongs(&k, &keys, path)?;
        return Ok(keys);
    }
    let mut tx = store.begin().await?;
    let k = keying(&mut tx, true).await?;
    let keys = match Keys::load(path)? {
        Some(keys) => keys,
        None => {
            let (old,): (Option<String>,) =
                sqlx::query_as("SELECT MAX(value) FROM secrets WHERE name = 'satisfaction'")
                    .fetch_one(&mut *tx)
                    .await?;
            let previous = old
                .and_then(|v| hex::decode(v).ok())
                .filter(|v| !v.is_empty())
                .map(|v| (v, now_ms + link_days * 86_400_000));
            let fresh = Keys::generate(previous);
            if fresh.write_new(path)? {
                tracing::info!(file = %path.display(), "made the key file; back it up apart from the database");
                fresh
            } else {
                // Another process made it meanwhile.
                Keys::load(path)?.context("the key file vanished while being made")?
            }
        }
    };
    if k.keyed_from.is_some() {
        check_belongs(&k, &keys, path)?;
        tx.rollback().await?;
        return Ok(keys);
    }
    let from = k.seq + 1;
    sqlx::query("UPDATE audit_head SET keyed_from = $1, keyed_check = $2 WHERE id = 1")
        .bind(from)
        .bind(keys.audit.cutover_check(from))
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM secrets WHERE name = 'satisfaction'")
        .execute(&mut *tx)
        .await?;
    if k.seq > 0 {
        let event = AuditEvent {
            seq: 0,
            at_ms: now_ms,
            actor: "system".into(),
            on_behalf_of: None,
            action: "audit.keyed".into(),
            subject: "audit".into(),
            summary: format!(
                "trail keyed (HMAC-SHA256, key file) from event {from}; events 1–{} keep \
                 SHA-256 hashes, sealed by this one",
                k.seq
            ),
        };
        audit::append(&mut tx, &keys.audit, event).await?;
    }
    tx.commit().await?;
    Ok(keys)
}
