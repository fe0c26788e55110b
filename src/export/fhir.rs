//! FHIR R4 resources from the clinic record: Patient (the MRN as an identifier), Condition
//! (ICD-10-CM), an Observation per measurement (LOINC where a code exists, else the project's
//! code system), Appointment (statuses as CLINICAL.md maps them), and a CarePlan for the
//! current home exercise program. Put together as a `collection` Bundle for one patient, or
//! as newline-delimited JSON per resource type (FHIR bulk data) for the whole clinic.

use chrono::{Local, NaiveDateTime, TimeZone};
use serde_json::{Value, json};

use crate::domain::export_records::{
    AppointmentRec, ExportRecord, HepItemRec, HepRec, MeasurementRec,
};
use crate::domain::measures::{BodyRegion, measure};
use crate::domain::patient::Patient;
use crate::domain::plan_of_care::PlanOfCare;
use crate::domain::{AppointmentStatus, CancelReason};
use crate::sanitize::clean_line;

/// Where the project's own identifiers and codes live.
pub const BASE: &str = "https://ptclinic.example/fhir";
pub const MRN_SYSTEM: &str = "https://ptclinic.example/fhir/sid/mrn";
pub const MEASURE_SYSTEM: &str = "https://ptclinic.example/fhir/CodeSystem/outcome-measure";
pub const VISIT_KIND_SYSTEM: &str = "https://ptclinic.example/fhir/CodeSystem/visit-kind";
pub const LOINC: &str = "http://loinc.org";
pub const ICD10CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
pub const UCUM: &str = "http://unitsofmeasure.org";

/// LOINC codes for the outcome measures, only where the code is certain; the rest carry the
/// project's code alone. The short forms carry their total interval score's code: HOOS JR
/// 82323-7 (the eCQM value set's code); for KOOS JR the total is 82332-8, the last of its panel
/// 82324-5 (items 82325-2…82331-0), as HOOS JR's panel 82316-1 ends with 82323-7.
pub const MEASURE_LOINC: &[(&str, &str, &str)] = &[
    (
        "NPRS",
        "72514-3",
        "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    ),
    ("KOOS-JR", "82332-8", "Total interval score [KOOSJR]"),
    ("HOOS-JR", "82323-7", "Total interval score [HOOSJR]"),
];

/// The resource types in the order a Bundle lists them.
pub const TYPES: &[&str] = &[
    "Patient",
    "Condition",
    "Observation",
    "Appointment",
    "CarePlan",
];

/// Everything an export reads (see [`crate::db::Db::export_record`]).
pub type Record = ExportRecord;

/// Resources grouped by type, in `TYPES` order.
#[derive(Debug, Clone, Default)]
pub struct Resources {
    pub by_type: Vec<(&'static str, Vec<Value>)>,
}

impl Resources {
    pub fn count(&self) -> usize {
        self.by_type.iter().map(|(_, v)| v.len()).sum()
    }

    pub fn of(&self, kind: &str) -> &[Value] {
        self.by_type
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(&[], |(_, v)| v.as_slice())
    }
}

/// A local clinic time as a FHIR `instant` (with this machine's UTC offset for that date).
pub fn instant(t: NaiveDateTime) -> String {
    let local = Local
        .from_local_datetime(&t)
        .earliest()
        // A time skipped by a daylight-saving change: an hour later exists.
        .or_else(|| {
            Local
                .from_local_datetime(&(t + chrono::Duration::hours(1)))
                .earliest()
        });
    match local {
        Some(l) => l.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        None => format!("{}Z", t.format("%Y-%m-%dT%H:%M:%S")),
    }
}

fn reference(kind: &str, id: &str) -> Value {
    json!({ "reference": format!("{kind}/{id}") })
}

pub fn patient_id(p: i64) -> String {
    format!("patient-{p}")
}

fn text(s: &str) -> String {
    clean_line(s)
}

/// Leaves out keys whose value is null, so no empty element reaches the output.
fn compact(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        map.retain(|_, x| !x.is_null());
    }
    v
}

pub fn patient(p: &Patient) -> Value {
    let mut telecom = Vec::new();
    if let Some(phone) = p.phone.as_deref().map(text).filter(|s| !s.is_empty()) {
        telecom.push(json!({ "system": "phone", "value": phone, "use": "home" }));
    }
    if let Some(email) = p.email.as_deref().map(text).filter(|s| !s.is_empty()) {
        telecom.push(json!({ "system": "email", "value": email }));
    }
    let birth = p.date_of_birth.format("%Y-%m-%d").to_string();
    compact(json!({
        "resourceType": "Patient",
        "id": patient_id(p.id),
        "identifier": [{
            "use": "usual",
            "type": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                "code": "MR",
                "display": "Medical record number"
            }]},
            "system": MRN_SYSTEM,
            "value": text(&p.mrn)
        }],
        "active": p.active,
        "name": [{
            "use": "official",
            "family": text(&p.last_name),
            "given": [text(&p.first_name)]
        }],
        "telecom": if telecom.is_empty() { Value::Null } else { Value::Array(telecom) },
        "birthDate": birth,
    }))
}

