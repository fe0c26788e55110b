//! What the import and export tests share: the binary in a pinned environment (UTC, so that
//! calendar times are predictable), small clinics, and how a refused import reads.

pub use std::collections::{BTreeSet, HashMap};
pub use std::path::{Path, PathBuf};
pub use std::process::Output;

pub use serde_json::Value;

pub use crate::common::fhir_r4::check_bundle;
pub use crate::common::{DEMO_ADMIN, EnvDirs, assert_code, stderr, stdout};

/// Runs the binary with a clean, pinned environment (UTC, so calendar times are predictable).
pub fn ptclinic(env: &EnvDirs, args: &[&str]) -> Output {
    crate::common::ptclinic_with(env, args, &[("PTCLINIC_USER", "tester"), ("TZ", "UTC")])
}

pub fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// A small demo clinic (60 patients, 6 therapists, a front-desk person, an assistant, an admin).
pub fn small_demo(env: &EnvDirs) -> PathBuf {
    let db = env.path("clinic.db");
    let out = ptclinic(
        env,
        &[
            "demo",
            "--db",
            p(&db),
            "--patients",
            "60",
            "--weeks-back",
            "2",
            "--weeks-ahead",
            "1",
        ],
    );
    assert_code(&out, 0);
    db
}

/// An empty clinic (`init --empty`: no exercise library, so imports start from nothing) with its
/// admin (TT, the tests' user "tester", who imports), two therapists (AR, BK) and a front-desk
/// person (FD).
pub fn empty_clinic(env: &EnvDirs) -> PathBuf {
    let db = env.path("empty.db");
    assert_code(&ptclinic(env, &["init", "--empty", "--db", p(&db)]), 0);
    let out = ptclinic(
        env,
        &[
            "staff",
            "add",
            "--db",
            p(&db),
            "--name",
            "Tess Ter",
            "--initials",
            "TT",
            "--role",
            "admin",
            "--username",
            "tester",
        ],
    );
    assert_code(&out, 0);
    for (name, initials, role) in [
        ("Ana Ruiz", "AR", "therapist"),
        ("Ben Kato", "BK", "therapist"),
        ("Fay Dunn", "FD", "front_desk"),
    ] {
        let out = ptclinic(
            env,
            &[
                "staff",
                "add",
                "--db",
                p(&db),
                "--name",
                name,
                "--initials",
                initials,
                "--role",
                role,
            ],
        );
        assert_code(&out, 0);
    }
    db
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

pub fn count(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

pub fn import(env: &EnvDirs, db: &Path, what: &str, file: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["import", what, p(file), "--db", p(db)];
    args.extend_from_slice(extra);
    ptclinic(env, &args)
}

/// Exit 2, nothing on stdout, a one-line summary, then `line N: reason` for each bad line;
/// returns the reasons by line.
#[track_caller]
pub fn refused(out: &Output, bad_lines: usize) -> HashMap<u64, String> {
    assert_code(out, 2);
    assert!(stdout(out).is_empty(), "stdout: {}", stdout(out));
    let err = stderr(out);
    let mut lines = err.lines();
    let summary = lines.next().unwrap_or_default();
    assert!(summary.starts_with("ptclinic: "), "{err}");
    assert!(
        summary.contains(&format!("{bad_lines} bad line")),
        "summary {summary:?} should count {bad_lines} bad lines\n{err}"
    );
    let mut by_line = HashMap::new();
    for l in lines {
        let rest = l
            .strip_prefix("line ")
            .unwrap_or_else(|| panic!("{l:?} in {err}"));
        let (n, reason) = rest.split_once(": ").expect("line N: reason");
        by_line.insert(n.parse().expect("line number"), reason.to_string());
    }
    assert_eq!(by_line.len(), bad_lines, "{err}");
    by_line
}

pub fn fhir_bundle(env: &EnvDirs, db: &Path, mrn: &str) -> Value {
    let out = ptclinic(env, &["export", "fhir", "--patient", mrn, "--db", p(db)]);
    assert_code(&out, 0);
    serde_json::from_str(&stdout(&out)).expect("bundle JSON")
}

pub fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}
