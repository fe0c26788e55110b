//! The command line, run as a separate process: exit codes, messages, JSON output, and that
//! nothing is created or changed when opening a clinic record fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod common;

use common::{EnvDirs, TODAY, assert_code, ptclinic, ptclinic_with, stderr, stdout};

#[track_caller]
fn assert_ok(out: &Output) {
    assert_code(out, 0);
}

/// Asserts exit 2 and a one-sentence `ptclinic: ` message on stderr containing every needle.
#[track_caller]
fn assert_usage_error(out: &Output, needles: &[&str]) -> String {
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

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

const SMALL: &[&str] = &[
    "--patients",
    "60",
    "--weeks-back",
    "2",
    "--weeks-ahead",
    "1",
];

/// Builds a small demo clinic and returns its path.
fn small_demo(env: &EnvDirs, file: &str) -> PathBuf {
    let db = env.path(file);
    let mut args = vec!["demo", "--db", p(&db)];
    args.extend_from_slice(SMALL);
    let out = ptclinic(env, &args);
    assert_ok(&out);
    assert!(db.is_file());
    db
}

fn schedule_json(env: &EnvDirs, db: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["schedule", "--json", "--db", p(db)];
    args.extend_from_slice(extra);
    let out = ptclinic(env, &args);
    assert_ok(&out);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("schedule --json is JSON");
    v.as_array().expect("a JSON array").clone()
}

fn status_of(visits: &[Value], id: i64) -> String {
    visits
        .iter()
        .find(|v| v["id"].as_i64() == Some(id))
        .unwrap_or_else(|| panic!("visit {id} not in the schedule"))["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A today's patient who has exactly one visit today and whose full name is unique.
fn single_visit_patient(visits: &[Value]) -> Value {
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

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read file")
}

fn entries(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// demo

#[test]
fn demo_is_deterministic_for_the_same_seed_and_today() {
    let env = EnvDirs::new();
    let a = small_demo(&env, "a.db");
    let b = small_demo(&env, "b.db");
    for date in [TODAY, "2026-11-23", "2026-12-02"] {
        let ja = schedule_json(&env, &a, &["--date", date]);
        let jb = schedule_json(&env, &b, &["--date", date]);
        assert!(!ja.is_empty(), "the demo has visits on {date}");
        assert_eq!(ja, jb, "same seed, same today, same schedule on {date}");
    }
    let text_a = ptclinic(&env, &["schedule", "--db", p(&a)]);
    let text_b = ptclinic(&env, &["schedule", "--db", p(&b)]);
    assert_ok(&text_a);
    assert_eq!(stdout(&text_a), stdout(&text_b));
}

#[test]
fn demo_with_another_seed_differs() {
    let env = EnvDirs::new();
    let a = small_demo(&env, "a.db");
    let b = env.path("b.db");
    let mut args = vec!["demo", "--db", p(&b), "--seed", "2"];
    args.extend_from_slice(SMALL);
    assert_ok(&ptclinic(&env, &args));
    assert_ne!(schedule_json(&env, &a, &[]), schedule_json(&env, &b, &[]));
}

#[test]
fn demo_default_size_has_six_therapists_and_a_front_desk() {
    let env = EnvDirs::new();
    let db = env.path("clinic.db");
    let out = ptclinic(&env, &["demo", "--db", p(&db)]);
    assert_ok(&out);
    assert!(stderr(&out).contains("400 patients"), "{}", stderr(&out));
    let out = ptclinic(&env, &["staff", "list", "--json", "--db", p(&db)]);
    assert_ok(&out);
    let staff: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let role = |r: &str| staff.iter().filter(|s| s["role"] == r).count();
    assert_eq!(role("therapist"), 6);
    assert_eq!(role("front_desk"), 1);
}

#[test]
fn demo_refuses_to_overwrite_an_existing_file() {
    let env = EnvDirs::new();
    let db = env.path("clinic.db");
    std::fs::write(&db, b"precious notes, not a database").unwrap();
    let mut args = vec!["demo", "--db", p(&db)];
    args.extend_from_slice(SMALL);
    let out = ptclinic(&env, &args);
    assert_usage_error(&out, &[p(&db), "already exists", "not a demo clinic"]);
    assert_eq!(read(&db), b"precious notes, not a database");
    assert_eq!(
        entries(&env.sub("work")),
        BTreeSet::from(["clinic.db".to_string()])
    );

    // An existing demo clinic is refused too, and stays byte for byte the same.
    let demo = small_demo(&env, "demo.db");
    let before = read(&demo);
    let mut args = vec!["demo", "--db", p(&demo), "--seed", "9"];
    args.extend_from_slice(SMALL);
    assert_usage_error(&ptclinic(&env, &args), &["already exists", "use --force"]);
    assert_eq!(read(&demo), before);
}

#[test]
fn demo_force_replaces_a_demo_clinic() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let visits = schedule_json(&env, &db, &[]);
    assert!(!visits.is_empty());

    // Forcing over a demo with a check-in brings back a fresh, all-scheduled day.
    let id = visits[0]["id"].as_i64().unwrap();
    assert_ok(&ptclinic(
        &env,
        &["check-in", "--appointment", &id.to_string(), "--db", p(&db)],
    ));
    assert_eq!(status_of(&schedule_json(&env, &db, &[]), id), "checked_in");
    let mut args = vec!["demo", "--force", "--db", p(&db)];
    args.extend_from_slice(SMALL);
    assert_ok(&ptclinic(&env, &args));
    assert_eq!(schedule_json(&env, &db, &[]), visits);
    // No temporary build is left beside it (the record's own journal may be).
    let left: Vec<String> = entries(&env.sub("work"))
        .into_iter()
        .filter(|e| e.contains(".building-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn demo_force_replaces_only_a_demo() {
    let env = EnvDirs::new();
    // A record made by init, with a person on its staff.
    let real = env.path("clinic.db");
    assert_ok(&ptclinic(&env, &["init", "--db", p(&real)]));
    assert_ok(&ptclinic(
        &env,
        &[
            "staff",
            "add",
            "--name",
            "Dana Whitfield",
            "--initials",
            "DW",
            "--role",
            "therapist",
            "--db",
            p(&real),
        ],
    ));
    // Some other file, not a record at all.
    let notes = env.path("notes.db");
    std::fs::write(&notes, b"old").unwrap();
    for path in [&real, &notes] {
        let before = read(path);
        let mut args = vec!["demo", "--force", "--db", p(path)];
        args.extend_from_slice(SMALL);
        let err = assert_usage_error(
            &ptclinic(&env, &args),
            &[p(path), "not a demo clinic", "left untouched"],
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_eq!(read(path), before, "{}", p(path));
    }
    assert!(
        !entries(&env.sub("work"))
            .iter()
            .any(|e| e.contains(".building-"))
    );

    // init over an existing file says how to proceed, and it has no --force to offer.
    let before = read(&real);
    let out = ptclinic(&env, &["init", "--db", p(&real)]);
    let err = assert_usage_error(&out, &[p(&real), "already exists", "another path"]);
    assert!(!err.contains("--force"), "{err}");
    assert_eq!(read(&real), before);
}

#[test]
fn demo_rejects_silly_sizes() {
    let env = EnvDirs::new();
    let db = env.path("clinic.db");
    let out = ptclinic(&env, &["demo", "--db", p(&db), "--therapists", "0"]);
    assert_usage_error(&out, &["--therapists"]);
    assert!(!db.exists());
}

// ---------------------------------------------------------------------------------------------
// schedule

#[test]
fn schedule_json_has_every_field_in_the_documented_format() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let visits = schedule_json(&env, &db, &[]);
    assert!(!visits.is_empty());
    let kinds = [
        "evaluation",
        "treatment",
        "re_evaluation",
        "progress",
        "discharge",
    ];
    let mut ids = BTreeSet::new();
    for v in &visits {
        let o = v.as_object().expect("each visit is an object");
        for key in [
            "id",
            "start",
            "minutes",
            "patient",
            "mrn",
            "therapist",
            "therapist_initials",
            "kind",
            "status",
            "flags",
            "checked_in_at",
            "age",
            "room",
            "cancel_reason",
        ] {
            assert!(o.contains_key(key), "visit lacks {key}: {v}");
        }
        assert!(
            ids.insert(v["id"].as_i64().expect("integer id")),
            "ids are unique"
        );
        let start = v["start"].as_str().unwrap();
        assert_eq!(start.len(), 16, "start is YYYY-MM-DDTHH:MM: {start}");
        assert!(start.starts_with("2026-11-27T"), "{start}");
        assert!(
            chrono::NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M").is_ok(),
            "{start}"
        );
        assert!(v["minutes"].as_u64().unwrap() > 0);
        assert!(v["age"].as_u64().is_some());
        assert!(
            v["patient"].as_str().unwrap().contains(' '),
            "full name: {v}"
        );
        assert!(!v["mrn"].as_str().unwrap().is_empty());
        assert!(
            v["therapist"].as_str().unwrap().contains(' '),
            "full name: {v}"
        );
        assert!(!v["therapist_initials"].as_str().unwrap().is_empty());
        assert!(kinds.contains(&v["kind"].as_str().unwrap()), "{v}");
        assert!(v["flags"].is_array());
        // Today is untouched in a fresh demo.
        assert_eq!(v["status"], "scheduled", "{v}");
        assert!(v["checked_in_at"].is_null());
        assert!(v["cancel_reason"].is_null());
    }
    let starts: Vec<&str> = visits
        .iter()
        .map(|v| v["start"].as_str().unwrap())
        .collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted, "visits come in time order");
}

#[test]
fn schedule_past_days_are_mostly_completed_with_some_misses() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let statuses = [
        "scheduled",
        "checked_in",
        "completed",
        "no_show",
        "cancelled",
    ];
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for date in [
        "2026-11-16",
        "2026-11-17",
        "2026-11-18",
        "2026-11-19",
        "2026-11-20",
        "2026-11-23",
        "2026-11-24",
        "2026-11-25",
        "2026-11-26",
    ] {
        for v in schedule_json(&env, &db, &["--date", date]) {
            let s = v["status"].as_str().unwrap();
            assert!(statuses.contains(&s), "{v}");
            assert!(v["start"].as_str().unwrap().starts_with(date));
            *counts.entry(s.to_string()).or_default() += 1;
            if s == "cancelled" {
                assert!(
                    v["cancel_reason"].is_string(),
                    "a cancelled visit has a reason: {v}"
                );
            }
        }
    }
    let completed = counts.get("completed").copied().unwrap_or(0);
    let missed =
        counts.get("no_show").copied().unwrap_or(0) + counts.get("cancelled").copied().unwrap_or(0);
    assert!(completed > missed, "{counts:?}");
    assert!(missed > 0, "{counts:?}");
    assert_eq!(counts.get("scheduled"), None, "{counts:?}");
}

#[test]
fn schedule_day_sheet_first_line() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let n = schedule_json(&env, &db, &[]).len();
    let out = ptclinic(&env, &["schedule", "--db", p(&db)]);
    assert_ok(&out);
    let first = stdout(&out).lines().next().unwrap_or_default().to_string();
    assert!(
        first.starts_with(&format!("Friday 27 November 2026: {n} visits (")),
        "{first:?}"
    );
    let out = ptclinic(&env, &["schedule", "--date", "2026-11-26", "--db", p(&db)]);
    assert_ok(&out);
    assert!(
        stdout(&out).starts_with("Thursday 26 November 2026: "),
        "{}",
        stdout(&out)
    );
}

#[test]
fn schedule_filters_by_therapist_initials_and_name() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let all = schedule_json(&env, &db, &[]);
    let initials: BTreeSet<&str> = all
        .iter()
        .map(|v| v["therapist_initials"].as_str().unwrap())
        .collect();
    assert!(initials.len() > 1, "several therapists work today");
    let mut total = 0;
    for ini in &initials {
        let mine = schedule_json(&env, &db, &["--therapist", ini]);
        assert!(!mine.is_empty());
        assert!(
            mine.iter().all(|v| v["therapist_initials"] == *ini),
            "{ini}: {mine:?}"
        );
        let expected: Vec<&Value> = all
            .iter()
            .filter(|v| v["therapist_initials"] == *ini)
            .collect();
        assert_eq!(mine.iter().collect::<Vec<_>>(), expected);
        total += mine.len();
        // The full name works too.
        let name = mine[0]["therapist"].as_str().unwrap();
        assert_eq!(schedule_json(&env, &db, &["--therapist", name]), mine);
    }
    assert_eq!(total, all.len());

    let out = ptclinic(
        &env,
        &["schedule", "--therapist", "Nobody Here", "--db", p(&db)],
    );
    assert_usage_error(&out, &["Nobody Here"]);
}

#[test]
fn schedule_rejects_an_impossible_date() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let before = read(&db);
    let out = ptclinic(&env, &["schedule", "--date", "2026-02-30", "--db", p(&db)]);
    assert_usage_error(&out, &["2026-02-30"]);
    let out = ptclinic_with(
        &env,
        &["schedule", "--db", p(&db)],
        &[("PTCLINIC_TODAY", "2026-13-01")],
    );
    assert_usage_error(&out, &["2026-13-01"]);
    assert_eq!(read(&db), before);
}

