use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::config::Settings;
use crate::db::backup::{self, Folder};
use crate::error::AppResult;
use crate::sanitize::path_for_message;

pub fn run(settings: &Settings, to: Option<PathBuf>, keep: Option<usize>) -> AppResult<()> {
    // A folder someone named must be there; only the built-in default is created.
    let (dir, folder) = match to.or_else(|| settings.backup_dir.clone()) {
        Some(dir) => (dir, Folder::MustExist),
        None => (settings.backup_dir(), Folder::CreateIfMissing),
    };
    let db = super::open_clinic(settings)?;
    // A large record on a share copies for minutes: say how far, on a terminal only.
    let on_terminal = std::io::stderr().is_terminal();
    let show = |c: backup::Copied| {
        let mut err = std::io::stderr().lock();
        // The copy is checked page by page once it is whole, which takes a while of its own.
        let _ = if c.pages_done >= c.pages {
            write!(err, "\rBacking up: copied; checking the copy page by page…")
        } else {
            let percent = c.pages_done * 100 / c.pages.max(1);
            write!(
                err,
                "\rBacking up: {percent:>3}% copied                        "
            )
        };
        let _ = err.flush();
    };
    let made = backup::backup(
        &db,
        &dir,
        keep.unwrap_or(settings.backup_keep),
        settings.clock.now(),
        folder,
        on_terminal.then_some(&show as &dyn Fn(backup::Copied)),
    );
    if on_terminal {
        let _ = write!(std::io::stderr().lock(), "\r{:60}\r", "");
    }
    let made = made?;
    // Scripts read the whole path from stdout; messages below show it bounded.
    super::emit_after_change(&format!(
        "{}\n",
        crate::sanitize::clean_line(&made.path.to_string_lossy())
    ));
    super::note(&format!(
        "Backed up and checked the clinic record: {} (audit chain at row {})",
        path_for_message(&made.path),
        made.head.last_id
    ));
    for old in &made.removed {
        super::note(&format!(
            "Removed the older backup {}",
            path_for_message(old)
        ));
    }
    Ok(())
}
