//! The FHIR R4 structure of each resource ptclinic exports (Patient, Condition, Observation,
//! Appointment, CarePlan) and of a Bundle, checked field by field: the R4 checker the export
//! tests hold the bundles and bulk files against.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

fn is_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10
}

fn is_instant(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

fn is_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// FHIR's ele-1 and JSON rules: no nulls, no empty strings, arrays or objects anywhere.
fn no_empty(v: &Value, path: &str) {
    match v {
        Value::Null => panic!("null at {path}"),
        Value::String(s) => assert!(!s.trim().is_empty(), "empty string at {path}"),
        Value::Array(a) => {
            assert!(!a.is_empty(), "empty array at {path}");
            for (i, x) in a.iter().enumerate() {
                no_empty(x, &format!("{path}[{i}]"));
            }
        }
        Value::Object(o) => {
            assert!(!o.is_empty(), "empty object at {path}");
            for (k, x) in o {
                no_empty(x, &format!("{path}.{k}"));
            }
        }
        _ => {}
    }
}

#[track_caller]
fn only_keys(v: &Value, allowed: &[&str], what: &str) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {v}"));
    for k in obj.keys() {
        assert!(
            allowed.contains(&k.as_str()),
            "{what} has no element {k:?} in R4"
        );
    }
}

fn coding(v: &Value, what: &str) {
    only_keys(
        v,
        &["system", "version", "code", "display", "userSelected"],
        what,
    );
    assert!(
        v["system"].as_str().is_some_and(|s| s.contains(':')),
        "{what}: system URI"
    );
    assert!(v["code"].is_string(), "{what}: code");
}

fn concept(v: &Value, what: &str) {
    only_keys(v, &["coding", "text"], what);
    if let Some(list) = v["coding"].as_array() {
        for c in list {
            coding(c, what);
        }
    } else {
        assert!(
            v["text"].is_string(),
            "{what}: a concept needs coding or text"
        );
    }
}

/// A Reference: a relative `Type/id` that must be in the bundle, or a display.
fn reference(v: &Value, what: &str, ids: &HashSet<String>) {
    only_keys(v, &["reference", "type", "identifier", "display"], what);
    match v["reference"].as_str() {
        Some(r) => assert!(ids.contains(r), "{what}: {r} is not in the bundle"),
        None => assert!(v["display"].is_string(), "{what}: reference or display"),
    }
}

fn check_patient(r: &Value) {
    only_keys(
        r,
        &[
            "resourceType",
            "id",
            "meta",
            "text",
            "extension",
            "identifier",
            "active",
            "name",
            "telecom",
            "gender",
            "birthDate",
            "deceasedBoolean",
            "deceasedDateTime",
            "address",
            "maritalStatus",
            "contact",
            "communication",
            "generalPractitioner",
            "managingOrganization",
            "link",
        ],
        "Patient",
    );
    let ident = &r["identifier"][0];
    only_keys(
        ident,
        &["use", "type", "system", "value", "period", "assigner"],
        "Identifier",
    );
    assert!(
        ["usual", "official", "temp", "secondary", "old"].contains(&ident["use"].as_str().unwrap())
    );
    concept(&ident["type"], "Identifier.type");
    assert_eq!(ident["type"]["coding"][0]["code"], "MR");
    assert!(ident["value"].is_string());
    assert!(r["active"].is_boolean());
    for n in r["name"].as_array().unwrap() {
        only_keys(
            n,
            &[
                "use", "text", "family", "given", "prefix", "suffix", "period",
            ],
            "HumanName",
        );
        assert!(n["family"].is_string() && n["given"].is_array());
    }
    for t in r["telecom"].as_array().into_iter().flatten() {
        only_keys(
            t,
            &["system", "value", "use", "rank", "period"],
            "ContactPoint",
        );
        assert!(
            ["phone", "fax", "email", "pager", "url", "sms", "other"]
                .contains(&t["system"].as_str().unwrap())
        );
    }
    assert!(is_date(r["birthDate"].as_str().unwrap()));
}

