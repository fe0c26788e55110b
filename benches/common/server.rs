//! The benchmarks' clinics on the test PostgreSQL server (issue 19): each clinic's file moved
//! once into a database named after the file (so a changed generator or schema moves it again),
//! reached over TLS with the certificate checked when the test CA is known, as a clinic group's
//! terminals would be.
//!
//! Needs the test server: `eval "$(tests/support/pg_cluster.sh /tmp/ptclinic-pg)"`.

use postgres::NoTls;

use super::Clinic;

/// The server's administrative address (`PTCLINIC_TEST_PG`), or None with the line saying so.
pub fn admin_address(bench: &str) -> Option<String> {
    let address = std::env::var("PTCLINIC_TEST_PG").ok();
    if address.is_none() {
        println!(
            "{bench}: the server's rows need PTCLINIC_TEST_PG (tests/support/pg_cluster.sh starts a server)"
        );
    }
    address
}

/// A superuser's connection to the server, for creating and dropping databases.
pub fn admin(address: &str) -> postgres::Client {
    let mut config: postgres::Config = address.parse().unwrap();
    if let Ok(p) = std::env::var("PGPASSWORD") {
        config.password(p);
    }
    config.connect(NoTls).unwrap()
}

/// The address a terminal uses for database `name` on the server of `admin_address`.
pub fn address_of(admin_address: &str, name: &str) -> String {
    let base = admin_address.rsplit_once('/').unwrap().0;
    match std::env::var("PTCLINIC_TEST_PG_CA") {
        Ok(ca) => format!("{base}/{name}?sslmode=verify-full&sslrootcert={ca}"),
        Err(_) => format!("{base}/{name}?sslmode=require"),
    }
}

/// An empty database `name` (dropped first when it is there), and its address.
pub fn fresh_database(admin_address: &str, name: &str) -> String {
    let mut client = admin(admin_address);
    drop_database(&mut client, name);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    address_of(admin_address, name)
}

pub fn drop_database(client: &mut postgres::Client, name: &str) {
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
}

/// Moves the open file `db` onto the empty database at `address`, as `ptclinic migrate` does,
/// every table's count the same on both sides.
pub fn move_onto(db: &mut ptclinic::db::Db, address: &str) {
    let target =
        ptclinic::db::postgres::Target::parse(address, &|k| std::env::var(k).ok()).unwrap();
    let who = ptclinic::db::Who {
        user: "admin",
        at: "2026-11-27T20:00:00",
    };
    let moved = db.migrate_to(&target, who, false).unwrap();
    assert!(moved.tables.iter().all(|t| t.source == t.target));
}

impl Clinic {
    /// The clinic on the server, moved there on first use (the ten-year clinic in about half
    /// a minute) and kept for the next run. Benchmarks that write use a database of their own
    /// (see `concurrent_writers`).
    pub fn on_server(self, admin_address: &str) -> String {
        let file = self.path();
        let stem = file.file_stem().unwrap().to_string_lossy();
        let name = format!("ptclinic_bench_{stem}").replace('-', "_");
        let family = format!("ptclinic_bench_{}_", self.label().replace('-', "_"));
        let mut client = admin(admin_address);
        let present: Vec<String> = client
            .query(
                "SELECT datname::text FROM pg_database WHERE starts_with(datname, $1)",
                &[&family],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let address = address_of(admin_address, &name);
        if present.contains(&name) {
            return address;
        }
        // Earlier builds of this clinic are of no further use ("large_" must not take
        // "large_new_" with it: the rest of the name is the file's hash alone).
        for old in &present {
            let rest = &old[family.len()..];
            if rest.len() == 16 && rest.bytes().all(|c| c.is_ascii_hexdigit()) {
                drop_database(&mut client, old);
            }
        }
        // Built under a temporary name and renamed once complete: an interrupted move is
        // never taken for a finished one.
        let building = format!("{name}_building");
        let building_address = fresh_database(admin_address, &building);
        let started = std::time::Instant::now();
        move_onto(
            &mut ptclinic::db::open_existing(&file).unwrap(),
            &building_address,
        );
        client
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .unwrap();
        eprintln!(
            "moved the {} clinic onto the server in {:.1} s",
            self.label(),
            started.elapsed().as_secs_f64()
        );
        address
    }
}
