//! The record on a simulated network drive (the FUSE passthrough of the tests, no client
//! cache), with no added latency and with 0.5 ms per file operation, on the demo and the
//! ten-year clinic: process start to first frame (criterion), and, printed once each, the file
//! operations and time of the first frame, a day from the command line (`schedule --json`), a
//! check-in and the everyday `doctor`.
//!
//! Needs root and /dev/fuse (it says so and measures nothing elsewhere).
//! `cargo bench --bench share`; one clinic: `PTCLINIC_BENCH_CLINIC=large cargo bench --bench share`.

mod common;
#[path = "../tests/common/share.rs"]
mod share;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Clinic, first_frame};
use criterion::{Criterion, criterion_group, criterion_main};
use share::{Op, Share};

const LATENCIES: [Duration; 2] = [Duration::ZERO, Duration::from_micros(500)];

/// The binary on `db` with a private home, so that nothing of the machine's own config counts.
fn ptclinic(home: &Path, db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ptclinic"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env("PTCLINIC_TODAY", "2026-11-27")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("PTCLINIC_DB")
        .output()
        .expect("run ptclinic")
}

/// File operations and time of one action.
fn measure(share: &Share, action: impl FnOnce()) -> (u64, u64, Duration) {
    share.controls.reset_counts();
    let started = Instant::now();
    action();
    let took = started.elapsed();
    let c = share.controls.counts();
    (c.of(Op::Read), c.total(), took)
}

fn scheduled_ids(home: &Path, db: &Path) -> Vec<i64> {
    let out = ptclinic(home, db, &["schedule", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let day: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    day.as_array()
        .unwrap()
        .iter()
        .filter(|v| v["status"] == "scheduled")
        .filter_map(|v| v["id"].as_i64())
        .collect()
}

fn benches(c: &mut Criterion) {
    if let Some(why) = Share::unavailable() {
        eprintln!("share benchmarks skipped: {why}");
        return;
    }
    let mut group = c.benchmark_group("share");
    group.sample_size(10);
    for clinic in [Clinic::Demo, Clinic::Large] {
        if !common::wanted(clinic) {
            continue;
        }
        let source = clinic.path();
        let root = tempfile::tempdir().unwrap();
        let (backing, mount, home) = (
            root.path().join("server"),
            root.path().join("mnt"),
            root.path().join("home"),
        );
        for d in [&backing, &mount, &home] {
            std::fs::create_dir(d).unwrap();
        }
        std::fs::copy(&source, backing.join("clinic.db")).unwrap();
        let share = Share::mount(&backing, &mount).expect("mount the share");
        let db = mount.join("clinic.db");
        // One opening first, so that nothing measured is a one-time upgrade.
        let mut visits = scheduled_ids(&home, &db).into_iter();
        for latency in LATENCIES {
            share.controls.set_latency(latency);
            let at = format!("{} ms", latency.as_secs_f64() * 1000.0);
            let row = |what: &str, (reads, ops, took): (u64, u64, Duration)| {
                println!(
                    "share, {} clinic, {at} per operation: {what}: {reads} reads, {ops} operations, {:.1} ms",
                    clinic.label(),
                    took.as_secs_f64() * 1000.0
                );
            };
            row(
                "start, first frame and quit",
                measure(&share, || {
                    first_frame(&db, None);
                }),
            );
            row(
                "schedule --json",
                measure(&share, || {
                    assert!(
                        ptclinic(&home, &db, &["schedule", "--json"])
                            .status
                            .success()
                    );
                }),
            );
            let id = visits.next().expect("a scheduled visit").to_string();
            row(
                "check-in",
                measure(&share, || {
                    let out = ptclinic(&home, &db, &["check-in", "--appointment", &id]);
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }),
            );
            row(
                "doctor (everyday)",
                measure(&share, || {
                    ptclinic(&home, &db, &["doctor"]);
                }),
            );
            group.bench_function(
                format!(
                    "process start to first frame on the share, {at} ({})",
                    clinic.label()
                ),
                |b| b.iter_custom(|iters| (0..iters).map(|_| first_frame(&db, None).0).sum()),
            );
        }
    }
    group.finish();
}

criterion_group!(share_benches, benches);
criterion_main!(share_benches);
