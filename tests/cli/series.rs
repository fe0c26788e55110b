//! `book` (a visit or a series, each occurrence checked), `slots`, and cancelling or moving
//! "this and the following ones": every bad series refused in one sentence with nothing booked,
//! a series booked whole or not at all, the plan of care's defaults, each clash and each way of
//! resolving it.

use super::support::*;

/// A small demo with a therapist of our own (TT, no visits) and patients of our own:
/// S1 with no plan and no authorisation; S2 with a 2x/week plan for 6 weeks from Mon 30 Nov
/// and an authorisation of 6 visits.
fn clinic(env: &EnvDirs) -> PathBuf {
    let db = small_demo(env, "series.db");
    let out = ptclinic(
        env,
        &[
            "staff",
            "add",
            "--db",
            p(&db),
            "--user",
            DEMO_ADMIN,
            "--name",
            "Tess Test",
            "--initials",
            "TT",
            "--role",
            "therapist",
            "--username",
            "ttest",
        ],
    );
    assert_ok(&out);
    let conn = rusqlite::Connection::open(&db).unwrap();
    for mrn in ["S1", "S2"] {
        conn.execute(
            "INSERT INTO patients (mrn, first_name, last_name, date_of_birth, phone, created_at)
             VALUES (?1, 'Sam', 'Series', '1970-01-01', '555-0100', '2026-11-01T09:00:00')",
            [mrn],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO plans_of_care (patient_id, starts_on, ends_on, visits_per_week, weeks,
             created_by, created_at)
         VALUES ((SELECT id FROM patients WHERE mrn = 'S2'), '2026-11-30', '2027-01-10', 2, 6,
             'test', '2026-11-27T09:00:00')",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO authorizations (patient_id, payer, starts_on, ends_on, visits, created_by,
             created_at)
         VALUES ((SELECT id FROM patients WHERE mrn = 'S2'), 'Acme Health', '2026-11-30',
             '2027-01-10', 6, 'test', '2026-11-27T09:00:00')",
        [],
    )
    .unwrap();
    db
}

fn conn(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db).unwrap()
}

fn count(db: &Path, sql: &str) -> i64 {
    conn(db).query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Visits of a patient that are not cancelled.
fn booked(db: &Path, mrn: &str) -> Vec<(String, Option<i64>, String)> {
    let c = conn(db);
    let mut stmt = c
        .prepare(
            "SELECT a.start, a.series_id, a.status FROM appointments a
             JOIN patients p ON p.id = a.patient_id WHERE p.mrn = ?1 ORDER BY a.start",
        )
        .unwrap();
    stmt.query_map([mrn], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn book(env: &EnvDirs, db: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "book",
        "--db",
        p(db),
        "--therapist",
        "TT",
        "--minutes",
        "45",
    ];
    if !extra.contains(&"--time") {
        args.extend_from_slice(&["--time", "10:00"]);
    }
    args.extend_from_slice(extra);
    ptclinic(env, &args)
}

fn rows(out: &Output) -> Vec<Value> {
    let v: Value = serde_json::from_str(&stdout(out)).expect("book --json is JSON");
    v.as_array().expect("an array").clone()
}

fn outcomes(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["outcome"].as_str().unwrap().to_string())
        .collect()
}

/// A visit of TT's for another patient, from the demo's first patient.
fn busy_tt(db: &Path, start: &str) -> i64 {
    let c = conn(db);
    c.execute(
        "INSERT INTO appointments (patient_id, therapist_id, start, minutes, kind, created_at,
             site_id)
         VALUES ((SELECT min(id) FROM patients), (SELECT id FROM staff WHERE initials = 'TT'),
             ?1, 45, 'treatment', '2026-11-27T09:00:00', 1)",
        [start],
    )
    .unwrap();
    c.last_insert_rowid()
}

