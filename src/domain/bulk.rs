//! Records added many at a time, by an import or by the demo clinic's build: checked values
//! ready to be stored, and what the record already holds that a check looks them up in.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use super::staff::Staff;
use super::{AppointmentStatus, CancelReason, VisitKind};

/// What an imported file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Patients,
    Appointments,
    Exercises,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Patients => "patients",
            ImportKind::Appointments => "appointments",
            ImportKind::Exercises => "exercises",
        }
    }
}

/// Told how far a long job is: the phase ("checking", "writing"), rows done, rows in all.
pub type Progress<'p> = &'p mut dyn FnMut(&'static str, usize, usize);

/// A checked row, and the id of the record it changes (none: it is a new record).
#[derive(Debug, Clone, PartialEq)]
pub struct Planned<T> {
    pub row: T,
    pub existing: Option<i64>,
}

/// A patient's stored details, from a file or the demo. On an import's update every `None`
/// keeps the stored value.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientDetails {
    pub mrn: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub payer: Option<String>,
    pub diagnosis_code: Option<String>,
    pub diagnosis: Option<String>,
    pub body_region: Option<String>,
    /// A file's plan-of-care columns, checked: recorded as a plan of care of its own (the file
    /// states no frequency, so none is recorded).
    pub plan: Option<crate::domain::plan_of_care::PlanPeriod>,
    /// A file's authorisation columns, checked: recorded as an authorisation of the patient's
    /// payer.
    pub authorization: Option<crate::domain::authorization::AuthorizedVisits>,
}

/// A visit from a file. On an update the patient and start identify it; a `None` status,
/// reason or room keeps the stored one.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedVisit {
    pub patient_id: i64,
    pub therapist_id: i64,
    pub start: NaiveDateTime,
    pub minutes: i64,
    pub kind: VisitKind,
    pub status: Option<AppointmentStatus>,
    pub cancel_reason: Option<CancelReason>,
    pub room: Option<String>,
}

/// An exercise for the library. On an update every `None`, and empty aliases, keep the
/// stored value.
#[derive(Debug, Clone, PartialEq)]
pub struct NewExercise {
    pub name: String,
    /// Clinicians' shorthand, `;`-separated.
    pub aliases: String,
    pub region: String,
    pub category: String,
    pub equipment: String,
    pub position: Option<String>,
    pub instructions: String,
    pub sets: Option<i64>,
    pub reps: Option<i64>,
    pub hold_seconds: Option<i64>,
    pub times_per_day: Option<i64>,
    pub days_per_week: Option<i64>,
}

/// The checked rows of one file.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportPlan {
    Patients(Vec<Planned<PatientDetails>>),
    Appointments(Vec<Planned<ImportedVisit>>),
    Exercises(Vec<Planned<NewExercise>>),
}

impl ImportPlan {
    /// Rows added and rows changed.
    pub fn counts(&self) -> ImportCounts {
        fn of<T>(rows: &[Planned<T>]) -> ImportCounts {
            let updated = rows.iter().filter(|p| p.existing.is_some()).count();
            ImportCounts {
                inserted: rows.len() - updated,
                updated,
            }
        }
        match self {
            ImportPlan::Patients(r) => of(r),
            ImportPlan::Appointments(r) => of(r),
            ImportPlan::Exercises(r) => of(r),
        }
    }
}

/// Rows added and changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub inserted: usize,
    pub updated: usize,
}

/// What the record holds that a file of one kind is checked against (only what that kind
/// needs is read).
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Patient ids by MRN.
    pub patients: HashMap<String, i64>,
    /// Everyone ever on the staff, in the order they were added.
    pub staff: Vec<Staff>,
    /// Visit ids by patient and start.
    pub visits: HashMap<(i64, NaiveDateTime), i64>,
    /// Each visit's site, by visit id.
    pub visit_sites: HashMap<i64, i64>,
    /// Exercise names as stored, with their ids.
    pub exercises: Vec<(String, i64)>,
    /// The site imported visits are at: a room must be one it lists, when it lists any.
    pub site: Option<crate::domain::sites::Site>,
}

