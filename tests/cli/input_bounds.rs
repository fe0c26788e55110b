//! The command line: bounded, clean input.

use super::support::*;

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
    assert_short_refusal(
        &out,
        &["--format takes one of text, markdown, html, json, letter"],
    );
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