#[test]
fn every_bad_series_is_one_sentence_and_books_nothing() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    let audit_before = count(&db, "SELECT count(*) FROM audit_log");
    let start = ["--patient", "S1", "--start", "2026-11-30"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--weekdays", "mon,thu", "--count", "0"],
            "at least one visit, not 0",
        ),
        (
            vec!["--weekdays", "", "--count", "4"],
            "at least one weekday",
        ),
        (
            vec!["--weekdays", "mon", "--until", "2026-11-20"],
            "is before its start",
        ),
        (
            vec![
                "--weekdays",
                "mon,tue,wed,thu,fri,sat,sun,mon",
                "--count",
                "8",
            ],
            "at most 7 visits a week",
        ),
        (
            vec!["--weekdays", "mon,thu", "--count", "120"],
            "at most a year",
        ),
        (
            vec!["--weekdays", "mon", "--until", "2028-01-04"],
            "at most a year",
        ),
        (
            vec!["--weekdays", "mon", "--until", "31/31"],
            "is not a date",
        ),
        (vec!["--weekdays", "mon"], "always has an end"),
        (
            vec!["--weekdays", "funday", "--count", "2"],
            "is not a weekday",
        ),
        (
            vec!["--weekdays", "mon", "--count", "2", "--kind", "spa"],
            "--kind",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = start.to_vec();
        args.extend_from_slice(&extra);
        let out = book(&env, &db, &args);
        let err = assert_usage_error(&out, &[needle]);
        assert_eq!(err.trim_end().lines().count(), 1, "{extra:?}: {err}");
    }
    let out = ptclinic(
        &env,
        &[
            "book",
            "--db",
            p(&db),
            "--patient",
            "S1",
            "--therapist",
            "TT",
            "--start",
            "31/31",
            "--time",
            "10:00",
            "--minutes",
            "45",
        ],
    );
    assert_usage_error(&out, &["\"31/31\" is not a date"]);
    let out = ptclinic(
        &env,
        &[
            "book",
            "--db",
            p(&db),
            "--patient",
            "S1",
            "--therapist",
            "TT",
            "--start",
            "2026-11-30",
            "--time",
            "25:00",
            "--minutes",
            "45",
        ],
    );
    assert_usage_error(&out, &["\"25:00\" is not a time"]);
    let out = book(&env, &db, &["--patient", "NOPE", "--start", "2026-11-30"]);
    assert_usage_error(&out, &["no patient with MRN NOPE"]);
    assert!(booked(&db, "S1").is_empty());
    assert_eq!(count(&db, "SELECT count(*) FROM visit_series"), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), audit_before);
}

#[test]
fn a_single_visit_and_a_series_each_visit_its_own_row() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    // No weekdays and no plan: one visit, of no series.
    let out = book(
        &env,
        &db,
        &["--patient", "S1", "--start", "2026-11-30", "--json"],
    );
    assert_ok(&out);
    let r = rows(&out);
    assert_eq!(outcomes(&r), ["booked"]);
    let single = r[0]["appointment"].as_i64().unwrap();
    assert_eq!(
        booked(&db, "S1"),
        [(
            "2026-11-30T10:00".to_string(),
            None,
            "scheduled".to_string()
        )]
    );

    let out = book(
        &env,
        &db,
        &[
            "--patient",
            "S1",
            "--start",
            "12/1",
            "--time",
            "2pm",
            "--weekdays",
            "tue,fri",
            "--count",
            "4",
        ],
    );
    assert_ok(&out);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(
        text.starts_with("Tue 2026-12-01 14:00  booked, appointment "),
        "{text}"
    );
    assert!(
        stderr(&out).contains("Booked 4 of 4 visits"),
        "{}",
        stderr(&out)
    );
    let visits = booked(&db, "S1");
    let series: BTreeSet<Option<i64>> = visits[1..].iter().map(|v| v.1).collect();
    assert_eq!(series.len(), 1);
    let id = series.into_iter().next().unwrap().expect("a series id");
    let starts: Vec<&str> = visits[1..].iter().map(|v| v.0.as_str()).collect();
    assert_eq!(
        starts,
        [
            "2026-12-01T14:00",
            "2026-12-04T14:00",
            "2026-12-08T14:00",
            "2026-12-11T14:00"
        ]
    );
    let (weekdays, ends, n): (String, String, Option<i64>) = conn(&db)
        .query_row(
            "SELECT weekdays, ends_on, count FROM visit_series WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (weekdays.as_str(), ends.as_str(), n),
        ("tue,fri", "2026-12-11", Some(4))
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'series.book'"
        ),
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'appointment.book'"
        ),
        5
    );

    // schedule --json names each visit's series (null for the single one), room and confirmed.
    let day = schedule_json(&env, &db, &["--date", "2026-12-01"]);
    let v = day
        .iter()
        .find(|v| v["mrn"] == "S1")
        .expect("the series' visit on the schedule");
    assert_eq!(v["series_id"].as_i64(), Some(id));
    assert!(v.get("room").is_some() && v["confirmed"].is_null(), "{v}");
    let first = schedule_json(&env, &db, &["--date", "2026-11-30"]);
    let v = first
        .iter()
        .find(|v| v["id"].as_i64() == Some(single))
        .unwrap();
    assert!(v["series_id"].is_null(), "{v}");
}

