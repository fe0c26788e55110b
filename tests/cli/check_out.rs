//! The command line: check-out, the attended visit completed (as `o` does in the app).

use super::support::*;

fn last_audit(db: &std::path::Path) -> (String, String, String) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT action, user, summary FROM audit_log ORDER BY id DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

#[test]
fn check_out_completes_a_checked_in_visit_with_its_audit_row() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let visits = schedule_json(&env, &db, &[]);
    let v = single_visit_patient(&visits);
    let id = v["id"].as_i64().unwrap().to_string();
    let name = v["patient"].as_str().unwrap();
    assert_ok(&ptclinic(
        &env,
        &["check-in", "--appointment", &id, "--db", p(&db)],
    ));
    let out = ptclinic(
        &env,
        &[
            "check-out",
            "--patient",
            name,
            "--user",
            "kiosk7",
            "--db",
            p(&db),
        ],
    );
    assert_ok(&out);
    let said = stdout(&out);
    assert!(said.starts_with("Checked out: "), "{said}");
    assert!(
        said.contains(&format!("appointment {id}")) && said.contains("arrived"),
        "{said}"
    );
    let after = schedule_json(&env, &db, &[]);
    let done = after
        .iter()
        .find(|w| w["id"].as_i64() == id.parse().ok())
        .unwrap();
    assert_eq!(done["status"], "completed", "{done}");
    assert!(
        done["checked_in_at"].is_string(),
        "the arrival time stays: {done}"
    );
    let (action, user, detail) = last_audit(&db);
    assert_eq!(
        (action.as_str(), user.as_str()),
        ("appointment.status", "kiosk7")
    );
    assert!(detail.contains("\"to\":\"completed\""), "{detail}");
    // Again: harmless, nothing written.
    let out = ptclinic(&env, &["check-out", "--appointment", &id, "--db", p(&db)]);
    assert_ok(&out);
    assert!(stdout(&out).starts_with("Already completed: "));
    assert_eq!(last_audit(&db).1, "kiosk7");
}

#[test]
fn a_visit_not_checked_in_is_refused_and_nothing_is_written() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let visits = schedule_json(&env, &db, &[]);
    let v = single_visit_patient(&visits);
    let id = v["id"].as_i64().unwrap().to_string();
    let before = last_audit(&db);
    let out = ptclinic(&env, &["check-out", "--appointment", &id, "--db", p(&db)]);
    let err = assert_usage_error(&out, &["not been checked in"]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        status_of(&schedule_json(&env, &db, &[]), id.parse().unwrap()),
        "scheduled"
    );
    assert_eq!(last_audit(&db), before);
    let out = ptclinic(
        &env,
        &[
            "check-out",
            "--appointment",
            &id,
            "--date",
            "2026-11-30",
            "--db",
            p(&db),
        ],
    );
    assert_usage_error(&out, &["later day"]);
    let out = ptclinic(&env, &["check-out", "--db", p(&db)]);
    assert_eq!(out.status.code(), Some(2));
}
