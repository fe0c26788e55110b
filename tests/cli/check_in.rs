//! The command line: check-in.

use super::support::*;

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