fn check_condition(r: &Value, ids: &HashSet<String>) {
    only_keys(
        r,
        &[
            "resourceType",
            "id",
            "meta",
            "text",
            "extension",
            "identifier",
            "clinicalStatus",
            "verificationStatus",
            "category",
            "severity",
            "code",
            "bodySite",
            "subject",
            "encounter",
            "onsetDateTime",
            "onsetPeriod",
            "onsetString",
            "abatementDateTime",
            "recordedDate",
            "recorder",
            "asserter",
            "stage",
            "evidence",
            "note",
        ],
        "Condition",
    );
    reference(&r["subject"], "Condition.subject", ids);
    concept(&r["clinicalStatus"], "Condition.clinicalStatus");
    assert!(
        [
            "active",
            "recurrence",
            "relapse",
            "inactive",
            "remission",
            "resolved"
        ]
        .contains(&r["clinicalStatus"]["coding"][0]["code"].as_str().unwrap())
    );
    concept(&r["verificationStatus"], "Condition.verificationStatus");
    concept(&r["code"], "Condition.code");
    if let Some(c) = r["code"]["coding"].as_array() {
        assert_eq!(c[0]["system"], "http://hl7.org/fhir/sid/icd-10-cm");
    }
    for c in r["category"].as_array().unwrap() {
        concept(c, "Condition.category");
    }
}

fn check_observation(r: &Value, ids: &HashSet<String>) {
    only_keys(
        r,
        &[
            "resourceType",
            "id",
            "meta",
            "text",
            "extension",
            "identifier",
            "basedOn",
            "partOf",
            "status",
            "category",
            "code",
            "subject",
            "focus",
            "encounter",
            "effectiveDateTime",
            "effectivePeriod",
            "issued",
            "performer",
            "valueQuantity",
            "dataAbsentReason",
            "interpretation",
            "note",
            "bodySite",
            "method",
            "referenceRange",
            "hasMember",
            "derivedFrom",
            "component",
        ],
        "Observation",
    );
    assert!(
        [
            "registered",
            "preliminary",
            "final",
            "amended",
            "corrected",
            "cancelled",
            "entered-in-error",
            "unknown"
        ]
        .contains(&r["status"].as_str().unwrap())
    );
    concept(&r["code"], "Observation.code");
    for c in r["category"].as_array().unwrap() {
        concept(c, "Observation.category");
    }
    reference(&r["subject"], "Observation.subject", ids);
    assert!(is_date(r["effectiveDateTime"].as_str().unwrap()));
    let q = &r["valueQuantity"];
    only_keys(
        q,
        &["value", "comparator", "unit", "system", "code"],
        "Quantity",
    );
    assert!(q["value"].is_number() && q["unit"].is_string());
    assert_eq!(q["system"], "http://unitsofmeasure.org");
    assert!(q["code"].is_string());
}

fn check_appointment(r: &Value, ids: &HashSet<String>) {
    only_keys(
        r,
        &[
            "resourceType",
            "id",
            "meta",
            "text",
            "extension",
            "identifier",
            "status",
            "cancelationReason",
            "serviceCategory",
            "serviceType",
            "specialty",
            "appointmentType",
            "reasonCode",
            "reasonReference",
            "priority",
            "description",
            "supportingInformation",
            "start",
            "end",
            "minutesDuration",
            "slot",
            "created",
            "comment",
            "patientInstruction",
            "basedOn",
            "participant",
            "requestedPeriod",
        ],
        "Appointment",
    );
    let status = r["status"].as_str().unwrap();
    assert!(
        [
            "proposed",
            "pending",
            "booked",
            "arrived",
            "fulfilled",
            "cancelled",
            "noshow",
            "entered-in-error",
            "checked-in",
            "waitlist"
        ]
        .contains(&status)
    );
    // app-2: start and end together; app-4: a cancellation reason only when cancelled/noshow.
    assert!(is_instant(r["start"].as_str().unwrap()));
    assert!(is_instant(r["end"].as_str().unwrap()));
    if r.get("cancelationReason").is_some() {
        assert!(["cancelled", "noshow"].contains(&status));
        concept(&r["cancelationReason"], "Appointment.cancelationReason");
    }
    assert!(r["minutesDuration"].as_u64().is_some_and(|m| m > 0));
    for c in r["serviceType"].as_array().unwrap() {
        concept(c, "Appointment.serviceType");
    }
    let participants = r["participant"].as_array().unwrap();
    assert!(!participants.is_empty());
    for pt in participants {
        only_keys(
            pt,
            &["type", "actor", "required", "status", "period"],
            "Appointment.participant",
        );
        assert!(
            ["accepted", "declined", "tentative", "needs-action"]
                .contains(&pt["status"].as_str().unwrap())
        );
        reference(&pt["actor"], "Appointment.participant.actor", ids);
    }
}

