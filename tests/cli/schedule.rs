//! The command line: schedule.

use super::support::*;

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
    // The latest past day with a cancellation.
    let (day, past) = (1..14)
        .map(|back| {
            let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
                - chrono::Duration::days(back);
            (d, schedule_json(&env, &db, &["--date", &d.to_string()]))
        })
        .find(|(_, visits)| visits.iter().any(|v| v["status"] == "cancelled"))
        .expect("a day with a cancellation");
    let out = ptclinic(
        &env,
        &["schedule", "--date", &day.to_string(), "--db", p(&db)],
    );
    assert_ok(&out);
    assert!(
        stdout(&out).starts_with(&format!("{}: ", day.format("%A %-d %B %Y"))),
        "{}",
        stdout(&out)
    );
    // The counts are the app header's: booked is every visit not cancelled.
    let with = |s: &[&str]| {
        past.iter()
            .filter(|v| s.contains(&v["status"].as_str().unwrap()))
            .count()
    };
    let expected = format!(
        "{} visits (booked {}, arrived {}, no-show {}, cancelled {})",
        past.len(),
        past.len() - with(&["cancelled"]),
        with(&["checked_in", "completed"]),
        with(&["no_show"]),
        with(&["cancelled"])
    );
    assert!(with(&["cancelled"]) > 0, "a day with a cancellation");
    assert!(
        stdout(&out).lines().next().unwrap().ends_with(&expected),
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
