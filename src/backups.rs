//! `bizdesk backup` and `bizdesk restore` as the operator runs them: plain or encrypted
//! backups of the SQLite database, and a restore that says at once what is wrong with a file,
//! brings back the key file an encrypted backup carries, and warns when going back in time
//! will issue references and outbox ids again.

use crate::config::Config;
use crate::store::backup::{self, Progress};
use crate::store::keys::Keys;
use crate::store::sealed::{self, BackupKind, UnsealError};
use crate::store::{files, Store};
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};

/// Exit code for the operator's mistake (a wrong file, passphrase or situation).
const REFUSED: u8 = 2;

/// Writes a backup of the live database to `dest`: a SQLite copy, or with `encrypt` the copy
/// and the key file encrypted under the passphrase in [`sealed::PASSPHRASE_VAR`].
pub async fn backup(
    store: &Store,
    config: &Config,
    dest: &Path,
    encrypt: bool,
) -> anyhow::Result<()> {
    if !encrypt {
        return backup::backup(store, dest).await;
    }
    let passphrase = sealed::passphrase_from_env()?;
    if dest.exists() {
        bail!("{} already exists; choose a new file name", dest.display());
    }
    let keys = std::fs::read(&config.security.key_file).with_context(|| {
        format!(
            "cannot read the key file {}",
            config.security.key_file.display()
        )
    })?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let plain = dest.with_file_name(format!(".{name}.plain.tmp"));
    let _ = std::fs::remove_file(&plain);
    backup::backup(store, &plain).await?;
    let (p, d) = (plain.clone(), dest.to_path_buf());
    let sealed = tokio::task::spawn_blocking(move || sealed::seal(&p, &keys, passphrase, &d)).await;
    let _ = std::fs::remove_file(&plain);
    sealed?
}

/// Replaces the SQLite database with a backup (plain or encrypted), refusing to go back in
/// time without `force` and never under a running `serve`. Returns the exit code; refusals
/// are printed to standard error at once.
pub async fn restore(config: &Config, file: &Path, force: bool) -> anyhow::Result<u8> {
    let url = config.database.url.expose();
    let Some(target) = backup::sqlite_path(url) else {
        bail!("restore works on SQLite databases; on PostgreSQL use pg_restore");
    };
    if !file.exists() {
        bail!("{} does not exist", file.display());
    }
    if let Some(pid) = backup::serving_pid(&target) {
        eprintln!(
            "refusing to restore: bizdesk serve (pid {pid}) is using {}; stop it first",
            target.display()
        );
        return Ok(REFUSED);
    }
    // Work on a copy beside the target, so the backup itself is never touched and the swap
    // at the end is one rename.
    let tmp = target.with_extension("db.restoring");
    let _ = std::fs::remove_file(&tmp);
    let carried_keys = match unpack(file, &tmp) {
        Ok(keys) => keys,
        Err(refusal) => {
            let _ = std::fs::remove_file(&tmp);
            eprintln!("refusing to restore {}: {refusal}", file.display());
            return Ok(REFUSED);
        }
    };
    let outcome = restore_from(config, file, &target, &tmp, carried_keys, force).await;
    let _ = std::fs::remove_file(&tmp);
    outcome
}

/// Copies (or decrypts) `file` to `tmp`; the key file's bytes when it carries them. The error
/// is a sentence for the operator.
fn unpack(file: &Path, tmp: &Path) -> Result<Option<Vec<u8>>, String> {
    match sealed::detect(file).map_err(|e| format!("{e:#}"))? {
        BackupKind::Other => Err(
            "it is not a bizdesk backup (neither a SQLite database nor a file made by \
             `bizdesk backup --encrypt`)"
                .into(),
        ),
        BackupKind::Sqlite => {
            let mut out = files::create_new_private(tmp).map_err(|e| format!("{e:#}"))?;
            let mut src = std::fs::File::open(file).map_err(|e| e.to_string())?;
            std::io::copy(&mut src, &mut out).map_err(|e| e.to_string())?;
            Ok(None)
        }
        BackupKind::Encrypted => {
            let passphrase =
                sealed::passphrase_from_env().map_err(|e| format!("it is encrypted: {e:#}"))?;
            match sealed::unseal(file, passphrase, tmp) {
                Ok(keys) => Ok(Some(keys)),
                Err(e @ (UnsealError::WrongPassphrase | UnsealError::NotOurs(_))) => {
                    Err(e.to_string())
                }
                Err(UnsealError::Io(e)) => Err(format!("{e:#}")),
            }
        }
    }
}

