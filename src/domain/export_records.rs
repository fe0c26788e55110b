//! What an export reads from the record, as plain data: the FHIR resources and the calendars
//! are built from these, whichever store they came from.

use chrono::NaiveDateTime;

use super::{AppointmentStatus, CancelReason, VisitKind};

#[derive(Debug, Clone)]
pub struct MeasurementRec {
    pub id: i64,
    pub patient_id: i64,
    pub code: String,
    pub taken_on: String,
    pub value: f64,
    pub detail: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AppointmentRec {
    pub id: i64,
    pub patient_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub therapist_name: String,
    pub start: NaiveDateTime,
    pub minutes: i64,
    pub kind: VisitKind,
    pub status: AppointmentStatus,
    pub cancel_reason: Option<CancelReason>,
    pub room: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct HepItemRec {
    pub exercise: String,
    pub sets: Option<i64>,
    pub reps: Option<i64>,
    pub hold_seconds: Option<i64>,
    pub times_per_day: Option<i64>,
    pub days_per_week: Option<i64>,
    pub side: Option<String>,
    pub load: Option<String>,
    pub note: Option<String>,
}

/// A patient's current home exercise program: the highest version, its items in order.
#[derive(Debug, Clone)]
pub struct HepRec {
    pub id: i64,
    pub patient_id: i64,
    pub version_no: i64,
    pub created_on: String,
    pub items: Vec<HepItemRec>,
}

/// Everything an export reads, copied into memory.
#[derive(Debug, Clone)]
pub struct ExportRecord {
    pub patients: Vec<super::patient::Patient>,
    pub measurements: Vec<MeasurementRec>,
    pub appointments: Vec<AppointmentRec>,
    pub programs: Vec<HepRec>,
    /// Every plan of care, oldest first per patient.
    pub plans: Vec<super::plan_of_care::PlanOfCare>,
}
