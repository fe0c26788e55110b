//! Issue 18's clinic outcomes on each clinic: a year's report by therapist and region, read
//! cold from a fresh connection (target under 1 s on the ten-year clinic); the Clinic pane's
//! first table, this month (under 200 ms), and the 12 months its trend reads after it; a change
//! of grouping, in memory (under 100 ms); and what to expect for one patient once the clinic's
//! history is kept (under 5 ms).
//!
//! `cargo bench --bench outcomes` (`PTCLINIC_BENCH_CLINIC=large` for the ten-year clinic only)

mod common;

use std::hint::black_box;
use std::time::Duration;

use chrono::{Datelike, Months};
use common::{Clinic, today};
use criterion::{Criterion, criterion_group, criterion_main};
use ptclinic::domain::outcomes::{Dimension, Scope, table};

fn clinic(c: &mut Criterion, clinic: Clinic) {
    let label = clinic.label();
    let path = clinic.path();
    let year_from = today()
        .checked_sub_months(Months::new(12))
        .and_then(|d| d.succ_opt())
        .unwrap();
    let month_from = today().with_day0(0).unwrap();
    let trend_from = month_from.checked_sub_months(Months::new(11)).unwrap();
    let by = [Dimension::Therapist, Dimension::Region];
    let mut group = c.benchmark_group(format!("outcomes, {label}"));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("a year by therapist and region, cold", |b| {
        b.iter(|| {
            let db = ptclinic::db::open_existing(&path).unwrap();
            let read = db.outcome_episodes(year_from, today(), today()).unwrap();
            let scope = Scope {
                from: year_from,
                to: today(),
                measure: None,
                therapist: None,
            };
            black_box(table(&read.episodes, &read.defs, &scope, &by))
        })
    });
    let db = ptclinic::db::open_existing(&path).unwrap();
    let board = |from| {
        let read = db.outcome_episodes(from, today(), today()).unwrap();
        let scope = Scope {
            from,
            to: today(),
            measure: None,
            therapist: None,
        };
        table(&read.episodes, &read.defs, &scope, &[Dimension::Therapist])
    };
    group.bench_function("the Clinic pane's first table (this month)", |b| {
        b.iter(|| black_box(board(month_from)))
    });
    group.bench_function("the trend's 12 months, read after the first table", |b| {
        b.iter(|| black_box(board(trend_from)))
    });
    group.finish();
    let read = db.outcome_episodes(trend_from, today(), today()).unwrap();
    println!(
        "{label} clinic: {} episodes read for the month and its trend",
        read.episodes.len()
    );
    c.bench_function(&format!("outcomes, {label}: a change of grouping"), |b| {
        let month = Scope {
            from: month_from,
            to: today(),
            measure: None,
            therapist: None,
        };
        let trend = Scope {
            from: trend_from,
            ..month
        };
        b.iter(|| {
            let by = [Dimension::Region, Dimension::Measure];
            black_box((
                table(&read.episodes, &read.defs, &month, &by),
                table(&read.episodes, &read.defs, &trend, &by),
            ))
        })
    });
    let mut db = ptclinic::db::open_existing(&path).unwrap();
    let patient = db
        .day(today())
        .unwrap()
        .first()
        .map(|v| v.patient_id)
        .expect("the clinic has visits today");
    // The first lookup reads the clinic's last three years; the pane's later ones keep them.
    let started = std::time::Instant::now();
    db.expected_outcome(patient, today()).unwrap();
    println!(
        "{label} clinic: the first expected-outcome lookup (reading the history) took {:?}",
        started.elapsed()
    );
    c.bench_function(
        &format!("outcomes, {label}: what to expect for one patient"),
        |b| b.iter(|| black_box(db.expected_outcome(patient, today()).unwrap())),
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

criterion_group!(outcomes, benches);
criterion_main!(outcomes);
