//! A database of its own for each PostgreSQL test, on the server `.ci/run` starts
//! (`tests/support/pg_cluster.sh`): `PTCLINIC_TEST_PG` is its address, `PGPASSWORD` the
//! password, `PTCLINIC_TEST_PG_CA` the CA that signed its certificate. Without the server a
//! test says so in one line and passes; CI sets `PTCLINIC_REQUIRE_PG=1`, which fails it instead.

use postgres::{Client, NoTls};

pub struct TestDb {
    admin: String,
    pub name: String,
    pub ca: String,
}

/// The test server's address and its CA, or None (with the line saying why) when absent.
fn server_env(test: &str) -> Option<(String, String)> {
    let address = std::env::var("PTCLINIC_TEST_PG").ok();
    let ca = std::env::var("PTCLINIC_TEST_PG_CA").ok();
    match (address, ca) {
        (Some(a), Some(c)) => Some((a, c)),
        _ if std::env::var("PTCLINIC_REQUIRE_PG").is_ok() => {
            panic!(
                "{test}: PTCLINIC_REQUIRE_PG is set but PTCLINIC_TEST_PG/PTCLINIC_TEST_PG_CA are not"
            )
        }
        _ => {
            eprintln!(
                "{test}: needs a PostgreSQL server (PTCLINIC_TEST_PG; CI starts one with tests/support/pg_cluster.sh), not run here"
            );
            None
        }
    }
}

pub fn admin_client(address: &str) -> Client {
    let mut config: postgres::Config = address.parse().expect("test server address");
    if let Ok(p) = std::env::var("PGPASSWORD") {
        config.password(p);
    }
    config.connect(NoTls).expect("connect to the test server")
}

impl TestDb {
    /// A new empty database for `test`, dropped when the value is.
    pub fn new(test: &str) -> Option<TestDb> {
        let (admin, ca) = server_env(test)?;
        let name = format!("ptclinic_{}_{}", test, std::process::id());
        let mut client = admin_client(&admin);
        // One statement per call: neither may run inside the implicit block of a batch.
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .expect("drop a leftover test database");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        Some(TestDb { admin, name, ca })
    }

    /// The database's address without TLS options.
    pub fn plain(&self) -> String {
        let base = self
            .admin
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(&self.admin);
        format!("{base}/{}", self.name)
    }

    /// The address a clinic's IT would configure: TLS with the certificate and host verified.
    pub fn url(&self) -> String {
        format!(
            "{}?sslmode=verify-full&sslrootcert={}",
            self.plain(),
            self.ca
        )
    }

    /// A connection to the server's maintenance database, for what may not be done from
    /// inside the test database (closing it to new connections, say).
    pub fn admin(&self) -> Client {
        admin_client(&self.admin)
    }

    /// A connection for the test's own look at the database.
    pub fn client(&self) -> Client {
        admin_client(&self.plain())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let mut client = admin_client(&self.admin);
        let _ = client.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}
