//! Files that hold patient data: created without world access, written whole or not at all.
//!
//! The clinic record itself is group-writable (`0660`) so that a clinic's group can share it on
//! the network drive; every other file (backups, exports, handouts, reports) is the owner's
//! alone (`0600`) and so are the folders ptclinic creates for them (`0700`). Modes are set
//! explicitly after creation, so a permissive umask changes nothing. Temporary files get random
//! names and are created exclusively: a name another user could predict would let them plant a
//! symbolic link there and receive the file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{AppError, AppResult};
use crate::sanitize::path_for_message;

/// The clinic record (and its journal, which SQLite creates with the record's mode).
pub const RECORD_MODE: u32 = 0o660;
/// Backups, exports, handouts, reports.
pub const PRIVATE_FILE_MODE: u32 = 0o600;
/// Folders ptclinic creates for such files.
pub const PRIVATE_DIR_MODE: u32 = 0o700;

/// Sets a file's mode exactly (no umask applies to chmod).
pub fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

/// Whether no one but the owner may read or write `path` (libpq reads a password file only
/// then). Off Unix there are no such bits to check.
pub fn is_private(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o077 == 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// Creates `dir` and any missing parents; the folders created here are private.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, PRIVATE_DIR_MODE);
    builder.create(dir)?;
    set_mode(dir, PRIVATE_DIR_MODE)
}

/// A new, empty, private file with a random name in `dir`, created exclusively. It is removed
/// when dropped unless kept.
pub fn temp_in(dir: &Path, prefix: &str, suffix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    // tempfile creates with O_CREAT|O_EXCL (so a planted link is never followed) and mode 0600.
    tempfile::Builder::new()
        .prefix(prefix)
        .suffix(suffix)
        .rand_bytes(12)
        .tempfile_in(dir)
}

/// The folder a file at `path` goes in.
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A file written in full beside its destination, not yet in place: what the user asked for
/// has been checked (the folder, the path) and the bytes are on disk, so only the rename is left.
pub struct Staged {
    temp: tempfile::NamedTempFile,
    path: PathBuf,
}

/// Writes `bytes` into a private temporary file beside `path`, synced to disk.
pub fn stage(path: &Path, bytes: &[u8]) -> AppResult<Staged> {
    let shown = path_for_message(path);
    if path.is_dir() {
        return Err(AppError::input(format!(
            "{shown} is a folder: name a file to write"
        )));
    }
    let dir = folder_of(path);
    if !dir.is_dir() {
        return Err(AppError::input(format!(
            "there is no folder {} to write {shown} in",
            path_for_message(dir)
        )));
    }
    let fail = |e: std::io::Error| AppError::failure(format!("cannot write {shown}: {e}"));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let mut temp = temp_in(dir, &format!(".{name}."), ".tmp").map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    Ok(Staged {
        temp,
        path: path.to_path_buf(),
    })
}

impl Staged {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the file into place (replacing a link at the destination, never following it).
    pub fn persist(self) -> AppResult<()> {
        let shown = path_for_message(&self.path);
        self.temp
            .persist(&self.path)
            .map(|_| ())
            .map_err(|e| AppError::failure(format!("cannot write {shown}: {}", e.error)))
    }
}

/// A staged file that can travel with a request to the database thread, which puts it in
/// place once the audit row of its disclosure is written (the request is cloned and compared
/// like any other; the file itself is placed once).
#[derive(Clone)]
pub struct StagedFile {
    path: PathBuf,
    file: std::sync::Arc<std::sync::Mutex<Option<Staged>>>,
}

impl StagedFile {
    pub fn new(staged: Staged) -> Self {
        Self {
            path: staged.path.clone(),
            file: std::sync::Arc::new(std::sync::Mutex::new(Some(staged))),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the file into place; a second call finds nothing left to place.
    pub fn persist(&self) -> AppResult<()> {
        let staged = self
            .file
            .lock()
            .map_err(|_| AppError::failure("the staged file was lost"))?
            .take();
        match staged {
            Some(s) => s.persist(),
            None => Err(AppError::failure(format!(
                "{} was already written",
                path_for_message(&self.path)
            ))),
        }
    }
}

impl std::fmt::Debug for StagedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StagedFile")
            .field("path", &self.path)
            .finish()
    }
}

impl PartialEq for StagedFile {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
    }
}

/// Writes a whole private file: staged beside `path`, then renamed into place.
pub fn write_whole(path: &Path, bytes: &[u8]) -> AppResult<()> {
    stage(path, bytes)?.persist()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_folders_are_private_whatever_the_umask() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), PRIVATE_DIR_MODE);
        let file = dir.join("out.json");
        write_whole(&file, b"{}").unwrap();
        assert_eq!(mode(&file), PRIVATE_FILE_MODE);
        assert_eq!(std::fs::read(&file).unwrap(), b"{}");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_planted_link_at_the_destination_is_replaced_not_followed() {
        let root = tempfile::tempdir().unwrap();
        let theirs = root.path().join("theirs.json");
        std::fs::write(&theirs, b"theirs").unwrap();
        let out = root.path().join("bundle.json");
        std::os::unix::fs::symlink(&theirs, &out).unwrap();
        write_whole(&out, b"patient").unwrap();
        assert_eq!(std::fs::read(&theirs).unwrap(), b"theirs");
        assert!(
            !std::fs::symlink_metadata(&out)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(mode(&out), PRIVATE_FILE_MODE);
    }
}