#[test]
fn the_plan_of_care_fills_weekdays_and_count_and_the_authorisation_caps_them() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    let out = book(
        &env,
        &db,
        &[
            "--patient",
            "S2",
            "--start",
            "2026-11-30",
            "--dry-run",
            "--json",
        ],
    );
    assert_ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains("weekdays mon,thu from the plan of care's 2 visits a week"),
        "{err}"
    );
    assert!(
        err.contains("12 visits from the plan of care's 2x/week for 6 weeks"),
        "{err}"
    );
    let r = rows(&out);
    assert_eq!(r.len(), 12);
    assert_eq!(r[1]["start"], "2026-12-03T10:00");
    let words = outcomes(&r);
    assert_eq!(&words[..6], ["booked"; 6]);
    assert_eq!(&words[6..], ["clash"; 6]);
    assert!(
        r[6]["reason"]
            .as_str()
            .unwrap()
            .contains("beyond the authorisation's 6 visits"),
        "{}",
        r[6]
    );
    assert!(booked(&db, "S2").is_empty(), "a dry run books nothing");

    // Clashes and no --on-clash: nothing booked, the clashes listed, exit 1.
    let out = book(&env, &db, &["--patient", "S2", "--start", "2026-11-30"]);
    assert_code(&out, 1);
    assert!(
        stdout(&out).contains("clash: beyond the authorisation"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("6 of the 12 visits clash, so nothing was booked"));
    assert!(booked(&db, "S2").is_empty());

    // Moving cannot mend the authorisation: it is left a clash and nothing is booked.
    let out = book(
        &env,
        &db,
        &[
            "--patient",
            "S2",
            "--start",
            "2026-11-30",
            "--on-clash",
            "move",
        ],
    );
    assert_code(&out, 1);
    assert!(stdout(&out).contains("another time cannot mend it"));
    assert!(booked(&db, "S2").is_empty());

    let out = book(
        &env,
        &db,
        &[
            "--patient",
            "S2",
            "--start",
            "2026-11-30",
            "--on-clash",
            "skip",
            "--json",
        ],
    );
    assert_ok(&out);
    assert_eq!(
        outcomes(&rows(&out))
            .iter()
            .filter(|w| *w == "skipped")
            .count(),
        6
    );
    assert_eq!(booked(&db, "S2").len(), 6);
}

