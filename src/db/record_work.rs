//! The database work the patient finder, the patient record and the list of patients falling
//! through the cracks ask the database thread for.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::json;

use super::desk_lists::{DirectoryEntry, UnscheduledPatient};
use super::patient_record::PatientRecord;
use super::{Db, Who};
use crate::domain::authorization::AuthorizationRequest;
use crate::domain::messages::{Channel, ConsentStep, ContactChange};
use crate::domain::patient::{NewPatient, Patient};
use crate::domain::patient_record::PatientDetail;
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq)]
pub enum RecordRequest {
    /// Every patient, for the finder (read once when it opens; each keystroke only matches).
    Directory {
        today: NaiveDate,
        now: NaiveDateTime,
    },
    /// The patients falling through the cracks.
    Unscheduled {
        today: NaiveDate,
        now: NaiveDateTime,
    },
    /// A patient's record; `opened` audits the opening (a reload after a change does not).
    Open {
        patient_id: i64,
        today: NaiveDate,
        opened: bool,
    },
    SaveDetail {
        patient_id: i64,
        seen_version: i64,
        detail: PatientDetail,
        text: String,
        today: NaiveDate,
    },
    AddAuthorization {
        patient_id: i64,
        request: AuthorizationRequest,
        today: NaiveDate,
    },
    EditAuthorization {
        patient_id: i64,
        id: i64,
        seen_version: i64,
        request: AuthorizationRequest,
        today: NaiveDate,
    },
    /// The patient put on the waitlist, as typed in the record.
    AddWaitlist {
        patient_id: i64,
        site_id: i64,
        typed: crate::domain::waitlist::TypedEntry,
        today: NaiveDate,
    },
    /// The patient's consent on one channel, as the desk records it in the record.
    SetConsent {
        patient_id: i64,
        seen_version: i64,
        channel: Channel,
        step: ConsentStep,
        today: NaiveDate,
    },
    /// The patients a registration would duplicate.
    Lookalikes(NewPatient),
}

#[derive(Debug, Clone)]
pub enum RecordReply {
    Directory(Vec<DirectoryEntry>),
    Unscheduled(Vec<UnscheduledPatient>),
    Opened(Box<PatientRecord>),
    /// A change was saved; the record as it now is, and what to say.
    Changed {
        record: Box<PatientRecord>,
        note: String,
    },
    Lookalikes {
        patient: NewPatient,
        matches: Vec<Patient>,
    },
}

impl RecordRequest {
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            RecordRequest::SaveDetail { .. }
                | RecordRequest::AddAuthorization { .. }
                | RecordRequest::EditAuthorization { .. }
                | RecordRequest::AddWaitlist { .. }
                | RecordRequest::SetConsent { .. }
        )
    }

    pub fn handle(self, db: &mut Db, who: Who) -> AppResult<RecordReply> {
        match self {
            RecordRequest::Directory { today, now } => {
                let all = db.patient_directory(today, now)?;
                db.log_patient_list(
                    "patients.finder",
                    json!({ "all": true, "patients": all.len() }),
                    who,
                )?;
                Ok(RecordReply::Directory(all))
            }
            RecordRequest::Unscheduled { today, now } => {
                let rows = db.unscheduled_patients(today, now)?;
                let mut ids: Vec<i64> = rows.iter().map(|r| r.patient_id).collect();
                ids.dedup();
                db.log_patient_list(
                    "report.unscheduled",
                    json!({
                        "as_of": today.to_string(),
                        "rows": rows.len(),
                        "patients": ids,
                        "format": "screen",
                    }),
                    who,
                )?;
                Ok(RecordReply::Unscheduled(rows))
            }
            RecordRequest::Open {
                patient_id,
                today,
                opened,
            } => {
                let record = db.patient_record(patient_id, today)?;
                if opened {
                    db.log_opened(patient_id, "patient.record_open", json!({}), who)?;
                }
                Ok(RecordReply::Opened(Box::new(record)))
            }
            RecordRequest::SaveDetail {
                patient_id,
                seen_version,
                detail,
                text,
                today,
            } => {
                db.update_patient_detail(patient_id, seen_version, detail, &text, today, who)?;
                Ok(RecordReply::Changed {
                    record: Box::new(db.patient_record(patient_id, today)?),
                    note: format!("{} saved", detail.label()),
                })
            }
            RecordRequest::AddAuthorization {
                patient_id,
                request,
                today,
            } => {
                let a = db.add_authorization(patient_id, request, who)?;
                Ok(RecordReply::Changed {
                    record: Box::new(db.patient_record(patient_id, today)?),
                    note: format!("authorisation of {} visits added", a.visits),
                })
            }
            RecordRequest::EditAuthorization {
                patient_id,
                id,
                seen_version,
                request,
                today,
            } => {
                db.edit_authorization(id, seen_version, request, who)?;
                Ok(RecordReply::Changed {
                    record: Box::new(db.patient_record(patient_id, today)?),
                    note: "authorisation saved".into(),
                })
            }
            RecordRequest::AddWaitlist {
                patient_id,
                site_id,
                typed,
                today,
            } => {
                let (entry, _) = db.read_typed_waitlist_entry(
                    patient_id,
                    site_id,
                    &typed,
                    crate::domain::waitlist::TypedField::label,
                )?;
                let id = db.add_waitlist_entry(entry, who)?;
                Ok(RecordReply::Changed {
                    record: Box::new(db.patient_record(patient_id, today)?),
                    note: format!("on the waitlist (entry {id})"),
                })
            }
            RecordRequest::SetConsent {
                patient_id,
                seen_version,
                channel,
                step,
                today,
            } => {
                let change = ContactChange {
                    steps: vec![(channel, step)],
                    ..ContactChange::default()
                };
                let set = db.set_contact(patient_id, Some(seen_version), &change, who)?;
                let what = match channel {
                    Channel::Email => "Emails",
                    Channel::Sms => "Texts",
                };
                let now = set.patient.consent.standing(channel).words();
                Ok(RecordReply::Changed {
                    record: Box::new(db.patient_record(patient_id, today)?),
                    note: if set.changed.is_empty() {
                        format!("{what}: {now}, as before")
                    } else {
                        format!("{what}: {now}")
                    },
                })
            }
            RecordRequest::Lookalikes(patient) => {
                let matches = db.patients_like(&patient)?;
                Ok(RecordReply::Lookalikes { patient, matches })
            }
        }
    }
}