// ---------------------------------------------------------------------------------------------
// check-in

#[test]
fn check_in_by_appointment_id_writes_status_and_audit() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let visits = schedule_json(&env, &db, &[]);
    let v = &visits[visits.len() / 2];
    let id = v["id"].as_i64().unwrap();
    let out = ptclinic(
        &env,
        &[
            "check-in",
            "--appointment",
            &id.to_string(),
            "--user",
            "kiosk7",
            "--db",
            p(&db),
        ],
    );
    assert_ok(&out);
    let said = stdout(&out);
    assert!(said.starts_with("Checked in: "), "{said}");
    assert!(said.contains(v["patient"].as_str().unwrap()), "{said}");
    assert!(said.contains(&format!("appointment {id}")), "{said}");

    let after = schedule_json(&env, &db, &[]);
    for w in &after {
        let expected = if w["id"].as_i64() == Some(id) {
            "checked_in"
        } else {
            "scheduled"
        };
        assert_eq!(w["status"], expected, "{w}");
    }
    let checked = after.iter().find(|w| w["id"].as_i64() == Some(id)).unwrap();
    assert!(
        checked["checked_in_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-27T"),
        "{checked}"
    );

    let conn = rusqlite::Connection::open(&db).unwrap();
    let (action, user): (String, String) = conn
        .query_row(
            "SELECT action, user FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(action, "appointment.status");
    assert_eq!(user, "kiosk7");
}

