//! A new, empty clinic record: what `ptclinic init` makes, its creation in the audit log.

use std::path::Path;

use super::audit::{self, AuditEntry};
use super::{Db, Existing, Who, build_new_file, set_meta};
use crate::domain::bulk::NewExercise;
use crate::error::AppResult;

/// What a new record starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InitSummary {
    pub exercises: usize,
    pub templates: usize,
}

impl Db {
    /// Creates the record at `path`; an existing file there is refused, never replaced. It
    /// starts with `library` (the project's exercises, empty for `init --empty`), the program
    /// templates made of them, and the default clinic hours, so the home-program pane and
    /// booking work before anything is imported.
    pub fn init_clinic(path: &Path, who: Who, library: &[NewExercise]) -> AppResult<InitSummary> {
        let mut made = InitSummary::default();
        let keep = Existing::Keep(
            "choose another path, or move that file away first if it is to be replaced",
        );
        build_new_file(path, keep, |db| {
            db.write(|tx| {
                set_meta(tx, "app", "ptclinic")?;
                set_meta(tx, "created_at", who.at)?;
                for e in library {
                    super::imports::insert_exercise(tx, e)?;
                }
                made = InitSummary {
                    exercises: library.len(),
                    templates: if library.is_empty() {
                        0
                    } else {
                        super::hep::seed_templates(tx, who.user, who.at)?
                    },
                };
                super::clinic_hours::seed_default_hours(tx)?;
                audit::record(
                    tx,
                    &AuditEntry {
                        at: who.at,
                        user: who.user,
                        action: "clinic.init",
                        entity: "clinic",
                        entity_id: None,
                        detail: serde_json::json!({
                            "exercises": made.exercises,
                            "templates": made.templates,
                        }),
                    },
                )?;
                Ok(())
            })
        })?;
        Ok(made)
    }
}
