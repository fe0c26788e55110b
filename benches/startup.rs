//! Process start to the first full frame: the real binary in a pseudo-terminal, timed until
//! the schedule's header has been drawn, then quit with `q`. On the default demo clinic and on
//! the large ten-year clinic of issue 8 (built once into `target/bench-data/`, see `common`).
//!
//! It also prints the peak memory of the app (VmHWM from /proc/PID/status) after the first
//! frame and a round of keys: moves, day changes, the progress and program panes.
//!
//! With the test server's address in `PTCLINIC_TEST_PG` (tests/support/pg_cluster.sh), each
//! clinic is also moved onto the server once and started from there (issue 19: under 1.5
//! times the file's figure), over TLS with the certificate checked.
//!
//! `cargo bench --bench startup`; one clinic: `PTCLINIC_BENCH_CLINIC=large cargo bench --bench startup`.

mod common;

use common::{Clinic, first_frame};
use criterion::{Criterion, criterion_group, criterion_main};

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("startup");
    group.sample_size(20);
    let server = common::server::admin_address("startup");
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
        if let Some(server) = &server {
            let address = clinic.on_server(server);
            group.bench_function(
                format!("process start to first frame ({}, server)", clinic.label()),
                |b| b.iter_custom(|iters| (0..iters).map(|_| first_frame(&address, None).0).sum()),
            );
        }
    }
    group.finish();
}

criterion_group!(startup, benches);
criterion_main!(startup);
