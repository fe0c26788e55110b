//! Process start to the first full frame: the real binary in a pseudo-terminal, timed until
//! the schedule's header has been drawn, then quit with `q`.

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

fn first_frame(db: &std::path::Path) -> Duration {
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
    writer.write_all(b"q").unwrap();
    child.wait().unwrap();
    elapsed
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    ptclinic::demo::build(&path, false, &ptclinic::demo::DemoOptions::default(), today).unwrap();
    let mut group = c.benchmark_group("startup");
    group.sample_size(20);
    group.bench_function("process start to first frame (demo)", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| first_frame(&path)).sum())
    });
    group.finish();
}

criterion_group!(startup, benches);
criterion_main!(startup);
