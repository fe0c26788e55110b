//! The record on a simulated network drive (a FUSE passthrough with faults on demand): the app
//! works through it, a fault in the middle of a change leaves the change wholly there or wholly
//! absent with a plain sentence, and a share that goes away and comes back needs no restart.
//! Mounting needs root and /dev/fuse: where they are missing each test says so and returns;
//! CI runs as root.

/// The benchmarks' clinics, built once into `target/bench-data/` and reused: the ten-year
/// clinic's file comes from there.
#[path = "../../benches/common/mod.rs"]
mod bench_clinics;
#[path = "../common/mod.rs"]
mod common;
#[path = "../common/share.rs"]
mod share;

mod budgets;
mod every_step;
mod faults;
mod reads;
mod stall;

use std::path::PathBuf;

use common::{Clinic, TODAY};
use share::Share;

/// A demo clinic whose record lives on a share: built on the local disk, moved behind the
/// share, and opened through the mount.
pub struct SharedClinic {
    pub clinic: Clinic,
    pub share: Share,
}

impl SharedClinic {
    /// None (with one line saying why) where this machine cannot mount a share.
    pub fn new() -> Option<SharedClinic> {
        Self::with(&[])
    }

    /// A small clinic (60 patients, two weeks of history): fewer pages, so fewer steps where a
    /// fault can be injected into a flow that reads the whole file.
    pub fn small() -> Option<SharedClinic> {
        Self::with(&[
            "--patients",
            "60",
            "--weeks-back",
            "2",
            "--weeks-ahead",
            "1",
        ])
    }

    /// The benchmarks' ten-year clinic (931,527 visits, a 490 MB file), copied from
    /// `target/bench-data/` where a benchmark built it (`cargo bench --bench share` does, in
    /// about half a minute); without it the test says so and returns.
    pub fn large() -> Option<SharedClinic> {
        if let Some(why) = Share::unavailable() {
            eprintln!("skipped here: {why}; CI runs it as root");
            return None;
        }
        let Some(source) = bench_clinics::Clinic::Large.cached() else {
            eprintln!(
                "skipped here: the ten-year clinic is not built for these sources; `cargo bench --bench share` builds it into target/bench-data"
            );
            return None;
        };
        let root = tempfile::tempdir().expect("temp dir");
        for sub in ["config", "data", "home"] {
            std::fs::create_dir(root.path().join(sub)).expect("sub dir");
        }
        let db = root.path().join("clinic.db");
        let clinic = Clinic {
            root,
            db,
            server: None,
        };
        std::fs::create_dir(clinic.sub("server")).unwrap();
        std::fs::copy(&source, clinic.sub("server").join("clinic.db")).unwrap();
        Some(Self::behind_share(clinic))
    }

    fn with(options: &[&str]) -> Option<SharedClinic> {
        if let Some(why) = Share::unavailable() {
            eprintln!("skipped here: {why}; CI runs it as root");
            return None;
        }
        let clinic = Clinic::demo_with(options);
        std::fs::create_dir(clinic.sub("server")).unwrap();
        std::fs::rename(&clinic.db, clinic.sub("server").join("clinic.db")).unwrap();
        Some(Self::behind_share(clinic))
    }

    /// Mounts the share over the clinic's `server` folder, where its record is.
    fn behind_share(mut clinic: Clinic) -> SharedClinic {
        let backing = clinic.sub("server");
        let mount = clinic.sub("mnt");
        std::fs::create_dir(&mount).unwrap();
        let share = Share::mount(&backing, &mount).expect("mount the share");
        clinic.db = mount.join("clinic.db");
        SharedClinic { clinic, share }
    }

    /// The record as the server's disk holds it, read without going through the share.
    pub fn on_server(&self) -> PathBuf {
        self.share.backing.join("clinic.db")
    }

    /// Today's first scheduled visit.
    pub fn first_scheduled(&self) -> i64 {
        self.clinic
            .today()
            .iter()
            .find(|v| v["status"] == "scheduled")
            .and_then(|v| v["id"].as_i64())
            .expect("a scheduled visit")
    }
}

/// A visit's status and its audit rows, read from the server's disk.
pub fn status_and_audit(db: &std::path::Path, id: i64) -> (String, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let status = conn
        .query_row("SELECT status FROM appointments WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    let audit = conn
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'appointment' AND entity_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    (status, audit)
}

/// SQLite's own verdict on the server's copy.
pub fn integrity(db: &std::path::Path) -> String {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

pub const DAY: &str = TODAY;
