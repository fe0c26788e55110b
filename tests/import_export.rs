//! CSV imports (all or nothing, every bad line reported), FHIR R4 export checked against the
//! R4 structure of each resource, and iCalendar export (folding, escaping, CRLF), all through
//! the real binary with a clean environment.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod common;

use common::{EnvDirs, assert_code, stderr, stdout};

/// Runs the binary with a clean, pinned environment (UTC, so calendar times are predictable).
fn ptclinic(env: &EnvDirs, args: &[&str]) -> Output {
    common::ptclinic_with(env, args, &[("PTCLINIC_USER", "tester"), ("TZ", "UTC")])
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// A small demo clinic (60 patients, 6 therapists and a front-desk person).
fn small_demo(env: &EnvDirs) -> PathBuf {
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

/// An empty clinic with two therapists (AR, BK) and a front-desk person (FD).
fn empty_clinic(env: &EnvDirs) -> PathBuf {
    let db = env.path("empty.db");
    assert_code(&ptclinic(env, &["init", "--db", p(&db)]), 0);
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

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn count(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn import(env: &EnvDirs, db: &Path, what: &str, file: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["import", what, p(file), "--db", p(db)];
    args.extend_from_slice(extra);
    ptclinic(env, &args)
}

/// Exit 2, nothing on stdout, a one-line summary, then `line N: reason` for each bad line;
/// returns the reasons by line.
#[track_caller]
fn refused(out: &Output, bad_lines: usize) -> HashMap<u64, String> {
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

fn fhir_bundle(env: &EnvDirs, db: &Path, mrn: &str) -> Value {
    let out = ptclinic(env, &["export", "fhir", "--patient", mrn, "--db", p(db)]);
    assert_code(&out, 0);
    serde_json::from_str(&stdout(&out)).expect("bundle JSON")
}

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

// ---------------------------------------------------------------- imports

#[test]
fn template_prints_the_header_line() {
    let env = EnvDirs::new();
    let out = ptclinic(&env, &["import", "patients", "--template"]);
    assert_code(&out, 0);
    assert!(stdout(&out).starts_with("mrn,first_name,last_name,date_of_birth,"));
    let out = ptclinic(&env, &["import", "appointments", "--template"]);
    assert_eq!(
        stdout(&out),
        "mrn,therapist,start,minutes,kind,status,cancel_reason,room\n"
    );
    let out = ptclinic(&env, &["import", "exercises", "--template"]);
    assert!(stdout(&out).starts_with("name,region,category,equipment,instructions,aliases"));
}

#[test]
fn bom_semicolons_quotes_and_any_column_order_import_and_round_trip_to_fhir() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let out = import(
        &env,
        &db,
        "patients",
        &fixture("patients_semicolon_bom.csv"),
        &[],
    );
    assert_code(&out, 0);
    assert!(stderr(&out).contains("3 rows"), "{}", stderr(&out));
    assert_eq!(count(&db, "patients"), 3);

    let b = fhir_bundle(&env, &db, "A-1001");
    let patient = resources(&b, "Patient")[0];
    assert_eq!(patient["identifier"][0]["value"], "A-1001");
    assert_eq!(patient["name"][0]["family"], "Okafor");
    assert_eq!(patient["name"][0]["given"][0], "Ada");
    assert_eq!(patient["birthDate"], "1961-04-02");
    assert_eq!(patient["telecom"][0]["value"], "(555) 010-2233");
    assert_eq!(patient["telecom"][1]["value"], "ada@example.org");
    let condition = resources(&b, "Condition")[0];
    assert_eq!(condition["code"]["coding"][0]["code"], "M17.11");
    assert_eq!(
        condition["code"]["text"],
        "Primary osteoarthritis, right knee; chronic"
    );

    let b = fhir_bundle(&env, &db, "A-1002");
    let patient = resources(&b, "Patient")[0];
    assert_eq!(patient["name"][0]["family"], "Smith, Jr.");
    assert_eq!(patient["name"][0]["given"][0], "Jean \"JJ\"");
    // No diagnosis, no Condition.
    let b = fhir_bundle(&env, &db, "A-1003");
    assert!(resources(&b, "Condition").is_empty());

    // One audit row for the whole import.
    assert_eq!(count(&db, "audit_log WHERE action = 'import.patients'"), 1);
}

#[test]
fn every_bad_row_is_listed_and_nothing_is_imported() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let out = import(&env, &db, "patients", &fixture("patients_bad.csv"), &[]);
    let lines = refused(&out, 5);
    assert!(stderr(&out).contains("nothing was imported"));
    assert!(lines[&2].contains("date_of_birth \"1980-02-30\" is not a real date"));
    assert!(lines[&4].contains("\"B-2\" is already on line 3"));
    let five = &lines[&5];
    for needle in [
        "first_name is empty",
        "phone",
        "email",
        "body_region \"neck\"",
    ] {
        assert!(five.contains(needle), "{five}");
    }
    assert!(lines[&6].contains("8 fields where the header has 7"));
    assert!(lines[&6].contains("double quotes"));
    assert!(lines[&7].contains("not in the past"));
    assert_eq!(count(&db, "patients"), 0);
    assert_eq!(
        count(&db, "audit_log WHERE action LIKE 'import.%'"),
        0,
        "a refused import leaves no audit row"
    );
}

#[test]
fn a_missing_column_the_wrong_delimiter_an_empty_file_and_a_header_only_are_refused() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "missing.csv",
            b"mrn,first_name,date_of_birth\n1,Ann,1980-01-01\n",
            "missing column(s): last_name",
        ),
        (
            "unknown.csv",
            b"mrn,first_name,last_name,date_of_birth,shoe_size\n1,A,B,1980-01-01,9\n",
            "unknown column(s): shoe_size",
        ),
        (
            "tabs.csv",
            b"mrn\tfirst_name\tlast_name\tdate_of_birth\n1\tA\tB\t1980-01-01\n",
            "tabs",
        ),
        (
            "pipes.csv",
            b"mrn|first_name|last_name|date_of_birth\n1|A|B|1980-01-01\n",
            "separated by commas or semicolons",
        ),
        ("empty.csv", b"", "the file is empty"),
        ("bom_only.csv", b"\xEF\xBB\xBF\r\n", "the file is empty"),
        (
            "header_only.csv",
            b"\xEF\xBB\xBFmrn,first_name,last_name,date_of_birth\r\n",
            "only a header",
        ),
        ("utf16.csv", b"\xFF\xFEm\0r\0n\0", "UTF-16"),
    ];
    for (name, bytes, needle) in cases {
        let file = env.file(name, bytes);
        let out = import(&env, &db, "patients", &file, &[]);
        let lines = refused(&out, 1);
        assert!(lines[&1].contains(needle), "{name}: {lines:?}");
    }
    // A Latin-1 row is named; the good rows around it are not imported either.
    let file = env.file(
        "latin1.csv",
        b"mrn,first_name,last_name,date_of_birth\n1,Ann,Lee,1980-01-01\n2,Ren\xe9,Roy,1981-01-01\n",
    );
    let lines = refused(&import(&env, &db, "patients", &file, &[]), 1);
    assert!(lines[&3].contains("UTF-8"));
    assert_eq!(count(&db, "patients"), 0);
    // Line numbers are the file's own, blank lines and multi-line quoted fields counted.
    let file = env.file(
        "lines.csv",
        "mrn,first_name,last_name,date_of_birth\r\n\r\n1,\"Ann\nMarie\",Lee,1980-01-01\r\n\r\n2,Bo,Ng,1980-02-30\r\n",
    );
    let lines = refused(&import(&env, &db, "patients", &file, &[]), 1);
    assert!(lines[&6].contains("1980-02-30"), "{lines:?}");
}

