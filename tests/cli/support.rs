//! What the command-line tests share: the pinned environment, a small demo clinic, and the
//! checks every refusal must pass.

pub use std::collections::{BTreeMap, BTreeSet};
pub use std::path::{Path, PathBuf};
pub use std::process::Output;

pub use serde_json::Value;

pub use crate::common::{
    DEMO_ADMIN, DEMO_ASSISTANT, EnvDirs, TODAY, assert_code, demo_therapist, ptclinic,
    ptclinic_with, stderr, stdout,
};

#[track_caller]
pub fn assert_ok(out: &Output) {
    assert_code(out, 0);
}

/// Asserts exit 2 and a one-sentence `ptclinic: ` message on stderr containing every needle.
#[track_caller]
pub fn assert_usage_error(out: &Output, needles: &[&str]) -> String {
    assert_code(out, 2);
    let err = stderr(out);
    assert!(
        err.starts_with("ptclinic: "),
        "stderr lacks the prefix: {err:?}"
    );
    for needle in needles {
        assert!(
            err.contains(needle),
            "stderr {err:?} should contain {needle:?}"
        );
    }
    assert!(
        stdout(out).is_empty(),
        "nothing on stdout on error: {:?}",
        stdout(out)
    );
    err
}

pub fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

pub const SMALL: &[&str] = &[
    "--patients",
    "60",
    "--weeks-back",
    "2",
    "--weeks-ahead",
    "1",
];

/// Builds a small demo clinic and returns its path.
pub fn small_demo(env: &EnvDirs, file: &str) -> PathBuf {
    let db = env.path(file);
    let mut args = vec!["demo", "--db", p(&db)];
    args.extend_from_slice(SMALL);
    let out = ptclinic(env, &args);
    assert_ok(&out);
    assert!(db.is_file());
    db
}

pub fn schedule_json(env: &EnvDirs, db: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["schedule", "--json", "--db", p(db)];
    args.extend_from_slice(extra);
    let out = ptclinic(env, &args);
    assert_ok(&out);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("schedule --json is JSON");
    v.as_array().expect("a JSON array").clone()
}

pub fn status_of(visits: &[Value], id: i64) -> String {
    visits
        .iter()
        .find(|v| v["id"].as_i64() == Some(id))
        .unwrap_or_else(|| panic!("visit {id} not in the schedule"))["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A today's patient who has exactly one visit today and whose full name is unique.
pub fn single_visit_patient(visits: &[Value]) -> Value {
    let mut by_name: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for v in visits {
        by_name
            .entry(v["patient"].as_str().unwrap())
            .or_default()
            .push(v);
    }
    by_name
        .values()
        .find(|vs| vs.len() == 1)
        .map(|vs| vs[0].clone())
        .expect("a patient with a single visit today")
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read file")
}

pub fn entries(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}
