//! A check-in commit while seven other terminals write to the same file: the latency of each
//! commit, with its 99th percentile (target: under 20 ms on local disk). The other terminals
//! write far faster than a busy clinic would: a check-in and its undo every 50 ms each,
//! about 250 commits a second between them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use ptclinic::db::Who;
use ptclinic::db::schedule::StatusChange;
use ptclinic::demo::{self, DemoOptions};
use ptclinic::domain::AppointmentStatus;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

/// Checks a visit in and puts it back: two commits, as a terminal at the front desk would.
fn check_in_and_undo(db: &mut ptclinic::db::Db, id: i64) -> Duration {
    let who = Who {
        user: "bench",
        at: "2026-11-27T09:00:00",
    };
    let started = Instant::now();
    let change = db
        .set_status(id, None, AppointmentStatus::CheckedIn, None, who)
        .unwrap();
    let elapsed = started.elapsed();
    if let StatusChange::Changed { previous, visit } = change {
        let who = Who {
            user: "bench",
            at: "2026-11-27T09:00:01",
        };
        db.restore_status(id, visit.version, &previous, who)
            .unwrap();
    }
    elapsed
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    demo::build(&path, false, &DemoOptions::default(), today()).unwrap();
    let db = ptclinic::db::open_existing(&path).unwrap();
    let ids: Vec<i64> = db
        .day(today())
        .unwrap()
        .into_iter()
        .filter(|v| v.status == AppointmentStatus::Scheduled)
        .map(|v| v.id)
        .collect();
    drop(db);

    let stop = Arc::new(AtomicBool::new(false));
    let others: Vec<_> = (1..8)
        .map(|n| {
            let (path, stop, id) = (path.clone(), stop.clone(), ids[n]);
            std::thread::spawn(move || {
                let mut db = ptclinic::db::open_existing(&path).unwrap();
                while !stop.load(Ordering::Relaxed) {
                    check_in_and_undo(&mut db, id);
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
        })
        .collect();

    let mut db = ptclinic::db::open_existing(&path).unwrap();
    let mut samples: Vec<Duration> = Vec::new();
    c.bench_function("check-in commit with 7 other writers (demo)", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let t = check_in_and_undo(&mut db, ids[0]);
                    samples.push(t);
                    t
                })
                .sum()
        })
    });
    stop.store(true, Ordering::Relaxed);
    for t in others {
        t.join().unwrap();
    }
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    println!(
        "check-in commit with 7 other writers: p50 {:.2} ms, p99 {:.2} ms over {} commits",
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        samples.len()
    );
}

criterion_group!(concurrent_writers, benches);
criterion_main!(concurrent_writers);
