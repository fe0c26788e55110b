//! The command line: `hours set|list`, `closed add|remove|list`, who may change them, the date
//! forms the options take, and what `init` starts a clinic with.

use serde_json::json;

use super::support::*;

fn json(env: &EnvDirs, args: &[&str]) -> Vec<Value> {
    let out = ptclinic(env, args);
    assert_ok(&out);
    serde_json::from_str::<Value>(&stdout(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn hours(env: &EnvDirs, db: &Path) -> Vec<Value> {
    json(env, &["hours", "list", "--json", "--db", p(db)])
}

fn closed(env: &EnvDirs, db: &Path) -> Vec<Value> {
    json(env, &["closed", "list", "--json", "--db", p(db)])
}

fn audit_actions(env: &EnvDirs, db: &Path) -> Vec<String> {
    json(env, &["audit", "--json", "--db", p(db)])
        .iter()
        .map(|r| r["action"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_record_without_hours_set_has_the_default_week_and_an_admin_changes_it() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let week = hours(&env, &db);
    assert_eq!(week.len(), 7);
    assert_eq!(
        (&week[0]["day"], &week[0]["open"], &week[0]["close"]),
        (&json!("mon"), &json!("07:00"), &json!("19:00"))
    );
    assert_eq!(
        (&week[5]["open"], &week[5]["close"]),
        (&json!("08:00"), &json!("12:00"))
    );
    assert_eq!(week[6]["closed"], json!(true));

    let therapist = crate::common::demo_therapist(&env, &db);
    let set = |user: &str, args: &[&str]| {
        let mut all = vec!["hours", "set", "--db", p(&db), "--user", user];
        all.extend_from_slice(args);
        ptclinic(&env, &all)
    };
    let out = set(
        &therapist,
        &["--day", "mon", "--open", "8am", "--close", "6pm"],
    );
    assert_usage_error(
        &out,
        &["setting the clinic's hours or closed days needs an admin"],
    );
    assert_eq!(hours(&env, &db), week, "nothing stored");

    let admin = crate::common::DEMO_ADMIN;
    for (args, needle) in [
        (
            &["--day", "funday", "--open", "8:00", "--close", "18:00"][..],
            "\"funday\" is not a weekday",
        ),
        (
            &["--day", "mon", "--open", "25:00", "--close", "18:00"],
            "\"25:00\" is not a time",
        ),
        (
            &["--day", "mon", "--open", "18:00", "--close", "08:00"],
            "must close after it opens",
        ),
    ] {
        assert_usage_error(&set(admin, args), &[needle]);
    }
    assert_eq!(hours(&env, &db), week, "nothing stored");

    assert_ok(&set(
        admin,
        &["--day", "Monday", "--open", "8am", "--close", "6:30pm"],
    ));
    assert_ok(&set(admin, &["--day", "sat", "--closed"]));
    let now = hours(&env, &db);
    assert_eq!(
        (&now[0]["open"], &now[0]["close"]),
        (&json!("08:00"), &json!("18:30"))
    );
    assert_eq!(now[5]["closed"], json!(true));
    assert_eq!(now[1], week[1], "the other days keep theirs");
    let text = stdout(&ptclinic(&env, &["hours", "list", "--db", p(&db)]));
    assert!(text.contains("Monday     08:00–18:30"), "{text}");
    assert!(text.contains("Saturday   closed"), "{text}");
    let actions = audit_actions(&env, &db);
    assert_eq!(
        actions.iter().filter(|a| *a == "clinic.hours_set").count(),
        2,
        "{actions:?}"
    );
}

#[test]
fn closed_dates_take_the_forms_people_type_and_only_an_admin_adds_them() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let admin = crate::common::DEMO_ADMIN;
    let closed_cmd = |user: &str, args: &[&str]| {
        let mut all = vec!["closed", args[0], "--db", p(&db), "--user", user];
        all.extend_from_slice(&args[1..]);
        ptclinic(&env, &all)
    };
    assert_usage_error(
        &closed_cmd("stranger", &["add", "--date", "2026-12-25"]),
        &["needs an admin"],
    );
    assert_usage_error(
        &closed_cmd(admin, &["add", "--date", "31/31"]),
        &["--date must be a real date like", "not \"31/31\""],
    );
    assert!(closed(&env, &db).is_empty(), "nothing stored");
    // PTCLINIC_TODAY is 2026-11-27: "25 dec" is this year's, "1/1" next year's.
    assert_ok(&closed_cmd(
        admin,
        &["add", "--date", "25 dec", "--reason", "Christmas"],
    ));
    assert_ok(&closed_cmd(admin, &["add", "--date", "1/1"]));
    assert_eq!(
        closed(&env, &db),
        [
            json!({"date": "2026-12-25", "reason": "Christmas"}),
            json!({"date": "2027-01-01", "reason": null}),
        ]
    );
    assert_ok(&closed_cmd(admin, &["remove", "--date", "2027-01-01"]));
    let out = closed_cmd(admin, &["remove", "--date", "2027-01-01"]);
    assert_usage_error(&out, &["2027-01-01 is not a closed day"]);
    assert_eq!(closed(&env, &db).len(), 1);
    let actions = audit_actions(&env, &db);
    for action in ["clinic.closed_add", "clinic.closed_remove"] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[test]
fn date_options_take_the_forms_people_type() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let on = |date: &str| {
        let out = ptclinic(
            &env,
            &["schedule", "--json", "--date", date, "--db", p(&db)],
        );
        assert_ok(&out);
        serde_json::from_str::<Value>(&stdout(&out)).unwrap()
    };
    let monday = on("2026-11-30");
    for typed in ["mon", "11/30", "30 nov", "+3"] {
        assert_eq!(on(typed), monday, "{typed}");
    }
    assert_eq!(on("tomorrow"), on("2026-11-28"));
    let out = ptclinic(&env, &["schedule", "--date", "12/32", "--db", p(&db)]);
    assert_usage_error(&out, &["--date must be a real date like", "not \"12/32\""]);
}

#[test]
fn a_clinic_made_by_init_finds_exercises_has_templates_and_the_default_hours() {
    let env = EnvDirs::new();
    let db = env.path("clinic.db");
    let out = ptclinic(&env, &["init", "--db", p(&db)]);
    assert_ok(&out);
    let said = stderr(&out);
    assert!(
        said.contains("program templates") && !said.contains(" 0 program templates"),
        "{said}"
    );
    let found = json(
        &env,
        &["exercises", "--search", "bridge", "--json", "--db", p(&db)],
    );
    assert!(
        found.iter().any(|e| e["name"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("bridge")),
        "{found:?}"
    );
    let week = hours(&env, &db);
    assert_eq!(week[0]["open"], json!("07:00"));
    assert_eq!(week[6]["closed"], json!(true));

    let empty = env.path("empty.db");
    assert_ok(&ptclinic(&env, &["init", "--empty", "--db", p(&empty)]));
    let none = json(
        &env,
        &[
            "exercises",
            "--search",
            "bridge",
            "--json",
            "--db",
            p(&empty),
        ],
    );
    assert!(none.is_empty(), "{none:?}");
    assert_eq!(hours(&env, &empty), week, "the hours are set either way");
}
