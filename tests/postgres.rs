//! The PostgreSQL record: `init`, `migrate` and `doctor` against a real server, TLS verified
//! both ways, and the schema's triggers behaving the same on both backends (one test body run
//! on the SQLite file and on the server). Each test says so in one line and passes when no test
//! server is configured; CI starts one and requires it (see tests/common/pg.rs).

mod common;

use common::pg::TestDb;
use common::{Clinic, assert_code, stderr, stdout};
use serde_json::Value;
use std::time::Duration;

fn one_line(text: &str) -> &str {
    let t = text.trim_end();
    assert!(!t.contains('\n'), "more than one line: {t}");
    assert!(!t.contains("panicked"), "{t}");
    t
}

/// `args` run on the record at `db` (a server's address or a file).
fn on(clinic: &Clinic, db: &str, args: &[&str]) -> std::process::Output {
    clinic
        .command_on(std::path::Path::new(db), common::BIN, args)
        .output()
        .expect("run ptclinic")
}

fn count(client: &mut postgres::Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).unwrap().get(0)
}

#[test]
fn the_demo_clinic_moves_with_every_row_and_its_chain_verified() {
    let Some(server) = TestDb::new("migrate_demo") else {
        return;
    };
    let clinic = Clinic::demo();
    let url = server.url();
    let out = clinic.cli(&[
        "migrate",
        "--from",
        clinic.db_text(),
        "--to",
        &url,
        "--json",
    ]);
    assert_code(&out, 0);
    let moved: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let tables = moved["tables"].as_array().unwrap();
    assert!(tables.len() >= 29, "{tables:?}");
    for t in tables {
        assert_eq!(t["source"], t["target"], "{t}");
    }
    let by_name = |n: &str| {
        tables
            .iter()
            .find(|t| t["table"] == n)
            .unwrap_or_else(|| panic!("{n} not copied"))["source"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(by_name("patients"), 400);
    assert!(by_name("appointments") > 3000);

    // The counts are the server's own, the audit chain runs on past the copied rows, and the
    // move is its last row.
    let mut pg = server.client();
    assert_eq!(count(&mut pg, "SELECT count(*) FROM patients"), 400);
    assert_eq!(
        count(&mut pg, "SELECT count(*) FROM audit_log"),
        by_name("audit_log") + 1
    );
    assert_eq!(
        moved["audit_rows_verified"].as_i64(),
        Some(by_name("audit_log"))
    );
    let last: String = pg
        .query_one("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1", &[])
        .unwrap()
        .get(0);
    assert_eq!(last, "record.migrate");
    // New rows number on from the copied ones.
    let id: i64 = pg
        .query_one(
            "INSERT INTO staff (name, initials, role) VALUES ('New Person', 'NP', 'therapist') RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(id > 6, "{id}");

    let doctor = on(&clinic, &url, &["doctor", "--json"]);
    assert_code(&doctor, 0);
    let checks: Value = serde_json::from_str(&stdout(&doctor)).unwrap();
    assert_eq!(checks["ok"], true, "{checks}");
    let names: Vec<&str> = checks["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "connection",
            "tls",
            "server",
            "schema",
            "indexes",
            "audit",
            "round trip"
        ]
    );

    // A second move into the same database is refused and changes nothing.
    let again = clinic.cli(&["migrate", "--from", clinic.db_text(), "--to", &url]);
    assert_code(&again, 2);
    assert!(one_line(&stderr(&again)).contains("already holds a clinic record"));
    assert_eq!(count(&mut pg, "SELECT count(*) FROM patients"), 400);
}

#[test]
fn a_dry_run_copies_and_checks_everything_and_keeps_nothing() {
    let Some(server) = TestDb::new("migrate_dry") else {
        return;
    };
    let clinic = Clinic::demo_with(&["--patients", "40"]);
    let out = clinic.cli(&[
        "migrate",
        "--from",
        clinic.db_text(),
        "--to",
        &server.url(),
        "--dry-run",
    ]);
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("nothing was kept"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("patients"));
    let mut pg = server.client();
    assert_eq!(
        count(
            &mut pg,
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ),
        0
    );
}

#[test]
fn init_on_the_server_builds_the_record_a_file_gets() {
    let Some(server) = TestDb::new("init") else {
        return;
    };
    let clinic = Clinic::demo_with(&["--patients", "20"]);
    let file = clinic.sub("new.db");
    assert_code(&on(&clinic, file.to_str().unwrap(), &["init"]), 0);
    let out = on(&clinic, &server.url(), &["init"]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("Created a clinic record with"));
    let lite = rusqlite::Connection::open(&file).unwrap();
    let mut pg = server.client();
    for table in [
        "exercises",
        "hep_programs",
        "hep_items",
        "clinic_hours",
        "measure_definitions",
    ] {
        let sql = format!("SELECT count(*) FROM {table}");
        let in_file: i64 = lite.query_row(&sql, [], |r| r.get(0)).unwrap();
        assert!(in_file > 0, "{table}");
        assert_eq!(count(&mut pg, &sql), in_file, "{table}");
    }
    let actions: Vec<String> = pg
        .query("SELECT action FROM audit_log ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(actions, ["clinic.init", "record.init_server"]);

    // Two terminals starting the same record at once: the advisory lock lets one build it and
    // the other is refused, never a second copy beside the first.
    let again = on(&clinic, &server.url(), &["init"]);
    assert_code(&again, 2);
    assert!(one_line(&stderr(&again)).contains("already holds a clinic record"));
}

#[test]
fn two_inits_at_once_build_one_record() {
    let Some(server) = TestDb::new("init_race") else {
        return;
    };
    let clinic = Clinic::demo_with(&["--patients", "20"]);
    let url = server.url();
    let runs: Vec<std::process::Child> = (0..3)
        .map(|_| {
            clinic
                .command_on(std::path::Path::new(&url), common::BIN, &["init"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<_> = runs
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let mut pg = server.client();
    assert_eq!(count(&mut pg, "SELECT count(*) FROM ptclinic_schema"), 1);
    let built: Vec<_> = outs.iter().filter(|o| o.status.success()).collect();
    assert_eq!(built.len(), 1, "exactly one init builds the record");
    for o in outs.iter().filter(|o| !o.status.success()) {
        assert_code(o, 2);
        assert!(
            one_line(&stderr(o)).contains("clinic record"),
            "{}",
            stderr(o)
        );
    }
    assert_eq!(
        count(
            &mut pg,
            "SELECT count(*) FROM audit_log WHERE action = 'clinic.init'"
        ),
        1
    );
}

#[test]
fn a_newer_schema_on_the_server_is_refused_untouched() {
    let Some(server) = TestDb::new("newer") else {
        return;
    };
    let clinic = Clinic::demo_with(&["--patients", "20"]);
    assert_code(&on(&clinic, &server.url(), &["init"]), 0);
    let mut pg = server.client();
    pg.batch_execute("UPDATE ptclinic_schema SET version = 999")
        .unwrap();
    let doctor = on(&clinic, &server.url(), &["doctor"]);
    assert_code(&doctor, 1);
    assert!(
        stdout(&doctor).contains("newer ptclinic (schema 999"),
        "{}",
        stdout(&doctor)
    );
    let moved = clinic.cli(&["migrate", "--from", clinic.db_text(), "--to", &server.url()]);
    assert_code(&moved, 2);
    assert!(one_line(&stderr(&moved)).contains("already holds a clinic record (schema 999)"));
    assert_eq!(
        count(&mut pg, "SELECT max(version) FROM ptclinic_schema"),
        999
    );
}

#[test]
fn verify_full_refuses_a_certificate_no_trusted_ca_signed() {
    let Some(server) = TestDb::new("tls") else {
        return;
    };
    let clinic = Clinic::demo_with(&["--patients", "20"]);
    // A CA of its own, which never signed the server's certificate.
    let other = rcgen::CertificateParams::new(Vec::<String>::new())
        .unwrap()
        .self_signed(&rcgen::KeyPair::generate().unwrap())
        .unwrap();
    let other_ca = clinic.sub("other-ca.pem");
    std::fs::write(&other_ca, other.pem()).unwrap();
    let wrong = format!(
        "{}?sslmode=verify-full&sslrootcert={}",
        server.plain(),
        other_ca.display()
    );
    let out = on(&clinic, &wrong, &["doctor"]);
    assert_code(&out, 1);
    assert!(
        stdout(&out).contains("not signed by a CA this terminal trusts"),
        "{}",
        stdout(&out)
    );
    let moved = clinic.cli(&["migrate", "--from", clinic.db_text(), "--to", &wrong]);
    assert!(
        one_line(&stderr(&moved)).contains("TLS to"),
        "{}",
        stderr(&moved)
    );
    assert_ne!(moved.status.code(), Some(0));

    // verify-full with no CA at all is refused before connecting; a host the certificate
    // does not name is refused by verify-full and let through by verify-ca.
    let none = format!("{}?sslmode=verify-full", server.plain());
    let out = on(&clinic, &none, &["doctor"]);
    assert!(
        stdout(&out).contains("needs the server's CA"),
        "{}",
        stdout(&out)
    );
    // The same server reached by a name its certificate does not carry.
    let by_other_name = server.plain().replace("127.0.0.1", "db.elsewhere.example");
    let full = format!(
        "{by_other_name}?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert={}",
        server.ca
    );
    let out = on(&clinic, &full, &["doctor"]);
    assert!(
        stdout(&out).contains("does not name this host"),
        "{}",
        stdout(&out)
    );
    let chain_only = full.replace("verify-full", "verify-ca");
    let out = on(&clinic, &chain_only, &["doctor"]);
    assert!(
        stdout(&out).contains("certificate verified, host name not checked"),
        "{}",
        stdout(&out)
    );

    let right = clinic.cli(&["migrate", "--from", clinic.db_text(), "--to", &server.url()]);
    assert_code(&right, 0);
    let out = on(&clinic, &server.url(), &["doctor"]);
    assert!(
        stdout(&out).contains("certificate and host name verified"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_unreachable_server_or_a_wrong_password_gets_one_sentence() {
    let Some(server) = TestDb::new("unreachable") else {
        return;
    };
    let clinic = Clinic::demo_with(&["--patients", "20"]);
    let closed = "postgres://ptclinic@127.0.0.1:9/none?sslmode=disable";
    let out = clinic.cli(&["migrate", "--from", clinic.db_text(), "--to", closed]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        one_line(&stderr(&out))
            .contains("cannot reach the PostgreSQL server at postgres://ptclinic@127.0.0.1:9/none"),
        "{}",
        stderr(&out)
    );
    let out = clinic
        .command(&["migrate", "--from", clinic.db_text(), "--to", &server.url()])
        .env("PGPASSWORD", "not-the-password")
        .output()
        .unwrap();
    assert_code(&out, 2);
    let said = stderr(&out);
    let said = one_line(&said);
    assert!(said.contains("refused the login"), "{said}");
    assert!(!said.contains("not-the-password"));
    // A database that holds no record yet says how to make one, and is not changed.
    let out = on(&clinic, &server.url(), &["schedule"]);
    assert_code(&out, 2);
    assert!(
        one_line(&stderr(&out)).contains("holds no clinic record yet: ptclinic init --db"),
        "{}",
        stderr(&out)
    );
    let out = clinic.cli(&["migrate", "--from", clinic.db_text(), "--to", "/tmp/x.db"]);
    assert_code(&out, 2);
    assert!(one_line(&stderr(&out)).contains("--to names the PostgreSQL database"));
}

/// The statements a test runs, on either backend.
trait Backend {
    fn run(&mut self, sql: &str) -> Result<(), String>;
    fn text(&mut self, sql: &str) -> Option<String>;
}

impl Backend for rusqlite::Connection {
    fn run(&mut self, sql: &str) -> Result<(), String> {
        self.execute_batch(sql).map_err(|e| e.to_string())
    }
    fn text(&mut self, sql: &str) -> Option<String> {
        self.query_row(sql, [], |r| r.get(0)).ok()
    }
}

impl Backend for postgres::Client {
    fn run(&mut self, sql: &str) -> Result<(), String> {
        self.batch_execute(sql).map_err(|e| {
            e.as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string())
        })
    }
    fn text(&mut self, sql: &str) -> Option<String> {
        self.query_opt(sql, &[])
            .ok()
            .flatten()
            .and_then(|r| r.get(0))
    }
}

/// What the schema's triggers must do, whichever backend holds the record: names copied onto
/// the visits, flags marked stale from the earliest day a change touches, the audit log
/// append-only, and a case-insensitive username unique.
fn triggers_behave(db: &mut dyn Backend, backend: &str) {
    db.run("UPDATE patients SET last_name = 'Quintero-Lamb' WHERE id = 1")
        .unwrap();
    assert_eq!(
        db.text("SELECT DISTINCT patient_name FROM appointments WHERE patient_id = 1")
            .as_deref()
            .map(|n| n.ends_with("Quintero-Lamb")),
        Some(true),
        "{backend}"
    );
    db.run("DELETE FROM flags_stale").unwrap();
    db.run(
        "UPDATE appointments SET status = 'cancelled'
         WHERE id = (SELECT max(id) FROM appointments WHERE patient_id = 2 AND status = 'scheduled')",
    )
    .unwrap();
    let day = db.text(
        "SELECT substr(start, 1, 10) FROM appointments
         WHERE id = (SELECT max(id) FROM appointments WHERE patient_id = 2 AND status = 'cancelled')",
    );
    assert_eq!(
        db.text("SELECT from_day FROM flags_stale WHERE patient_id = 2"),
        day,
        "{backend}"
    );
    // A second change from an earlier day moves the mark back, never forward.
    db.run(
        "INSERT INTO adherence_reports (patient_id, reported_on, sessions_done, sessions_prescribed, recorded_by)
         VALUES (2, '2020-01-02', 1, 3, 'test')",
    )
    .unwrap();
    assert_eq!(
        db.text("SELECT from_day FROM flags_stale WHERE patient_id = 2")
            .as_deref(),
        Some("2020-01-02"),
        "{backend}"
    );
    let refused = db
        .run("UPDATE audit_log SET host = 'elsewhere'")
        .unwrap_err();
    assert!(
        refused.contains("append-only") || backend == "postgres",
        "{backend}: {refused}"
    );
    assert!(db.run("DELETE FROM audit_log").is_err(), "{backend}");
    // A visit names its site; one that does is stored, not skipped by the check.
    let visits = |db: &mut dyn Backend| db.text("SELECT CAST(count(*) AS TEXT) FROM appointments");
    let before = visits(db);
    let visit = |site: &str| {
        format!(
            "INSERT INTO appointments (patient_id, therapist_id, start, minutes, kind, created_at, site_id)
             VALUES (1, (SELECT min(id) FROM staff), '2030-01-07T09:00', 45, 'treatment', 'x', {site})"
        )
    };
    let refused = db.run(&visit("NULL")).unwrap_err();
    assert!(
        refused.contains("a visit names its site"),
        "{backend}: {refused}"
    );
    assert_eq!(visits(db), before, "{backend}");
    db.run(&visit("1")).unwrap();
    assert_ne!(visits(db), before, "{backend}: the visit is stored");
    db.run("INSERT INTO staff (name, initials, role, username) VALUES ('Case Test', 'QQ', 'therapist', 'case.test')")
        .unwrap();
    assert!(
        db.run("INSERT INTO staff (name, initials, role, username) VALUES ('Case Two', 'QR', 'therapist', 'CASE.TEST')")
            .is_err(),
        "{backend}: usernames differ only in case"
    );
}

#[test]
fn the_schema_s_triggers_behave_the_same_on_both_backends() {
    let clinic = Clinic::demo_with(&["--patients", "30"]);
    let mut lite = rusqlite::Connection::open(&clinic.db).unwrap();
    let Some(server) = TestDb::new("triggers") else {
        triggers_behave(&mut lite, "sqlite");
        return;
    };
    assert_code(
        &clinic.cli(&["migrate", "--from", clinic.db_text(), "--to", &server.url()]),
        0,
    );
    triggers_behave(&mut lite, "sqlite");
    triggers_behave(&mut server.client(), "postgres");
}

#[test]
fn the_address_comes_from_the_environment_or_the_config_and_the_password_from_pgpass() {
    let Some(server) = TestDb::new("configured") else {
        return;
    };
    let clinic = Clinic::demo_with(&["--patients", "20"]);
    assert_code(&on(&clinic, &server.url(), &["init"]), 0);
    let doctor = |extra: &[(&str, &str)], without_password: bool| {
        let mut cmd = std::process::Command::new(common::BIN);
        cmd.arg("doctor")
            .env_remove("PTCLINIC_DB")
            .stdin(std::process::Stdio::null());
        for (k, v) in clinic.env() {
            cmd.env(k, v);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        if without_password {
            cmd.env_remove("PGPASSWORD");
        }
        cmd.output().unwrap()
    };
    let verified = "certificate and host name verified";
    let out = doctor(&[("PTCLINIC_DB", &server.url())], false);
    assert_code(&out, 0);
    assert!(stdout(&out).contains(verified));

    let config = clinic.sub("config").join("ptclinic");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!("db = \"{}\"\n", server.url()),
    )
    .unwrap();
    let out = doctor(&[], false);
    assert_code(&out, 0);
    assert!(stdout(&out).contains(verified));

    // Without PGPASSWORD the password file is read, but only when it is private.
    let password = std::env::var("PGPASSWORD").unwrap_or_default();
    let pgpass = clinic.sub("home").join(".pgpass");
    std::fs::write(
        &pgpass,
        format!("# the test server\n*:*:*:ptclinic:{password}\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = doctor(&[], true);
    assert_code(&out, 0);
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = doctor(&[], true);
    assert_code(&out, 1);
    assert!(
        stdout(&out).contains("refused the login"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains(&password) || password.is_empty());
}

/// Every other connection to the test database ended, as a server restart would end them.
fn end_connections(server: &TestDb) {
    let mut admin = server.admin();
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&server.name],
        )
        .unwrap();
}

fn allow_connections(server: &TestDb, allow: bool) {
    server
        .admin()
        .batch_execute(&format!(
            "ALTER DATABASE {} ALLOW_CONNECTIONS {allow}",
            server.name
        ))
        .unwrap();
}

#[test]
fn a_lost_connection_shows_the_offline_mode_and_comes_back_by_itself() {
    let Some(clinic) = Clinic::demo_on_server("lost_connection", &["--patients", "60"]) else {
        return;
    };
    let server = clinic.server.as_ref().unwrap();
    let mut desk = common::Session::start(&clinic, "desk");
    desk.wait_for_text("booked");
    assert!(desk.screen().contains("arrived 0"));
    // The server goes away for a while: no new connection is let in, the terminal's is ended.
    allow_connections(server, false);
    end_connections(server);
    desk.wait_for("the offline mode", Duration::from_secs(10), |s| {
        s.contains("cannot be reached since")
    });
    // The day stays on screen, read-only: a check-in is refused and nothing is sent.
    assert!(desk.screen().contains("arrived 0"));
    desk.send("c");
    desk.wait_for_text("the day shown is read-only");
    allow_connections(server, true);
    desk.wait_for(
        "the terminal to reconnect by itself",
        Duration::from_secs(10),
        |s| s.contains("the clinic database is back"),
    );
    desk.send("c");
    desk.wait_for_text("arrived 1");
    desk.send("q");
    assert!(desk.wait_exit().success());
    let audit: Vec<Value> =
        serde_json::from_str(&stdout(&clinic.cli(&["audit", "--json"]))).unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|r| r["action"] == "appointment.status")
            .count(),
        1,
        "the refused check-in left nothing behind"
    );
}

#[test]
fn a_writers_lock_held_too_long_ends_in_the_busy_sentence_and_changes_nothing() {
    let Some(clinic) = Clinic::demo_on_server("held_lock", &["--patients", "60"]) else {
        return;
    };
    let server = clinic.server.as_ref().unwrap();
    let today: Vec<Value> = clinic.today();
    let id = today
        .iter()
        .find(|v| v["status"] == "scheduled")
        .and_then(|v| v["id"].as_i64())
        .unwrap();
    // Another terminal's change that never ends, holding the writers' advisory lock.
    let mut holder = server.client();
    holder
        .batch_execute(&format!(
            "SELECT pg_advisory_lock({})",
            ptclinic::db::postgres::session::WRITE_LOCK
        ))
        .unwrap();
    let started = std::time::Instant::now();
    let out = clinic.cli(&["check-in", "--appointment", &id.to_string()]);
    let waited = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        one_line(&stderr(&out)).contains("the clinic database is busy"),
        "{}",
        stderr(&out)
    );
    assert!(
        waited >= Duration::from_secs(15),
        "gave up after {waited:?}"
    );
    drop(holder);
    let after: Vec<Value> = clinic.today();
    assert_eq!(
        after.iter().find(|v| v["id"] == id).unwrap()["status"],
        "scheduled"
    );
    // With the lock gone the same command goes through.
    let out = clinic.cli(&["check-in", "--appointment", &id.to_string()]);
    assert_code(&out, 0);
}
