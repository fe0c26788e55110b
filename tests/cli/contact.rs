//! The command line: a patient's contact (`contact`) and their answer about a visit
//! (`confirm`), and what `schedule --json` says of each visit's reminder and answer.

use super::support::*;

fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

fn contact(env: &EnvDirs, db: &Path, user: &str, args: &[&str]) -> Output {
    let mut all = vec![
        "contact",
        "--patient",
        "100003",
        "--db",
        p(db),
        "--user",
        user,
    ];
    all.extend_from_slice(args);
    ptclinic(env, &all)
}

#[test]
fn contact_sets_the_address_the_number_and_consent_and_prints_what_it_now_is() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let out = contact(&env, &db, DEMO_ADMIN, &["--consent", "none"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("  email "), "{}", stdout(&out));
    let out = contact(
        &env,
        &db,
        DEMO_ADMIN,
        &[
            "--email",
            "ana.new@example.com",
            "--phone",
            "(555) 555-0199",
            "--consent",
            "both",
        ],
    );
    assert_ok(&out);
    let said = stdout(&out);
    let mut lines = said.lines();
    let head = lines.next().unwrap();
    assert!(head.starts_with("Contact of "), "{said}");
    assert!(
        head.ends_with("(MRN 100003), changed: email, phone, consent to emails, consent to texts"),
        "{said}"
    );
    assert_eq!(
        lines.collect::<Vec<_>>(),
        [
            "  email  ana.new@example.com  consented 2026-11-27",
            "  texts  (555) 555-0199       consented 2026-11-27",
        ]
    );
    // A STOP by text: the texts' line says so; recorded again, nothing changes.
    let out = contact(&env, &db, DEMO_ADMIN, &["--opt-out", "sms"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("changed: opt-out of texts\n"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("(555) 555-0199       opted out 2026-11-27"));
    let again = contact(&env, &db, DEMO_ADMIN, &["--opt-out", "sms"]);
    assert_ok(&again);
    assert!(
        stdout(&again).contains("unchanged (already so)"),
        "{}",
        stdout(&again)
    );
    // One audit row per change made, by the user, naming the columns changed.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'patient.contact' AND user = 'admin'"
        ),
        3
    );
    let last: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT summary FROM audit_log WHERE action = 'patient.contact' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let last: Value = serde_json::from_str(&last).unwrap();
    assert_eq!(
        last["changes"]["sms_opt_out_on"]["to"], "2026-11-27",
        "{last}"
    );
    assert_eq!(last["changes"].as_object().unwrap().len(), 1, "{last}");
}