#[test]
fn check_in_by_mrn_then_twice_is_harmless() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let visits = schedule_json(&env, &db, &[]);
    let v = single_visit_patient(&visits);
    let id = v["id"].as_i64().unwrap();
    let mrn = v["mrn"].as_str().unwrap();

    let out = ptclinic(&env, &["check-in", "--patient", mrn, "--db", p(&db)]);
    assert_ok(&out);
    assert!(stdout(&out).starts_with("Checked in: "), "{}", stdout(&out));
    assert!(stdout(&out).contains(&format!("MRN {mrn}")));
    let after = schedule_json(&env, &db, &[]);
    assert_eq!(status_of(&after, id), "checked_in");
    let arrived =
        after.iter().find(|w| w["id"].as_i64() == Some(id)).unwrap()["checked_in_at"].clone();

    let conn = rusqlite::Connection::open(&db).unwrap();
    let audit_rows = |c: &rusqlite::Connection| -> i64 {
        c.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
            .unwrap()
    };
    let rows = audit_rows(&conn);

    let out = ptclinic(&env, &["check-in", "--patient", mrn, "--db", p(&db)]);
    assert_ok(&out);
    assert!(
        stdout(&out).starts_with("Already checked in: "),
        "{}",
        stdout(&out)
    );
    let out = ptclinic(
        &env,
        &["check-in", "--appointment", &id.to_string(), "--db", p(&db)],
    );
    assert_ok(&out);
    assert!(
        stdout(&out).starts_with("Already checked in: "),
        "{}",
        stdout(&out)
    );

    let again = schedule_json(&env, &db, &[]);
    assert_eq!(status_of(&again, id), "checked_in");
    let still =
        again.iter().find(|w| w["id"].as_i64() == Some(id)).unwrap()["checked_in_at"].clone();
    assert_eq!(still, arrived, "the arrival time is kept");
    assert_eq!(
        audit_rows(&conn),
        rows,
        "a repeated check-in writes nothing"
    );
    assert_eq!(
        again.iter().filter(|w| w["status"] == "checked_in").count(),
        1
    );
}

