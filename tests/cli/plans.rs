//! Plans of care and authorisations through the binary: the 90-day cap, the 30-day
//! certification, a recertification that keeps past flags and the authorisation count,
//! visits counted against the authorisation whose window holds them, and bad input refused in
//! one sentence with nothing stored.

use super::support::*;

/// The username of a demo staff member with `role`.
fn someone(env: &EnvDirs, db: &Path, role: &str) -> String {
    let out = ptclinic(env, &["staff", "list", "--json", "--db", p(db)]);
    assert_ok(&out);
    let staff: Value = serde_json::from_str(&stdout(&out)).unwrap();
    staff
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["role"] == role)
        .and_then(|s| s["username"].as_str())
        .unwrap_or_else(|| panic!("no {role} in {staff}"))
        .to_string()
}

fn run(env: &EnvDirs, db: &Path, user: &str, args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--db", p(db), "--user", user]);
    ptclinic(env, &all)
}

fn listed(env: &EnvDirs, db: &Path, what: &str, mrn: &str) -> Vec<Value> {
    let out = run(env, db, "x", &[what, "list", "--patient", mrn, "--json"]);
    assert_ok(&out);
    serde_json::from_str::<Value>(&stdout(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn day_json(env: &EnvDirs, db: &Path, date: &str) -> Vec<Value> {
    let out = ptclinic(env, &["schedule", "--json", "--date", date, "--db", p(db)]);
    assert_ok(&out);
    serde_json::from_str::<Value>(&stdout(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn day_offset(days: i64) -> String {
    let today = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    (today + chrono::Duration::days(days)).to_string()
}

/// A demo patient seen today.
fn patient_of_today(env: &EnvDirs, db: &Path) -> String {
    day_json(env, db, TODAY)[0]["mrn"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Evaluated 1 August: 2x/week for 13 weeks stops at the 90th day, 29 October; an end past it
/// is refused naming that day. A signature on 31 August (30 days on) is timely; on 1 September
/// it needs the reason for the delay.
#[test]
fn a_plan_stops_at_ninety_days_and_its_signature_is_timely_within_thirty() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "plans.db");
    let pt = someone(&env, &db, "therapist");
    let mrn = patient_of_today(&env, &db);
    let add = |end: Option<&str>| {
        let mut args = vec![
            "plan",
            "add",
            "--patient",
            &mrn,
            "--start",
            "2026-08-01",
            "--per-week",
            "2",
            "--weeks",
            "13",
        ];
        if let Some(end) = end {
            args.extend_from_slice(&["--end", end]);
        }
        run(&env, &db, &pt, &args)
    };
    assert_usage_error(
        &add(Some("2026-10-30")),
        &["at most 90 days", "the last day allowed is 2026-10-29"],
    );
    let out = add(None);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("2026-08-01 to 2026-10-29"),
        "{}",
        stdout(&out)
    );
    let plan = listed(&env, &db, "plan", &mrn)
        .into_iter()
        .find(|p| p["starts_on"] == "2026-08-01")
        .unwrap();
    assert_eq!(plan["ends_on"], "2026-10-29");
    assert_eq!(plan["frequency"], "2x/week for 13 weeks");
    assert_eq!(plan["certified_on"], Value::Null);
    assert_eq!(plan["certification_due"], "2026-08-31");
    let id = plan["id"].to_string();
    let certify = |on: &str, reason: Option<&str>| {
        let mut args = vec![
            "plan",
            "certify",
            "--patient",
            &mrn,
            "--plan",
            &id,
            "--physician",
            "Dr. Ada Park",
            "--on",
            on,
        ];
        if let Some(r) = reason {
            args.extend_from_slice(&["--reason", r]);
        }
        run(&env, &db, &pt, &args)
    };
    assert_usage_error(&certify("2026-09-01", None), &["needs --reason"]);
    let out = certify("2026-09-01", Some("the physician was away"));
    assert_ok(&out);
    let plan = listed(&env, &db, "plan", &mrn)
        .into_iter()
        .find(|p| p["starts_on"] == "2026-08-01")
        .unwrap();
    assert_eq!(plan["certified_on"], "2026-09-01");
    assert_eq!(plan["delay_reason"], "the physician was away");
    assert_eq!(plan["physician"], "Dr. Ada Park");
    // A certified plan is not signed over: a new period is a recertification.
    assert_usage_error(
        &certify("2026-08-20", None),
        &["was certified on 2026-09-01"],
    );
    let audit = ptclinic(
        &env,
        &["audit", "--patient", &mrn, "--json", "--db", p(&db)],
    );
    let text = stdout(&audit);
    assert!(
        text.contains("plan.add") && text.contains("plan.certify"),
        "{text}"
    );
}

/// An impossible plan or authorisation: one sentence, exit 2, nothing stored. A plan is a
/// therapist's to write, an authorisation the front desk's.
#[test]
fn impossible_plans_and_authorisations_are_refused_and_nothing_is_stored() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "bad.db");
    let pt = someone(&env, &db, "therapist");
    let desk = someone(&env, &db, "front_desk");
    let mrn = patient_of_today(&env, &db);
    let plans = listed(&env, &db, "plan", &mrn);
    let auths = listed(&env, &db, "auth", &mrn);
    let plan = |per_week: &str, weeks: &str, end: &str| {
        run(
            &env,
            &db,
            &pt,
            &[
                "plan",
                "add",
                "--patient",
                &mrn,
                "--start",
                "2027-03-01",
                "--per-week",
                per_week,
                "--weeks",
                weeks,
                "--end",
                end,
            ],
        )
    };
    for (out, needle) in [
        (plan("2", "6", "2027-02-28"), "before its start"),
        (
            plan("2", "6", "2027-05-30"),
            "the last day allowed is 2027-05-29",
        ),
        (plan("0", "6", "2027-04-01"), "1 to 7 visits a week, not 0"),
        (plan("8", "6", "2027-04-01"), "not 8"),
        (plan("2", "0", "2027-04-01"), "1 to 13 weeks"),
    ] {
        let err = assert_usage_error(&out, &[needle]);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    let auth = |user: &str, visits: &str, end: &str| {
        run(
            &env,
            &db,
            user,
            &[
                "auth",
                "add",
                "--patient",
                &mrn,
                "--payer",
                "Aetna",
                "--start",
                "2027-01-01",
                "--end",
                end,
                "--visits",
                visits,
            ],
        )
    };
    assert_usage_error(&auth(&desk, "0", "2027-03-01"), &["1 to 999 visits, not 0"]);
    assert_usage_error(&auth(&desk, "12", "2026-12-01"), &["before its start"]);
    assert_usage_error(&auth(&pt, "12", "2027-03-01"), &["front desk"]);
    assert_usage_error(&plan_by(&env, &db, &desk, &mrn), &["therapist"]);
    assert_eq!(listed(&env, &db, "plan", &mrn), plans);
    assert_eq!(listed(&env, &db, "auth", &mrn), auths);
    // The right person and good input: stored, audited.
    assert_ok(&auth(&desk, "12", "2027-03-01"));
    let now = listed(&env, &db, "auth", &mrn);
    assert_eq!(now.len(), auths.len() + 1);
    let added = now.iter().find(|a| a["starts_on"] == "2027-01-01").unwrap();
    assert_eq!(
        (added["visits"].as_i64(), added["used"].as_i64()),
        (Some(12), Some(0))
    );
}

fn plan_by(env: &EnvDirs, db: &Path, user: &str, mrn: &str) -> Output {
    run(
        env,
        db,
        user,
        &[
            "plan",
            "add",
            "--patient",
            mrn,
            "--start",
            "2027-03-01",
            "--per-week",
            "2",
            "--weeks",
            "6",
        ],
    )
}

/// A patient treated past their plan's end: those visits are flagged `poc_expired`. A
/// recertification from today covers today's visit; the visits before it keep their flag (the
/// treatment was given outside any certified period) and the authorisation count stays.
#[test]
fn a_recertification_keeps_past_flags_and_the_authorisation_count() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "recert.db");
    let pt = someone(&env, &db, "therapist");
    // A patient seen today with two attended visits in the last two weeks.
    let mut found = None;
    for v in day_json(&env, &db, TODAY) {
        let mrn = v["mrn"].as_str().unwrap().to_string();
        let days: Vec<String> = (1..=14)
            .rev()
            .map(|n| day_offset(-n))
            .filter(|day| {
                day_json(&env, &db, day).iter().any(|o| {
                    o["mrn"] == mrn.as_str()
                        && ["completed", "checked_in"].contains(&o["status"].as_str().unwrap())
                })
            })
            .collect();
        if days.len() >= 2 {
            found = Some((mrn, days));
            break;
        }
    }
    let (mrn, days) = found.expect("a patient with visits in the window");
    // Their plan ended on the first of those visits (as if it had been written so).
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE plans_of_care SET ends_on = max(starts_on, ?2)
             WHERE patient_id = (SELECT id FROM patients WHERE mrn = ?1)",
            [mrn.as_str(), days[0].as_str()],
        )
        .unwrap();
    let past_day = days[1].clone();
    let flags_of = |day: &str| -> Vec<Value> {
        day_json(&env, &db, day)
            .into_iter()
            .filter(|v| v["mrn"] == mrn.as_str())
            .map(|v| v["flags"].clone())
            .collect()
    };
    let past_before = flags_of(&past_day);
    assert!(
        past_before[0]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "poc_expired")
    );
    let today_before = flags_of(TODAY);
    assert!(
        today_before[0]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "poc_expired")
    );
    let used_before: Vec<(Value, Value)> = listed(&env, &db, "auth", &mrn)
        .iter()
        .map(|a| (a["used"].clone(), a["left"].clone()))
        .collect();

    let out = run(
        &env,
        &db,
        &pt,
        &[
            "plan",
            "recertify",
            "--patient",
            &mrn,
            "--start",
            TODAY,
            "--per-week",
            "2",
            "--weeks",
            "4",
        ],
    );
    assert_ok(&out);
    let plans = listed(&env, &db, "plan", &mrn);
    let recert = plans.last().unwrap();
    assert_eq!(recert["starts_on"], TODAY);
    assert_eq!(recert["recertifies"], plans[plans.len() - 2]["id"]);
    assert_eq!(flags_of(&past_day), past_before, "the past keeps its flags");
    let today_after = flags_of(TODAY);
    assert!(
        !today_after[0]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "poc_expired"),
        "{today_after:?}"
    );
    let used_after: Vec<(Value, Value)> = listed(&env, &db, "auth", &mrn)
        .iter()
        .map(|a| (a["used"].clone(), a["left"].clone()))
        .collect();
    assert_eq!(used_after, used_before);
    // The progress report lists both certifications.
    let out = ptclinic(
        &env,
        &[
            "report",
            "progress",
            "--patient",
            &mrn,
            "--format",
            "json",
            "--db",
            p(&db),
        ],
    );
    assert_ok(&out);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        report["plans_of_care"].as_array().unwrap().len(),
        plans.len()
    );
    let text = ptclinic(
        &env,
        &["report", "progress", "--patient", &mrn, "--db", p(&db)],
    );
    assert!(
        stdout(&text).contains("Plan of care certifications:"),
        "{}",
        stdout(&text)
    );
    assert!(
        stdout(&text).contains("(recertification)"),
        "{}",
        stdout(&text)
    );
    // Each certification says whether it was signed, and when.
    let report = stdout(&text);
    let lines: Vec<&str> = report
        .lines()
        .skip_while(|l| *l != "Plan of care certifications:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), plans.len(), "{lines:?}");
    for (line, plan) in lines.iter().zip(&plans) {
        match plan["certified_on"].as_str() {
            Some(on) => assert!(line.contains(&format!("signed {on}")), "{line}"),
            None => assert!(line.ends_with("not certified"), "{line}"),
        }
    }
}

