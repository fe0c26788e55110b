//! The command line: demo.

use super::support::*;

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