#[test]
fn check_in_by_name_words() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let visits = schedule_json(&env, &db, &[]);
    // A patient whose "first-name-prefix last-name" query matches nobody else today.
    let names: BTreeSet<&str> = visits
        .iter()
        .map(|v| v["patient"].as_str().unwrap())
        .collect();
    let matches = |query: &str, name: &str| {
        let words: Vec<String> = name
            .to_lowercase()
            .split_whitespace()
            .map(String::from)
            .collect();
        query
            .to_lowercase()
            .split_whitespace()
            .all(|q| words.iter().any(|w| w.starts_with(q)))
    };
    let (query, name) = names
        .iter()
        .filter_map(|name| {
            let mut parts = name.split_whitespace();
            let first = parts.next()?;
            let last = parts.last()?;
            let q = format!("{} {}", &first[..first.len().min(3)], last);
            let hits = names.iter().filter(|n| matches(&q, n)).count();
            (hits == 1).then(|| (q, name.to_string()))
        })
        .next()
        .expect("some patient is identified by a short query");
    let out = ptclinic(&env, &["check-in", "--patient", &query, "--db", p(&db)]);
    assert_ok(&out);
    assert!(stdout(&out).contains(&name), "{query:?}: {}", stdout(&out));
    let after = schedule_json(&env, &db, &[]);
    for w in &after {
        assert_eq!(
            w["status"] == "checked_in",
            w["patient"] == name.as_str(),
            "{w}"
        );
    }
}

#[test]
fn check_in_ambiguous_patient_lists_the_candidates() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let visits = schedule_json(&env, &db, &[]);
    // A letter that starts a word in several different patients' names.
    let (letter, candidates) = ('a'..='z')
        .map(|c| {
            let mrns: BTreeSet<&str> = visits
                .iter()
                .filter(|v| {
                    v["patient"]
                        .as_str()
                        .unwrap()
                        .split_whitespace()
                        .any(|w| w.to_lowercase().starts_with(c))
                })
                .map(|v| v["mrn"].as_str().unwrap())
                .collect();
            (c, mrns)
        })
        .max_by_key(|(_, m)| m.len())
        .unwrap();
    assert!(candidates.len() >= 2, "need an ambiguous letter");
    let before = read(&db);
    let out = ptclinic(
        &env,
        &["check-in", "--patient", &letter.to_string(), "--db", p(&db)],
    );
    let err = assert_usage_error(&out, &["more than one patient"]);
    for mrn in &candidates {
        assert!(
            err.contains(&format!("MRN {mrn}")),
            "{mrn} missing from {err}"
        );
    }
    assert_eq!(read(&db), before, "nothing was written");
    assert!(
        schedule_json(&env, &db, &[])
            .iter()
            .all(|v| v["status"] == "scheduled")
    );
}

#[test]
fn check_in_refusals() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");

    let out = ptclinic(
        &env,
        &["check-in", "--patient", "Zzyzx Qqq", "--db", p(&db)],
    );
    assert_usage_error(&out, &["Zzyzx Qqq"]);

    let out = ptclinic(
        &env,
        &["check-in", "--appointment", "987654321", "--db", p(&db)],
    );
    assert_usage_error(&out, &["987654321"]);

    // A cancelled visit on an earlier day cannot be checked in.
    let cancelled = [
        "2026-11-26",
        "2026-11-25",
        "2026-11-24",
        "2026-11-23",
        "2026-11-20",
        "2026-11-19",
        "2026-11-18",
        "2026-11-17",
        "2026-11-16",
    ]
    .iter()
    .flat_map(|d| schedule_json(&env, &db, &["--date", d]))
    .find(|v| v["status"] == "cancelled")
    .expect("the demo has a cancelled visit in the last two weeks");
    let id = cancelled["id"].as_i64().unwrap();
    let date = &cancelled["start"].as_str().unwrap()[..10];
    let out = ptclinic(
        &env,
        &["check-in", "--appointment", &id.to_string(), "--db", p(&db)],
    );
    assert_code(&out, 2);
    assert!(stderr(&out).starts_with("ptclinic: "), "{}", stderr(&out));
    assert_eq!(
        status_of(&schedule_json(&env, &db, &["--date", date]), id),
        "cancelled"
    );

    // Neither --appointment nor --patient is a usage error.
    let out = ptclinic(&env, &["check-in", "--db", p(&db)]);
    assert_code(&out, 2);
}

/// The first visit with `status` on the days before today, newest day first.
fn past_visit(env: &EnvDirs, db: &Path, status: &str) -> Value {
    let today = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    (1..15)
        .map(|back| (today - chrono::Duration::days(back)).to_string())
        .flat_map(|d| schedule_json(env, db, &["--date", &d]))
        .find(|v| v["status"] == status)
        .unwrap_or_else(|| panic!("the demo has a past {status} visit"))
}

#[test]
fn check_in_refuses_a_past_completed_visit_and_any_later_day() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let before = read(&db);

    // A completed visit of an earlier day keeps its arrival time and its status.
    let done = past_visit(&env, &db, "completed");
    let id = done["id"].as_i64().unwrap().to_string();
    let out = ptclinic(&env, &["check-in", "--appointment", &id, "--db", p(&db)]);
    let err = assert_usage_error(&out, &["earlier day", "completed"]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(read(&db), before);

    // A scheduled visit of an earlier day is not checked in either.
    let today = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    let later = schedule_json(&env, &db, &["--date", &tomorrow]);
    let later = later.first().expect("the demo has visits tomorrow");
    let later_id = later["id"].as_i64().unwrap().to_string();
    let out = ptclinic(
        &env,
        &["check-in", "--appointment", &later_id, "--db", p(&db)],
    );
    assert_usage_error(&out, &["only today's visits", "later day"]);
    assert_eq!(read(&db), before);

    // --date in the future is refused before anything is looked up.
    let mrn = later["mrn"].as_str().unwrap();
    let out = ptclinic(
        &env,
        &[
            "check-in",
            "--patient",
            mrn,
            "--date",
            &tomorrow,
            "--db",
            p(&db),
        ],
    );
    assert_usage_error(&out, &["--date", &tomorrow, "later day"]);
    assert_eq!(read(&db), before);
}

