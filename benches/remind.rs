//! Issue 17's `remind --dry-run`: which reminders are due, to whom and in what words, on a
//! Monday morning (target under 1 s for a 30-therapist day), without sending: the store's
//! reads, the rules and the templates. A copy of each clinic gets the clinic's phone set, as a
//! clinic that sends reminders has.
//!
//! `cargo bench --bench remind` (`PTCLINIC_BENCH_CLINIC=large-new` for the 30-therapist clinic
//! with a short history only)

mod common;

use std::hint::black_box;

use common::{Clinic, wanted};
use criterion::{Criterion, criterion_group, criterion_main};
use ptclinic::db::Who;
use ptclinic::db::messaging_settings::SettingsChange;
use ptclinic::messaging::Transports;
use ptclinic::messaging::outbox::{self, Outcome};

fn clinic(c: &mut Criterion, clinic: Clinic, dir: &std::path::Path) {
    let label = clinic.label();
    let path = clinic.copy(dir);
    let mut db = ptclinic::db::open_existing(&path).unwrap();
    db.set_messaging_settings(
        &SettingsChange {
            clinic_phone: Some("(555) 010-2000".into()),
            ..SettingsChange::default()
        },
        Who {
            user: "admin",
            at: "2026-11-27T07:30:00",
        },
    )
    .unwrap();
    let none = Transports {
        email: None,
        sms: None,
    };
    let monday = common::today().and_hms_opt(10, 0, 0).unwrap() + chrono::Duration::days(3);
    let report = outbox::preview(&db, &none, monday).unwrap();
    let count = |o: Outcome| report.lines.iter().filter(|l| l.outcome == o).count();
    println!(
        "{label} clinic, Monday 10:00: {} reminders would go (waiting for a transport here), {} visits get none",
        count(Outcome::Pending),
        count(Outcome::Skipped)
    );
    c.bench_function(&format!("remind --dry-run, {label}"), |b| {
        b.iter(|| black_box(outbox::preview(&db, &none, monday).unwrap()))
    });
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    for which in Clinic::ALL {
        if wanted(which) {
            clinic(c, which, dir.path());
        }
    }
}

criterion_group! {
    name = remind;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(remind);
