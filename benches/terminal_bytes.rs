//! What a thin client receives: bytes for the first frame, per selection move, per keystroke in
//! the patient filter and per idle minute, at 80x24 and 120x40, and the time from a key to the
//! first byte of its answer. The real binary runs in a pseudo-terminal on the demo clinic.
//! Prints a table; `PTCLINIC_BENCH_QUICK=1` skips the idle minute.

use std::io::{Read, Write};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Pty {
    rx: Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Pty {
    fn start(db: &std::path::Path, rows: u16, cols: u16) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_ptclinic"));
        cmd.args(["--db", db.to_str().unwrap(), "--user", "bench"]);
        cmd.env("PTCLINIC_TODAY", "2026-11-27");
        cmd.env("TERM", "xterm-256color");
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let writer = pty.master.take_writer().unwrap();
        Self {
            rx,
            writer,
            child,
            _master: pty.master,
        }
    }

    /// Bytes arriving within `quiet` of each other, after the first one (waits up to 5 s for it).
    fn burst(&self, quiet: Duration) -> (usize, Option<Duration>) {
        let started = Instant::now();
        let Ok(first) = self.rx.recv_timeout(Duration::from_secs(5)) else {
            return (0, None);
        };
        let latency = started.elapsed();
        let mut n = first.len();
        while let Ok(chunk) = self.rx.recv_timeout(quiet) {
            n += chunk.len();
        }
        (n, Some(latency))
    }

    fn key(&mut self, k: &str) -> (usize, Duration) {
        self.writer.write_all(k.as_bytes()).unwrap();
        let (n, latency) = self.burst(Duration::from_millis(150));
        (n, latency.unwrap_or_default())
    }

    fn idle(&self, span: Duration) -> usize {
        let deadline = Instant::now() + span;
        let mut n = 0;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            if let Ok(chunk) = self.rx.recv_timeout(left) {
                n += chunk.len();
            }
        }
        n
    }

    fn quit(mut self) {
        let _ = self.writer.write_all(b"q");
        let _ = self.child.wait();
    }
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    ptclinic::demo::build(&path, false, &ptclinic::demo::DemoOptions::default(), today).unwrap();
    let quick = std::env::var_os("PTCLINIC_BENCH_QUICK").is_some();
    println!(
        "| size | first frame | selection move | keystroke in the filter | idle minute | key to first byte |"
    );
    println!("|---|---|---|---|---|---|");
    for (rows, cols) in [(24u16, 80u16), (40, 120)] {
        let mut pty = Pty::start(&path, rows, cols);
        let (first, _) = pty.burst(Duration::from_millis(300));
        let moves: Vec<(usize, Duration)> = (0..10)
            .map(|i| pty.key(if i % 2 == 0 { "j" } else { "k" }))
            .collect();
        let mut latencies: Vec<Duration> = moves.iter().map(|m| m.1).collect();
        let move_bytes = moves.iter().map(|m| m.0).sum::<usize>() / moves.len();
        pty.key("/");
        let typed: Vec<usize> = "lopez".chars().map(|c| pty.key(&c.to_string()).0).collect();
        pty.key("\u{1b}");
        let per_key = typed.iter().sum::<usize>() / typed.len();
        let idle = if quick {
            "skipped".to_string()
        } else {
            format!("{} bytes", pty.idle(Duration::from_secs(60)))
        };
        latencies.sort();
        println!(
            "| {cols}x{rows} | {first} bytes | {move_bytes} bytes ({:.1}% of a frame) | {per_key} bytes | {idle} | median {:.1} ms |",
            move_bytes as f64 * 100.0 / first as f64,
            latencies[latencies.len() / 2].as_secs_f64() * 1000.0
        );
        pty.quit();
    }
}
