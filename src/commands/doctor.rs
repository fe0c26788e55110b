use crate::config::Settings;
use std::io::{IsTerminal, Write};

use crate::db::doctor::{self, Depth, DoctorInput, Progress, Status};
use crate::error::{AppError, AppResult};

pub fn run(settings: &Settings, depth: Depth, json: bool) -> AppResult<()> {
    // The full check of a large record on a share takes minutes: say how far it has got, on a
    // terminal only (a script's log would fill with carriage returns).
    let show = |p: Progress| {
        let left = p
            .left()
            .map(|d| format!(", about {} left", duration_words(d)))
            .unwrap_or_default();
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\rChecking every page: {:>3.0}% read{left}    ",
            p.done * 100.0
        );
        let _ = err.flush();
    };
    let on_terminal = std::io::stderr().is_terminal();
    let checks = doctor::run(&DoctorInput {
        path: settings.db.path(),
        depth,
        backup_dir: Some(settings.backup_dir()),
        on_progress: on_terminal.then_some(&show as &dyn Fn(Progress)),
    });
    if on_terminal && depth == Depth::Full {
        let _ = write!(std::io::stderr().lock(), "\r{:60}\r", "");
    }
    report(&checks, json, &settings.db.path().display().to_string())
}

/// Prints the checks (a line each, or JSON) and fails when any is an error.
pub fn report(checks: &[doctor::Check], json: bool, shown: &str) -> AppResult<()> {
    let errors = checks.iter().filter(|c| c.status == Status::Error).count();
    if json {
        super::emit(&format!(
            "{}\n",
            serde_json::json!({ "ok": errors == 0, "checks": checks })
        ))?;
    } else {
        let mut text = String::new();
        for c in checks {
            let mark = match c.status {
                Status::Ok => "ok   ",
                Status::Warning => "warn ",
                Status::Error => "ERROR",
            };
            text.push_str(&format!(
                "{mark} {:<16} {}\n",
                c.name,
                crate::sanitize::clean_line(&c.detail)
            ));
        }
        super::emit(&text)?;
    }
    match errors {
        0 => Ok(()),
        n => Err(AppError::failure(format!(
            "{n} problem{} with the clinic database at {shown}",
            if n == 1 { "" } else { "s" },
        ))),
    }
}

/// "1 min 20 s", "40 s".
fn duration_words(d: std::time::Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s} s"),
        _ => format!("{} min {} s", s / 60, s % 60),
    }
}