/// The patient's diagnosis, when the record has one.
pub fn condition(p: &Patient) -> Option<Value> {
    let code = p
        .diagnosis_code
        .as_deref()
        .map(text)
        .filter(|s| !s.is_empty());
    let words = p.diagnosis.as_deref().map(text).filter(|s| !s.is_empty());
    if code.is_none() && words.is_none() {
        return None;
    }
    let coding = code.map(|c| {
        json!([compact(
            json!({ "system": ICD10CM, "code": c, "display": words.clone() })
        )])
    });
    let body_site = p
        .body_region
        .as_deref()
        .and_then(BodyRegion::parse)
        .map(|r| json!([{ "text": r.label() }]));
    Some(compact(json!({
        "resourceType": "Condition",
        "id": format!("condition-{}", p.id),
        "clinicalStatus": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
            "code": if p.active { "active" } else { "inactive" }
        }]},
        "verificationStatus": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
            "code": "confirmed"
        }]},
        "category": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-category",
            "code": "encounter-diagnosis",
            "display": "Encounter Diagnosis"
        }]}],
        "code": compact(json!({ "coding": coding, "text": words })),
        "bodySite": body_site,
        "subject": reference("Patient", &patient_id(p.id)),
    })))
}

/// UCUM for the units the measure table uses.
fn ucum(unit: &str) -> &str {
    match unit {
        "%" => "%",
        "degrees" => "deg",
        _ => "{score}",
    }
}

pub fn observation(m: &MeasurementRec) -> Value {
    let def = measure(&m.code);
    let name = def.map_or(m.code.as_str(), |d| d.name);
    let unit = def.map_or("points", |d| d.unit);
    let mut coding = Vec::new();
    if let Some((_, code, display)) = MEASURE_LOINC.iter().find(|(c, ..)| *c == m.code) {
        coding.push(json!({ "system": LOINC, "code": code, "display": display }));
    }
    coding.push(json!({ "system": MEASURE_SYSTEM, "code": text(&m.code), "display": name }));
    let label = match m.detail.as_deref().map(text).filter(|d| !d.is_empty()) {
        Some(detail) => format!("{name}: {detail}"),
        None => name.to_string(),
    };
    let value = if def.is_some_and(|d| d.integer) && m.value.fract() == 0.0 {
        json!(m.value as i64)
    } else {
        json!(m.value)
    };
    let category = if m.code == "ROM" { "exam" } else { "survey" };
    json!({
        "resourceType": "Observation",
        "id": format!("observation-{}", m.id),
        "status": "final",
        "category": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": category
        }]}],
        "code": { "coding": coding, "text": label },
        "subject": reference("Patient", &patient_id(m.patient_id)),
        "effectiveDateTime": m.taken_on,
        "valueQuantity": { "value": value, "unit": unit, "system": UCUM, "code": ucum(unit) },
    })
}

pub fn appointment(a: &AppointmentRec) -> Value {
    let cancel = match (a.status, a.cancel_reason) {
        (AppointmentStatus::Cancelled, Some(r)) => Some(json!({
            "text": match r {
                CancelReason::Patient => "cancelled by the patient",
                CancelReason::Clinic => "cancelled by the clinic",
                CancelReason::Late => "cancelled by the patient, under 24 hours before",
            }
        })),
        _ => None,
    };
    compact(json!({
        "resourceType": "Appointment",
        "id": format!("appointment-{}", a.id),
        "status": a.status.fhir(),
        "cancelationReason": cancel,
        "serviceType": [{ "coding": [{
            "system": VISIT_KIND_SYSTEM,
            "code": a.kind.as_str(),
            "display": a.kind.label()
        }]}],
        "description": format!("Physical therapy: {}", a.kind.label().to_lowercase()),
        "start": instant(a.start),
        "end": instant(a.start + chrono::Duration::minutes(a.minutes)),
        "minutesDuration": a.minutes,
        "participant": [
            {
                "actor": reference("Patient", &patient_id(a.patient_id)),
                "status": "accepted"
            },
            {
                "actor": { "type": "Practitioner", "display": text(&a.therapist_name) },
                "status": "accepted"
            }
        ],
    }))
}

