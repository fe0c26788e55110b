//! Issue 17's no-show model on each clinic: fitting it on the whole history (reading every
//! visit, the test fit before the last three months and the fit in use; target under 5 s on
//! the ten-year clinic), and the risks of a busy day's visits from the stored model (reading
//! the day and each patient's last 12 months; target under 5 ms).
//!
//! `cargo bench --bench no_show` (`PTCLINIC_BENCH_CLINIC=large` for the ten-year clinic only)

mod common;

use std::hint::black_box;
use std::time::Duration;

use common::{Clinic, today};
use criterion::{Criterion, criterion_group, criterion_main};

fn clinic(c: &mut Criterion, clinic: Clinic) {
    let label = clinic.label();
    let db = ptclinic::db::open_existing(&clinic.path()).unwrap();
    let at = format!("{}T07:00:00", today());
    let model = db.fit_no_show_model(today(), &at).unwrap();
    let fit = model
        .fit
        .clone()
        .expect("the clinic has enough history for a model");
    println!(
        "{label} clinic: {} finished visits ({} no-shows, {} late cancellations); holdout AUC {:?}; top band from {:.3}",
        model.counts.finished_visits,
        model.counts.no_shows,
        model.counts.late_cancellations,
        model.quality.as_ref().map(|q| q.auc),
        fit.threshold
    );
    let mut group = c.benchmark_group(format!("no-show model, {label}"));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("fit on the whole history", |b| {
        b.iter(|| black_box(db.fit_no_show_model(today(), &at).unwrap()))
    });
    group.finish();

    // The busiest of the next two weeks' days.
    let (day, visits) = (1..=14)
        .map(|d| today() + chrono::Duration::days(d))
        .map(|d| (d, db.day_risks_with(&fit, d).unwrap().len()))
        .max_by_key(|(_, n)| *n)
        .unwrap();
    let high = db
        .day_risks_with(&fit, day)
        .unwrap()
        .values()
        .filter(|r| r.high)
        .count();
    println!("{label} clinic: {day} has {visits} scheduled visits, {high} in the top band");
    c.bench_function(&format!("day risks, {label} ({visits} visits)"), |b| {
        b.iter(|| black_box(db.day_risks_with(&fit, day).unwrap()))
    });
}

fn benches(c: &mut Criterion) {
    for which in [Clinic::Demo, Clinic::Large] {
        if !common::wanted(which) {
            continue;
        }
        clinic(c, which);
    }
}

criterion_group!(no_show, benches);
criterion_main!(no_show);
