//! The command line: opening errors: exit 2, the path named, nothing created or changed.

use super::support::*;

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
