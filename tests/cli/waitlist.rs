//! The command line: `waitlist add|list|remove`, the one best-first order, the JSON scripts
//! read, and every bad entry refused in one sentence with nothing stored.

use serde_json::json;

use super::support::*;

fn run(env: &EnvDirs, db: &Path, args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--db", p(db), "--user", DEMO_ADMIN]);
    ptclinic(env, &all)
}

fn list(env: &EnvDirs, db: &Path) -> Vec<Value> {
    let out = run(env, db, &["waitlist", "list", "--json"]);
    assert_ok(&out);
    serde_json::from_str::<Value>(&stdout(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The entries of these patients, in the order listed.
fn listed_for(env: &EnvDirs, db: &Path, mrns: &[&str]) -> Vec<Value> {
    list(env, db)
        .into_iter()
        .filter(|e| mrns.contains(&e["mrn"].as_str().unwrap()))
        .collect()
}

fn add(env: &EnvDirs, db: &Path, args: &[&str]) -> Output {
    let mut all = vec!["waitlist", "add"];
    all.extend_from_slice(args);
    run(env, db, &all)
}

#[test]
fn an_entry_is_added_listed_with_its_wishes_and_removed() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let therapist = demo_therapist(&env, &db);
    let out = add(
        &env,
        &db,
        &[
            "--patient",
            "100001",
            "--therapist",
            &therapist,
            "--days",
            "thu,mon",
            "--times",
            "9am-12pm",
            "--minutes",
            "30",
            "--priority",
            "2",
            "--note",
            "post-op, mornings only",
        ],
    );
    assert_ok(&out);
    assert!(
        stdout(&out).starts_with("Waitlist entry "),
        "{}",
        stdout(&out)
    );
    let entries = listed_for(&env, &db, &["100001"]);
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    let keys: BTreeSet<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "id",
            "site",
            "mrn",
            "name",
            "therapists",
            "days",
            "times",
            "minutes",
            "priority",
            "added"
        ])
    );
    assert_eq!(e["site"], json!("Main"));
    assert_eq!(e["days"], json!(["mon", "thu"]));
    assert_eq!(e["times"], json!("09:00-12:00"));
    assert_eq!(e["minutes"], json!(30));
    assert_eq!(e["priority"], json!(2));
    assert_eq!(e["therapists"].as_array().unwrap().len(), 1);
    assert!(e["name"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(e["added"].as_str().unwrap().starts_with(TODAY));

    // The defaults: any therapist, any day, 45 minutes, priority 3.
    assert_ok(&add(
        &env,
        &db,
        &["--patient", "100002", "--times", "14:00-17:00"],
    ));
    let e = &listed_for(&env, &db, &["100002"])[0];
    assert_eq!(
        (&e["therapists"], &e["days"], &e["minutes"], &e["priority"]),
        (&json!([]), &json!([]), &json!(45), &json!(3))
    );

    let text = stdout(&run(&env, &db, &["waitlist", "list"]));
    assert!(text.contains("post-op, mornings only"), "{text}");
    assert!(text.contains("priority 1 is the most urgent"), "{text}");

    let id = entries[0]["id"].as_i64().unwrap().to_string();
    let out = run(&env, &db, &["waitlist", "remove", &id]);
    assert_ok(&out);
    assert!(stdout(&out).contains("off the waitlist"));
    assert!(listed_for(&env, &db, &["100001"]).is_empty());
    let again = run(&env, &db, &["waitlist", "remove", &id]);
    assert_usage_error(&again, &["already off the waitlist"]);
    let audit = stdout(&run(&env, &db, &["audit", "--json"]));
    for action in ["waitlist.add", "waitlist.remove", "waitlist.list"] {
        assert!(audit.contains(action), "{action} audited");
    }
}

#[test]
fn the_list_is_by_priority_then_the_longest_waiting() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let add_with = |mrn: &str, priority: &str| {
        let out = add(
            &env,
            &db,
            &[
                "--patient",
                mrn,
                "--times",
                "08:00-18:00",
                "--priority",
                priority,
            ],
        );
        assert_ok(&out);
    };
    // Added in this order: among equals, the one waiting longest comes first.
    add_with("100003", "3");
    add_with("100004", "1");
    add_with("100005", "3");
    add_with("100006", "5");
    let mrns = ["100003", "100004", "100005", "100006"];
    let order: Vec<String> = listed_for(&env, &db, &mrns)
        .iter()
        .map(|e| e["mrn"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(order, vec!["100004", "100003", "100005", "100006"]);
    // The same order every time it is asked for.
    let again: Vec<String> = listed_for(&env, &db, &mrns)
        .iter()
        .map(|e| e["mrn"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(order, again);
}

#[test]
fn every_bad_entry_is_one_sentence_and_stores_nothing() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let before = list(&env, &db).len();
    let cases: &[(&[&str], &str)] = &[
        (&["--patient", "100001"], "needs --times"),
        (
            &["--patient", "100001", "--times", "25:00-26:00"],
            "\"25:00\" is not a time",
        ),
        (
            &["--patient", "100001", "--times", "12:00-09:00"],
            "must end after it starts",
        ),
        (
            &["--patient", "100001", "--times", "9am"],
            "two times with a dash",
        ),
        (
            &["--patient", "100001", "--times", "9-12", "--priority", "0"],
            "1 (most urgent) to 5",
        ),
        (
            &["--patient", "100001", "--times", "9-12", "--priority", "6"],
            "1 (most urgent) to 5",
        ),
        (
            &["--patient", "100001", "--times", "9-12", "--minutes", "4"],
            "5 to 480 minutes",
        ),
        (
            &["--patient", "100001", "--times", "9-12", "--minutes", "481"],
            "5 to 480 minutes",
        ),
        (
            &[
                "--patient",
                "100001",
                "--times",
                "9-12",
                "--minutes",
                "lots",
            ],
            "whole number",
        ),
        (
            &[
                "--patient",
                "100001",
                "--times",
                "9:00-9:30",
                "--minutes",
                "45",
            ],
            "does not fit in",
        ),
        (
            &[
                "--patient",
                "100001",
                "--times",
                "9-12",
                "--days",
                "mon,funday",
            ],
            "not a weekday",
        ),
        (
            &[
                "--patient",
                "100001",
                "--times",
                "9-12",
                "--therapist",
                "nobody",
            ],
            "no staff member",
        ),
        (
            &["--patient", "999999", "--times", "9-12"],
            "no patient with MRN",
        ),
    ];
    for (args, needle) in cases {
        let err = assert_usage_error(&add(&env, &db, args), &[needle]);
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
    assert_eq!(list(&env, &db).len(), before, "nothing stored");
    for bad in ["abc", "0", "99999"] {
        let out = run(&env, &db, &["waitlist", "remove", bad]);
        assert_code(&out, 2);
    }
}
