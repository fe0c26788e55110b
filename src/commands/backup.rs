use std::path::PathBuf;

use crate::config::Settings;
use crate::db::backup;
use crate::error::AppResult;

pub fn run(settings: &Settings, to: Option<PathBuf>, keep: Option<usize>) -> AppResult<()> {
    let db = super::open_clinic(settings)?;
    let dir = to.unwrap_or_else(|| settings.backup_dir());
    let made = backup::backup(
        &db,
        &dir,
        keep.unwrap_or(settings.backup_keep),
        settings.clock.now(),
    )?;
    super::emit(&format!("{}\n", made.path.display()))?;
    eprintln!(
        "Backed up and checked the clinic record: {}{}",
        made.path.display(),
        match made.removed.len() {
            0 => String::new(),
            n => format!(
                " (removed {n} older backup{})",
                if n == 1 { "" } else { "s" }
            ),
        }
    );
    Ok(())
}
