//! A patient's record as the desk opens it: the patient, their authorisations with the visits
//! used, and every visit with its status, newest last.

use super::sql::{Conn, SqlResult, args};
use chrono::{NaiveDate, NaiveDateTime};

use super::Db;
use super::stored_time::parse_start;
use crate::domain::authorization::AuthorizationUse;
use crate::domain::messages::{ReminderState, VisitAnswer};
use crate::domain::patient::Patient;
use crate::domain::{AppointmentStatus, VisitKind};
use crate::error::{AppError, AppResult};

/// One of the patient's visits, as the record lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordVisit {
    pub id: i64,
    pub start: NaiveDateTime,
    pub minutes: i64,
    pub therapist_initials: String,
    pub kind: VisitKind,
    pub status: AppointmentStatus,
    /// For a visit from today on: its reminder and the patient's answer at its present time.
    pub reminder: ReminderState,
    pub answer: Option<VisitAnswer>,
    /// For a scheduled visit from today on in the top band of no-show risk: the risk with its
    /// reasons.
    pub risk: Option<crate::domain::no_show::VisitRisk>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatientRecord {
    pub patient: Patient,
    /// Oldest first, each with the attended visits its window holds.
    pub authorizations: Vec<AuthorizationUse>,
    /// Every visit, by time.
    pub visits: Vec<RecordVisit>,
    /// The patient's open waitlist entries, best first.
    pub waitlist: Vec<crate::domain::waitlist::WaitlistEntry>,
}

fn visits(conn: &Conn, patient_id: i64) -> SqlResult<Vec<RecordVisit>> {
    conn.prepare_cached(
        "SELECT a.id, a.start, a.minutes, s.initials, a.kind, a.status, a.no_show_risk
         FROM appointments a JOIN staff s ON s.id = a.therapist_id
         WHERE a.patient_id = ?1 ORDER BY a.start, a.id",
    )?
    .query_map(args![patient_id], |r| {
        Ok((
            r.get::<i64>(0)?,
            r.get::<String>(1)?,
            r.get::<i64>(2)?,
            r.get::<String>(3)?,
            r.get::<String>(4)?,
            r.get::<String>(5)?,
            r.get::<Option<String>>(6)?,
        ))
    })?
    .filter_map(|row| {
        row.map(|(id, start, minutes, initials, kind, status, risk)| {
            // A row the app cannot read is left out, as the schedule leaves it out.
            Some(RecordVisit {
                id,
                start: parse_start(&start)?,
                minutes,
                therapist_initials: initials,
                kind: VisitKind::parse(&kind)?,
                status: AppointmentStatus::parse(&status)?,
                reminder: ReminderState::None,
                answer: None,
                // Only the top band is said; the record is not the place for every estimate.
                risk: super::no_show::decode_risk(risk.as_deref()).filter(|r| r.high),
            })
        })
        .transpose()
    })
    .collect()
}

impl Db {
    /// The patient's record as of `today`.
    pub fn patient_record(&self, patient_id: i64, today: NaiveDate) -> AppResult<PatientRecord> {
        let patient = self
            .patient(patient_id)?
            .ok_or_else(|| AppError::not_found(format!("there is no patient {patient_id}")))?;
        let mut visits = visits(&self.sql(), patient_id).map_err(|e| self.fail(e))?;
        let from = today.and_hms_opt(0, 0, 0).unwrap_or_default();
        let coming: Vec<i64> = visits
            .iter()
            .filter(|v| v.start >= from)
            .map(|v| v.id)
            .collect();
        let reminders = self.reminders_of(&coming)?;
        let mut answers = self.answers_of(&coming)?;
        for v in &mut visits {
            v.reminder = reminders.get(&v.id).copied().unwrap_or_default();
            v.answer = answers.remove(&v.id);
        }
        Ok(PatientRecord {
            patient,
            authorizations: self.authorization_uses(patient_id, today)?,
            visits,
            waitlist: self.open_waitlist_entries_of_patient(patient_id)?,
        })
    }
}
