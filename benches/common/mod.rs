//! Shared by the benchmarks: the fixed "today", the two clinics (the default demo and the large
//! ten-year clinic of issue 8), built once into `target/bench-data/` and reused, and settings.
//!
//! The large clinic takes about 20 s to build, so it is cached under a name that carries a hash
//! of the generator's sources and the schema: a changed generator builds a fresh file. Set
//! `PTCLINIC_BENCH_REBUILD=1` to rebuild anyway.

#![allow(dead_code)]

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;
use ptclinic::clock::Clock;
use ptclinic::config::{DbChoice, Settings};
use ptclinic::demo::{self, DemoOptions};

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

/// The two clinics every scale benchmark runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clinic {
    /// `ptclinic demo` with its defaults: 6 therapists, 400 patients, 12 weeks back, 4 ahead.
    Demo,
    /// `ptclinic demo --therapists 30 --patients 20000 --weeks-back 520 --weeks-ahead 8`.
    Large,
}

impl Clinic {
    pub const ALL: [Clinic; 2] = [Clinic::Demo, Clinic::Large];

    pub fn label(self) -> &'static str {
        match self {
            Clinic::Demo => "demo",
            Clinic::Large => "large",
        }
    }

    pub fn options(self) -> DemoOptions {
        match self {
            Clinic::Demo => DemoOptions::default(),
            Clinic::Large => DemoOptions {
                therapists: 30,
                patients: 20_000,
                weeks_back: 520,
                weeks_ahead: 8,
                ..DemoOptions::default()
            },
        }
    }

    /// The clinic's file, built on first use. Benchmarks that write use [`Clinic::copy`].
    pub fn path(self) -> PathBuf {
        let opts = self.options();
        let mut h = DefaultHasher::new();
        for source in [
            include_str!("../../src/demo/mod.rs"),
            include_str!("../../src/demo/clinical.rs"),
            include_str!("../../src/demo/seed.rs"),
            include_str!("../../src/db/schema.rs"),
            include_str!("../../demo_db/exercises.toml"),
            include_str!("../../demo_db/names.toml"),
            include_str!("../../demo_db/diagnoses.toml"),
        ] {
            source.hash(&mut h);
        }
        format!("{opts:?}").hash(&mut h);
        today().hash(&mut h);
        let dir = bench_data_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}-{:016x}.db", self.label(), h.finish()));
        let rebuild = std::env::var_os("PTCLINIC_BENCH_REBUILD").is_some_and(|v| v == "1");
        if rebuild || !path.exists() {
            // Old builds of this clinic are of no further use.
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for e in entries.flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if name.starts_with(&format!("{}-", self.label())) && name.ends_with(".db") {
                        let _ = std::fs::remove_file(e.path());
                    }
                }
            }
            let started = Instant::now();
            let summary = demo::build(&path, true, &opts, today()).unwrap();
            eprintln!(
                "built the {} clinic ({} visits) in {:.1} s at {}",
                self.label(),
                summary.visits,
                started.elapsed().as_secs_f64(),
                path.display()
            );
        }
        path
    }

    /// A private copy of the clinic for benchmarks that write (check-ins, audit rows).
    pub fn copy(self, dir: &Path) -> PathBuf {
        let to = dir.join(format!("{}.db", self.label()));
        std::fs::copy(self.path(), &to).unwrap();
        to
    }
}

/// `PTCLINIC_BENCH_CLINIC=demo` or `=large` runs one clinic's benchmarks (and builds only it).
pub fn wanted(clinic: Clinic) -> bool {
    std::env::var("PTCLINIC_BENCH_CLINIC").map_or(true, |v| v.is_empty() || v == clinic.label())
}

/// `target/bench-data/`, beside cargo's own folders.
pub fn bench_data_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(|target| target.join("bench-data"))
        .unwrap_or_else(|| PathBuf::from("target/bench-data"))
}

pub fn settings(path: &Path, user: &str) -> Settings {
    Settings {
        db: DbChoice::Named(path.to_path_buf()),
        user: user.into(),
        theme: "default".into(),
        clock: Clock::fixed(today()),
        config_path: None,
        backup_dir: None,
        backup_keep: 30,
        notify: ptclinic::config::Notify::Off,
        default_backup_dir: path.with_extension("backups"),
        idle_lock_minutes: 0,
        ascii: false,
        keys: Vec::new(),
        colors: toml::Table::new(),
    }
}

/// Percentiles of a set of samples, in milliseconds.
pub fn percentiles(samples: &mut [std::time::Duration]) -> (f64, f64, f64) {
    samples.sort();
    let pct = |p: f64| {
        samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)].as_secs_f64() * 1000.0
    };
    (pct(0.50), pct(0.99), pct(1.0))
}
