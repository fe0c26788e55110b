//! Exports for the clinic's other systems: FHIR R4 (a Bundle for one patient, or bulk-data
//! NDJSON for the clinic) and iCalendar (a therapist's visits).

pub mod fhir;
pub mod handout;
pub mod ical;

use std::path::Path;

use crate::error::{AppError, AppResult};

/// Writes a file whole or not at all: into a temporary file beside it, then renamed into place.
/// Patient data on disk is readable by its owner only.
fn create_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

pub fn write_file(path: &Path, bytes: &[u8]) -> AppResult<()> {
    let fail = |e: std::io::Error| {
        AppError::failure(format!(
            "cannot write {}: {e}",
            crate::sanitize::path_for_message(path)
        ))
    };
    if path.is_dir() {
        return Err(AppError::input(format!(
            "{} is a folder: name a file to write",
            crate::sanitize::path_for_message(path)
        )));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(AppError::input(format!(
            "there is no folder {} to write {} in",
            crate::sanitize::path_for_message(dir),
            crate::sanitize::path_for_message(path)
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    create_private(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}