// ---------------------------------------------------------------------------------------------
// init and staff

#[test]
fn init_then_staff_add_and_list() {
    let env = EnvDirs::new();
    let db = env.path("clinic.db");
    let out = ptclinic(&env, &["init", "--db", p(&db)]);
    assert_ok(&out);
    assert!(db.is_file());

    let out = ptclinic(&env, &["staff", "list", "--json", "--db", p(&db)]);
    assert_ok(&out);
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&out)).unwrap(),
        serde_json::json!([])
    );

    let out = ptclinic(
        &env,
        &[
            "staff",
            "add",
            "--name",
            "Dana Whitfield",
            "--initials",
            "DW",
            "--role",
            "therapist",
            "--username",
            "dwhit",
            "--db",
            p(&db),
        ],
    );
    assert_ok(&out);
    let out = ptclinic(
        &env,
        &[
            "staff",
            "add",
            "--name",
            "Rob Front",
            "--initials",
            "RF",
            "--role",
            "front_desk",
            "--db",
            p(&db),
        ],
    );
    assert_ok(&out);

    let out = ptclinic(&env, &["staff", "list", "--json", "--db", p(&db)]);
    assert_ok(&out);
    let staff: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(staff.len(), 2, "{staff:?}");
    let dana = staff
        .iter()
        .find(|s| s["initials"] == "DW")
        .expect("DW listed");
    assert_eq!(dana["name"], "Dana Whitfield");
    assert_eq!(dana["role"], "therapist");
    assert_eq!(dana["username"], "dwhit");
    assert!(dana["id"].as_i64().is_some());
    let rob = staff
        .iter()
        .find(|s| s["initials"] == "RF")
        .expect("RF listed");
    assert_eq!(rob["role"], "front_desk");
    assert!(rob["username"].is_null());
    for s in &staff {
        let keys: BTreeSet<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from(["id", "name", "initials", "role", "username"])
        );
    }

    // An empty clinic has an empty day.
    assert!(schedule_json(&env, &db, &[]).is_empty());

    // init refuses an existing record and leaves it alone.
    let before = read(&db);
    let out = ptclinic(&env, &["init", "--db", p(&db)]);
    assert_usage_error(&out, &[p(&db), "already exists"]);
    assert_eq!(read(&db), before);
}

#[test]
fn staff_add_refuses_duplicate_initials() {
    let env = EnvDirs::new();
    let db = env.path("clinic.db");
    assert_ok(&ptclinic(&env, &["init", "--db", p(&db)]));
    let add = |name: &str, ini: &str| {
        ptclinic(
            &env,
            &[
                "staff",
                "add",
                "--name",
                name,
                "--initials",
                ini,
                "--role",
                "therapist",
                "--db",
                p(&db),
            ],
        )
    };
    assert_ok(&add("Dana Whitfield", "DW"));
    let out = add("Derek Wong", "DW");
    assert_usage_error(&out, &["DW"]);
    // Initials are compared without regard to case.
    let out = add("Derek Wong", "dw");
    assert_code(&out, 2);
    let out = ptclinic(&env, &["staff", "list", "--json", "--db", p(&db)]);
    let staff: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(staff.len(), 1, "{staff:?}");
}

#[test]
fn init_needs_a_db_path() {
    let env = EnvDirs::new();
    let out = ptclinic(&env, &["init"]);
    assert_usage_error(&out, &["--db"]);
    assert!(!env.sub("data").join("ptclinic").join("demo.db").exists());
}

// ---------------------------------------------------------------------------------------------
// database resolution

#[test]
fn db_comes_from_env_then_config_file() {
    let env = EnvDirs::new();
    let a = small_demo(&env, "a.db");
    let mut args = vec!["demo", "--db", "", "--seed", "5"];
    let b = env.path("b.db");
    args[2] = p(&b);
    args.extend_from_slice(SMALL);
    assert_ok(&ptclinic(&env, &args));
    let ja = schedule_json(&env, &a, &[]);
    let jb = schedule_json(&env, &b, &[]);
    assert_ne!(ja, jb);

    let run = |extra: &[(&str, &str)]| {
        let out = ptclinic_with(&env, &["schedule", "--json"], extra);
        assert_ok(&out);
        serde_json::from_str::<Vec<Value>>(&stdout(&out)).unwrap()
    };
    assert_eq!(run(&[("PTCLINIC_DB", p(&a))]), ja);

    let cfg = env.sub("config").join("ptclinic");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), format!("db = {:?}\n", p(&b))).unwrap();
    assert_eq!(run(&[]), jb, "config file");
    assert_eq!(run(&[("PTCLINIC_DB", p(&a))]), ja, "env beats config");
    let out = ptclinic_with(
        &env,
        &["schedule", "--json", "--db", p(&b)],
        &[("PTCLINIC_DB", p(&a))],
    );
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&stdout(&out)).unwrap(),
        jb,
        "flag beats env"
    );
}

