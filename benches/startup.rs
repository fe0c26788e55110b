//! Process start to the first full frame: the real binary in a pseudo-terminal, timed until
//! the schedule's header has been drawn, then quit with `q`. On the default demo clinic and on
//! the large ten-year clinic of issue 8 (built once into `target/bench-data/`, see `common`).
//!
//! It also prints the peak memory of the app (VmHWM from /proc/PID/status) after the first
//! frame and a round of keys: moves, day changes, the progress and program panes.
//!
//! `cargo bench --bench startup`; one clinic: `PTCLINIC_BENCH_CLINIC=large cargo bench --bench startup`.

mod common;

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::Clinic;
use criterion::{Criterion, criterion_group, criterion_main};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// Peak resident memory of a process in KiB, where /proc tells it.
fn peak_kib(pid: u32) -> Option<u64> {
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

/// Starts the app on `db`; returns the time to its first frame and, when `keys` is given,
/// its peak memory after they have been pressed.
fn first_frame(db: &std::path::Path, keys: Option<&[u8]>) -> (Duration, Option<u64>) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_ptclinic"));
    cmd.args(["--db", db.to_str().unwrap(), "--user", "bench"]);
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

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("startup");
    group.sample_size(20);
    for clinic in Clinic::ALL {
        if !common::wanted(clinic) {
            continue;
        }
        let path = clinic.path();
        // Moves, next and previous day, the progress pane, the program pane, back, today.
        let (_, peak) = first_frame(&path, Some(b"jjjjj]][[2jjk3j1t"));
        if let Some(kib) = peak {
            println!(
                "peak memory (VmHWM) of the app on the {} clinic: {:.1} MB",
                clinic.label(),
                kib as f64 / 1024.0
            );
        }
        group.bench_function(
            format!("process start to first frame ({})", clinic.label()),
            |b| b.iter_custom(|iters| (0..iters).map(|_| first_frame(&path, None).0).sum()),
        );
    }
    group.finish();
}

criterion_group!(startup, benches);
criterion_main!(startup);