async fn restore_from(
    config: &Config,
    file: &Path,
    target: &Path,
    tmp: &Path,
    carried_keys: Option<Vec<u8>>,
    force: bool,
) -> anyhow::Result<u8> {
    if let Err(e) = looks_like_ours(tmp).await {
        eprintln!(
            "refusing to restore {}: it is not a bizdesk backup ({e:#})",
            file.display()
        );
        return Ok(REFUSED);
    }
    let (incoming, keying) = check_backup(tmp)
        .await
        .with_context(|| format!("{} is not a usable bizdesk backup", file.display()))?;
    let key_file = &config.security.key_file;
    let carried = match &carried_keys {
        Some(bytes) => Some(Keys::parse(key_file, &String::from_utf8_lossy(bytes))?),
        None => None,
    };
    let local = Keys::load(key_file)?;
    let fits = |k: &Keys| match &keying {
        (Some(from), check) => check.as_deref() == Some(k.audit.cutover_check(*from).as_str()),
        (None, _) => true,
    };
    let replace_keys = match (&carried, &local) {
        (_, Some(l)) if fits(l) => false,
        (Some(c), _) if fits(c) => true,
        _ => {
            eprintln!(
                "refusing to restore {}: its audit trail is keyed with another key file than {} \
                 (bizdesk would not start). Put the key file kept with this backup at {} \
                 first, or restore a backup made with --encrypt, which carries it.",
                file.display(),
                key_file.display(),
                key_file.display()
            );
            return Ok(REFUSED);
        }
    };
    let mut behind = None;
    if target.exists() {
        let current = Store::open(config.database.url.expose(), 1, 5000).await?;
        let mut conn = current.pool().acquire().await?;
        let now = backup::progress(&mut conn).await?;
        drop(conn);
        current.close().await;
        if now.audit_seq > incoming.audit_seq {
            if !force {
                eprintln!(
                    "refusing to restore: the current database has {} audit events, the backup {} (it is older). \
                     Use --force to overwrite anyway.",
                    now.audit_seq, incoming.audit_seq
                );
                return Ok(REFUSED);
            }
            behind = Some(now);
        }
    }
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        // The last connection to close may delete these itself, just as we look: gone is fine.
        match std::fs::remove_file(&side) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("removing {}", side.display()));
            }
            _ => {}
        }
    }
    std::fs::rename(tmp, target).with_context(|| format!("replacing {}", target.display()))?;
    if replace_keys {
        put_back_keys(key_file, carried_keys.as_deref().unwrap_or_default())?;
    }
    crate::outln!(
        "restored {} from {} ({} audit events)",
        target.display(),
        file.display(),
        incoming.audit_seq
    )?;
    if let Some(now) = behind {
        warn_reuse(&now, &incoming, config);
    }
    Ok(0)
}

/// Writes the key file an encrypted backup carried; one that was there is kept beside it.
fn put_back_keys(key_file: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if key_file.exists() {
        let aside = PathBuf::from(format!(
            "{}.before-restore-{}",
            key_file.display(),
            chrono::Utc::now().format("%Y%m%d%H%M%S")
        ));
        std::fs::rename(key_file, &aside)
            .with_context(|| format!("moving {} aside", key_file.display()))?;
        crate::outln!("the key file that was there is now {}", aside.display())?;
    }
    files::write_new_private(key_file, bytes)?;
    crate::outln!(
        "restored the key file {} from the backup",
        key_file.display()
    )?;
    Ok(())
}

/// Going back in time: what the history after the backup becomes.
fn warn_reuse(now: &Progress, incoming: &Progress, config: &Config) {
    eprintln!(
        "warning: the backup is older than the database it replaced: {} audit events after it \
         are gone. References (REQ-, INQ-, SO-, OPP-, ...) and outbox ids issued after the \
         backup will be issued again to new records, so emails and chat messages already sent \
         may name a number that now means something else; tell the people involved. Email \
         drop files in {} are never overwritten: a reused id gets the next free file name.",
        now.audit_seq - incoming.audit_seq,
        config.smtp.drop_dir.display()
    );
}

/// Whether `path` is a bizdesk database, asked of SQLite once and read-only (no pool that
/// would retry for 30 s): it must have the audit trail's head.
async fn looks_like_ours(path: &Path) -> anyhow::Result<()> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&format!("sqlite://{}?mode=ro", path.display()))
        .await
        .context("SQLite cannot open it")?;
    let found: Result<(i64,), _> = sqlx::query_as(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_head'",
    )
    .fetch_one(&mut conn)
    .await;
    let _ = conn.close().await;
    match found {
        Ok((1,)) => Ok(()),
        Ok(_) => bail!("a SQLite database without bizdesk's tables"),
        Err(e) => Err(e).context("SQLite cannot read it"),
    }
}

/// Opens a copied backup (migrating it to this version), checks it, and reads its progress
/// and where its keyed chain begins.
async fn check_backup(path: &Path) -> anyhow::Result<(Progress, (Option<i64>, Option<String>))> {
    let src = Store::open(&format!("sqlite://{}", path.display()), 1, 5000).await?;
    let mut conn = src.pool().acquire().await?;
    let (ok,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut *conn)
        .await?;
    if ok != "ok" {
        bail!("integrity check failed: {ok}");
    }
    let progress = backup::progress(&mut conn).await?;
    let keying = crate::store::audit::keying(&mut conn).await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut *conn)
        .await?;
    drop(conn);
    src.close().await;
    Ok((progress, keying))
}
