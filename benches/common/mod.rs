//! Shared by the benchmarks: the fixed "today", the clinics (the default demo, the large
//! ten-year clinic of issue 8 and the same clinic in its first quarter), built once into
//! `target/bench-data/` and reused, and settings.
//!
//! The large clinic takes about 20 s to build, so it is cached under a name that carries a hash
//! of the generator's sources and the schema: a changed generator builds a fresh file. Set
//! `PTCLINIC_BENCH_REBUILD=1` to rebuild anyway.

#![allow(dead_code)]

pub mod server;

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::Duration;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use chrono::NaiveDate;
use ptclinic::clock::Clock;
use ptclinic::config::{DbChoice, Settings};
use ptclinic::demo::{self, DemoOptions};

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

/// The clinics every scale benchmark runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clinic {
    /// `ptclinic demo` with its defaults: 6 therapists, 400 patients, 12 weeks back, 4 ahead.
    Demo,
    /// `ptclinic demo --therapists 30 --patients 20000 --weeks-back 520 --weeks-ahead 8`.
    Large,
    /// The large clinic's staff and patients with the demo's history: 12 weeks back, 8 ahead.
    /// Against `Large` it shows what ten years behind a day cost, with the day itself alike.
    LargeNew,
}

impl Clinic {
    pub const ALL: [Clinic; 3] = [Clinic::Demo, Clinic::LargeNew, Clinic::Large];

    pub fn label(self) -> &'static str {
        match self {
            Clinic::Demo => "demo",
            Clinic::Large => "large",
            Clinic::LargeNew => "large-new",
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
            Clinic::LargeNew => DemoOptions {
                weeks_back: 12,
                ..Clinic::Large.options()
            },
        }
    }

    /// The clinic's file when a benchmark has built it for these sources (the tests use the
    /// ten-year clinic only where it is there: built unoptimised it would take minutes).
    pub fn cached(self) -> Option<PathBuf> {
        Some(self.file_name()).filter(|p| p.exists())
    }

    /// Where the clinic's file is kept: its name carries a hash of the generator and schema.
    fn file_name(self) -> PathBuf {
        let opts = self.options();
        let mut h = DefaultHasher::new();
        for source in [
            include_str!("../../src/demo/mod.rs"),
            include_str!("../../src/demo/clinical.rs"),
            include_str!("../../src/demo/contact.rs"),
            include_str!("../../src/demo/waitlist.rs"),
            include_str!("../../src/demo/attendance.rs"),
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
        bench_data_dir().join(format!("{}-{:016x}.db", self.label(), h.finish()))
    }

    /// The clinic's file, built on first use. Benchmarks that write use [`Clinic::copy`].
    pub fn path(self) -> PathBuf {
        let opts = self.options();
        let dir = bench_data_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = self.file_name();
        // A rebuild is asked for once per run, not at every call.
        static REBUILT: Mutex<Vec<Clinic>> = Mutex::new(Vec::new());
        let rebuild = std::env::var_os("PTCLINIC_BENCH_REBUILD").is_some_and(|v| v == "1")
            && !REBUILT.lock().unwrap().contains(&self);
        if rebuild || !path.exists() {
            REBUILT.lock().unwrap().push(self);
            // Old builds of this clinic are of no further use.
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for e in entries.flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    // `label-HASH.db`: "large-" must not take "large-new-…" with it.
                    let hash = name
                        .strip_prefix(&format!("{}-", self.label()))
                        .and_then(|rest| rest.strip_suffix(".db"));
                    if hash
                        .is_some_and(|h| h.len() == 16 && h.bytes().all(|c| c.is_ascii_hexdigit()))
                    {
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

/// `PTCLINIC_BENCH_CLINIC=demo`, `=large-new` or `=large` runs one clinic's benchmarks (and
/// builds only it).
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
        site: None,
        theme: "default".into(),
        clock: Clock::fixed(today()),
        config_path: None,
        backup_dir: None,
        backup_keep: 30,
        notify: ptclinic::config::Notify::Off,
        default_backup_dir: path.with_extension("backups"),
        idle_lock_minutes: 0,
        ascii: false,
        billing_rule: Default::default(),
        keys: Vec::new(),
        colors: toml::Table::new(),
        transports: Default::default(),
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

/// Peak resident memory of a process in KiB, where /proc tells it.
pub fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Starts the app on `db` (a file, or a server's address); returns the time to its first
/// frame and, when `keys` is given, its peak memory after they have been pressed.
pub fn first_frame(
    db: impl AsRef<std::ffi::OsStr>,
    keys: Option<&[u8]>,
) -> (Duration, Option<u64>) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_ptclinic"));
    cmd.arg("--db");
    cmd.arg(db);
    cmd.args(["--user", "bench"]);
    cmd.env("PTCLINIC_TODAY", "2026-11-27");
    cmd.env("TERM", "xterm-256color");
    let started = Instant::now();
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let elapsed = loop {
        let chunk = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the app drew nothing");
        seen.extend_from_slice(&chunk);
        // The status bar is the last line drawn in the first frame.
        if String::from_utf8_lossy(&seen).contains("? help") {
            break started.elapsed();
        }
    };
    let mut writer = pty.master.take_writer().unwrap();
    let mut peak = None;
    if let Some(keys) = keys {
        for k in keys {
            writer.write_all(&[*k]).unwrap();
            std::thread::sleep(Duration::from_millis(60));
        }
        std::thread::sleep(Duration::from_millis(500));
        peak = child.process_id().and_then(peak_kib);
    }
    writer.write_all(b"q").unwrap();
    child.wait().unwrap();
    (elapsed, peak)
}
