//! `report unscheduled` and `patients`: the patients falling through the cracks, and finding
//! any patient by name, MRN, phone or date of birth; each audited in one row.

use super::support::*;

/// Adds a patient with raw rows (what each case needs, nothing the rules would not read).
fn add_patient(conn: &rusqlite::Connection, mrn: &str, first: &str, phone: &str, dob: &str) -> i64 {
    conn.execute(
        "INSERT INTO patients (mrn, first_name, last_name, date_of_birth, phone, created_at)
         VALUES (?1, ?2, 'Zedd', ?3, ?4, '2026-10-01T09:00:00')",
        rusqlite::params![mrn, first, dob, phone],
    )
    .unwrap();
    conn.last_insert_rowid()
}

fn add_visit(
    conn: &rusqlite::Connection,
    patient: i64,
    start: &str,
    kind: &str,
    status: &str,
    reason: Option<&str>,
) {
    conn.execute(
        "INSERT INTO appointments (patient_id, therapist_id, start, minutes, kind, status,
             cancel_reason, created_at, site_id)
         VALUES (?1, (SELECT min(id) FROM staff), ?2, 45, ?3, ?4, ?5, '2026-10-01T09:00:00', 1)",
        rusqlite::params![patient, start, kind, status, reason],
    )
    .unwrap();
}

fn add_plan(conn: &rusqlite::Connection, patient: i64) {
    conn.execute(
        "INSERT INTO plans_of_care (patient_id, starts_on, ends_on, visits_per_week, weeks,
             created_by, created_at)
         VALUES (?1, '2026-11-02', '2026-12-13', 2, 6, 'test', '2026-11-02T09:00:00')",
        [patient],
    )
    .unwrap();
}

/// A small demo with four patients of our own, MRNs Z1 to Z4:
/// Z1 an open 2x/week plan, seen on 11-20, nothing booked, 10 visits authorised;
/// Z2 the same plan with one visit booked in the next two weeks;
/// Z3 no plan, a no-show then a late cancellation;
/// Z4 the plan closed by an attended discharge visit, nothing booked.
fn clinic(env: &EnvDirs) -> PathBuf {
    let db = small_demo(env, "cracks.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let z1 = add_patient(&conn, "Z1", "Nobook", "(555) 010-4242", "1932-02-29");
    add_plan(&conn, z1);
    add_visit(
        &conn,
        z1,
        "2026-11-02T10:00",
        "evaluation",
        "completed",
        None,
    );
    add_visit(
        &conn,
        z1,
        "2026-11-20T10:00",
        "treatment",
        "completed",
        None,
    );
    add_visit(
        &conn,
        z1,
        "2026-11-30T10:00",
        "treatment",
        "cancelled",
        Some("patient"),
    );
    conn.execute(
        "INSERT INTO authorizations (patient_id, payer, starts_on, ends_on, visits, created_by,
             created_at)
         VALUES (?1, 'Medicare', '2026-11-01', '2026-12-31', 10, 'test', '2026-11-01T09:00:00')",
        [z1],
    )
    .unwrap();
    let z2 = add_patient(&conn, "Z2", "Fewer", "555 010 4343", "1950-05-05");
    add_plan(&conn, z2);
    add_visit(
        &conn,
        z2,
        "2026-12-01T09:00",
        "treatment",
        "scheduled",
        None,
    );
    let z3 = add_patient(&conn, "Z3", "Missing", "555-010-4444", "1950-05-06");
    add_visit(
        &conn,
        z3,
        "2026-11-10T09:00",
        "treatment",
        "completed",
        None,
    );
    add_visit(&conn, z3, "2026-11-18T09:00", "treatment", "no_show", None);
    add_visit(
        &conn,
        z3,
        "2026-11-25T09:00",
        "treatment",
        "cancelled",
        Some("late"),
    );
    let z4 = add_patient(&conn, "Z4", "Discharged", "555-010-4545", "1950-05-07");
    add_plan(&conn, z4);
    add_visit(
        &conn,
        z4,
        "2026-11-25T09:00",
        "discharge",
        "completed",
        None,
    );
    db
}