#[test]
fn each_clash_is_found_and_skip_move_and_book_anyway_resolve_it() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    busy_tt(&db, "2026-12-03T10:00");
    let out = ptclinic(
        &env,
        &[
            "closed",
            "add",
            "--db",
            p(&db),
            "--user",
            DEMO_ADMIN,
            "--date",
            "2026-12-07",
            "--reason",
            "staff training",
        ],
    );
    assert_ok(&out);
    let series = [
        "--patient",
        "S1",
        "--start",
        "2026-11-30",
        "--weekdays",
        "mon,thu",
        "--count",
        "4",
    ];
    let with = |extra: &[&str]| {
        let mut a = series.to_vec();
        a.extend_from_slice(extra);
        book(&env, &db, &a)
    };

    let out = with(&["--dry-run", "--json"]);
    assert_ok(&out);
    let r = rows(&out);
    assert_eq!(outcomes(&r), ["booked", "clash", "clash", "booked"]);
    assert!(
        r[1]["reason"]
            .as_str()
            .unwrap()
            .contains("the therapist has a visit 10:00–10:45")
    );
    assert!(
        r[2]["reason"]
            .as_str()
            .unwrap()
            .contains("closed on Mon 7 Dec (staff training)")
    );
    assert!(r.iter().all(|x| x["appointment"].is_null()));

    // Outside the clinic's hours and on a Sunday.
    let out = book(
        &env,
        &db,
        &[
            "--patient",
            "S1",
            "--start",
            "2026-11-30",
            "--time",
            "18:30",
            "--weekdays",
            "mon,sun",
            "--count",
            "2",
            "--dry-run",
        ],
    );
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("outside the clinic's hours"), "{text}");
    assert!(text.contains("the clinic is closed on Sundays"), "{text}");

    let out = with(&["--on-clash", "skip", "--json"]);
    assert_ok(&out);
    assert_eq!(
        outcomes(&rows(&out)),
        ["booked", "skipped", "skipped", "booked"]
    );
    let starts: Vec<String> = booked(&db, "S1").into_iter().map(|v| v.0).collect();
    assert_eq!(starts, ["2026-11-30T10:00", "2026-12-10T10:00"]);

    let out = ptclinic(
        &env,
        &[
            "cancel",
            "--db",
            p(&db),
            "--appointment",
            &rows(&out)[0]["appointment"].to_string(),
            "--reason",
            "clinic",
            "--following",
        ],
    );
    assert_ok(&out);
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));

    let out = with(&["--on-clash", "move", "--json"]);
    assert_ok(&out);
    let r = rows(&out);
    assert_eq!(outcomes(&r), ["booked", "moved", "moved", "booked"]);
    // Busy 10:00–10:45: the nearest free start is 10:45 (09:15 is as near; the later wins).
    assert_eq!(r[1]["moved_to"], "2026-12-03T10:45");
    // Closed all day: the next day's first free time.
    assert_eq!(r[2]["moved_to"], "2026-12-08T07:00");
    let live: Vec<String> = booked(&db, "S1")
        .into_iter()
        .filter(|v| v.2 == "scheduled")
        .map(|v| v.0)
        .collect();
    assert_eq!(
        live,
        [
            "2026-11-30T10:00",
            "2026-12-03T10:45",
            "2026-12-08T07:00",
            "2026-12-10T10:00"
        ]
    );
}

#[test]
fn book_anyway_books_over_the_clash() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    busy_tt(&db, "2026-12-03T10:00");
    let out = book(
        &env,
        &db,
        &[
            "--patient",
            "S1",
            "--start",
            "2026-12-03",
            "--weekdays",
            "thu",
            "--count",
            "1",
            "--on-clash",
            "book",
        ],
    );
    assert_ok(&out);
    assert!(stdout(&out).contains("booked anyway (the therapist has a visit 10:00–10:45"));
    assert_eq!(booked(&db, "S1").len(), 1);
}

#[test]
fn a_series_that_fails_mid_way_books_nothing() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    let audit_before = count(&db, "SELECT count(*) FROM audit_log");
    // The database refuses the third visit of any series.
    conn(&db)
        .execute_batch(
            "CREATE TRIGGER refuse_third BEFORE INSERT ON appointments
             WHEN NEW.series_id IS NOT NULL
              AND (SELECT count(*) FROM appointments WHERE series_id = NEW.series_id) >= 2
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
        )
        .unwrap();
    let out = book(
        &env,
        &db,
        &[
            "--patient",
            "S1",
            "--start",
            "2026-11-30",
            "--weekdays",
            "mon,thu",
            "--count",
            "4",
        ],
    );
    assert_code(&out, 1);
    assert!(
        stderr(&out).contains("refused by the test"),
        "{}",
        stderr(&out)
    );
    assert!(booked(&db, "S1").is_empty());
    assert_eq!(count(&db, "SELECT count(*) FROM visit_series"), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM audit_log"), audit_before);
}

