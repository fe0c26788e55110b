use std::path::PathBuf;

use crate::config::Settings;
use crate::db::backup::{self, Folder};
use crate::error::AppResult;
use crate::sanitize::shown_path;

pub fn run(settings: &Settings, to: Option<PathBuf>, keep: Option<usize>) -> AppResult<()> {
    // A folder someone named must be there; only the built-in default is created.
    let (dir, folder) = match to.or_else(|| settings.backup_dir.clone()) {
        Some(dir) => (dir, Folder::MustExist),
        None => (settings.backup_dir(), Folder::CreateIfMissing),
    };
    let db = super::open_clinic(settings)?;
    let made = backup::backup(
        &db,
        &dir,
        keep.unwrap_or(settings.backup_keep),
        settings.clock.now(),
        folder,
    )?;
    super::emit_after_change(&format!("{}\n", shown_path(&made.path)));
    super::note(&format!(
        "Backed up and checked the clinic record: {} (audit chain at row {})",
        shown_path(&made.path),
        made.head.last_id
    ));
    for old in &made.removed {
        super::note(&format!("Removed the older backup {}", shown_path(old)));
    }
    Ok(())
}
