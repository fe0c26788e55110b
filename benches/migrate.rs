//! Issue 19: `ptclinic migrate` of each clinic onto a PostgreSQL server on loopback (the
//! file's every table copied, counted on both sides and the audit chain walked on arrival;
//! target under 2 minutes for the ten-year clinic). Each run moves the clinic into a new
//! empty database.
//!
//! Needs the test server: `eval "$(tests/support/pg_cluster.sh /tmp/ptclinic-pg)"`, then
//! `cargo bench --bench migrate` (`PTCLINIC_BENCH_CLINIC=large` for the ten-year clinic only).

mod common;

use std::time::Duration;

use common::Clinic;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

fn benches(c: &mut Criterion) {
    let Some(server) = common::server::admin_address("migrate") else {
        return;
    };
    for which in [Clinic::Demo, Clinic::Large] {
        if !common::wanted(which) {
            continue;
        }
        let label = which.label();
        let mut db = ptclinic::db::open_existing(&which.path()).unwrap();
        let name = format!("ptclinic_bench_migrate_{label}").replace('-', "_");
        let mut group = c.benchmark_group("migrate");
        group.sample_size(10);
        // Ten moves of the large clinic (half a minute each) are the least criterion takes.
        let seconds = if which == Clinic::Large { 1 } else { 10 };
        group.measurement_time(Duration::from_secs(seconds));
        group.bench_function(label, |b| {
            b.iter_batched(
                || common::server::fresh_database(&server, &name),
                |address| common::server::move_onto(&mut db, &address),
                BatchSize::PerIteration,
            )
        });
        group.finish();
        common::server::drop_database(&mut common::server::admin(&server), &name);
    }
}

criterion_group!(migrate, benches);
criterion_main!(migrate);