#[test]
fn cancel_and_move_take_this_visit_or_this_and_the_following() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    let other = busy_tt(&db, "2026-12-02T10:00");
    let out = book(
        &env,
        &db,
        &[
            "--patient",
            "S1",
            "--start",
            "2026-11-30",
            "--weekdays",
            "mon,thu",
            "--count",
            "6",
            "--json",
        ],
    );
    assert_ok(&out);
    let ids: Vec<String> = rows(&out)
        .iter()
        .map(|r| r["appointment"].to_string())
        .collect();

    // One visit alone.
    let out = ptclinic(
        &env,
        &[
            "cancel",
            "--db",
            p(&db),
            "--appointment",
            &ids[1],
            "--reason",
            "patient",
        ],
    );
    assert_ok(&out);
    // From the fourth on, moved an hour later.
    let out = ptclinic(
        &env,
        &[
            "move",
            "--db",
            p(&db),
            "--appointment",
            &ids[3],
            "--time",
            "11:00",
            "--following",
        ],
    );
    assert_ok(&out);
    assert_eq!(stdout(&out).lines().count(), 3, "{}", stdout(&out));
    // From the fifth on, cancelled.
    let out = ptclinic(
        &env,
        &[
            "cancel",
            "--db",
            p(&db),
            "--appointment",
            &ids[4],
            "--reason",
            "patient",
            "--following",
        ],
    );
    assert_ok(&out);
    assert_eq!(stdout(&out).lines().count(), 2);
    let got: Vec<(String, String)> = booked(&db, "S1").into_iter().map(|v| (v.0, v.2)).collect();
    let want = [
        ("2026-11-30T10:00", "scheduled"),
        ("2026-12-03T10:00", "cancelled"),
        ("2026-12-07T10:00", "scheduled"),
        ("2026-12-10T11:00", "scheduled"),
        ("2026-12-14T11:00", "cancelled"),
        ("2026-12-17T11:00", "cancelled"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want);
    let untouched: (String, String) = conn(&db)
        .query_row(
            "SELECT start, status FROM appointments WHERE id = ?1",
            [other],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(untouched, ("2026-12-02T10:00".into(), "scheduled".into()));
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'appointment.status'
             AND summary LIKE '%with_following%'"
        ),
        2
    );

    // A single visit has no following ones.
    let out = ptclinic(
        &env,
        &[
            "cancel",
            "--db",
            p(&db),
            "--appointment",
            &other.to_string(),
            "--reason",
            "patient",
            "--following",
        ],
    );
    assert_usage_error(&out, &["is a single visit, not one of a series"]);
}

#[test]
fn slots_lists_the_therapists_next_free_times() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    busy_tt(&db, "2026-12-01T07:00");
    let out = ptclinic(
        &env,
        &[
            "slots",
            "--db",
            p(&db),
            "--therapist",
            "TT",
            "--from",
            "2026-12-01",
            "--minutes",
            "60",
            "--json",
        ],
    );
    assert_ok(&out);
    let r = rows(&out);
    assert_eq!(r.len(), 10);
    assert_eq!(r[0]["start"], "2026-12-01T07:45");
    assert_eq!(r[1]["start"], "2026-12-01T08:45");
    assert!(
        r.iter()
            .all(|s| s["minutes"] == 60 && s["therapist"] == "Tess Test")
    );
    // Back to back from 07:45: the tenth starts at 16:45.
    assert_eq!(r[9]["start"], "2026-12-01T16:45");

    let out = ptclinic(
        &env,
        &[
            "slots",
            "--db",
            p(&db),
            "--therapist",
            "TT",
            "--from",
            "12/5",
        ],
    );
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.starts_with("The next free times for 45 minutes with Tess Test:"),
        "{text}"
    );
    assert!(text.contains("Sat 2026-12-05 08:00"), "{text}");

    let out = ptclinic(
        &env,
        &[
            "slots",
            "--db",
            p(&db),
            "--therapist",
            "TT",
            "--from",
            "31/31",
        ],
    );
    assert_usage_error(&out, &["--from"]);
}
