use crate::config::Settings;
use crate::db::doctor::{self, DoctorInput, Status};
use crate::error::{AppError, AppResult};

pub fn run(settings: &Settings, quick: bool, json: bool) -> AppResult<()> {
    let checks = doctor::run(&DoctorInput {
        path: settings.db.path(),
        quick,
        backup_dir: Some(settings.backup_dir()),
    });
    let errors = checks.iter().filter(|c| c.status == Status::Error).count();
    if json {
        super::emit(&format!(
            "{}\n",
            serde_json::json!({ "ok": errors == 0, "checks": checks })
        ))?;
    } else {
        let mut text = String::new();
        for c in &checks {
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
            "{n} problem{} with the clinic database at {}",
            if n == 1 { "" } else { "s" },
            settings.db.path().display()
        ))),
    }
}