#[test]
fn without_any_db_the_demo_clinic_is_built_in_the_data_folder() {
    let env = EnvDirs::new();
    let out = ptclinic(&env, &["schedule", "--json"]);
    assert_ok(&out);
    let demo = env.sub("data").join("ptclinic").join("demo.db");
    assert!(demo.is_file(), "demo built at {}", demo.display());
    let visits: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(!visits.is_empty());
    assert!(visits.iter().all(|v| v["status"] == "scheduled"));
}

// ---------------------------------------------------------------------------------------------
// opening errors: exit 2, the path named, nothing created or changed

#[test]
fn open_error_folder_missing() {
    let env = EnvDirs::new();
    let db = env.path("nonexistent-dir").join("clinic.db");
    for args in [
        vec!["schedule", "--db", p(&db)],
        vec!["check-in", "--appointment", "1", "--db", p(&db)],
        vec!["staff", "list", "--db", p(&db)],
        vec!["init", "--db", p(&db)],
        vec!["demo", "--db", p(&db)],
    ] {
        let out = ptclinic(&env, &args);
        assert_usage_error(&out, &["does not exist", p(&db)]);
        assert!(
            !env.path("nonexistent-dir").exists(),
            "{args:?} created the folder"
        );
    }
}

#[test]
fn open_error_no_file_is_not_created() {
    let env = EnvDirs::new();
    let db = env.path("clinic.db");
    for args in [
        vec!["schedule", "--db", p(&db)],
        vec!["schedule", "--json", "--db", p(&db)],
        vec!["check-in", "--patient", "x", "--db", p(&db)],
        vec!["staff", "list", "--db", p(&db)],
        vec![
            "staff",
            "add",
            "--name",
            "A B",
            "--initials",
            "AB",
            "--role",
            "therapist",
            "--db",
            p(&db),
        ],
    ] {
        let out = ptclinic(&env, &args);
        assert_usage_error(&out, &["no clinic database at", p(&db), "init", "demo"]);
        assert!(
            entries(&env.sub("work")).is_empty(),
            "{args:?} left {:?}",
            entries(&env.sub("work"))
        );
    }
    // Through the environment too.
    let out = ptclinic_with(&env, &["schedule"], &[("PTCLINIC_DB", p(&db))]);
    assert_usage_error(&out, &["no clinic database at", p(&db)]);
    assert!(!db.exists());
}

#[test]
fn open_error_text_file() {
    let env = EnvDirs::new();
    let db = env.path("notes.db");
    let content = b"This is a shopping list, not a database.\n".repeat(10);
    std::fs::write(&db, &content).unwrap();
    for args in [
        vec!["schedule", "--db", p(&db)],
        vec!["check-in", "--appointment", "1", "--db", p(&db)],
    ] {
        assert_usage_error(
            &ptclinic(&env, &args),
            &["is not a SQLite database", p(&db)],
        );
        assert_eq!(read(&db), content);
    }
    // A tiny file too.
    std::fs::write(&db, b"hi").unwrap();
    assert_usage_error(
        &ptclinic(&env, &["schedule", "--db", p(&db)]),
        &["is not a SQLite database"],
    );
    assert_eq!(read(&db), b"hi");
    assert_eq!(
        entries(&env.sub("work")),
        BTreeSet::from(["notes.db".to_string()])
    );
}

#[test]
fn open_error_foreign_sqlite_file() {
    let env = EnvDirs::new();
    let db = env.path("other.sqlite");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (42);")
            .unwrap();
    }
    let before = read(&db);
    for args in [
        vec!["schedule", "--db", p(&db)],
        vec![
            "staff",
            "add",
            "--name",
            "A B",
            "--initials",
            "AB",
            "--role",
            "therapist",
            "--db",
            p(&db),
        ],
    ] {
        assert_usage_error(
            &ptclinic(&env, &args),
            &["not a ptclinic clinic record", p(&db)],
        );
        assert_eq!(read(&db), before);
    }
    assert_eq!(
        entries(&env.sub("work")),
        BTreeSet::from(["other.sqlite".to_string()])
    );
}

#[test]
fn open_error_newer_schema() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = read(&db);
    for args in [
        vec!["schedule", "--db", p(&db)],
        vec!["check-in", "--appointment", "1", "--db", p(&db)],
        vec!["staff", "list", "--json", "--db", p(&db)],
    ] {
        assert_usage_error(&ptclinic(&env, &args), &["newer ptclinic", p(&db)]);
        assert_eq!(read(&db), before, "{args:?} changed the file");
    }
    assert_eq!(
        entries(&env.sub("work")),
        BTreeSet::from(["clinic.db".to_string()])
    );
}

#[test]
fn open_error_a_folder() {
    let env = EnvDirs::new();
    let db = env.path("folder.db");
    std::fs::create_dir(&db).unwrap();
    let out = ptclinic(&env, &["schedule", "--db", p(&db)]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains(p(&db)), "{}", stderr(&out));
}

#[test]
fn tui_reports_a_missing_db_before_taking_the_screen() {
    let env = EnvDirs::new();
    let db = env.path("clinic.db");
    let out = ptclinic(&env, &["--db", p(&db)]);
    let err = assert_usage_error(&out, &["no clinic database at", p(&db), "init", "demo"]);
    assert!(!err.contains('\x1b'), "no escape sequences: {err:?}");
    assert!(!db.exists());

    let missing = env.path("nope").join("clinic.db");
    let out = ptclinic(&env, &["--db", p(&missing)]);
    assert_usage_error(&out, &["does not exist", p(&missing)]);
}

#[test]
fn bad_config_file_is_a_usage_error() {
    let env = EnvDirs::new();
    let cfg = env.sub("config").join("ptclinic");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "databse = \"/x.db\"\n").unwrap();
    let out = ptclinic(&env, &["schedule"]);
    assert_usage_error(&out, &["config.toml"]);
    assert!(!env.sub("data").join("ptclinic").exists());
}

