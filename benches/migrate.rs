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
use postgres::NoTls;

fn admin(address: &str) -> postgres::Client {
    let mut config: postgres::Config = address.parse().unwrap();
    if let Ok(p) = std::env::var("PGPASSWORD") {
        config.password(p);
    }
    config.connect(NoTls).unwrap()
}

fn fresh_database(admin_address: &str, name: &str) -> String {
    let mut client = admin(admin_address);
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let base = admin_address.rsplit_once('/').unwrap().0;
    format!("{base}/{name}?sslmode=require")
}

fn benches(c: &mut Criterion) {
    let Ok(server) = std::env::var("PTCLINIC_TEST_PG") else {
        println!("migrate: needs PTCLINIC_TEST_PG (tests/support/pg_cluster.sh starts a server)");
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
                || fresh_database(&server, &name),
                |address| {
                    let target =
                        ptclinic::db::postgres::Target::parse(&address, &|k| std::env::var(k).ok())
                            .unwrap();
                    let who = ptclinic::db::Who {
                        user: "admin",
                        at: "2026-11-27T20:00:00",
                    };
                    let moved = db.migrate_to(&target, who, false).unwrap();
                    assert!(moved.tables.iter().all(|t| t.source == t.target));
                    moved
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
        admin(&server)
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
    }
}

criterion_group!(migrate, benches);
criterion_main!(migrate);