#[test]
fn an_existing_mrn_needs_update_and_dry_run_writes_nothing() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let first = env.file(
        "p1.csv",
        "mrn,first_name,last_name,date_of_birth,phone,payer\n7,Ann,Lee,1980-01-01,555-0100 22,Aetna\n",
    );
    let out = import(&env, &db, "patients", &first, &["--dry-run"]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("nothing was written"));
    assert_eq!(count(&db, "patients"), 0);
    assert_code(&import(&env, &db, "patients", &first, &[]), 0);

    let second = env.file(
        "p2.csv",
        "mrn,first_name,last_name,date_of_birth,phone,payer\n7,Ann,Lee-Park,1980-01-01,,Medicare\n8,Bo,Ng,1990-03-03,,\n",
    );
    let lines = refused(&import(&env, &db, "patients", &second, &[]), 1);
    assert!(lines[&2].contains("already exists (use --update"));
    assert_eq!(count(&db, "patients"), 1);
    // A dry run reports the same refusal, and a good dry run with --update changes nothing.
    let out = import(&env, &db, "patients", &second, &["--dry-run"]);
    assert!(stderr(&refused_ok(out)).contains("would fail"));
    assert_code(
        &import(&env, &db, "patients", &second, &["--update", "--dry-run"]),
        0,
    );
    assert_eq!(count(&db, "patients"), 1);

    let out = import(&env, &db, "patients", &second, &["--update"]);
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("1 new, 1 updated"),
        "{}",
        stderr(&out)
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (last, phone, payer, version): (String, Option<String>, String, i64) = conn
        .query_row(
            "SELECT last_name, phone, payer, version FROM patients WHERE mrn = '7'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(last, "Lee-Park");
    assert_eq!(
        phone.as_deref(),
        Some("555-0100 22"),
        "an empty cell keeps the value"
    );
    assert_eq!(payer, "Medicare");
    assert_eq!(version, 2);
}

fn refused_ok(out: Output) -> Output {
    refused(&out, 1);
    out
}