#[test]
fn doctor_names_a_missing_index_and_the_schedule_fails_with_one_sentence() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let out = ptclinic(&env, &["doctor", "--json", "--db", p(&db)]);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let indexes = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "indexes")
        .expect("an indexes check");
    assert_eq!(indexes["status"], "ok", "{indexes}");

    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("DROP INDEX patients_schedule").unwrap();
    drop(conn);
    let out = ptclinic(&env, &["doctor", "--db", p(&db)]);
    assert_code(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("missing patients_schedule: the schedule cannot be read without them"),
        "{text}"
    );
    // The schedule says what is wrong in one line, without a backtrace.
    let out = ptclinic(&env, &["schedule", "--db", p(&db)]);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A record of the first release (schema 1: without the day's covering indexes) is upgraded in
/// place by the next command, which says so first: on a large clinic it takes seconds.
#[test]
fn a_first_release_record_is_upgraded_by_the_next_start_which_says_so() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let before = schedule_json(&env, &db, &[]);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP INDEX appointments_day; DROP INDEX patients_schedule;
         DROP INDEX visit_notes_progress; PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);

    let out = ptclinic(&env, &["schedule", "--json", "--db", p(&db)]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("Upgrading the clinic record at"),
        "{}",
        stderr(&out)
    );
    let after: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(after, before, "the same day, flags and all");
    // Once upgraded, nothing more is said.
    let out = ptclinic(&env, &["schedule", "--db", p(&db)]);
    assert_ok(&out);
    assert!(!stderr(&out).contains("Upgrading"), "{}", stderr(&out));
    let out = ptclinic(&env, &["doctor", "--db", p(&db)]);
    let report = stdout(&out);
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("ok") && l.contains("indexes")),
        "{report}"
    );
}

// ---------------------------------------------------------------------------------------------
// bounded, clean input

/// Asserts a refusal whose message is one short line: never the whole of what was typed.
#[track_caller]
fn assert_short_refusal(out: &Output, needles: &[&str]) -> String {
    let err = assert_usage_error(out, needles);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.chars().count() < 400, "{} characters: {err}", err.len());
    assert!(!err.contains('\u{1b}'), "{err:?}");
    err
}

#[test]
fn messages_echo_at_most_about_80_characters_of_what_was_typed() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let before = read(&db);
    let huge = "2026-11-27".repeat(12_000);
    let mut cases: Vec<Vec<&str>> = vec![
        vec!["schedule", "--date", &huge],
        vec!["check-in", "--patient", &huge],
        vec!["check-in", "--patient", "x", "--date", &huge],
        vec!["schedule", "--therapist", &huge],
        vec!["export", "ical", "--therapist", &huge],
        vec!["export", "ical", "--therapist", "x", "--to", &huge],
        vec![
            "record",
            "--patient",
            &huge,
            "--measure",
            "NPRS",
            "--value",
            "3",
        ],
        vec![
            "record",
            "--patient",
            "1",
            "--measure",
            &huge,
            "--value",
            "3",
        ],
        vec![
            "record",
            "--patient",
            "1",
            "--measure",
            "NPRS",
            "--value",
            &huge,
        ],
        vec![
            "record",
            "--patient",
            "1",
            "--measure",
            "NPRS",
            "--value",
            "3",
            "--date",
            &huge,
        ],
        vec!["exercises", "--region", &huge],
        vec!["exercises", "--limit", &huge],
    ];
    for args in &mut cases {
        args.extend(["--db", p(&db)]);
        let err = assert_short_refusal(&ptclinic(&env, args), &[]);
        assert!(err.contains('…'), "{args:?}: {err}");
    }
    assert_eq!(read(&db), before);

    // Escape sequences typed into a value never reach the terminal.
    let out = ptclinic(
        &env,
        &[
            "schedule",
            "--date",
            "2026-\u{1b}[2J11-27\u{202E}",
            "--db",
            p(&db),
        ],
    );
    assert_short_refusal(&out, &["--date", "2026-[2J11-27"]);
    assert_eq!(read(&db), before);
}

#[test]
fn an_empty_schema_version_is_one_short_sentence_not_the_schema() {
    let env = EnvDirs::new();
    let db = env.path("clinic.db");
    assert_ok(&ptclinic(&env, &["init", "--db", p(&db)]));
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 0)
        .unwrap();
    let before = read(&db);
    let out = ptclinic(&env, &["schedule", "--db", p(&db)]);
    assert_code(&out, 1);
    let err = stderr(&out);
    let said = err.lines().last().unwrap_or_default();
    assert!(said.starts_with("ptclinic: database error at"), "{err}");
    assert!(err.len() < 600, "{} bytes: {err}", err.len());
    assert!(!err.contains("CREATE TABLE"), "{err}");
    assert_eq!(read(&db), before);
}

#[test]
fn the_user_is_a_short_plain_name() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let before = read(&db);
    let long = "u".repeat(65);
    for user in ["", "   ", &long, "kiosk\u{1b}[2J", "ana\u{202E}"] {
        let out = ptclinic(&env, &["schedule", "--user", user, "--db", p(&db)]);
        assert_short_refusal(&out, &["--user"]);
    }
    let out = ptclinic_with(
        &env,
        &["schedule", "--db", p(&db)],
        &[("PTCLINIC_USER", &long)],
    );
    assert_short_refusal(&out, &["PTCLINIC_USER", "64 characters"]);
    assert_eq!(read(&db), before);
    // 64 characters is a name.
    let ok = "u".repeat(64);
    assert_ok(&ptclinic(
        &env,
        &["schedule", "--user", &ok, "--db", p(&db)],
    ));
}

