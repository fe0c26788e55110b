use super::sql::{Conn, OptionalExtension, Row, Sql, SqlResult, args};
use chrono::NaiveDate;
use serde_json::json;

use super::Db;
use super::audit::{self, AuditEntry};
use super::stored_time::parse_day_column;
use crate::domain::authorization::AuthorizedVisits;
use crate::domain::messages::ContactConsent;
use crate::domain::patient::{ContactPreference, NewPatient, Patient, same_person};
use crate::domain::patient_record::{PatientDetail, check_detail};
use crate::domain::plan_of_care::PlanPeriod;
use crate::error::{AppError, AppResult};

/// A patient's columns, with their latest plan of care and authorisation (each read from its
/// own rows, for the summary). Used as `SELECT {PATIENT_COLUMNS} FROM patients`.
pub(crate) const PATIENT_COLUMNS: &str =
    "id, mrn, first_name, last_name, date_of_birth, phone, email,
    diagnosis_code, diagnosis, body_region, payer, active, version,
    (SELECT pl.starts_on || ' ' || pl.ends_on || ' ' || coalesce(pl.certified_on, '')
     FROM plans_of_care pl WHERE pl.patient_id = patients.id
     ORDER BY pl.starts_on DESC, pl.id DESC LIMIT 1),
    (SELECT au.starts_on || ' ' || au.ends_on || ' ' || au.visits
     FROM authorizations au WHERE au.patient_id = patients.id
     ORDER BY au.starts_on DESC, au.id DESC LIMIT 1),
    contact_preference, email_consent_on, sms_consent_on, email_opt_out_on, sms_opt_out_on";

fn day_opt(s: Option<&str>) -> Option<NaiveDate> {
    s.and_then(super::stored_time::parse_day)
}

/// "start end certified" as the patient's columns read the latest plan.
fn latest_plan(s: Option<String>) -> Option<PlanPeriod> {
    let s = s?;
    let mut parts = s.split(' ');
    Some(PlanPeriod {
        starts_on: day_opt(parts.next())?,
        ends_on: day_opt(parts.next())?,
        certified_on: day_opt(parts.next()),
    })
}

/// "start end visits" as the patient's columns read the latest authorisation.
fn latest_authorization(s: Option<String>) -> Option<AuthorizedVisits> {
    let s = s?;
    let mut parts = s.split(' ');
    Some(AuthorizedVisits {
        starts_on: day_opt(parts.next())?,
        ends_on: day_opt(parts.next())?,
        visits: parts.next()?.parse().ok()?,
    })
}

pub(crate) fn row_to_patient(r: &Row) -> SqlResult<Patient> {
    let dob: String = r.get(4)?;
    Ok(Patient {
        id: r.get(0)?,
        mrn: r.get(1)?,
        first_name: r.get(2)?,
        last_name: r.get(3)?,
        date_of_birth: parse_day_column(4, &dob)?,
        phone: r.get(5)?,
        email: r.get(6)?,
        diagnosis_code: r.get(7)?,
        diagnosis: r.get(8)?,
        body_region: r.get(9)?,
        payer: r.get(10)?,
        active: r.get(11)?,
        version: r.get(12)?,
        plan_of_care: latest_plan(r.get(13)?),
        authorization: latest_authorization(r.get(14)?),
        contact_preference: r
            .get::<Option<String>>(15)?
            .as_deref()
            .and_then(ContactPreference::parse),
        consent: ContactConsent {
            email_consent_on: day_opt(r.get::<Option<String>>(16)?.as_deref()),
            sms_consent_on: day_opt(r.get::<Option<String>>(17)?.as_deref()),
            email_opt_out_on: day_opt(r.get::<Option<String>>(18)?.as_deref()),
            sms_opt_out_on: day_opt(r.get::<Option<String>>(19)?.as_deref()),
        },
    })
}

/// Refuses a change for a patient the record does not have (a stale screen, a typo in a
/// script), in the change's own transaction.
pub(crate) fn require(conn: &Conn, patient_id: i64) -> super::TxResult<()> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM patients WHERE id = ?1)",
        args![patient_id],
        |r| r.get(0),
    )?;
    if exists {
        Ok(())
    } else {
        Err(super::TxError::App(AppError::not_found(format!(
            "there is no patient {patient_id}"
        ))))
    }
}

/// "changed on another terminal by USER at HH:MM": the last audited change of a record that
/// is no longer at the version the screen showed.
pub(crate) fn changed_elsewhere(conn: &Conn, patient_id: i64) -> super::TxError {
    super::TxError::App(AppError::of(
        crate::error::ErrorKind::Conflict,
        format!(
            "this record was changed on another terminal{} — reloaded; nothing was overwritten: check it and try again",
            last_change(conn, "patient", patient_id)
        ),
    ))
}