fn audit_rows(db: &Path, action: &str) -> Vec<(String, Option<i64>, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT entity, entity_id, summary FROM audit_log WHERE action = ?1 ORDER BY id")
        .unwrap();
    stmt.query_map([action], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn json_of(out: &Output) -> Vec<Value> {
    assert_ok(out);
    serde_json::from_str::<Value>(&stdout(out))
        .expect("JSON")
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn report_unscheduled_lists_each_reason_with_what_the_desk_needs_to_call() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    let rows = json_of(&ptclinic(
        &env,
        &["report", "unscheduled", "--json", "--db", p(&db)],
    ));
    let ours: Vec<&Value> = rows
        .iter()
        .filter(|r| r["mrn"].as_str().unwrap().starts_with('Z'))
        .collect();
    assert_eq!(
        ours,
        vec![
            &serde_json::json!({"mrn": "Z2", "name": "Fewer Zedd", "phone": "555 010 4343",
                "reason": "below_frequency", "last_visit": null,
                "next_visit": "2026-12-01T09:00", "visits_left": null}),
            &serde_json::json!({"mrn": "Z3", "name": "Missing Zedd", "phone": "555-010-4444",
                "reason": "missed_twice", "last_visit": "2026-11-10T09:00",
                "next_visit": null, "visits_left": null}),
            &serde_json::json!({"mrn": "Z1", "name": "Nobook Zedd", "phone": "(555) 010-4242",
                "reason": "no_future_visit", "last_visit": "2026-11-20T10:00",
                "next_visit": null, "visits_left": 8}),
        ],
        "{rows:#?}"
    );
    // Every row has the seven fields, and the reasons are the three words.
    for r in &rows {
        assert_eq!(r.as_object().unwrap().len(), 7, "{r}");
        assert!(
            ["no_future_visit", "below_frequency", "missed_twice"]
                .contains(&r["reason"].as_str().unwrap())
        );
    }
    let audit = audit_rows(&db, "report.unscheduled");
    assert_eq!(audit.len(), 1, "one audit row a report: {audit:?}");
    let (entity, id, summary) = &audit[0];
    assert_eq!((entity.as_str(), *id), ("patient", None));
    assert!(
        !summary.contains("Zedd") && !summary.contains("555"),
        "{summary}"
    );

    let text = ptclinic(&env, &["report", "unscheduled", "--db", p(&db)]);
    assert_ok(&text);
    let text = stdout(&text);
    let line = text
        .lines()
        .find(|l| l.contains("Nobook Zedd"))
        .expect(&text);
    for needle in [
        "Z1",
        "(555) 010-4242",
        "no visit booked",
        "2026-11-20 10:00",
        "8",
    ] {
        assert!(line.contains(needle), "{line:?} lacks {needle:?}");
    }
    assert!(text.starts_with("Patients falling through the cracks, Friday 27 November 2026"));
    assert_eq!(audit_rows(&db, "report.unscheduled").len(), 2);
}

#[test]
fn patients_are_found_by_phone_digits_date_of_birth_mrn_or_name() {
    let env = EnvDirs::new();
    let db = clinic(&env);
    let search = |q: &str| -> Vec<String> {
        json_of(&ptclinic(
            &env,
            &["patients", "--search", q, "--json", "--db", p(&db)],
        ))
        .iter()
        .map(|r| r["mrn"].as_str().unwrap().to_string())
        .collect()
    };
    assert_eq!(search("010-4242"), vec!["Z1"]);
    assert_eq!(search("5550104343"), vec!["Z2"]);
    assert_eq!(search("1932-02-29"), vec!["Z1"]);
    assert_eq!(search("Z3"), vec!["Z3"]);
    assert_eq!(search("nobok zedd").first().map(String::as_str), Some("Z1"));

    let z1 = json_of(&ptclinic(
        &env,
        &["patients", "--search", "010-4242", "--json", "--db", p(&db)],
    ));
    assert_eq!(
        z1[0],
        serde_json::json!({"mrn": "Z1", "name": "Nobook Zedd", "date_of_birth": "1932-02-29",
            "phone": "(555) 010-4242", "email": null, "next_visit": null,
            "last_visit": "2026-11-20T10:00"})
    );
    let z2 = json_of(&ptclinic(
        &env,
        &["patients", "--search", "Z2", "--json", "--db", p(&db)],
    ));
    assert_eq!(z2[0]["next_visit"], "2026-12-01T09:00");

    // The searches were audited without what was typed or whom it found by name.
    let audit = audit_rows(&db, "patients.search");
    assert_eq!(audit.len(), 7, "{audit:?}");
    for (entity, id, summary) in &audit {
        assert_eq!((entity.as_str(), *id), ("patient", None));
        for typed in ["4242", "1932", "Zedd", "nobok"] {
            assert!(!summary.contains(typed), "{summary} holds {typed}");
        }
    }

    let none = ptclinic(&env, &["patients", "--search", "qqqxxzz", "--db", p(&db)]);
    assert_ok(&none);
    assert_eq!(stdout(&none), "No patient matches.\n");

    // Without --search: every patient, active ones first.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE patients SET active = 0 WHERE mrn = 'Z1'", [])
        .unwrap();
    let all = json_of(&ptclinic(&env, &["patients", "--json", "--db", p(&db)]));
    let total: i64 = conn
        .query_row("SELECT count(*) FROM patients", [], |r| r.get(0))
        .unwrap();
    assert_eq!(all.len() as i64, total);
    assert_eq!(all.last().unwrap()["mrn"], "Z1");
}
