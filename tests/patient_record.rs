//! The patient record's changes through the library API: a detail and an authorisation are
//! changed only at the version the screen showed, each with its audit row; the same person is
//! found by name and birth date whatever the case.

mod common;

use chrono::NaiveDate;
use ptclinic::db::audit::AuditQuery;
use ptclinic::db::{Db, Who};
use ptclinic::domain::authorization::AuthorizationRequest;
use ptclinic::domain::patient::{ContactPreference, NewPatient};
use ptclinic::domain::patient_record::PatientDetail;
use ptclinic::error::ErrorKind;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

fn demo_db() -> (tempfile::TempDir, Db) {
    common::small_demo_db(40)
}

fn who() -> Who<'static> {
    Who {
        user: "dfry",
        at: "2026-11-27T09:05:00",
    }
}

fn last_audit(db: &Db) -> (String, String) {
    let last = db.audit_log(&AuditQuery::default()).unwrap().pop().unwrap();
    (last.action, last.summary)
}

#[test]
fn a_detail_changes_at_the_version_seen_with_its_audit_row_and_a_stale_one_changes_nothing() {
    let (_dir, mut db) = demo_db();
    let p = db.active_patients().unwrap().remove(0);
    let changed = db
        .update_patient_detail(
            p.id,
            p.version,
            PatientDetail::ContactPreference,
            "Text",
            today(),
            who(),
        )
        .unwrap();
    assert_eq!(changed.contact_preference, Some(ContactPreference::Text));
    assert_eq!(changed.version, p.version + 1);
    let (action, summary) = last_audit(&db);
    assert_eq!(action, "patient.edit");
    assert!(
        summary.contains("\"field\":\"contact_preference\""),
        "{summary}"
    );
    // The screen still shows the old version: refused, nothing written, who changed it said.
    let err = db
        .update_patient_detail(
            p.id,
            p.version,
            PatientDetail::Email,
            "x@example.com",
            today(),
            who(),
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert!(err.message.contains("by dfry at 09:05"), "{}", err.message);
    assert_eq!(db.patient(p.id).unwrap().unwrap().email, changed.email);
    // A bad value is refused before anything is written.
    let err = db
        .update_patient_detail(
            p.id,
            changed.version,
            PatientDetail::Phone,
            "call me",
            today(),
            who(),
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Input);
    let record = db.patient_record(p.id, today()).unwrap();
    assert_eq!(record.patient.version, changed.version);
}

#[test]
fn an_authorisation_is_edited_at_its_version_with_what_it_was_in_the_audit_row() {
    let (_dir, mut db) = demo_db();
    let p = db.active_patients().unwrap().remove(0);
    let request = |visits| AuthorizationRequest {
        payer: "Medicare".into(),
        reference: None,
        starts_on: today(),
        ends_on: NaiveDate::from_ymd_opt(2027, 2, 25).unwrap(),
        visits,
    };
    let a = db.add_authorization(p.id, request(10), who()).unwrap();
    let edited = db
        .edit_authorization(a.id, a.version, request(14), who())
        .unwrap();
    assert_eq!((edited.visits, edited.version), (14, a.version + 1));
    let (action, summary) = last_audit(&db);
    assert_eq!(action, "auth.edit");
    assert!(summary.contains("\"visits\":10"), "{summary}");
    let err = db
        .edit_authorization(a.id, a.version, request(20), who())
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Conflict);
    let err = db
        .edit_authorization(a.id, edited.version, request(0), who())
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Input);
    let now = db.authorizations(p.id).unwrap();
    assert_eq!(now.iter().find(|x| x.id == a.id).unwrap().visits, 14);
}

#[test]
fn the_same_person_is_found_by_names_and_birth_date() {
    let (_dir, db) = demo_db();
    let p = db.active_patients().unwrap().remove(0);
    let again = |first: &str, dob| NewPatient {
        first_name: first.into(),
        last_name: p.last_name.to_uppercase(),
        date_of_birth: dob,
        phone: None,
        payer: None,
        diagnosis_code: None,
        diagnosis: None,
        body_region: None,
    };
    let found = db
        .patients_like(&again(
            &format!(" {} ", p.first_name.to_lowercase()),
            p.date_of_birth,
        ))
        .unwrap();
    assert_eq!(found.iter().map(|f| f.id).collect::<Vec<_>>(), vec![p.id]);
    let other_day = p.date_of_birth.succ_opt().unwrap();
    assert!(
        db.patients_like(&again(&p.first_name, other_day))
            .unwrap()
            .is_empty()
    );
}
