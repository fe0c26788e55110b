//! Issue 16's desk lists on each clinic: `report unscheduled` (the store's reads and the rules,
//! target under 1 s on the ten-year clinic) and the patient finder, one keystroke's matching over
//! every patient (20,000 on the large clinics; target under 5 ms). The finder's keys are built
//! once when it opens, as the directory is read once; each keystroke only matches.
//!
//! `cargo bench --bench desk_lists` (`PTCLINIC_BENCH_CLINIC=large` for the ten-year clinic only)

mod common;

use std::hint::black_box;

use common::{Clinic, today};
use criterion::{Criterion, criterion_group, criterion_main};
use ptclinic::search::Matcher;
use ptclinic::search::patients::{PatientKey, find};

fn clinic(c: &mut Criterion, clinic: Clinic) {
    let label = clinic.label();
    let db = ptclinic::db::open_existing(&clinic.path()).unwrap();
    let now = today().and_hms_opt(12, 0, 0).unwrap();

    let rows = db.unscheduled_patients(today(), now).unwrap();
    println!(
        "{label} clinic: report unscheduled lists {} rows",
        rows.len()
    );
    c.bench_function(&format!("report unscheduled, {label}"), |b| {
        b.iter(|| black_box(db.unscheduled_patients(today(), now).unwrap()))
    });

    let directory = db.patient_directory(today(), now).unwrap();
    // The keys as the app's finder and `patients --search` build them, once per list.
    let keys: Vec<PatientKey> = ptclinic::db::desk_lists::search_keys(&directory);
    // A patient from the middle of the list: their name, phone and birth date as the desk
    // types them.
    let someone = &directory[directory.len() / 2];
    let name = someone.full_name().to_lowercase();
    let phone = someone.phone.clone().unwrap_or_default();
    let born = someone.date_of_birth.to_string();
    println!(
        "{label} clinic: the finder over {} patients; typing a name of {} letters, a phone, a birth date",
        keys.len(),
        name.chars().count()
    );
    let matcher = Matcher::default();
    let mut group = c.benchmark_group(format!("finder keystroke, {label}"));
    let mut queries: Vec<(String, String)> = Vec::new();
    for n in [1, 2, 3, 5, 8] {
        let q: String = name.chars().take(n).collect();
        queries.push((format!("name {n} letters"), q));
    }
    queries.push(("whole name".into(), name.clone()));
    queries.push(("phone".into(), phone.clone()));
    queries.push(("birth date".into(), born.clone()));
    queries.push(("mrn".into(), someone.mrn.clone()));
    for (what, q) in &queries {
        let found = find(&matcher, &keys, q).len();
        println!("{label} {what} {q:?}: {found} found");
        group.bench_function(what.as_str(), |b| {
            b.iter(|| black_box(find(&matcher, &keys, black_box(q))))
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    for which in [Clinic::Demo, Clinic::Large] {
        if !common::wanted(which) {
            continue;
        }
        clinic(c, which);
    }
}

criterion_group!(desk_lists, benches);
criterion_main!(desk_lists);
