//! Issue 16's booking on each clinic: the next free slot of a therapist with a full diary (the
//! store's read of the calendar and the diary, and the search; target under 20 ms on the
//! ten-year clinic), and a 24-visit series (2x/week for 12 weeks) read, checked and booked in
//! one transaction with its audit rows, as `ptclinic book` does it (target under 200 ms).
//!
//! Each booking is for the next of today's patients with the next therapist and, once every
//! therapist has one, a later quarter, so that no diary or history fills up over the
//! iterations; a clash is booked anyway, so each iteration writes all 24 visits.
//!
//! `cargo bench --bench series` (`PTCLINIC_BENCH_CLINIC=large` for the ten-year clinic only)

mod common;

use std::cell::Cell;
use std::hint::black_box;

use chrono::{Duration, NaiveDateTime};
use common::{Clinic, today};
use criterion::{Criterion, criterion_group, criterion_main};
use ptclinic::db::series::{NewSeries, SeriesRule};
use ptclinic::db::{Db, Who};
use ptclinic::domain::series::{
    self, Outcome, Resolution, SeriesContext, TypedSeries, check_series,
};
use ptclinic::domain::slots::{BusyTimes, SEARCH_DAYS, next_free};
use ptclinic::domain::{Role, VisitKind};

/// What `ptclinic book` does for one series: read, check, book. Returns the visits booked.
fn book_series(
    db: &mut Db,
    patient_id: i64,
    therapist_id: i64,
    start: &str,
    now: NaiveDateTime,
) -> usize {
    let facts = db.series_facts(patient_id, 1).unwrap();
    let typed = TypedSeries {
        weekdays: Some("mon,thu".into()),
        time: "10:00".into(),
        minutes: 45,
        start: start.into(),
        count: Some(24),
        until: None,
    };
    let request = series::read_series(&typed, None, &facts.calendar, today()).unwrap();
    let busy = db
        .therapist_busy(
            therapist_id,
            request.start,
            request.last_day() + Duration::days(SEARCH_DAYS + 1),
        )
        .unwrap();
    let ctx = SeriesContext {
        calendar: &facts.calendar,
        busy: BusyTimes::new(busy),
        plans: facts.terms.plans.clone(),
        authorizations: series::authorization_counts(
            &facts.terms.authorizations,
            &facts.counted_visits,
        ),
        kind: VisitKind::Treatment,
        now,
    };
    let checked = check_series(&request.occurrences, 45, &ctx, |_, _| {
        Some(Resolution::BookAnyway)
    });
    let starts: Vec<(NaiveDateTime, bool)> = checked
        .iter()
        .filter_map(|c| {
            c.booked_at().map(|at| {
                (
                    at,
                    !matches!(c.outcome, Outcome::Booked { reason: Some(_) }),
                )
            })
        })
        .collect();
    let new = NewSeries {
        patient_id,
        therapist_id,
        minutes: 45,
        kind: VisitKind::Treatment,
        site_id: 1,
        rule: Some(SeriesRule {
            weekdays: request.weekdays_text(),
            time: "10:00".into(),
            starts_on: request.start,
            ends_on: request.last_day(),
            count: Some(24),
        }),
        starts,
    };
    let at = ptclinic::clock::stamp(now);
    db.book_series(
        &new,
        Who {
            user: "admin",
            at: &at,
        },
    )
    .unwrap()
    .appointments
    .len()
}

fn clinic(c: &mut Criterion, clinic: Clinic) {
    let label = clinic.label();
    let dir = tempfile::tempdir().unwrap();
    let path = clinic.copy(dir.path());
    let mut db = ptclinic::db::open_existing(&path).unwrap();
    let now = today().and_hms_opt(12, 0, 0).unwrap();
    let therapists: Vec<i64> = db
        .staff()
        .unwrap()
        .into_iter()
        .filter(|s| s.role == Role::Therapist)
        .map(|s| s.id)
        .collect();
    // The therapist with the most visits today: the fullest diary to search.
    let day = db.day_without_flags(today()).unwrap();
    let busiest = *therapists
        .iter()
        .max_by_key(|t| day.iter().filter(|v| v.therapist_id == **t).count())
        .unwrap();
    let (calendar, busy) = db.slot_facts(busiest, 1, today()).unwrap();
    let first = next_free(now, 45, &calendar, &BusyTimes::new(busy.clone()), 1);
    println!(
        "{label} clinic: {} taken times in the busiest therapist's next {SEARCH_DAYS} days; next free slot {first:?}",
        busy.len()
    );
    c.bench_function(&format!("next free slot, {label}"), |b| {
        b.iter(|| {
            let (calendar, busy) = db.slot_facts(busiest, 1, today()).unwrap();
            black_box(next_free(now, 45, &calendar, &BusyTimes::new(busy), 1))
        })
    });

    // Today's patients in turn, so that no one patient's history grows over the iterations.
    let mut patients: Vec<i64> = day.iter().map(|v| v.patient_id).collect();
    patients.sort_unstable();
    patients.dedup();
    let round = Cell::new(0usize);
    let monday = today() + Duration::days(3);
    c.bench_function(
        &format!("24-visit series checked and booked, {label}"),
        |b| {
            b.iter(|| {
                let i = round.get();
                round.set(i + 1);
                let therapist = therapists[i % therapists.len()];
                let start = monday + Duration::weeks(13 * (i / therapists.len()) as i64);
                let patient = patients[i % patients.len()];
                let booked = book_series(&mut db, patient, therapist, &start.to_string(), now);
                assert_eq!(booked, 24);
                black_box(booked)
            })
        },
    );
}

fn benches(c: &mut Criterion) {
    for which in [Clinic::Demo, Clinic::Large] {
        if !common::wanted(which) {
            continue;
        }
        clinic(c, which);
    }
}

criterion_group! {
    name = series_benches;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(series_benches);