#[test]
fn appointments_import_checks_patients_therapists_times_and_words() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let patients = env.file(
        "p.csv",
        "mrn,first_name,last_name,date_of_birth\n7,Ann,Lee,1980-01-01\n8,Bo,Ng,1990-03-03\n",
    );
    assert_code(&import(&env, &db, "patients", &patients, &[]), 0);
    let bad = env.file(
        "a_bad.csv",
        "mrn,therapist,start,minutes,kind,status\n\
         9,AR,2026-12-01 08:00,30,treatment,\n\
         7,Zed,2026-12-01 08:00,30,treatment,\n\
         7,FD,2026-12-01 09:00,30,treatment,\n\
         7,AR,2026-12-01 8am,30,treatment,\n\
         7,AR,2026-12-01 10:00,2,treatment,\n\
         7,AR,2026-12-01 11:00,30,massage,\n\
         7,AR,2026-12-01 12:00,30,treatment,arrived\n\
         8,AR,2026-12-01 08:00,30,treatment,\n\
         8,BK,2026-12-01T08:00,30,evaluation,\n",
    );
    let lines = refused(&import(&env, &db, "appointments", &bad, &[]), 8);
    assert!(lines[&2].contains("mrn \"9\" is not a patient here"));
    assert!(lines[&3].contains("therapist \"Zed\" is not on the staff"));
    assert!(lines[&4].contains("not a therapist"));
    assert!(lines[&5].contains("not a date and time"));
    assert!(lines[&6].contains("minutes \"2\""));
    assert!(lines[&7].contains("kind \"massage\""));
    assert!(lines[&8].contains("status \"arrived\""));
    assert!(lines[&10].contains("already on line 9"));
    assert_eq!(count(&db, "appointments"), 0);

    let good = env.file(
        "a.csv",
        "MRN,Therapist,Start,Minutes,Kind,Status,Room\n\
         7,ar,2026-12-01 08:00,45,Evaluation,,2\n\
         7,Ana Ruiz,2026-12-03T08:00,30,treatment,scheduled,\n\
         8,BK,2026-12-01 09:15,30,re-evaluation,cancelled,\n\
         8,BK,2026-11-20 09:15,30,treatment,completed,\n",
    );
    assert_code(&import(&env, &db, "appointments", &good, &[]), 0);
    assert_eq!(count(&db, "appointments"), 4);
    let lines = refused(&import(&env, &db, "appointments", &good, &[]), 4);
    assert!(lines[&2].contains("already has a visit at 2026-12-01 08:00"));
    let out = import(&env, &db, "appointments", &good, &["--update"]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("0 new, 4 updated"));
    assert_eq!(count(&db, "appointments"), 4);
    // The FHIR status words follow CLINICAL.md.
    let b = fhir_bundle(&env, &db, "8");
    let statuses: BTreeSet<&str> = resources(&b, "Appointment")
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, BTreeSet::from(["cancelled", "fulfilled"]));
}

#[test]
fn appointments_import_refuses_later_visits_that_already_happened() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let patients = env.file(
        "p.csv",
        "mrn,first_name,last_name,date_of_birth\n7,Ann,Lee,1980-01-01\n",
    );
    assert_code(&import(&env, &db, "patients", &patients, &[]), 0);
    let before = std::fs::read(&db).unwrap();
    // Today is 2026-11-27 (common::TODAY).
    let bad = env.file(
        "later.csv",
        "mrn,therapist,start,minutes,kind,status\n\
         7,AR,2026-11-27 08:00,30,treatment,completed\n\
         7,AR,2026-11-28 08:00,30,treatment,completed\n\
         7,AR,2026-11-28 09:00,30,treatment,checked_in\n\
         7,AR,2026-12-01 09:00,30,treatment,no_show\n\
         7,AR,2026-12-01 10:00,30,treatment,scheduled\n\
         7,AR,2026-12-01 11:00,30,treatment,cancelled\n\
         7,AR,2200-12-01 11:00,30,treatment,\n\
         7,AR,1899-12-31 11:00,30,treatment,completed\n",
    );
    let lines = refused(&import(&env, &db, "appointments", &bad, &[]), 5);
    for line in [3, 4, 5] {
        assert!(
            lines[&line].contains("later day"),
            "line {line}: {}",
            lines[&line]
        );
    }
    for line in [8, 9] {
        assert!(
            lines[&line].contains("1900 to 2100"),
            "line {line}: {}",
            lines[&line]
        );
    }
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing was written");
}

#[test]
fn an_unbalanced_quote_is_reported_on_the_line_where_it_opens() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let before = std::fs::read(&db).unwrap();
    let file = env.file(
        "p.csv",
        "mrn,first_name,last_name,date_of_birth\n\
         7,Ann,Lee,1980-01-01\n\
         8,\"Bo,Ng,1990-03-03\n\
         9,Cy,Oh,1991-04-04\n\
         10,Di,Po,1992-05-05\n",
    );
    let lines = refused(&import(&env, &db, "patients", &file, &[]), 1);
    assert!(lines[&3].contains("never closed"), "{lines:?}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(count(&db, "patients"), 0);
}

