//! Importing 100,000 appointments from CSV into the demo clinic (target: under 10 s), one
//! transaction with its checks. Each run starts from a fresh copy of the same clinic.

use std::hint::black_box;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{BatchSize, Criterion, SamplingMode, criterion_group, criterion_main};
use ptclinic::demo::{self, DemoOptions};
use ptclinic::import::{self, Kind, Options};

const ROWS: usize = 100_000;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

/// 100,000 bookings spread over the demo's patients and therapists, after the demo's visits.
fn csv(db: &ptclinic::db::Db) -> Vec<u8> {
    let mrns: Vec<String> = db
        .export_record(None)
        .unwrap()
        .patients
        .into_iter()
        .map(|p| p.mrn)
        .collect();
    let mut staff = db.staff().unwrap();
    staff.sort_by_key(|s| s.id);
    let therapists: Vec<String> = staff
        .into_iter()
        .filter(|s| s.role == ptclinic::domain::Role::Therapist)
        .map(|s| s.initials)
        .collect();
    let day0 = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    let kinds = [
        "treatment",
        "treatment",
        "treatment",
        "progress",
        "evaluation",
    ];
    let mut out = String::from("mrn,therapist,start,minutes,kind\n");
    for n in 0..ROWS {
        let day = day0 + chrono::Duration::days((n / mrns.len()) as i64);
        out.push_str(&format!(
            "{},{},{} {:02}:{:02},{},{}\n",
            mrns[n % mrns.len()],
            therapists[n % therapists.len()],
            day.format("%Y-%m-%d"),
            8 + (n % 10),
            (n % 4) * 15,
            [30, 45, 60][n % 3],
            kinds[n % kinds.len()]
        ));
    }
    out.into_bytes()
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.db");
    demo::build(&template, false, &DemoOptions::default(), today()).unwrap();
    let bytes = csv(&ptclinic::db::open_existing(&template).unwrap());
    let work = dir.path().join("work.db");

    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("100k appointments (demo clinic)", |b| {
        b.iter_batched(
            || {
                std::fs::copy(&template, &work).unwrap();
                ptclinic::db::open_existing(&work).unwrap()
            },
            |mut db| {
                let opts = Options {
                    dry_run: false,
                    update: false,
                    // Imports are an admin's: the demo's admin.
                    user: "admin",
                    at: "2026-11-27T10:00:00",
                    today: today(),
                    file_name: "bench.csv",
                    site_id: Some(1),
                };
                let summary = import::import(
                    &mut db,
                    Kind::Appointments,
                    &bytes,
                    &opts,
                    &mut |_, _, _| {},
                )
                .unwrap();
                assert_eq!(summary.inserted, ROWS);
                black_box(summary)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(import_benches, benches);
criterion_main!(import_benches);
