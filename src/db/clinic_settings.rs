//! The clinic's messaging settings (schema 8, one row): what its messages to patients are
//! signed with.

use rusqlite::{Connection, OptionalExtension};

use super::Db;
use crate::domain::messages::ClinicContact;
use crate::error::AppResult;

/// The name schema 8 gives a clinic that has not set its own (the column's default), for a
/// record whose settings row is missing.
pub const DEFAULT_CLINIC_NAME: &str = "Your physical therapy clinic";

pub(in crate::db) fn clinic_contact(conn: &Connection) -> rusqlite::Result<ClinicContact> {
    let row = conn
        .query_row(
            "SELECT clinic_name, clinic_phone FROM clinic_settings WHERE id = 1",
            [],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
        )
        .optional()?;
    let (name, phone) = row.unwrap_or_default();
    let name = name.trim();
    Ok(ClinicContact {
        name: if name.is_empty() {
            DEFAULT_CLINIC_NAME.to_string()
        } else {
            name.to_string()
        },
        phone: phone
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty()),
    })
}

impl Db {
    /// The clinic's name and phone as its messages to patients are signed.
    pub fn clinic_contact(&self) -> AppResult<ClinicContact> {
        clinic_contact(self.conn()).map_err(|e| self.fail(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clinic_signs_with_its_name_or_the_schema_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clinic.db");
        crate::db::build_new_file(
            &path,
            crate::db::Existing::Keep("a test record"),
            |_| Ok(()),
        )
        .unwrap();
        let db = crate::db::open_existing(&path).unwrap();
        let fresh = db.clinic_contact().unwrap();
        assert_eq!(fresh.name, DEFAULT_CLINIC_NAME, "the column's default");
        assert_eq!(fresh.phone, None);
        let set = |sql: &str| {
            rusqlite::Connection::open(&path)
                .unwrap()
                .execute_batch(sql)
                .unwrap();
        };
        set(
            "UPDATE clinic_settings SET clinic_name = ' Riverside PT ', clinic_phone = ' (555) 010-2000 '",
        );
        let named = db.clinic_contact().unwrap();
        assert_eq!(named.name, "Riverside PT");
        assert_eq!(named.phone.as_deref(), Some("(555) 010-2000"));
        set("UPDATE clinic_settings SET clinic_name = '  ', clinic_phone = ''");
        assert_eq!(db.clinic_contact().unwrap(), fresh);
        set("DELETE FROM clinic_settings");
        assert_eq!(db.clinic_contact().unwrap(), fresh);
    }
}