#[test]
fn each_mistake_in_contact_is_one_sentence_and_changes_nothing() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let audit = || count(&db, "SELECT count(*) FROM audit_log");
    let before = audit();
    let cases: &[(&[&str], &[&str])] = &[
        (
            &[],
            &["nothing to change: give --email, --phone, --consent or --opt-out"],
        ),
        (
            &["--email", "ana@"],
            &["--email: an address like name@example.com, not \"ana@\""],
        ),
        (
            &["--phone", "call me"],
            &["--phone: 7 to 15 digits", "not \"call me\""],
        ),
        (
            &["--consent", "sms", "--phone", "555-1234"],
            &[
                "consent to text messages needs a number a text can go to",
                "555-1234",
            ],
        ),
        (
            &["--consent", "email", "--opt-out", "email"],
            &["emails: consent and an opt-out at once; record one of them"],
        ),
        (
            &["--consent", "fax"],
            &["--consent takes one of email, sms, both, none, not \"fax\""],
        ),
        (
            &["--opt-out", "both"],
            &["--opt-out takes one of email, sms"],
        ),
    ];
    for (args, needles) in cases {
        let out = contact(&env, &db, DEMO_ADMIN, args);
        let err = assert_usage_error(&out, needles);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains('\u{202e}'), "{err:?}");
    }
    let out = ptclinic(
        &env,
        &[
            "contact",
            "--patient",
            "NOPE",
            "--consent",
            "email",
            "--db",
            p(&db),
        ],
    );
    assert_usage_error(&out, &["no patient with MRN NOPE"]);
    // Consent to emails for a patient without an address.
    let mut changes = 0;
    let mut made = |out: &Output| {
        assert_ok(out);
        changes += i64::from(stdout(out).contains(", changed: "));
    };
    made(&contact(&env, &db, DEMO_ADMIN, &["--email", ""]));
    let out = contact(&env, &db, DEMO_ADMIN, &["--consent", "email"]);
    assert_usage_error(
        &out,
        &["consent to emails needs the patient's email address"],
    );
    // Recording consent is anyone's on the staff; changing the address is the desk's.
    let out = contact(&env, &db, DEMO_ASSISTANT, &["--email", "x@example.com"]);
    assert_usage_error(
        &out,
        &["registering or editing a patient needs the front desk or an admin"],
    );
    made(&contact(&env, &db, DEMO_ASSISTANT, &["--consent", "none"]));
    made(&contact(&env, &db, DEMO_ASSISTANT, &["--consent", "sms"]));
    // A bidi override typed in an address is dropped where it enters, as at registration.
    let out = contact(
        &env,
        &db,
        DEMO_ADMIN,
        &["--email", "evil\u{202e}@example.com"],
    );
    assert!(
        stdout(&out).contains("  email  evil@example.com "),
        "{}",
        stdout(&out)
    );
    made(&out);
    // Only the changes that were made are in the log, one row each.
    assert!(changes >= 3, "{changes}");
    assert_eq!(audit(), before + changes);
}

/// A scheduled visit of Monday 30 November the demo left unanswered.
fn monday_visit(env: &EnvDirs, db: &Path) -> Value {
    schedule_json(env, db, &["--date", "2026-11-30"])
        .into_iter()
        .find(|v| v["status"] == "scheduled" && v["confirmed"].is_null())
        .expect("an unanswered visit on Monday")
}

fn confirmed_of(env: &EnvDirs, db: &Path, id: i64) -> Value {
    schedule_json(env, db, &["--date", "2026-11-30"])
        .into_iter()
        .find(|v| v["id"].as_i64() == Some(id))
        .unwrap()["confirmed"]
        .clone()
}

#[test]
fn confirm_records_a_reply_and_can_t_come_replaces_it() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let v = monday_visit(&env, &db);
    let id = v["id"].as_i64().unwrap();
    let id_text = id.to_string();
    let confirm = |extra: &[&str]| {
        let mut args = vec![
            "confirm",
            "--appointment",
            id_text.as_str(),
            "--db",
            p(&db),
            "--user",
            "gateway",
        ];
        args.extend_from_slice(extra);
        ptclinic(&env, &args)
    };
    let out = confirm(&[]);
    assert_ok(&out);
    let said = stdout(&out);
    assert!(said.starts_with("Confirmed: 2026-11-30 "), "{said}");
    assert!(said.contains(v["patient"].as_str().unwrap()), "{said}");
    assert!(
        said.trim_end().ends_with(&format!("appointment {id}")),
        "{said}"
    );
    assert_eq!(confirmed_of(&env, &db, id), Value::Bool(true));

    let out = confirm(&["--declined"]);
    assert_ok(&out);
    let said = stdout(&out);
    assert!(said.starts_with("Can't come: "), "{said}");
    assert!(
        said.contains("(replaces the earlier confirmation); the visit stays booked"),
        "{said}"
    );
    assert_eq!(confirmed_of(&env, &db, id), Value::Bool(false));
    let again = confirm(&["--declined"]);
    assert_ok(&again);
    assert!(stdout(&again).starts_with("Already recorded as can't come: "));
    // The visit stays booked; the answers are audited as replies, by the integration's user.
    assert_eq!(
        status_of(&schedule_json(&env, &db, &["--date", "2026-11-30"]), id),
        "scheduled"
    );
    let audited = rusqlite::Connection::open(&db)
        .unwrap()
        .prepare(
            "SELECT action, user, summary FROM audit_log WHERE entity = 'appointment'
             AND entity_id = ?1 AND action LIKE 'visit.%' ORDER BY id",
        )
        .unwrap()
        .query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert_eq!(audited.len(), 2, "{audited:?}");
    assert_eq!(
        (audited[0].0.as_str(), audited[0].1.as_str()),
        ("visit.confirmed", "gateway")
    );
    assert_eq!(audited[1].0, "visit.declined");
    let summary: Value = serde_json::from_str(&audited[1].2).unwrap();
    assert_eq!(summary["via"], "reply");
    assert_eq!(summary["for_start"], v["start"]);
}