/// " by USER at HH:MM" of the last audit row about an entity, or nothing.
pub(crate) fn last_change(conn: &Conn, entity: &str, id: i64) -> String {
    let last: Option<(String, String)> = conn
        .query_row(
            "SELECT user, local_at FROM audit_log WHERE entity = ?1 AND entity_id = ?2
             ORDER BY id DESC LIMIT 1",
            args![entity, id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .unwrap_or(None);
    match last {
        Some((user, at)) => format!(" by {user} at {}", at.get(11..16).unwrap_or(&at)),
        None => String::new(),
    }
}

/// The patient's visit on `day` that a measurement or a report taken that day belongs to: an
/// attended one first, else the first booked; never a cancelled visit or a no-show.
pub(crate) fn visit_on(conn: &Conn, patient_id: i64, day: NaiveDate) -> SqlResult<Option<i64>> {
    let (from, to) = super::stored_time::day_range(day);
    conn.query_row(
        "SELECT id FROM appointments
         WHERE patient_id = ?1 AND start >= ?2 AND start < ?3
           AND status NOT IN ('cancelled', 'no_show')
         ORDER BY status IN ('checked_in', 'completed') DESC, start, id LIMIT 1",
        args![patient_id, from, to],
        |r| r.get(0),
    )
    .optional()
}

/// The next free MRN: numeric MRNs count on from the largest one.
pub(crate) fn next_mrn(conn: &Conn) -> SqlResult<String> {
    let max: Option<i64> = conn.query_row(
        "SELECT MAX(CAST(mrn AS INTEGER)) FROM patients WHERE mrn GLOB '[0-9]*' AND mrn NOT GLOB '*[^0-9]*'", &[],
        |r| r.get(0),
    )?;
    Ok(format!("{}", max.unwrap_or(100_000) + 1))
}

impl Db {
    pub fn patient(&self, id: i64) -> AppResult<Option<Patient>> {
        self.sql()
            .query_row(
                &format!("SELECT {PATIENT_COLUMNS} FROM patients WHERE id = ?1"),
                args![id],
                row_to_patient,
            )
            .optional()
            .map_err(|e| self.fail(e))
    }

    pub fn patient_by_mrn(&self, mrn: &str) -> AppResult<Option<Patient>> {
        self.sql()
            .query_row(
                &format!("SELECT {PATIENT_COLUMNS} FROM patients WHERE mrn = ?1"),
                args![mrn.trim()],
                row_to_patient,
            )
            .optional()
            .map_err(|e| self.fail(e))
    }

    /// Active patients, for booking's patient search.
    pub fn active_patients(&self) -> AppResult<Vec<Patient>> {
        let mut stmt = self
            .sql()
            .prepare_cached(&format!(
                "SELECT {PATIENT_COLUMNS} FROM patients WHERE active = 1 ORDER BY last_name, first_name"
            ))
            .map_err(|e| self.fail(e))?;
        stmt.query_map(&[], row_to_patient)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.fail(e))
    }

    /// The patients, active or not, who are the same person as `p` by the domain's rule
    /// (`patient::same_person`): what registering them again would duplicate.
    pub fn patients_like(&self, p: &NewPatient) -> AppResult<Vec<Patient>> {
        let dob = p.date_of_birth.format("%Y-%m-%d").to_string();
        let read = || -> SqlResult<Vec<Patient>> {
            self.sql()
                .prepare_cached(&format!(
                    "SELECT {PATIENT_COLUMNS} FROM patients WHERE date_of_birth = ?1 ORDER BY id"
                ))?
                .query_map(args![dob], row_to_patient)?
                .collect()
        };
        Ok(read()
            .map_err(|e| self.fail(e))?
            .into_iter()
            .filter(|o| {
                same_person(
                    &p.first_name,
                    &p.last_name,
                    p.date_of_birth,
                    (&o.first_name, &o.last_name, o.date_of_birth),
                )
            })
            .collect())
    }

    /// Changes one detail of a patient's record, checked by the registration rules, if the
    /// record is still at `seen_version` (else nothing is written and the conflict says who
    /// changed it); the audit row names the detail, what it was and what it is now.
    pub fn update_patient_detail(
        &mut self,
        patient_id: i64,
        seen_version: i64,
        detail: PatientDetail,
        text: &str,
        today: NaiveDate,
        who: super::Who,
    ) -> AppResult<Patient> {
        let value = check_detail(detail, text, today).map_err(AppError::input)?;
        self.write_as(&who, crate::domain::roles::Duty::Demographics, |tx, _| {
            require(tx, patient_id)?;
            let column = detail.column();
            let before: (Option<String>, i64) = tx.query_row(
                &format!("SELECT {column}, version FROM patients WHERE id = ?1"),
                args![patient_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if before.1 != seen_version {
                return Err(changed_elsewhere(tx, patient_id));
            }
            tx.execute(
                &format!("UPDATE patients SET {column} = ?2, version = version + 1 WHERE id = ?1"),
                args![patient_id, value],
            )?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "patient.edit",
                    entity: "patient",
                    entity_id: Some(patient_id),
                    detail: json!({
                        "field": column,
                        "from": before.0,
                        "to": value,
                        "version": seen_version + 1,
                    }),
                },
            )?;
            Ok(())
        })?;
        self.patient(patient_id)?
            .ok_or_else(|| AppError::not_found(format!("there is no patient {patient_id}")))
    }

    /// Registers a patient with the next MRN; returns (id, mrn).
    pub fn register_patient(
        &mut self,
        p: &NewPatient,
        user: &str,
        at: &str,
    ) -> AppResult<(i64, String)> {
        if p.first_name.is_empty() || p.last_name.is_empty() {
            return Err(AppError::input("a patient needs a first and a last name"));
        }
        let who = super::Who { user, at };
        self.write_as(&who, crate::domain::roles::Duty::Demographics, |tx, _| {
            let mrn = next_mrn(tx)?;
            let id = tx.insert(
                "INSERT INTO patients (mrn, first_name, last_name, date_of_birth, phone, payer,
                    diagnosis_code, diagnosis, body_region, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                args![
                    mrn,
                    p.first_name,
                    p.last_name,
                    p.date_of_birth.format("%Y-%m-%d").to_string(),
                    p.phone,
                    p.payer,
                    p.diagnosis_code,
                    p.diagnosis,
                    p.body_region,
                    at
                ],
            )?;
            audit::record(
                tx,
                &AuditEntry {
                    at,
                    user,
                    action: "patient.register",
                    entity: "patient",
                    entity_id: Some(id),
                    detail: json!({ "mrn": mrn }),
                },
            )?;
            Ok((id, mrn))
        })
    }
}