/// "2 sets x 10 reps, hold 5 s, 2 times a day, 7 days a week, both sides, load: red band".
pub fn dosage(i: &HepItemRec) -> String {
    let mut parts = Vec::new();
    let count = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (i.sets, i.reps) {
        (Some(s), Some(r)) => parts.push(format!(
            "{} x {}",
            count(s, "set", "sets"),
            count(r, "rep", "reps")
        )),
        (Some(s), None) => parts.push(count(s, "set", "sets")),
        (None, Some(r)) => parts.push(count(r, "rep", "reps")),
        (None, None) => {}
    }
    if let Some(h) = i.hold_seconds.filter(|h| *h > 0) {
        parts.push(format!("hold {h} s"));
    }
    if let Some(t) = i.times_per_day {
        parts.push(if t == 1 {
            "once a day".to_string()
        } else {
            format!("{t} times a day")
        });
    }
    if let Some(d) = i.days_per_week {
        parts.push(format!("{d} days a week"));
    }
    match i.side.as_deref() {
        Some("both") => parts.push("both sides".into()),
        Some(side @ ("left" | "right")) => parts.push(format!("{side} side")),
        _ => {}
    }
    if let Some(load) = i.load.as_deref().map(text).filter(|s| !s.is_empty()) {
        parts.push(format!("load: {load}"));
    }
    let mut out = parts.join(", ");
    if let Some(note) = i.note.as_deref().map(text).filter(|s| !s.is_empty()) {
        if !out.is_empty() {
            out.push_str(". ");
        }
        out.push_str(&note);
    }
    if out.is_empty() {
        "as instructed".into()
    } else {
        out
    }
}

/// The plan of care a home program was given under: the one whose period holds the day it
/// was made, else the latest started before it, else the patient's latest.
fn plan_of_program<'p>(h: &HepRec, plans: &'p [PlanOfCare]) -> Option<&'p PlanOfCare> {
    let made = h.created_on.get(..10).and_then(crate::domain::parse_day);
    let mine = || plans.iter().filter(|pl| pl.patient_id == h.patient_id);
    match made {
        Some(day) => mine()
            .filter(|pl| pl.covers(day))
            .max_by_key(|pl| (pl.starts_on, pl.id))
            .or_else(|| mine().rfind(|pl| pl.starts_on <= day)),
        None => None,
    }
    .or_else(|| mine().next_back())
}

pub fn care_plan(h: &HepRec, p: &Patient, plans: &[PlanOfCare]) -> Value {
    let activity: Vec<Value> = h
        .items
        .iter()
        .map(|i| {
            json!({ "detail": {
                "code": { "text": text(&i.exercise) },
                "status": if p.active { "in-progress" } else { "completed" },
                "description": dosage(i),
            }})
        })
        .collect();
    let addresses = condition(p)
        .is_some()
        .then(|| json!([reference("Condition", &format!("condition-{}", p.id))]));
    compact(json!({
        "resourceType": "CarePlan",
        "id": format!("careplan-{}", h.id),
        "status": if p.active { "active" } else { "completed" },
        "intent": "plan",
        "category": [{ "text": "Home exercise program" }],
        "title": format!("Home exercise program, version {}", h.version_no),
        "subject": reference("Patient", &patient_id(p.id)),
        "period": plan_of_program(h, plans).map(|pl| json!({
            "start": pl.starts_on.format("%Y-%m-%d").to_string(),
            "end": pl.ends_on.format("%Y-%m-%d").to_string(),
        })),
        "created": h.created_on,
        "addresses": addresses,
        "activity": if activity.is_empty() { Value::Null } else { Value::Array(activity) },
    }))
}

/// Every resource of the record, by type.
pub fn resources(r: &Record) -> Resources {
    let by_id: std::collections::HashMap<i64, &Patient> =
        r.patients.iter().map(|p| (p.id, p)).collect();
    let patients = r.patients.iter().map(patient).collect();
    let conditions = r.patients.iter().filter_map(condition).collect();
    let observations = r.measurements.iter().map(observation).collect();
    let appointments = r.appointments.iter().map(appointment).collect();
    let plans = r
        .programs
        .iter()
        .filter_map(|h| by_id.get(&h.patient_id).map(|p| care_plan(h, p, &r.plans)))
        .collect();
    Resources {
        by_type: vec![
            ("Patient", patients),
            ("Condition", conditions),
            ("Observation", observations),
            ("Appointment", appointments),
            ("CarePlan", plans),
        ],
    }
}