/// Two authorisations of one patient: the visits in each window count against that one, and a
/// payer that does not count the evaluation (a payer setting) leaves it out.
#[test]
fn visits_count_against_the_authorisation_whose_window_holds_them() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "windows.db");
    let desk = someone(&env, &db, "front_desk");
    // A patient evaluated inside the demo's window, with visits since.
    let mut attended: Vec<(String, String)> = Vec::new();
    let mut mrn = String::new();
    for candidate in day_json(&env, &db, TODAY) {
        let m = candidate["mrn"].as_str().unwrap().to_string();
        let mut seen = Vec::new();
        for n in 0..=21 {
            let day = day_offset(-n);
            for v in day_json(&env, &db, &day) {
                let status = v["status"].as_str().unwrap();
                if v["mrn"] == m.as_str() && ["completed", "checked_in"].contains(&status) {
                    seen.push((day.clone(), v["kind"].as_str().unwrap().to_string()));
                }
            }
        }
        if seen.len() >= 3 && seen.iter().any(|(_, k)| k == "evaluation") {
            (mrn, attended) = (m, seen);
            break;
        }
    }
    assert!(!mrn.is_empty(), "a patient evaluated in the window");
    attended.sort();
    let split = attended[attended.len() / 2].0.clone();
    let first_end = {
        let d = chrono::NaiveDate::parse_from_str(&split, "%Y-%m-%d").unwrap();
        (d - chrono::Duration::days(1)).to_string()
    };
    let add = |start: &str, end: &str| {
        assert_ok(&run(
            &env,
            &db,
            &desk,
            &[
                "auth",
                "add",
                "--patient",
                &mrn,
                "--payer",
                "Window Payer",
                "--start",
                start,
                "--end",
                end,
                "--visits",
                "20",
            ],
        ));
    };
    add("2026-01-01", &first_end);
    add(&split, "2026-12-31");
    let used = |start: &str| -> i64 {
        listed(&env, &db, "auth", &mrn)
            .iter()
            .find(|a| a["starts_on"] == start && a["payer"] == "Window Payer")
            .map(|a| a["used"].as_i64().unwrap())
            .unwrap()
    };
    let first: Vec<&(String, String)> = attended.iter().filter(|(d, _)| *d < split).collect();
    let second = attended.len() - first.len();
    assert_eq!(used("2026-01-01"), first.len() as i64);
    assert_eq!(used(&split), second as i64);
    // The payer stops counting the evaluation (the evaluation lies in the first window).
    assert!(first.iter().any(|(_, k)| k == "evaluation"), "{attended:?}");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO payers (name, billing_rule, evaluation_counts)
             VALUES ('window payer', 'medicare', 0)",
            [],
        )
        .unwrap();
    assert_eq!(used("2026-01-01"), first.len() as i64 - 1);
    assert_eq!(used(&split), second as i64);
}
