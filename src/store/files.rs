//! Files that hold customer data or keys (the SQLite database and its -wal/-shm, backups,
//! `.eml` drop files, the key file): readable by bizdesk's own user only. Files are 0600 and
//! the folders bizdesk creates 0700, set explicitly after creation so the umask does not
//! matter. Outside unix these are plain creations.

use anyhow::Context;
use std::fs::File;
use std::io::Write;
use std::path::Path;

/// The mode of files bizdesk writes: owner read and write.
pub const FILE_MODE: u32 = 0o600;
/// The mode of folders bizdesk creates: owner only.
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` and its missing parents, each new one 0700. Existing folders keep their mode:
/// they may be shared ones such as `/var/lib`.
pub fn create_private_dir_all(dir: &Path) -> anyhow::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_private_dir_all(parent)?;
    }
    match std::fs::create_dir(dir) {
        Ok(()) => set_mode(dir, DIR_MODE),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot create folder {}", dir.display())),
    }
}

/// Creates `path`, which must not exist yet, as an empty 0600 file (its folder made private
/// if missing).
pub fn create_new_private(path: &Path) -> anyhow::Result<File> {
    if let Some(dir) = path.parent() {
        create_private_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    let file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    set_mode(path, FILE_MODE)?;
    Ok(file)
}

/// Writes `bytes` to `path` whole, never replacing an existing file: a temporary file beside
/// it, then a hard link to the name (which fails if the name is taken). `Ok(false)` when
/// `path` already exists.
pub fn write_new_private(path: &Path, bytes: &[u8]) -> anyhow::Result<bool> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        rand::random::<u32>()
    ));
    let mut f = create_new_private(&tmp)?;
    let written = f.write_all(bytes).and_then(|()| f.sync_all());
    drop(f);
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e).with_context(|| format!("cannot write {}", path.display())),
    }
}

/// Narrows an existing file (one made before bizdesk set modes) to 0600; a missing one is
/// fine.
pub fn restrict_file(path: &Path) -> anyhow::Result<()> {
    if path.exists() {
        set_mode(path, FILE_MODE)?;
    }
    Ok(())
}

/// The unix permission bits of `path` (tests and checks).
#[cfg(unix)]
pub fn mode(path: &Path) -> std::io::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::metadata(path)?.permissions().mode() & 0o777)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot set the permissions of {}", path.display()))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn new_files_and_folders_are_private_and_never_replaced() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        let file = dir.join("x.eml");
        assert!(write_new_private(&file, b"one").unwrap());
        assert!(!write_new_private(&file, b"two").unwrap());
        assert_eq!(std::fs::read(&file).unwrap(), b"one");
        assert_eq!(mode(&file).unwrap(), 0o600);
        assert_eq!(mode(&dir).unwrap(), 0o700);
        assert_eq!(mode(&root.path().join("a")).unwrap(), 0o700);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temp left");
    }
}