#[test]
fn twenty_thousand_appointments_import_in_one_go() {
    let env = EnvDirs::new();
    let db = small_demo(&env);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mrns: Vec<String> = conn
        .prepare("SELECT mrn FROM patients ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(conn);
    let before = count(&db, "appointments");
    let initials = ["AM", "CH", "IP", "SS", "SM", "TH"];
    let mut csv = String::from("mrn,therapist,start,minutes,kind\n");
    let day0 = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    for n in 0..20_000usize {
        let day = day0 + chrono::Duration::days((n / mrns.len()) as i64);
        csv.push_str(&format!(
            "{},{},{} {:02}:00,30,treatment\n",
            mrns[n % mrns.len()],
            initials[n % initials.len()],
            day.format("%Y-%m-%d"),
            8 + n % 9
        ));
    }
    let file = env.file("big.csv", csv);
    let out = import(&env, &db, "appointments", &file, &[]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("20000 rows"), "{}", stderr(&out));
    assert_eq!(count(&db, "appointments"), before + 20_000);
}

#[test]
fn exercises_import_with_aliases_and_update() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let out = import(&env, &db, "exercises", &fixture("exercises.csv"), &[]);
    assert_code(&out, 0);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (aliases, category, instructions): (String, String, String) = conn
        .query_row(
            "SELECT aliases, category, instructions FROM exercises WHERE name = 'wall slide with foam roller'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(aliases, "wall slides;WS");
    assert_eq!(category, "range_of_motion");
    assert!(
        instructions.contains("wall, roller"),
        "quoted commas survive"
    );
    drop(conn);

    let lines = refused(
        &import(&env, &db, "exercises", &fixture("exercises.csv"), &[]),
        2,
    );
    assert!(lines[&2].contains("already has"));
    let changed = env.file(
        "e2.csv",
        "name,region,category,equipment,instructions,sets\n\
         WALL SLIDE WITH FOAM ROLLER,shoulder,range_of_motion,foam roller,New words.,3\n\
         Heel raise,ankle_foot,strengthening,none,Rise onto your toes.\u{1b}[2J,\n\
         Bad one,elbow,strengthening,none,,99\n",
    );
    let lines = refused(&import(&env, &db, "exercises", &changed, &["--update"]), 1);
    assert!(lines[&4].contains("instructions is empty"));
    assert!(lines[&4].contains("sets \"99\""));
    let fixed = env.file(
        "e3.csv",
        "name,region,category,equipment,instructions,sets\n\
         WALL SLIDE WITH FOAM ROLLER,shoulder,range_of_motion,foam roller,New words.,3\n\
         Heel raise,ankle_foot,strengthening,none,Rise onto your toes.\u{1b}[2J,\n",
    );
    assert_code(&import(&env, &db, "exercises", &fixed, &["--update"]), 0);
    assert_eq!(count(&db, "exercises"), 3);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (sets, aliases): (i64, String) = conn
        .query_row(
            "SELECT sets, aliases FROM exercises WHERE name = 'Wall slide with foam roller'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((sets, aliases.as_str()), (3, "wall slides;WS"));
    let instructions: String = conn
        .query_row(
            "SELECT instructions FROM exercises WHERE name = 'Heel raise'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        instructions, "Rise onto your toes.[2J",
        "control characters are dropped"
    );
}

// ---------------------------------------------------------------- FHIR

fn is_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10
}

fn is_instant(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

fn is_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// FHIR's ele-1 and JSON rules: no nulls, no empty strings, arrays or objects anywhere.
fn no_empty(v: &Value, path: &str) {
    match v {
        Value::Null => panic!("null at {path}"),
        Value::String(s) => assert!(!s.trim().is_empty(), "empty string at {path}"),
        Value::Array(a) => {
            assert!(!a.is_empty(), "empty array at {path}");
            for (i, x) in a.iter().enumerate() {
                no_empty(x, &format!("{path}[{i}]"));
            }
        }
        Value::Object(o) => {
            assert!(!o.is_empty(), "empty object at {path}");
            for (k, x) in o {
                no_empty(x, &format!("{path}.{k}"));
            }
        }
        _ => {}
    }
}

#[track_caller]
fn only_keys(v: &Value, allowed: &[&str], what: &str) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {v}"));
    for k in obj.keys() {
        assert!(
            allowed.contains(&k.as_str()),
            "{what} has no element {k:?} in R4"
        );
    }
}

fn coding(v: &Value, what: &str) {
    only_keys(
        v,
        &["system", "version", "code", "display", "userSelected"],
        what,
    );
    assert!(
        v["system"].as_str().is_some_and(|s| s.contains(':')),
        "{what}: system URI"
    );
    assert!(v["code"].is_string(), "{what}: code");
}

fn concept(v: &Value, what: &str) {
    only_keys(v, &["coding", "text"], what);
    if let Some(list) = v["coding"].as_array() {
        for c in list {
            coding(c, what);
        }
    } else {
        assert!(
            v["text"].is_string(),
            "{what}: a concept needs coding or text"
        );
    }
}

/// A Reference: a relative `Type/id` that must be in the bundle, or a display.
fn reference(v: &Value, what: &str, ids: &HashSet<String>) {
    only_keys(v, &["reference", "type", "identifier", "display"], what);
    match v["reference"].as_str() {
        Some(r) => assert!(ids.contains(r), "{what}: {r} is not in the bundle"),
        None => assert!(v["display"].is_string(), "{what}: reference or display"),
    }
}

fn check_patient(r: &Value) {
    only_keys(
        r,
        &[
            "resourceType",
            "id",
            "meta",
            "text",
            "extension",
            "identifier",
            "active",
            "name",
            "telecom",
            "gender",
            "birthDate",
            "deceasedBoolean",
            "deceasedDateTime",
            "address",
            "maritalStatus",
            "contact",
            "communication",
            "generalPractitioner",
            "managingOrganization",
            "link",
        ],
        "Patient",
    );
    let ident = &r["identifier"][0];
    only_keys(
        ident,
        &["use", "type", "system", "value", "period", "assigner"],
        "Identifier",
    );
    assert!(
        ["usual", "official", "temp", "secondary", "old"].contains(&ident["use"].as_str().unwrap())
    );
    concept(&ident["type"], "Identifier.type");
    assert_eq!(ident["type"]["coding"][0]["code"], "MR");
    assert!(ident["value"].is_string());
    assert!(r["active"].is_boolean());
    for n in r["name"].as_array().unwrap() {
        only_keys(
            n,
            &[
                "use", "text", "family", "given", "prefix", "suffix", "period",
            ],
            "HumanName",
        );
        assert!(n["family"].is_string() && n["given"].is_array());
    }
    for t in r["telecom"].as_array().into_iter().flatten() {
        only_keys(
            t,
            &["system", "value", "use", "rank", "period"],
            "ContactPoint",
        );
        assert!(
            ["phone", "fax", "email", "pager", "url", "sms", "other"]
                .contains(&t["system"].as_str().unwrap())
        );
    }
    assert!(is_date(r["birthDate"].as_str().unwrap()));
}

fn check_condition(r: &Value, ids: &HashSet<String>) {
    only_keys(
        r,
        &[
            "resourceType",
            "id",
            "meta",
            "text",
            "extension",
            "identifier",
            "clinicalStatus",
            "verificationStatus",
            "category",
            "severity",
            "code",
            "bodySite",
            "subject",
            "encounter",
            "onsetDateTime",
            "onsetPeriod",
            "onsetString",
            "abatementDateTime",
            "recordedDate",
            "recorder",
            "asserter",
            "stage",
            "evidence",
            "note",
        ],
        "Condition",
    );
    reference(&r["subject"], "Condition.subject", ids);
    concept(&r["clinicalStatus"], "Condition.clinicalStatus");
    assert!(
        [
            "active",
            "recurrence",
            "relapse",
            "inactive",
            "remission",
            "resolved"
        ]
        .contains(&r["clinicalStatus"]["coding"][0]["code"].as_str().unwrap())
    );
    concept(&r["verificationStatus"], "Condition.verificationStatus");
    concept(&r["code"], "Condition.code");
    if let Some(c) = r["code"]["coding"].as_array() {
        assert_eq!(c[0]["system"], "http://hl7.org/fhir/sid/icd-10-cm");
    }
    for c in r["category"].as_array().unwrap() {
        concept(c, "Condition.category");
    }
}

fn check_observation(r: &Value, ids: &HashSet<String>) {
    only_keys(
        r,
        &[
            "resourceType",
            "id",
            "meta",
            "text",
            "extension",
            "identifier",
            "basedOn",
            "partOf",
            "status",
            "category",
            "code",
            "subject",
            "focus",
            "encounter",
            "effectiveDateTime",
            "effectivePeriod",
            "issued",
            "performer",
            "valueQuantity",
            "dataAbsentReason",
            "interpretation",
            "note",
            "bodySite",
            "method",
            "referenceRange",
            "hasMember",
            "derivedFrom",
            "component",
        ],
        "Observation",
    );
    assert!(
        [
            "registered",
            "preliminary",
            "final",
            "amended",
            "corrected",
            "cancelled",
            "entered-in-error",
            "unknown"
        ]
        .contains(&r["status"].as_str().unwrap())
    );
    concept(&r["code"], "Observation.code");
    for c in r["category"].as_array().unwrap() {
        concept(c, "Observation.category");
    }
    reference(&r["subject"], "Observation.subject", ids);
    assert!(is_date(r["effectiveDateTime"].as_str().unwrap()));
    let q = &r["valueQuantity"];
    only_keys(
        q,
        &["value", "comparator", "unit", "system", "code"],
        "Quantity",
    );
    assert!(q["value"].is_number() && q["unit"].is_string());
    assert_eq!(q["system"], "http://unitsofmeasure.org");
    assert!(q["code"].is_string());
}

fn check_appointment(r: &Value, ids: &HashSet<String>) {
    only_keys(
        r,
        &[
            "resourceType",
            "id",
            "meta",
            "text",
            "extension",
            "identifier",
            "status",
            "cancelationReason",
            "serviceCategory",
            "serviceType",
            "specialty",
            "appointmentType",
            "reasonCode",
            "reasonReference",
            "priority",
            "description",
            "supportingInformation",
            "start",
            "end",
            "minutesDuration",
            "slot",
            "created",
            "comment",
            "patientInstruction",
            "basedOn",
            "participant",
            "requestedPeriod",
        ],
        "Appointment",
    );
    let status = r["status"].as_str().unwrap();
    assert!(
        [
            "proposed",
            "pending",
            "booked",
            "arrived",
            "fulfilled",
            "cancelled",
            "noshow",
            "entered-in-error",
            "checked-in",
            "waitlist"
        ]
        .contains(&status)
    );
    // app-2: start and end together; app-4: a cancellation reason only when cancelled/noshow.
    assert!(is_instant(r["start"].as_str().unwrap()));
    assert!(is_instant(r["end"].as_str().unwrap()));
    if r.get("cancelationReason").is_some() {
        assert!(["cancelled", "noshow"].contains(&status));
        concept(&r["cancelationReason"], "Appointment.cancelationReason");
    }
    assert!(r["minutesDuration"].as_u64().is_some_and(|m| m > 0));
    for c in r["serviceType"].as_array().unwrap() {
        concept(c, "Appointment.serviceType");
    }
    let participants = r["participant"].as_array().unwrap();
    assert!(!participants.is_empty());
    for pt in participants {
        only_keys(
            pt,
            &["type", "actor", "required", "status", "period"],
            "Appointment.participant",
        );
        assert!(
            ["accepted", "declined", "tentative", "needs-action"]
                .contains(&pt["status"].as_str().unwrap())
        );
        reference(&pt["actor"], "Appointment.participant.actor", ids);
    }
}

fn check_care_plan(r: &Value, ids: &HashSet<String>) {
    only_keys(
        r,
        &[
            "resourceType",
            "id",
            "meta",
            "text",
            "extension",
            "identifier",
            "instantiatesCanonical",
            "basedOn",
            "replaces",
            "partOf",
            "status",
            "intent",
            "category",
            "title",
            "description",
            "subject",
            "encounter",
            "period",
            "created",
            "author",
            "contributor",
            "careTeam",
            "addresses",
            "supportingInfo",
            "goal",
            "activity",
            "note",
        ],
        "CarePlan",
    );
    assert!(
        [
            "draft",
            "active",
            "on-hold",
            "revoked",
            "completed",
            "entered-in-error",
            "unknown"
        ]
        .contains(&r["status"].as_str().unwrap())
    );
    assert!(["proposal", "plan", "order", "option"].contains(&r["intent"].as_str().unwrap()));
    reference(&r["subject"], "CarePlan.subject", ids);
    for a in r["addresses"].as_array().into_iter().flatten() {
        reference(a, "CarePlan.addresses", ids);
    }
    if let Some(period) = r.get("period") {
        only_keys(period, &["start", "end"], "Period");
    }
    assert!(is_date(r["created"].as_str().unwrap()));
    for a in r["activity"].as_array().unwrap() {
        only_keys(
            a,
            &[
                "outcomeCodeableConcept",
                "outcomeReference",
                "progress",
                "reference",
                "detail",
            ],
            "CarePlan.activity",
        );
        let d = &a["detail"];
        only_keys(
            d,
            &[
                "kind",
                "instantiatesCanonical",
                "code",
                "reasonCode",
                "reasonReference",
                "goal",
                "status",
                "statusReason",
                "doNotPerform",
                "scheduledString",
                "location",
                "performer",
                "productCodeableConcept",
                "dailyAmount",
                "quantity",
                "description",
            ],
            "CarePlan.activity.detail",
        );
        assert!(
            [
                "not-started",
                "scheduled",
                "in-progress",
                "on-hold",
                "completed",
                "cancelled",
                "stopped",
                "unknown",
                "entered-in-error"
            ]
            .contains(&d["status"].as_str().unwrap())
        );
        concept(&d["code"], "CarePlan.activity.detail.code");
        assert!(d["description"].is_string());
    }
}

/// Checks a Bundle and every resource in it against R4's structure; returns resource counts.
fn check_bundle(b: &Value) -> HashMap<String, usize> {
    no_empty(b, "Bundle");
    only_keys(
        b,
        &[
            "resourceType",
            "id",
            "meta",
            "identifier",
            "type",
            "timestamp",
            "total",
            "link",
            "entry",
            "signature",
        ],
        "Bundle",
    );
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "collection");
    assert!(is_instant(b["timestamp"].as_str().unwrap()));
    let entries = b["entry"].as_array().unwrap();
    let mut ids = HashSet::new();
    let mut urls = HashSet::new();
    for e in entries {
        only_keys(
            e,
            &[
                "link", "fullUrl", "resource", "search", "request", "response",
            ],
            "Bundle.entry",
        );
        let r = &e["resource"];
        let kind = r["resourceType"].as_str().unwrap();
        let id = r["id"].as_str().unwrap();
        assert!(is_id(id), "{id}");
        let url = e["fullUrl"].as_str().unwrap();
        assert!(url.ends_with(&format!("/{kind}/{id}")), "fullUrl {url}");
        assert!(urls.insert(url.to_string()), "fullUrl {url} twice");
        ids.insert(format!("{kind}/{id}"));
    }
    let mut counts = HashMap::new();
    for e in entries {
        let r = &e["resource"];
        let kind = r["resourceType"].as_str().unwrap();
        *counts.entry(kind.to_string()).or_insert(0) += 1;
        match kind {
            "Patient" => check_patient(r),
            "Condition" => check_condition(r, &ids),
            "Observation" => check_observation(r, &ids),
            "Appointment" => check_appointment(r, &ids),
            "CarePlan" => check_care_plan(r, &ids),
            other => panic!("unexpected resource {other}"),
        }
    }
    counts
}

/// A demo patient with measurements and a home exercise program.
fn demo_patient_with_program(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT p.mrn FROM patients p
         WHERE EXISTS (SELECT 1 FROM hep_programs h WHERE h.patient_id = p.id)
           AND (SELECT COUNT(DISTINCT measure_code) FROM measurements m WHERE m.patient_id = p.id) >= 2
           AND EXISTS (SELECT 1 FROM measurements m WHERE m.patient_id = p.id AND m.measure_code = 'NPRS')
         ORDER BY p.id LIMIT 1",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn a_fhir_bundle_follows_the_r4_structure_of_each_resource() {
    let env = EnvDirs::new();
    let db = small_demo(&env);
    let mrn = demo_patient_with_program(&db);
    let b = fhir_bundle(&env, &db, &mrn);
    let counts = check_bundle(&b);
    assert_eq!(counts["Patient"], 1);
    assert_eq!(counts["Condition"], 1);
    assert!(counts["Observation"] >= 2);
    assert!(counts["Appointment"] >= 1);
    assert_eq!(counts["CarePlan"], 1);

    let conn = rusqlite::Connection::open(&db).unwrap();
    let (pid, measurements, visits, items): (i64, i64, i64, i64) = conn
        .query_row(
            "SELECT p.id,
                (SELECT COUNT(*) FROM measurements WHERE patient_id = p.id),
                (SELECT COUNT(*) FROM appointments WHERE patient_id = p.id),
                (SELECT COUNT(*) FROM hep_items i JOIN hep_programs h ON h.id = i.program_id
                  WHERE h.patient_id = p.id AND h.version_no =
                    (SELECT MAX(version_no) FROM hep_programs WHERE patient_id = p.id))
             FROM patients p WHERE mrn = ?1",
            [&mrn],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(counts["Observation"] as i64, measurements);
    assert_eq!(counts["Appointment"] as i64, visits);
    let plan = resources(&b, "CarePlan")[0];
    assert_eq!(plan["activity"].as_array().unwrap().len() as i64, items);
    assert_eq!(
        plan["subject"]["reference"],
        format!("Patient/patient-{pid}")
    );
    assert!(
        plan["activity"][0]["detail"]["description"]
            .as_str()
            .unwrap()
            .contains(" x ")
    );

    // NPRS carries its LOINC code; the others the project's code system.
    for o in resources(&b, "Observation") {
        let codings = o["code"]["coding"].as_array().unwrap();
        let own = codings.last().unwrap();
        assert_eq!(
            own["system"],
            "https://ptclinic.example/fhir/CodeSystem/outcome-measure"
        );
        if own["code"] == "NPRS" {
            assert_eq!(codings[0]["system"], "http://loinc.org");
            assert_eq!(codings[0]["code"], "72514-3");
        } else {
            assert_eq!(codings.len(), 1);
        }
    }
    // The audit log records the disclosure.
    assert_eq!(count(&db, "audit_log WHERE action = 'export.fhir'"), 1);

    // --out writes the same bundle to a file; an unknown MRN is bad input.
    let file = env.path("bundle.json");
    let out = ptclinic(
        &env,
        &[
            "export",
            "fhir",
            "--patient",
            &mrn,
            "--out",
            p(&file),
            "--db",
            p(&db),
        ],
    );
    assert_code(&out, 0);
    let from_file: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    check_bundle(&from_file);
    let out = ptclinic(
        &env,
        &["export", "fhir", "--patient", "nope", "--db", p(&db)],
    );
    assert_code(&out, 2);
    assert!(stderr(&out).contains("no patient with MRN nope"));
}

#[test]
fn fhir_bulk_export_writes_ndjson_per_resource_type() {
    let env = EnvDirs::new();
    let db = small_demo(&env);
    let dir = env.path("bulk");
    let out = ptclinic(
        &env,
        &["export", "fhir", "--all", "--out", p(&dir), "--db", p(&db)],
    );
    assert_code(&out, 0);
    let mut all = Vec::new();
    for kind in [
        "Patient",
        "Condition",
        "Observation",
        "Appointment",
        "CarePlan",
    ] {
        let text = std::fs::read_to_string(dir.join(format!("{kind}.ndjson"))).unwrap();
        assert!(text.ends_with('\n'));
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("one resource per line"))
            .collect();
        assert!(lines.iter().all(|r| r["resourceType"] == kind));
        if kind == "Patient" {
            assert_eq!(lines.len() as i64, count(&db, "patients"));
        }
        if kind == "Appointment" {
            assert_eq!(lines.len() as i64, count(&db, "appointments"));
        }
        all.extend(lines);
    }
    // Together they make a valid, fully resolved collection.
    let bundle = serde_json::json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": "2026-11-27T10:00:00Z",
        "entry": all.iter().map(|r| serde_json::json!({
            "fullUrl": format!("https://x.example/{}/{}", r["resourceType"].as_str().unwrap(), r["id"].as_str().unwrap()),
            "resource": r,
        })).collect::<Vec<_>>(),
    });
    check_bundle(&bundle);
    let out = ptclinic(&env, &["export", "fhir", "--all", "--db", p(&db)]);
    assert_code(&out, 2);
}

