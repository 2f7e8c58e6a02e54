//! Encrypted backups: the SQLite copy and the key file in one file, encrypted with `age` under
//! a passphrase (scrypt), so a backup that leaves the machine holds neither readable customer
//! data nor usable keys, and still carries what `audit verify` needs after a restore.
//!
//! Inside the age stream: `bizdesk-backup 1\n`, then `keys LEN\n` and the key file's bytes,
//! then `database LEN\n` and the database's bytes.

use age::secrecy::SecretString;
use anyhow::{bail, Context};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

/// The environment variable that holds the backup passphrase (never a command-line argument,
/// which other users of the machine can read in the process list).
pub const PASSPHRASE_VAR: &str = "BIZDESK_BACKUP_PASSPHRASE";

const MAGIC: &str = "bizdesk-backup 1";
const AGE_HEADER: &[u8] = b"age-encryption.org/v1\n";
const SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

/// What a file offered to `restore` is, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupKind {
    /// A plain SQLite database (a `bizdesk backup` without --encrypt).
    Sqlite,
    /// An age-encrypted file (a `bizdesk backup --encrypt`).
    Encrypted,
    /// Anything else.
    Other,
}

/// Looks at the first bytes of `path`.
pub fn detect(path: &Path) -> anyhow::Result<BackupKind> {
    let mut head = [0u8; 22];
    let mut f =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(if head[..n].starts_with(SQLITE_HEADER) {
        BackupKind::Sqlite
    } else if head[..n].starts_with(AGE_HEADER) {
        BackupKind::Encrypted
    } else {
        BackupKind::Other
    })
}

/// Why an encrypted backup could not be opened, each said plainly at once.
#[derive(Debug, thiserror::Error)]
pub enum UnsealError {
    /// The passphrase does not open it.
    #[error("wrong passphrase (from {PASSPHRASE_VAR}), or the file is damaged")]
    WrongPassphrase,
    /// Encrypted, but not with a passphrase, or not by bizdesk.
    #[error("encrypted, but not a bizdesk backup ({0})")]
    NotOurs(String),
    /// Reading or writing failed.
    #[error(transparent)]
    Io(#[from] anyhow::Error),
}

/// The passphrase from the environment; an error says how to give one.
pub fn passphrase_from_env() -> anyhow::Result<SecretString> {
    match std::env::var(PASSPHRASE_VAR) {
        Ok(p) if !p.is_empty() => Ok(SecretString::from(p)),
        _ => bail!(
            "set the passphrase in the environment variable {PASSPHRASE_VAR} \
             (e.g. read -rs {PASSPHRASE_VAR}; export {PASSPHRASE_VAR}); it is never taken on \
             the command line"
        ),
    }
}

/// Writes `database` and `keys` encrypted under `passphrase` to `dest` (new, 0600).
pub fn seal(
    database: &Path,
    keys: &[u8],
    passphrase: SecretString,
    dest: &Path,
) -> anyhow::Result<()> {
    let out = crate::store::files::create_new_private(dest)?;
    let written = (|| -> anyhow::Result<()> {
        let size = std::fs::metadata(database)?.len();
        let mut w = age::Encryptor::with_user_passphrase(passphrase)
            .wrap_output(std::io::BufWriter::new(out))?;
        write!(w, "{MAGIC}\nkeys {}\n", keys.len())?;
        w.write_all(keys)?;
        writeln!(w, "database {size}")?;
        let copied = std::io::copy(&mut std::fs::File::open(database)?, &mut w)?;
        if copied != size {
            bail!("the database changed size while being encrypted");
        }
        w.finish()?.flush()?;
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(dest);
    }
    written.with_context(|| format!("writing {}", dest.display()))
}

/// Decrypts `src` with `passphrase`, writing the database to `database` (new, 0600); returns
/// the key file's bytes it carries.
pub fn unseal(
    src: &Path,
    passphrase: SecretString,
    database: &Path,
) -> Result<Vec<u8>, UnsealError> {
    let file =
        std::fs::File::open(src).with_context(|| format!("cannot read {}", src.display()))?;
    let decryptor = age::Decryptor::new_buffered(BufReader::new(file))
        .map_err(|e| UnsealError::NotOurs(e.to_string()))?;
    if !decryptor.is_scrypt() {
        return Err(UnsealError::NotOurs(
            "made for an age key, not a passphrase".into(),
        ));
    }
    let identity = age::scrypt::Identity::new(passphrase);
    let reader = match decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)) {
        Ok(r) => r,
        Err(age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys) => {
            return Err(UnsealError::WrongPassphrase)
        }
        Err(e) => return Err(UnsealError::NotOurs(e.to_string())),
    };
    let mut r = BufReader::new(reader);
    if line(&mut r)? != MAGIC {
        return Err(UnsealError::NotOurs("no bizdesk header in it".into()));
    }
    let keys_len = field(&mut r, "keys")?;
    if keys_len > 1 << 20 {
        return Err(UnsealError::NotOurs("its key file is too large".into()));
    }
    let mut keys = vec![0u8; keys_len as usize];
    r.read_exact(&mut keys)
        .map_err(|_| UnsealError::NotOurs("it ends early".into()))?;
    let db_len = field(&mut r, "database")?;
    let mut out = crate::store::files::create_new_private(database)?;
    let copied = std::io::copy(&mut r.take(db_len), &mut out)
        .with_context(|| format!("writing {}", database.display()))?;
    if copied != db_len {
        let _ = std::fs::remove_file(database);
        return Err(UnsealError::NotOurs("it ends early".into()));
    }
    Ok(keys)
}

/// One header line (at most 64 bytes), without its line break.
fn line<R: BufRead>(r: &mut R) -> Result<String, UnsealError> {
    let mut text = String::new();
    r.take(64)
        .read_line(&mut text)
        .map_err(|_| UnsealError::NotOurs("its header is unreadable".into()))?;
    Ok(text.trim_end_matches('\n').to_string())
}

/// A `NAME LENGTH` header line.
fn field<R: BufRead>(r: &mut R, name: &str) -> Result<u64, UnsealError> {
    line(r)?
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix(' '))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| UnsealError::NotOurs(format!("no {name} in it")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_backup_opens_with_its_passphrase_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("plain.db");
        std::fs::write(&db, b"SQLite format 3\0rest").unwrap();
        let sealed = dir.path().join("b.age");
        seal(&db, b"keys text", SecretString::from("right"), &sealed).unwrap();
        assert_eq!(detect(&sealed).unwrap(), BackupKind::Encrypted);
        assert_eq!(detect(&db).unwrap(), BackupKind::Sqlite);
        let raw = std::fs::read(&sealed).unwrap();
        assert!(!raw.windows(9).any(|w| w == b"keys text"));

        let out = dir.path().join("out.db");
        let wrong = unseal(&sealed, SecretString::from("wrong"), &out);
        assert!(
            matches!(wrong, Err(UnsealError::WrongPassphrase)),
            "{wrong:?}"
        );
        assert!(!out.exists());
        let keys = unseal(&sealed, SecretString::from("right"), &out).unwrap();
        assert_eq!(keys, b"keys text");
        assert_eq!(std::fs::read(&out).unwrap(), b"SQLite format 3\0rest");
    }
}
