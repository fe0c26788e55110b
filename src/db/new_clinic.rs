//! A new, empty clinic record: what `ptclinic init` makes, its creation in the audit log.

use std::path::Path;

use super::audit::{self, AuditEntry};
use super::{Db, Existing, Who, build_new_file, set_meta};
use crate::error::AppResult;

impl Db {
    /// Creates the record at `path`; an existing file there is refused, never replaced.
    pub fn init_clinic(path: &Path, who: Who) -> AppResult<()> {
        let keep = Existing::Keep(
            "choose another path, or move that file away first if it is to be replaced",
        );
        build_new_file(path, keep, |db| {
            db.write(|tx| {
                set_meta(tx, "app", "ptclinic")?;
                set_meta(tx, "created_at", who.at)?;
                audit::record(
                    tx,
                    &AuditEntry {
                        at: who.at,
                        user: who.user,
                        action: "clinic.init",
                        entity: "clinic",
                        entity_id: None,
                        detail: serde_json::json!({}),
                    },
                )?;
                Ok(())
            })
        })
    }
}