#[test]
fn staff_names_and_usernames_are_bounded_and_plain() {
    let env = EnvDirs::new();
    let db = env.path("clinic.db");
    assert_ok(&ptclinic(&env, &["init", "--db", p(&db)]));
    let before = read(&db);
    let add = |name: &str, username: &str| {
        ptclinic(
            &env,
            &[
                "staff",
                "add",
                "--name",
                name,
                "--initials",
                "SL",
                "--role",
                "therapist",
                "--username",
                username,
                "--db",
                p(&db),
            ],
        )
    };
    let long = "n".repeat(65);
    assert_short_refusal(&add(&long, "slee"), &["--name", "64 characters"]);
    assert_short_refusal(&add("Sam\u{1b}[31m Lee", "slee"), &["--name", "control"]);
    assert_short_refusal(&add("Sam Lee", &long), &["--username", "64 characters"]);
    assert_short_refusal(&add("Sam Lee", "s\tlee"), &["--username", "control"]);
    assert_eq!(read(&db), before, "nothing stored");
}

#[test]
fn a_therapist_name_that_fits_two_people_lists_both() {
    let env = EnvDirs::new();
    let db = env.path("clinic.db");
    assert_ok(&ptclinic(&env, &["init", "--db", p(&db)]));
    for initials in ["SL", "SM"] {
        assert_ok(&ptclinic(
            &env,
            &[
                "staff",
                "add",
                "--name",
                "Sam Lee",
                "--initials",
                initials,
                "--role",
                "therapist",
                "--db",
                p(&db),
            ],
        ));
    }
    let out_file = env.path("sam.ics");
    let out = ptclinic(
        &env,
        &[
            "export",
            "ical",
            "--therapist",
            "sam lee",
            "--out",
            p(&out_file),
            "--db",
            p(&db),
        ],
    );
    assert_short_refusal(&out, &["more than one", "Sam Lee (SL)", "Sam Lee (SM)"]);
    assert!(!out_file.exists());
    let out = ptclinic(
        &env,
        &["schedule", "--therapist", "Sam Lee", "--db", p(&db)],
    );
    assert_short_refusal(&out, &["Sam Lee (SL)", "Sam Lee (SM)"]);
}

#[test]
fn dates_outside_1900_to_2100_are_refused() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let before = read(&db);
    let calendar = env.path("ar.ics");
    for args in [
        vec!["schedule", "--date", "2101-01-01"],
        vec!["check-in", "--patient", "x", "--date", "1899-12-31"],
        vec![
            "record",
            "--patient",
            "1",
            "--measure",
            "NPRS",
            "--value",
            "3",
            "--date",
            "1899-12-31",
        ],
        vec![
            "export",
            "ical",
            "--therapist",
            "x",
            "--to",
            "2101-01-01",
            "--out",
            p(&calendar),
        ],
        vec![
            "export",
            "ical",
            "--therapist",
            "x",
            "--from",
            "1000-01-01",
            "--out",
            p(&calendar),
        ],
    ] {
        let mut args = args.clone();
        args.extend(["--db", p(&db)]);
        assert_short_refusal(&ptclinic(&env, &args), &["1900 to 2100"]);
    }
    assert!(
        !calendar.exists(),
        "no calendar that would wipe phones' copies"
    );
    assert_eq!(read(&db), before);
}

#[test]
fn negative_numbers_to_numeric_flags_say_the_range() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let before = read(&db);
    for (args, range) in [
        (vec!["exercises", "--limit", "-3"], "from 1 to"),
        (vec!["backup", "--keep", "-1"], "from 1 to"),
        (vec!["check-in", "--appointment", "-7"], "from 1 to"),
        (vec!["--idle-lock", "-5", "schedule"], "from 0 to 1440"),
        (
            vec!["demo", "--force", "--weeks-back", "-2"],
            "from 0 to 1040",
        ),
        (
            vec!["demo", "--force", "--patients", "-60"],
            "from 1 to 200000",
        ),
    ] {
        let mut args = args.clone();
        args.extend(["--db", p(&db)]);
        let flag = args[args
            .iter()
            .position(|a| a.starts_with('-') && a[1..].parse::<i64>().is_ok())
            .unwrap()
            - 1];
        assert_short_refusal(&ptclinic(&env, &args), &[flag, range, "whole number"]);
    }
    // The other values a flag refuses are one sentence too.
    let out = ptclinic(&env, &["schedule", "--db", ""]);
    assert_short_refusal(&out, &["--db needs a value"]);
    let out = ptclinic(
        &env,
        &[
            "report",
            "progress",
            "--patient",
            "1",
            "--format",
            "xml",
            "--db",
            p(&db),
        ],
    );
    assert_short_refusal(&out, &["--format takes one of text, markdown, html, json"]);
    assert_eq!(read(&db), before);
}

#[test]
fn paths_in_messages_are_cleaned_and_bounded() {
    let env = EnvDirs::new();
    let dir = env.sub("work");
    let sneaky = dir.join(format!(
        "{}\u{1b}]0;pwned\u{7}clinic\u{202E}.db",
        "d".repeat(200)
    ));
    let out = ptclinic(&env, &["schedule", "--db", sneaky.to_str().unwrap()]);
    let err = assert_usage_error(&out, &["no clinic database at", "clinic.db"]);
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{202E}') && !err.contains('\u{7}'),
        "{err:?}"
    );
    assert!(
        !err.contains(&"d".repeat(100)),
        "the path is bounded: {err}"
    );
    assert!(!sneaky.exists());
}
