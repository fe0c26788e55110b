//! The desk's day in the store (issue 16): a booking undone within minutes leaves no visit
//! and no cancellation, only its audit row; the week's visits in one read.

mod common;

use chrono::{Duration, NaiveDate};
use ptclinic::db::audit::AuditQuery;
use ptclinic::db::schedule::Booking;
use ptclinic::db::{Db, Who};
use ptclinic::domain::appointment::BOOKING_UNDO_MINUTES;
use ptclinic::domain::{AppointmentStatus, CancelReason, VisitKind};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

fn demo_db() -> (tempfile::TempDir, Db) {
    common::small_demo_db(60)
}

fn who(at: &str) -> Who<'_> {
    Who { user: "dfry", at }
}

fn booking(db: &Db, hour: u32) -> Booking {
    let v = &db.day(today()).unwrap()[0];
    Booking {
        patient_id: v.patient_id,
        therapist_id: v.therapist_id,
        start: today().and_hms_opt(hour, 0, 0).unwrap(),
        minutes: 30,
        kind: VisitKind::Treatment,
        site_id: 1,
    }
}

fn actions(db: &Db, id: i64) -> Vec<String> {
    db.audit_log(&AuditQuery::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.entity_id == Some(id) && e.entity == "appointment")
        .map(|e| e.action)
        .collect()
}

#[test]
fn a_fresh_untouched_booking_is_undone_without_a_cancellation() {
    let (_dir, mut db) = demo_db();
    let booked = db
        .book(&booking(&db, 18), who("2026-11-27T08:00:00"))
        .unwrap();
    let gone = db
        .unbook(booked.id, booked.version, who("2026-11-27T08:04:30"))
        .unwrap();
    assert_eq!(gone.id, booked.id);
    assert!(db.visit(booked.id).unwrap().is_none(), "the row is gone");
    assert!(!db.day(today()).unwrap().iter().any(|v| v.id == booked.id));
    assert_eq!(
        actions(&db, booked.id),
        ["appointment.book", "appointment.unbook"]
    );
}

#[test]
fn a_booking_touched_since_or_too_old_stays() {
    let (_dir, mut db) = demo_db();
    // Too late: past the minutes.
    let old = db
        .book(&booking(&db, 17), who("2026-11-27T08:00:00"))
        .unwrap();
    let late = format!("2026-11-27T08:{:02}:01", BOOKING_UNDO_MINUTES);
    let e = db.unbook(old.id, old.version, who(&late)).unwrap_err();
    assert!(e.message.contains("cancel it instead"), "{}", e.message);
    assert_eq!(e.exit_code(), 2);
    assert!(db.visit(old.id).unwrap().is_some());
    // Changed since (checked in): the version differs, and the status too.
    let b = db
        .book(&booking(&db, 16), who("2026-11-27T08:00:00"))
        .unwrap();
    db.set_status(
        b.id,
        Some(b.version),
        AppointmentStatus::CheckedIn,
        None,
        who("2026-11-27T08:01:00"),
    )
    .unwrap();
    let e = db
        .unbook(b.id, b.version, who("2026-11-27T08:02:00"))
        .unwrap_err();
    assert!(e.message.contains("another terminal"), "{}", e.message);
    let now = db.visit(b.id).unwrap().unwrap();
    let e = db
        .unbook(b.id, now.version, who("2026-11-27T08:02:00"))
        .unwrap_err();
    assert!(
        e.message.contains("checked in") || e.message.contains("arrived"),
        "{}",
        e.message
    );
    // Cancelled: a cancellation is on the record already; the booking stays with it.
    let c = db
        .book(&booking(&db, 15), who("2026-11-27T08:00:00"))
        .unwrap();
    let cancelled = match db
        .set_status(
            c.id,
            Some(c.version),
            AppointmentStatus::Cancelled,
            Some(CancelReason::Clinic),
            who("2026-11-27T08:01:00"),
        )
        .unwrap()
    {
        ptclinic::db::schedule::StatusChange::Changed { visit, .. } => visit,
        other => panic!("{other:?}"),
    };
    assert!(
        db.unbook(c.id, cancelled.version, who("2026-11-27T08:02:00"))
            .is_err()
    );
    assert!(db.visit(c.id).unwrap().is_some());
    assert!(!actions(&db, c.id).contains(&"appointment.unbook".to_string()));
}

#[test]
fn the_week_is_its_seven_days_in_time_order() {
    let (_dir, db) = demo_db();
    let monday = today() - Duration::days(4);
    let week = db.week(monday).unwrap();
    let by_days: usize = (0..7)
        .map(|d| db.day(monday + Duration::days(d)).unwrap().len())
        .sum();
    assert_eq!(week.len(), by_days);
    assert!(week.windows(2).all(|w| w[0].start <= w[1].start));
    assert!(
        week.iter()
            .all(|v| v.start.date() >= monday && v.start.date() < monday + Duration::days(7))
    );
}
