//! `ptclinic doctor` for a record on a server: the connection, its TLS, the server's version,
//! the schema's version, the indexes and triggers the schema defines, the audit chain and the
//! time of a round trip. Each check says what it found in one line.

use std::time::{Duration, Instant};

use super::schema::{self, Derived, Found};
use super::{SslMode, Target};
use crate::db::doctor::{Check, Status};
use crate::db::schema::SCHEMA_VERSION;

/// The oldest server the app is tested against.
pub const MIN_SERVER_VERSION: i32 = 140_000;

/// Round trips slower than this make every screen feel it (a day's view takes two).
const SLOW_ROUND_TRIP: Duration = Duration::from_millis(20);

fn check(name: &'static str, status: Status, detail: impl Into<String>) -> Check {
    Check {
        name,
        status,
        detail: detail.into(),
    }
}

/// Every check; the later ones are left out when the connection itself fails.
pub fn run(target: &Target) -> Vec<Check> {
    let started = Instant::now();
    let mut server = match super::connect(target) {
        Ok(s) => s,
        Err(e) => return vec![check("connection", Status::Error, e.to_string())],
    };
    let mut out = vec![check(
        "connection",
        Status::Ok,
        format!(
            "{} answered in {} ms",
            target.shown(),
            started.elapsed().as_millis()
        ),
    )];
    let client = &mut server.client;
    out.push(tls(client, target.ssl));
    out.push(server_version(client));
    let derived = match schema::derived() {
        Ok(d) => d,
        Err(e) => {
            out.push(check("schema", Status::Error, e.to_string()));
            return out;
        }
    };
    let usable = schema_version(client, &derived, target.shown(), &mut out);
    if usable {
        out.push(objects(client, &derived));
        out.push(audit_chain(client));
    }
    out.push(round_trip(client));
    out
}

fn tls(client: &mut postgres::Client, mode: SslMode) -> Check {
    let row = client.query_opt(
        "SELECT ssl, coalesce(version, ''), coalesce(cipher, '') FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        &[],
    );
    match row {
        Ok(Some(r)) if r.get::<_, bool>(0) => {
            let verified = match mode {
                SslMode::VerifyFull => "certificate and host name verified",
                SslMode::VerifyCa => "certificate verified, host name not checked (verify-ca)",
                _ => "certificate NOT verified: use sslmode=verify-full",
            };
            let status = if mode.verifies() {
                Status::Ok
            } else {
                Status::Warning
            };
            check(
                "tls",
                status,
                format!(
                    "{} {}, {verified}",
                    r.get::<_, String>(1),
                    r.get::<_, String>(2)
                ),
            )
        }
        Ok(_) => check(
            "tls",
            Status::Warning,
            format!(
                "not encrypted (sslmode={}): patient data crosses the network in clear; use sslmode=verify-full",
                mode.name()
            ),
        ),
        Err(e) => check("tls", Status::Warning, format!("could not be read: {e}")),
    }
}

fn server_version(client: &mut postgres::Client) -> Check {
    let found = client
        .query_one(
            "SELECT current_setting('server_version_num')::int, version()",
            &[],
        )
        .map(|r| (r.get::<_, i32>(0), r.get::<_, String>(1)));
    match found {
        Ok((num, text)) => {
            let short = text.split(" on ").next().unwrap_or(&text).to_string();
            if num >= MIN_SERVER_VERSION {
                check("server", Status::Ok, short)
            } else {
                check(
                    "server",
                    Status::Error,
                    format!("{short}: ptclinic needs PostgreSQL 14 or later"),
                )
            }
        }
        Err(e) => check("server", Status::Error, e.to_string()),
    }
}

/// The schema's check; whether the rest of the record can be looked at.
fn schema_version(
    client: &mut postgres::Client,
    derived: &Derived,
    shown: &str,
    out: &mut Vec<Check>,
) -> bool {
    match schema::found(client, derived) {
        Ok(found) => match schema::check_usable(&found, shown) {
            Ok(()) => {
                out.push(check(
                    "schema",
                    Status::Ok,
                    format!("version {SCHEMA_VERSION}, as this ptclinic expects"),
                ));
                true
            }
            Err(e) => {
                out.push(check("schema", Status::Error, e.to_string()));
                matches!(found, Found::Record(_))
            }
        },
        Err(e) => {
            out.push(check("schema", Status::Error, e.to_string()));
            false
        }
    }
}

/// The indexes and triggers the schema defines, by name.
fn objects(client: &mut postgres::Client, derived: &Derived) -> Check {
    let names = |prefix: &str| -> Vec<String> {
        derived
            .after_rows
            .iter()
            .filter_map(|sql| {
                let rest = sql.strip_prefix(prefix)?;
                let rest = rest.strip_prefix("IF NOT EXISTS ").unwrap_or(rest);
                rest.split_whitespace().next().map(str::to_string)
            })
            .collect()
    };
    let mut wanted: Vec<(String, &str)> = names("CREATE INDEX ")
        .into_iter()
        .chain(names("CREATE UNIQUE INDEX "))
        .map(|n| (n, "index"))
        .collect();
    wanted.extend(names("CREATE TRIGGER ").into_iter().map(|n| (n, "trigger")));
    let present: Result<Vec<String>, _> = client
        .query(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema()
             UNION ALL
             SELECT tgname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND NOT t.tgisinternal",
            &[],
        )
        .map(|rows| rows.iter().map(|r| r.get(0)).collect());
    match present {
        Ok(present) => {
            let missing: Vec<String> = wanted
                .iter()
                .filter(|(n, _)| !present.contains(n))
                .map(|(n, kind)| format!("{kind} {n}"))
                .collect();
            if missing.is_empty() {
                check(
                    "indexes",
                    Status::Ok,
                    format!("all {} indexes and triggers are there", wanted.len()),
                )
            } else {
                check(
                    "indexes",
                    Status::Error,
                    format!("missing: {}", missing.join(", ")),
                )
            }
        }
        Err(e) => check("indexes", Status::Error, e.to_string()),
    }
}

fn audit_chain(client: &mut postgres::Client) -> Check {
    match crate::db::audit::verify_chain(&crate::db::sql::Pg::new(client)) {
        Ok(Ok(rows)) => check("audit", Status::Ok, format!("chain of {rows} rows intact")),
        Ok(Err(why)) => check("audit", Status::Error, why),
        Err(e) => check("audit", Status::Error, e.to_string()),
    }
}

/// The median of five `SELECT 1`s: what every request to the server costs at least.
fn round_trip(client: &mut postgres::Client) -> Check {
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        if let Err(e) = client.simple_query("SELECT 1") {
            return check("round trip", Status::Error, e.to_string());
        }
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[2];
    let shown = format!("{:.2} ms", median.as_secs_f64() * 1000.0);
    if median > SLOW_ROUND_TRIP {
        check(
            "round trip",
            Status::Warning,
            format!("{shown}: slow for a clinic's terminals (under 20 ms keeps screens quick)"),
        )
    } else {
        check("round trip", Status::Ok, shown)
    }
}