/// Who imports which file, and when: what the audit rows of an import say.
#[derive(Debug, Clone, Copy)]
pub struct ImportAudit<'a> {
    pub user: &'a str,
    pub at: &'a str,
    pub file_name: &'a str,
    /// Rows in the file, good and bad.
    pub rows: usize,
    /// The site new visits are booked at (None: the file holds no visits).
    pub site_id: Option<i64>,
}

/// A demo patient: their details, whether they are in care, and when they were registered.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPatient {
    pub details: PatientDetails,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

/// A demo plan of care, certified or not.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPlan<'a> {
    pub patient_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub visits_per_week: u8,
    pub weeks: u8,
    pub physician: Option<&'a str>,
    pub certified_on: Option<NaiveDate>,
    pub recertifies: Option<i64>,
    /// The region the plan treats (None: the patient's, as for a plan written at the desk).
    pub region: Option<crate::domain::measures::BodyRegion>,
    pub created_by: &'a str,
    pub created_at: NaiveDateTime,
}

/// A demo authorisation.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoAuthorization<'a> {
    pub patient_id: i64,
    pub payer: &'a str,
    pub reference: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub visits: i64,
    pub created_by: &'a str,
    pub created_at: NaiveDateTime,
}

/// A demo visit, with its whole history (checked in, its status set, when it was booked).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoVisit<'a> {
    pub patient_id: i64,
    pub therapist_id: i64,
    pub start: NaiveDateTime,
    pub minutes: u32,
    pub kind: VisitKind,
    pub status: AppointmentStatus,
    pub status_changed_at: Option<NaiveDateTime>,
    pub checked_in_at: Option<NaiveDateTime>,
    pub cancel_reason: Option<CancelReason>,
    pub room: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

/// An outcome measure taken at a demo visit.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoMeasurement<'a> {
    pub patient_id: i64,
    pub appointment_id: i64,
    pub code: &'a str,
    pub taken_on: NaiveDate,
    pub value: f64,
    pub recorded_by: &'a str,
    pub created_at: NaiveDateTime,
}

/// A demo visit's note (empty parts are stored empty).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoNote<'a> {
    pub appointment_id: i64,
    pub subjective: &'a str,
    pub objective: &'a str,
    pub assessment: &'a str,
    pub plan: &'a str,
    /// Billing codes and their minutes, as the note stores them (JSON).
    pub timed_minutes: Option<&'a str>,
    pub is_progress_report: bool,
    pub author: &'a str,
    pub updated_at: NaiveDateTime,
    /// Signed by its author when it was saved.
    pub signed: bool,
}

/// A goal of the demo, under the plan of care its patient's evaluation started.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoGoal<'a> {
    pub patient_id: i64,
    pub evaluated_on: NaiveDate,
    pub term: &'static str,
    /// Empty for a measured goal (it reads as its target).
    pub description: String,
    /// The measure's code and target.
    pub measure: Option<(&'static str, f64)>,
    pub target_on: NaiveDate,
    pub by: &'a str,
}

/// A payer's rules in the demo.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPayer<'a> {
    pub name: &'a str,
    pub rules: crate::domain::payers::PayerRules,
}

/// A patient's report of home-exercise sessions done, at a demo visit.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoAdherence<'a> {
    pub patient_id: i64,
    pub appointment_id: Option<i64>,
    pub reported_on: NaiveDate,
    pub sessions_done: i64,
    pub sessions_prescribed: i64,
    pub recorded_by: &'a str,
}

/// A demo home exercise program: its exercises (by id, with the side) take their dosage from
/// the library.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoProgram<'a> {
    pub patient_id: i64,
    pub version_no: i64,
    pub created_by: &'a str,
    pub created_at: NaiveDateTime,
    pub items: Vec<(i64, &'a str)>,
}
