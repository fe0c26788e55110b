//! How a patient is reached: their email and phone, and their consent and opt-out per channel
//! (`domain::messages::ContactConsent`), changed together in one short version-checked
//! transaction with its audit row.

use super::sql::{Sql, args};
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::patients::{changed_elsewhere, require};
use super::stored_time::{day_text, parse_day};
use super::{Db, TxError, Who};
use crate::domain::messages::{ConsentStep, ContactChange, ContactConsent, consent_needs};
use crate::domain::patient::Patient;
use crate::domain::patient_record::{PatientDetail, check_detail};
use crate::domain::roles::Duty;
use crate::error::{AppError, AppResult};

/// A change of contact made: the patient as they now are, and the columns that changed (none
/// when everything asked for was already so, and then nothing was written).
#[derive(Debug, Clone, PartialEq)]
pub struct ContactSet {
    pub patient: Patient,
    pub changed: Vec<&'static str>,
}

/// The contact columns, in the order the update and the audit row name them.
const COLUMNS: [&str; 6] = [
    "email",
    "phone",
    "email_consent_on",
    "sms_consent_on",
    "email_opt_out_on",
    "sms_opt_out_on",
];

fn consent_columns(c: &ContactConsent) -> [Option<String>; 4] {
    [
        c.email_consent_on,
        c.sms_consent_on,
        c.email_opt_out_on,
        c.sms_opt_out_on,
    ]
    .map(|d| d.map(day_text))
}

impl Db {
    /// Sets the patient's email and phone (checked by the registration rules; empty clears)
    /// and records consent steps per channel on the day of the change, if the record is still
    /// at `seen_version` (None: as it is now, for a script). Consent to emails needs an address
    /// and to texts a number a text can go to, both as they are after the change. Recording
    /// consent is the patient-contact duty; changing the email or the phone is also editing
    /// the patient's details. One audit row (`patient.contact`) names each column changed with
    /// what it was and is, as a detail's edit does.
    pub fn set_contact(
        &mut self,
        patient_id: i64,
        seen_version: Option<i64>,
        change: &ContactChange,
        who: Who,
    ) -> AppResult<ContactSet> {
        if change.is_empty() {
            return Err(AppError::input(
                "nothing to change: give an email, a phone, a consent or an opt-out",
            ));
        }
        let today = who.today()?;
        let typed = |detail, text: &Option<String>| {
            text.as_deref()
                .map(|t| check_detail(detail, t, today))
                .transpose()
                .map_err(AppError::input)
        };
        let email = typed(PatientDetail::Email, &change.email)?;
        let phone = typed(PatientDetail::Phone, &change.phone)?;
        let steps = change.steps().map_err(AppError::input)?;
        let changed = self.write_as(&who, Duty::PatientContact, |tx, _| {
            if email.is_some() || phone.is_some() {
                super::allowed(tx, &who, Duty::Demographics)?;
            }
            require(tx, patient_id)?;
            let (before, version): ([Option<String>; 6], i64) = tx.query_row(
                &format!(
                    "SELECT {}, version FROM patients WHERE id = ?1",
                    COLUMNS.join(", ")
                ),
                args![patient_id],
                |r| {
                    Ok((
                        [
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                        ],
                        r.get(6)?,
                    ))
                },
            )?;
            if seen_version.is_some_and(|seen| seen != version) {
                return Err(changed_elsewhere(tx, patient_id));
            }
            let day = |i: usize| before[i].as_deref().and_then(parse_day);
            let mut consent = ContactConsent {
                email_consent_on: day(2),
                sms_consent_on: day(3),
                email_opt_out_on: day(4),
                sms_opt_out_on: day(5),
            };
            let new_email = email.clone().unwrap_or_else(|| before[0].clone());
            let new_phone = phone.clone().unwrap_or_else(|| before[1].clone());
            for &(channel, step) in &steps {
                if step == ConsentStep::Give {
                    consent_needs(channel, new_email.as_deref(), new_phone.as_deref())
                        .map_err(|why| TxError::App(AppError::input(why)))?;
                }
                consent = consent.after(channel, step, today);
            }
            let [a, b, c, d] = consent_columns(&consent);
            let after = [new_email, new_phone, a, b, c, d];
            let changed: Vec<usize> = (0..COLUMNS.len())
                .filter(|&i| before[i] != after[i])
                .collect();
            if changed.is_empty() {
                return Ok(Vec::new());
            }
            tx.execute(
                &format!(
                    "UPDATE patients SET {}, version = version + 1 WHERE id = ?1 AND version = ?2",
                    COLUMNS
                        .iter()
                        .enumerate()
                        .map(|(i, c)| format!("{c} = ?{}", i + 3))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                args![
                    patient_id, version, after[0], after[1], after[2], after[3], after[4], after[5]
                ],
            )?;
            let changes: serde_json::Map<String, serde_json::Value> = changed
                .iter()
                .map(|&i| {
                    (
                        COLUMNS[i].to_string(),
                        json!({ "from": before[i], "to": after[i] }),
                    )
                })
                .collect();
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "patient.contact",
                    entity: "patient",
                    entity_id: Some(patient_id),
                    detail: json!({ "changes": changes, "version": version + 1 }),
                },
            )?;
            Ok(changed.into_iter().map(|i| COLUMNS[i]).collect())
        })?;
        let patient = self
            .patient(patient_id)?
            .ok_or_else(|| AppError::not_found(format!("there is no patient {patient_id}")))?;
        Ok(ContactSet { patient, changed })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::messages::{Channel, Standing};
    use crate::error::ErrorKind;
    use chrono::NaiveDate;

