//! A check-in commit while seven other terminals write to the same record: the latency of each
//! commit, with its 99th percentile (target: under 20 ms). The other terminals write far faster
//! than a busy clinic would: a check-in and its undo every 50 ms each, about 250 commits a
//! second between them.
//!
//! On the demo clinic's file (local disk), and, with the test server's address in
//! `PTCLINIC_TEST_PG` (tests/support/pg_cluster.sh), on the demo clinic moved onto the server,
//! with 30 more terminals listening as the TUI does: each second each hears whether the record
//! changed (NOTIFY) and, when it did, reads the day again (issue 19).

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::today;
use criterion::{Criterion, criterion_group, criterion_main};
use ptclinic::db::Who;
use ptclinic::db::schedule::StatusChange;
use ptclinic::demo::{self, DemoOptions};
use ptclinic::domain::AppointmentStatus;

/// The terminals that only listen on the server, and how often each looks (the TUI's tick).
const LISTENERS: usize = 30;
const TICK: Duration = Duration::from_secs(1);

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
    writers(c, &path, "demo", 0);
    let Some(server) = common::server::admin_address("concurrent_writers") else {
        return;
    };
    // A database of its own: the run writes, and starts from the demo as built.
    let name = "ptclinic_bench_writers";
    let address = common::server::fresh_database(&server, name);
    common::server::move_onto(&mut ptclinic::db::open_existing(&path).unwrap(), &address);
    writers(c, Path::new(&address), "demo, server", LISTENERS);
    common::server::drop_database(&mut common::server::admin(&server), name);
}

/// Times one terminal's check-ins on `record` while seven others write and `listeners` more
/// follow the changes.
fn writers(c: &mut Criterion, record: &Path, label: &str, listeners: usize) {
    let record: PathBuf = record.to_path_buf();
    let db = ptclinic::db::open_existing(&record).unwrap();
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
            let (record, stop, id) = (record.clone(), stop.clone(), ids[n]);
            std::thread::spawn(move || {
                let mut db = ptclinic::db::open_existing(&record).unwrap();
                while !stop.load(Ordering::Relaxed) {
                    check_in_and_undo(&mut db, id);
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
        })
        .collect();
    let listening: Vec<_> = (0..listeners)
        .map(|n| {
            let (record, stop) = (record.clone(), stop.clone());
            std::thread::spawn(move || {
                let db = ptclinic::db::open_existing(&record).unwrap();
                // Terminals started at different moments do not tick together.
                std::thread::sleep(TICK * n as u32 / listeners as u32);
                let mut seen = None;
                let mut reloads = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let version = db.data_version().unwrap();
                    if seen != Some(version) {
                        seen = Some(version);
                        db.day(today()).unwrap();
                        reloads += 1;
                    }
                    std::thread::sleep(TICK);
                }
                reloads
            })
        })
        .collect();

    let mut db = ptclinic::db::open_existing(&record).unwrap();
    let mut samples: Vec<Duration> = Vec::new();
    let title = if listeners == 0 {
        format!("check-in commit with 7 other writers ({label})")
    } else {
        format!("check-in commit with 7 other writers and {listeners} listening ({label})")
    };
    c.bench_function(&title, |b| {
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
    let reloads: u64 = listening.into_iter().map(|t| t.join().unwrap()).sum();
    let (p50, p99, _) = common::percentiles(&mut samples);
    println!(
        "{title}: p50 {p50:.2} ms, p99 {p99:.2} ms over {} commits{}",
        samples.len(),
        if listeners == 0 {
            String::new()
        } else {
            format!("; the listening terminals read the day again {reloads} times")
        }
    );
}

criterion_group!(concurrent_writers, benches);
criterion_main!(concurrent_writers);