// ---------------------------------------------------------------- iCalendar

fn ical(env: &EnvDirs, db: &Path, args: &[&str]) -> String {
    let mut all = vec!["export", "ical", "--db", p(db)];
    all.extend_from_slice(args);
    let out = ptclinic(env, &all);
    assert_code(&out, 0);
    stdout(&out)
}

/// Every line ends in CRLF and is at most 75 octets; returns the unfolded lines.
fn unfold(text: &str) -> Vec<String> {
    assert!(text.ends_with("\r\n"));
    let body = text.strip_suffix("\r\n").unwrap();
    assert!(!body.replace("\r\n", "").contains('\n'), "bare LF");
    assert!(!body.replace("\r\n", "").contains('\r'), "bare CR");
    let mut lines: Vec<String> = Vec::new();
    for l in body.split("\r\n") {
        assert!(l.len() <= 75, "{} octets: {l:?}", l.len());
        match l.strip_prefix(' ') {
            Some(rest) => lines.last_mut().expect("a first line").push_str(rest),
            None => lines.push(l.to_string()),
        }
    }
    lines
}

#[test]
fn icalendar_round_trips_imported_visits_with_folding_and_escaping() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let long_name = "Maximiliane Alexandra Konstanze";
    let patients = env.file(
        "p.csv",
        format!(
            "mrn,first_name,last_name,date_of_birth\n\
             7,{long_name},\"von Hohenzollern-Sigmaringen, Jr.; née Ängström\",1980-01-01\n\
             8,Bo,Ng,1990-03-03\n"
        ),
    );
    assert_code(&import(&env, &db, "patients", &patients, &[]), 0);
    let visits = env.file(
        "a.csv",
        "mrn,therapist,start,minutes,kind,status,cancel_reason\n\
         7,AR,2026-12-01 08:00,45,evaluation,,\n\
         8,AR,2026-12-01 09:00,30,treatment,cancelled,late\n\
         8,AR,2026-12-02 09:00,30,treatment,,\n\
         8,BK,2026-12-02 10:00,30,treatment,,\n\
         8,AR,2027-06-01 10:00,30,treatment,,\n",
    );
    assert_code(&import(&env, &db, "appointments", &visits, &[]), 0);

    let text = ical(
        &env,
        &db,
        &[
            "--therapist",
            "Ana Ruiz",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-31",
        ],
    );
    let lines = unfold(&text);
    assert_eq!(lines.first().unwrap(), "BEGIN:VCALENDAR");
    assert_eq!(lines.last().unwrap(), "END:VCALENDAR");
    assert!(lines.contains(&"VERSION:2.0".to_string()));
    assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
    // Two visits: the cancelled one, BK's and the one after --to are left out.
    assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 2);
    assert!(lines.contains(&"DTSTART:20261201T080000Z".to_string()));
    assert!(lines.contains(&"DTEND:20261201T084500Z".to_string()));
    assert!(
        lines.contains(&"SUMMARY:M.V. - Evaluation".to_string()),
        "{lines:?}"
    );
    assert!(lines.contains(&"SUMMARY:B.N. - Treatment".to_string()));
    assert!(
        !text.contains("Maximiliane") && !text.contains("Ng "),
        "initials only by default"
    );
    for l in lines.iter().filter(|l| l.starts_with("DTSTAMP:")) {
        assert!(l.len() == "DTSTAMP:20261127T000000Z".len() && l.ends_with('Z'));
    }
    let uids: Vec<&String> = lines.iter().filter(|l| l.starts_with("UID:")).collect();
    assert_eq!(uids.len(), 2);
    assert_ne!(uids[0], uids[1]);

    // UIDs are stable from one export to the next.
    let again = unfold(&ical(
        &env,
        &db,
        &[
            "--therapist",
            "AR",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-31",
        ],
    ));
    let uids_again: Vec<&String> = again.iter().filter(|l| l.starts_with("UID:")).collect();
    assert_eq!(uids, uids_again);

    // Full names only when asked: escaped, and folded at 75 octets without splitting "ä".
    let text = ical(
        &env,
        &db,
        &[
            "--therapist",
            "ar",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-01",
            "--full-names",
        ],
    );
    assert!(text.contains("\r\n "), "the long summary is folded");
    let lines = unfold(&text);
    let summary = lines.iter().find(|l| l.starts_with("SUMMARY:")).unwrap();
    assert_eq!(
        summary,
        &format!(
            "SUMMARY:{long_name} von Hohenzollern-Sigmaringen\\, Jr.\\; née Ängström - Evaluation"
        )
    );
}