#[test]
fn confirm_refuses_a_visit_gone_or_past_and_an_unknown_one_in_one_sentence() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let v = monday_visit(&env, &db);
    let id = v["id"].as_i64().unwrap().to_string();
    assert_ok(&ptclinic(
        &env,
        &[
            "cancel",
            "--appointment",
            &id,
            "--reason",
            "patient",
            "--db",
            p(&db),
        ],
    ));
    let out = ptclinic(&env, &["confirm", "--appointment", &id, "--db", p(&db)]);
    assert_usage_error(
        &out,
        &["only a booked visit still to come can be confirmed or declined; this one is cancelled"],
    );
    let past = schedule_json(&env, &db, &["--date", "2026-11-20"])
        .into_iter()
        .find(|v| v["status"] == "completed")
        .unwrap();
    let out = ptclinic(
        &env,
        &[
            "confirm",
            "--appointment",
            &past["id"].to_string(),
            "--declined",
            "--db",
            p(&db),
        ],
    );
    assert_usage_error(&out, &["this one is completed"]);
    let out = ptclinic(
        &env,
        &["confirm", "--appointment", "999999", "--db", p(&db)],
    );
    assert_usage_error(&out, &["there is no appointment 999999"]);
    let out = ptclinic(&env, &["confirm", "--appointment", "abc", "--db", p(&db)]);
    assert_usage_error(&out, &["--appointment takes a whole number"]);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action LIKE 'visit.%'"
        ),
        0
    );
}

#[test]
fn schedule_json_names_each_visits_reminder_and_answer() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let mut answers = Vec::new();
    for day in ["2026-11-27", "2026-11-28", "2026-11-30"] {
        for v in schedule_json(&env, &db, &["--date", day]) {
            let reminder = v["reminder"].as_str().expect("a reminder word");
            assert!(
                ["none", "pending", "sent", "failed"].contains(&reminder),
                "{v}"
            );
            assert!(
                v["confirmed"].is_boolean() || v["confirmed"].is_null(),
                "{v}"
            );
            answers.push(v["confirmed"].clone());
        }
    }
    // The demo's coming days have confirmed visits, declined ones and unanswered ones.
    for expected in [Value::Bool(true), Value::Bool(false), Value::Null] {
        assert!(answers.contains(&expected), "{expected}: {answers:?}");
    }
    // A reminder sent for a visit at its present time, and one for a time it no longer has.
    let v = monday_visit(&env, &db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    for (for_start, state) in [
        (v["start"].as_str().unwrap(), "sent"),
        ("2026-11-29T08:00", "failed"),
    ] {
        conn.execute(
            "INSERT INTO outbox (patient_id, appointment_id, purpose, channel, for_start,
                offset_minutes, due_at, state, created_at, created_by)
             SELECT patient_id, id, 'reminder', 'email', ?2, 120, ?2, ?3, '2026-11-27T07:00:00', 'test'
             FROM appointments WHERE id = ?1",
            rusqlite::params![v["id"].as_i64().unwrap(), for_start, state],
        )
        .unwrap();
    }
    let shown = schedule_json(&env, &db, &["--date", "2026-11-30"]);
    let now = shown.iter().find(|w| w["id"] == v["id"]).unwrap();
    assert_eq!(now["reminder"], "sent", "{now}");
}