/// A `collection` Bundle of every resource; `timestamp` is a FHIR instant.
pub fn bundle(res: &Resources, timestamp: &str) -> Value {
    let entry: Vec<Value> = res
        .by_type
        .iter()
        .flat_map(|(kind, list)| {
            list.iter().map(move |r| {
                json!({
                    "fullUrl": format!("{BASE}/{kind}/{}", r["id"].as_str().unwrap_or_default()),
                    "resource": r,
                })
            })
        })
        .collect();
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timestamp,
        "entry": entry,
    })
}

/// A JSON value written with `resourceType` first in every object (FHIR's convention; the
/// rest in key order).
pub struct Ordered<'a>(pub &'a Value);

impl serde::Serialize for Ordered<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Object(map) => {
                let mut m = s.serialize_map(Some(map.len()))?;
                if let Some(t) = map.get("resourceType") {
                    m.serialize_entry("resourceType", t)?;
                }
                for (k, v) in map.iter().filter(|(k, _)| *k != "resourceType") {
                    m.serialize_entry(k, &Ordered(v))?;
                }
                m.end()
            }
            Value::Array(list) => {
                let mut q = s.serialize_seq(Some(list.len()))?;
                for v in list {
                    q.serialize_element(&Ordered(v))?;
                }
                q.end()
            }
            other => other.serialize(s),
        }
    }
}

/// Pretty JSON text of a resource or Bundle, `resourceType` first.
pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(&Ordered(v)).unwrap_or_default()
}

/// One NDJSON text per non-empty resource type: `(type, text)`, a resource per line.
pub fn ndjson(res: &Resources) -> Vec<(&'static str, String)> {
    res.by_type
        .iter()
        .filter(|(_, list)| !list.is_empty())
        .map(|(kind, list)| {
            let mut out = String::new();
            for r in list {
                out.push_str(&serde_json::to_string(&Ordered(r)).unwrap_or_default());
                out.push('\n');
            }
            (*kind, out)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> HepItemRec {
        HepItemRec {
            exercise: "Quad set".into(),
            sets: Some(2),
            reps: Some(10),
            hold_seconds: Some(5),
            times_per_day: Some(2),
            days_per_week: Some(7),
            side: Some("left".into()),
            load: None,
            note: Some("pain-free range".into()),
        }
    }

    #[test]
    fn dosage_reads_as_a_clinician_writes_it() {
        assert_eq!(
            dosage(&item()),
            "2 sets x 10 reps, hold 5 s, 2 times a day, 7 days a week, left side. pain-free range"
        );
        let bare = HepItemRec {
            sets: None,
            reps: None,
            hold_seconds: None,
            times_per_day: None,
            days_per_week: None,
            side: None,
            note: None,
            ..item()
        };
        assert_eq!(dosage(&bare), "as instructed");
    }

    #[test]
    fn nprs_has_its_loinc_code_and_others_the_project_code() {
        let m = MeasurementRec {
            id: 1,
            patient_id: 2,
            code: "NPRS".into(),
            taken_on: "2026-11-01".into(),
            value: 4.0,
            detail: None,
        };
        let o = observation(&m);
        assert_eq!(o["code"]["coding"][0]["code"], "72514-3");
        assert_eq!(o["valueQuantity"]["value"], 4);
        let o = observation(&MeasurementRec {
            code: "ODI".into(),
            value: 32.5,
            ..m
        });
        assert_eq!(o["code"]["coding"].as_array().unwrap().len(), 1);
        assert_eq!(o["code"]["coding"][0]["system"], MEASURE_SYSTEM);
        assert_eq!(o["valueQuantity"]["code"], "%");
    }

    #[test]
    fn the_joint_replacement_short_forms_carry_their_total_scores_loinc_code() {
        let m = MeasurementRec {
            id: 1,
            patient_id: 2,
            code: "HOOS-JR".into(),
            taken_on: "2026-11-01".into(),
            value: 70.426,
            detail: None,
        };
        let o = observation(&m);
        assert_eq!(o["code"]["coding"][0]["system"], LOINC);
        assert_eq!(o["code"]["coding"][0]["code"], "82323-7");
        assert_eq!(o["valueQuantity"]["value"], 70.426);
        let o = observation(&MeasurementRec {
            code: "KOOS-JR".into(),
            ..m.clone()
        });
        assert_eq!(o["code"]["coding"][0]["code"], "82332-8");
        // The KOOS subscales have no checked code: the project's alone.
        let o = observation(&MeasurementRec {
            code: "KOOS-Pain".into(),
            ..m
        });
        assert_eq!(o["code"]["coding"].as_array().unwrap().len(), 1);
        assert_eq!(o["code"]["coding"][0]["system"], MEASURE_SYSTEM);
    }
}