#[test]
fn icalendar_to_a_file_and_bad_input() {
    let env = EnvDirs::new();
    let db = small_demo(&env);
    let file = env.path("am.ics");
    let out = ptclinic(
        &env,
        &[
            "export",
            "ical",
            "--therapist",
            "AM",
            "--out",
            p(&file),
            "--db",
            p(&db),
        ],
    );
    assert_code(&out, 0);
    let text = std::fs::read_to_string(&file).unwrap();
    let lines = unfold(&text);
    assert!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count() > 3);
    assert_eq!(count(&db, "audit_log WHERE action = 'export.ical'"), 1);

    let out = ptclinic(
        &env,
        &["export", "ical", "--therapist", "Nobody", "--db", p(&db)],
    );
    assert_code(&out, 2);
    let out = ptclinic(
        &env,
        &["export", "ical", "--therapist", "SP", "--db", p(&db)],
    );
    assert_code(&out, 2);
    assert!(stderr(&out).contains("not a therapist"));
    let out = ptclinic(
        &env,
        &[
            "export",
            "ical",
            "--therapist",
            "AM",
            "--from",
            "2026-12-05",
            "--to",
            "2026-12-01",
            "--db",
            p(&db),
        ],
    );
    assert_code(&out, 2);
    assert!(stderr(&out).contains("before --from"));
}

#[test]
fn each_imported_patient_has_its_own_audit_rows() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let csv = env.file(
        "p.csv",
        "mrn,first_name,last_name,date_of_birth,phone\nA1,Ada,Okafor,1961-04-02,\n",
    );
    assert_code(
        &ptclinic(&env, &["import", "patients", p(&csv), "--db", p(&db)]),
        0,
    );
    let update = env.file(
        "u.csv",
        "mrn,first_name,last_name,date_of_birth,phone\nA1,Ada,Okafor,1961-04-02,555 010 2233\n",
    );
    assert_code(
        &ptclinic(
            &env,
            &["import", "patients", p(&update), "--update", "--db", p(&db)],
        ),
        0,
    );
    let out = ptclinic(
        &env,
        &["audit", "--json", "--patient", "A1", "--db", p(&db)],
    );
    assert_code(&out, 0);
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let actions: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["import.insert", "import.update"], "{rows}");
}