fn check_care_plan(r: &Value, ids: &HashSet<String>) {
    only_keys(
        r,
        &[
            "resourceType",
            "id",
            "meta",
            "text",
            "extension",
            "identifier",
            "instantiatesCanonical",
            "basedOn",
            "replaces",
            "partOf",
            "status",
            "intent",
            "category",
            "title",
            "description",
            "subject",
            "encounter",
            "period",
            "created",
            "author",
            "contributor",
            "careTeam",
            "addresses",
            "supportingInfo",
            "goal",
            "activity",
            "note",
        ],
        "CarePlan",
    );
    assert!(
        [
            "draft",
            "active",
            "on-hold",
            "revoked",
            "completed",
            "entered-in-error",
            "unknown"
        ]
        .contains(&r["status"].as_str().unwrap())
    );
    assert!(["proposal", "plan", "order", "option"].contains(&r["intent"].as_str().unwrap()));
    reference(&r["subject"], "CarePlan.subject", ids);
    for a in r["addresses"].as_array().into_iter().flatten() {
        reference(a, "CarePlan.addresses", ids);
    }
    if let Some(period) = r.get("period") {
        only_keys(period, &["start", "end"], "Period");
    }
    assert!(is_date(r["created"].as_str().unwrap()));
    for a in r["activity"].as_array().unwrap() {
        only_keys(
            a,
            &[
                "outcomeCodeableConcept",
                "outcomeReference",
                "progress",
                "reference",
                "detail",
            ],
            "CarePlan.activity",
        );
        let d = &a["detail"];
        only_keys(
            d,
            &[
                "kind",
                "instantiatesCanonical",
                "code",
                "reasonCode",
                "reasonReference",
                "goal",
                "status",
                "statusReason",
                "doNotPerform",
                "scheduledString",
                "location",
                "performer",
                "productCodeableConcept",
                "dailyAmount",
                "quantity",
                "description",
            ],
            "CarePlan.activity.detail",
        );
        assert!(
            [
                "not-started",
                "scheduled",
                "in-progress",
                "on-hold",
                "completed",
                "cancelled",
                "stopped",
                "unknown",
                "entered-in-error"
            ]
            .contains(&d["status"].as_str().unwrap())
        );
        concept(&d["code"], "CarePlan.activity.detail.code");
        assert!(d["description"].is_string());
    }
}

/// Checks a Bundle and every resource in it against R4's structure; returns resource counts.
pub fn check_bundle(b: &Value) -> HashMap<String, usize> {
    no_empty(b, "Bundle");
    only_keys(
        b,
        &[
            "resourceType",
            "id",
            "meta",
            "identifier",
            "type",
            "timestamp",
            "total",
            "link",
            "entry",
            "signature",
        ],
        "Bundle",
    );
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "collection");
    assert!(is_instant(b["timestamp"].as_str().unwrap()));
    let entries = b["entry"].as_array().unwrap();
    let mut ids = HashSet::new();
    let mut urls = HashSet::new();
    for e in entries {
        only_keys(
            e,
            &[
                "link", "fullUrl", "resource", "search", "request", "response",
            ],
            "Bundle.entry",
        );
        let r = &e["resource"];
        let kind = r["resourceType"].as_str().unwrap();
        let id = r["id"].as_str().unwrap();
        assert!(is_id(id), "{id}");
        let url = e["fullUrl"].as_str().unwrap();
        assert!(url.ends_with(&format!("/{kind}/{id}")), "fullUrl {url}");
        assert!(urls.insert(url.to_string()), "fullUrl {url} twice");
        ids.insert(format!("{kind}/{id}"));
    }
    let mut counts = HashMap::new();
    for e in entries {
        let r = &e["resource"];
        let kind = r["resourceType"].as_str().unwrap();
        *counts.entry(kind.to_string()).or_insert(0) += 1;
        match kind {
            "Patient" => check_patient(r),
            "Condition" => check_condition(r, &ids),
            "Observation" => check_observation(r, &ids),
            "Appointment" => check_appointment(r, &ids),
            "CarePlan" => check_care_plan(r, &ids),
            other => panic!("unexpected resource {other}"),
        }
    }
    counts
}