    /// A small demo clinic around Friday 27 November 2026.
    pub(crate) fn clinic() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clinic.db");
        let opts = crate::demo::DemoOptions {
            patients: 30,
            weeks_back: 1,
            weeks_ahead: 1,
            ..Default::default()
        };
        crate::demo::build(
            &path,
            false,
            &opts,
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        )
        .unwrap();
        let db = crate::db::open_existing(&path).unwrap();
        (dir, db)
    }

    const AT: &str = "2026-11-27T09:00:00";

    fn who(user: &str) -> Who<'_> {
        Who { user, at: AT }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    /// A patient with neither consent nor opt-out, whose contact is then cleared.
    fn blank_patient(db: &mut Db) -> Patient {
        let p = crate::db::testing::patient_ids(db)
            .unwrap()
            .into_iter()
            .find_map(|id| db.patient(id).unwrap())
            .unwrap();
        db.sql()
            .execute(
                "UPDATE patients SET email = NULL, phone = NULL, email_consent_on = NULL,
                    sms_consent_on = NULL, email_opt_out_on = NULL, sms_opt_out_on = NULL
                 WHERE id = ?1",
                args![p.id],
            )
            .unwrap();
        db.patient(p.id).unwrap().unwrap()
    }

    fn contact_rows(db: &Db, id: i64) -> Vec<serde_json::Value> {
        db.sql()
            .prepare_cached(
                "SELECT summary FROM audit_log WHERE action = 'patient.contact' AND entity_id = ?1
                 ORDER BY id",
            )
            .unwrap()
            .query_map(args![id], |r| r.get::<String>(0))
            .unwrap()
            .map(|s| serde_json::from_str(&s.unwrap()).unwrap())
            .collect()
    }

    fn change(steps: &[(Channel, ConsentStep)]) -> ContactChange {
        ContactChange {
            steps: steps.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn contact_and_consent_are_set_together_with_one_audit_row() {
        let (_dir, mut db) = clinic();
        let p = blank_patient(&mut db);
        let set = db
            .set_contact(
                p.id,
                Some(p.version),
                &ContactChange {
                    email: Some(" ana@example.com ".into()),
                    phone: Some("(555) 555-0134".into()),
                    steps: vec![
                        (Channel::Email, ConsentStep::Give),
                        (Channel::Sms, ConsentStep::Give),
                    ],
                },
                who("admin"),
            )
            .unwrap();
        assert_eq!(
            set.changed,
            ["email", "phone", "email_consent_on", "sms_consent_on"]
        );
        assert_eq!(set.patient.email.as_deref(), Some("ana@example.com"));
        assert_eq!(set.patient.version, p.version + 1);
        assert_eq!(
            set.patient.consent.standing(Channel::Sms),
            Standing::Consented(today())
        );
        let rows = contact_rows(&db, p.id);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["changes"]["email"]["to"], "ana@example.com");
        assert_eq!(
            rows[0]["changes"]["sms_consent_on"]["from"],
            serde_json::Value::Null
        );
        assert_eq!(rows[0]["version"], p.version + 1);

        // A STOP by text: the consent's day stays on record, the opt-out wins.
        let stop = db
            .set_contact(
                p.id,
                None,
                &change(&[(Channel::Sms, ConsentStep::OptOut)]),
                who("admin"),
            )
            .unwrap();
        assert_eq!(stop.changed, ["sms_opt_out_on"]);
        assert_eq!(
            stop.patient.consent.standing(Channel::Sms),
            Standing::OptedOut(today())
        );
        assert!(stop.patient.consent.allows(Channel::Email));
        // Asked again, nothing changes and nothing is written.
        let again = db
            .set_contact(
                p.id,
                None,
                &change(&[
                    (Channel::Sms, ConsentStep::OptOut),
                    (Channel::Email, ConsentStep::Give),
                ]),
                who("admin"),
            )
            .unwrap();
        assert!(again.changed.is_empty());
        assert_eq!(again.patient.version, stop.patient.version);
        assert_eq!(contact_rows(&db, p.id).len(), 2);
    }

    #[test]
    fn a_stale_version_is_refused_and_nothing_is_written() {
        let (_dir, mut db) = clinic();
        let p = blank_patient(&mut db);
        db.set_contact(
            p.id,
            Some(p.version),
            &ContactChange {
                email: Some("ana@example.com".into()),
                ..Default::default()
            },
            who("admin"),
        )
        .unwrap();
        let stale = db
            .set_contact(
                p.id,
                Some(p.version),
                &ContactChange {
                    email: Some("other@example.com".into()),
                    steps: vec![(Channel::Email, ConsentStep::Give)],
                    ..Default::default()
                },
                who("admin"),
            )
            .unwrap_err();
        assert_eq!(stale.kind, ErrorKind::Conflict);
        assert!(
            stale.message.contains("by admin at 09:00"),
            "{}",
            stale.message
        );
        let now = db.patient(p.id).unwrap().unwrap();
        assert_eq!(now.email.as_deref(), Some("ana@example.com"));
        assert_eq!(now.consent, ContactConsent::default());
        assert_eq!(contact_rows(&db, p.id).len(), 1);
    }

    #[test]
    fn consent_needs_an_address_or_a_number_a_text_can_go_to() {
        let (_dir, mut db) = clinic();
        let p = blank_patient(&mut db);
        let no_email = db
            .set_contact(
                p.id,
                None,
                &change(&[(Channel::Email, ConsentStep::Give)]),
                who("admin"),
            )
            .unwrap_err();
        assert_eq!(no_email.kind, ErrorKind::Input);
        assert!(
            no_email.message.contains("email address"),
            "{}",
            no_email.message
        );
        let landline = db
            .set_contact(
                p.id,
                None,
                &ContactChange {
                    phone: Some("555-1234".into()),
                    steps: vec![(Channel::Sms, ConsentStep::Give)],
                    ..Default::default()
                },
                who("admin"),
            )
            .unwrap_err();
        assert!(
            landline.message.contains("is not a phone number"),
            "{}",
            landline.message
        );
        let bad = db
            .set_contact(
                p.id,
                None,
                &ContactChange {
                    email: Some("ana@".into()),
                    ..Default::default()
                },
                who("admin"),
            )
            .unwrap_err();
        assert_eq!(bad.message, "email: an address like name@example.com");
        let both = db
            .set_contact(
                p.id,
                None,
                &change(&[
                    (Channel::Sms, ConsentStep::Give),
                    (Channel::Sms, ConsentStep::Clear),
                ]),
                who("admin"),
            )
            .unwrap_err();
        assert!(both.message.contains("at once"), "{}", both.message);
        assert!(contact_rows(&db, p.id).is_empty());
        assert_eq!(db.patient(p.id).unwrap().unwrap(), p);
    }

    #[test]
    fn anyone_on_the_staff_records_consent_but_only_the_desk_changes_the_address() {
        let (_dir, mut db) = clinic();
        let mut p = blank_patient(&mut db);
        db.sql()
            .execute(
                "UPDATE patients SET email = 'ana@example.com' WHERE id = ?1",
                args![p.id],
            )
            .unwrap();
        p = db.patient(p.id).unwrap().unwrap();
        let set = db
            .set_contact(
                p.id,
                Some(p.version),
                &change(&[(Channel::Email, ConsentStep::Give)]),
                who("pta"),
            )
            .unwrap();
        assert_eq!(set.changed, ["email_consent_on"]);
        let refused = db
            .set_contact(
                p.id,
                None,
                &ContactChange {
                    email: Some("new@example.com".into()),
                    ..Default::default()
                },
                who("pta"),
            )
            .unwrap_err();
        assert_eq!(refused.kind, ErrorKind::Forbidden);
        assert!(
            refused
                .message
                .starts_with("registering or editing a patient needs"),
            "{}",
            refused.message
        );
    }
}
