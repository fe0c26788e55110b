//! The command line: `note sign|cosign|addendum`, a signed note never saved over, the visit
//! completed on signing, co-signatures per payer, the roles that may sign, and `report unsigned`.

use super::support::*;
use ptclinic::db::Who;
use ptclinic::db::audit::AuditQuery;
use ptclinic::db::staff::NewStaff;
use ptclinic::db::visit_notes::VisitNote;
use ptclinic::domain::Role;

const AT: &str = "2026-11-27T10:00:00";

/// The demo's therapists' usernames.
pub fn therapists(env: &EnvDirs, db: &Path) -> Vec<String> {
    let out = ptclinic(env, &["staff", "list", "--json", "--db", p(db)]);
    assert_ok(&out);
    let staff: Value = serde_json::from_str(&stdout(&out)).unwrap();
    staff
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["role"] == "therapist")
        .map(|s| s["username"].as_str().unwrap().to_string())
        .collect()
}

/// Adds a member of staff through the store, as the demo's admin.
pub fn add_staff(db: &Path, name: &str, initials: &str, role: Role, username: &str) {
    let mut store = ptclinic::db::open_existing(db).unwrap();
    store
        .add_staff(
            NewStaff {
                name: name.into(),
                initials: initials.into(),
                role,
                username: Some(username.into()),
                credentials: (role == Role::Assistant).then(|| "PTA".into()),
            },
            crate::common::DEMO_ADMIN,
            AT,
        )
        .expect("add the staff member");
}

/// Today's visits that an assistant may document (not evaluations or re-evaluations).
fn treatments_today(env: &EnvDirs, db: &Path) -> Vec<Value> {
    schedule_json(env, db, &[])
        .into_iter()
        .filter(|v| !["evaluation", "re_evaluation"].contains(&v["kind"].as_str().unwrap()))
        .collect()
}

/// Checks the visit in at the front desk.
fn check_in(env: &EnvDirs, db: &Path, id: i64) -> i64 {
    let out = ptclinic(
        env,
        &["check-in", "--appointment", &id.to_string(), "--db", p(db)],
    );
    assert_ok(&out);
    id
}

/// Today's `n`th visit an assistant may document, checked in by the front desk: its id.
fn checked_in_today(env: &EnvDirs, db: &Path, n: usize) -> i64 {
    let id = treatments_today(env, db)[n]["id"].as_i64().unwrap();
    check_in(env, db, id)
}

/// The payer of the patient with this MRN, as their progress report gives it.
fn payer_of(env: &EnvDirs, db: &Path, mrn: &str) -> String {
    let out = ptclinic(
        env,
        &[
            "report",
            "progress",
            "--patient",
            mrn,
            "--format",
            "json",
            "--db",
            p(db),
        ],
    );
    assert_ok(&out);
    serde_json::from_str::<Value>(&stdout(&out)).unwrap()["patient"]["payer"]
        .as_str()
        .expect("the demo patient has a payer")
        .to_string()
}

/// Whether the payer wants an assistant's notes co-signed (a payer without rules does).
fn asks_cosign(env: &EnvDirs, db: &Path, payer: &str) -> bool {
    let out = ptclinic(env, &["payer", "list", "--json", "--db", p(db)]);
    assert_ok(&out);
    let listed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == payer)
        .is_none_or(|r| r["assistant_needs_cosign"] == true)
}

pub fn save_note(db: &Path, appointment: i64, user: &str, progress_report: bool) {
    let mut store = ptclinic::db::open_existing(db).unwrap();
    store
        .save_visit_note(
            appointment,
            None,
            &VisitNote {
                subjective: "Less pain on stairs.".into(),
                assessment: "Improving.".into(),
                is_progress_report: progress_report,
                ..Default::default()
            },
            Who { user, at: AT },
        )
        .expect("save the draft");
}

fn note(env: &EnvDirs, db: &Path, user: &str, args: &[&str]) -> Output {
    let mut all = vec!["note"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--db", p(db), "--user", user]);
    ptclinic(env, &all)
}

fn signing(db: &Path, appointment: i64) -> ptclinic::domain::signing::NoteSigning {
    let store = ptclinic::db::open_existing(db).unwrap();
    store
        .visit_note(appointment)
        .unwrap()
        .expect("a note")
        .signing
}

fn actions(db: &Path) -> Vec<String> {
    let store = ptclinic::db::open_existing(db).unwrap();
    store
        .audit_log(&AuditQuery::default())
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

fn unsigned_json(env: &EnvDirs, db: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["report", "unsigned", "--json", "--db", p(db)];
    args.extend_from_slice(extra);
    let out = ptclinic(env, &args);
    assert_ok(&out);
    serde_json::from_str::<Value>(&stdout(&out))
        .expect("report unsigned --json is JSON")
        .as_array()
        .unwrap()
        .clone()
}

fn missing_of(report: &[Value], appointment: i64) -> Option<String> {
    report
        .iter()
        .find(|v| v["appointment"].as_i64() == Some(appointment))
        .map(|v| v["missing"].as_str().unwrap().to_string())
}

#[test]
fn signing_locks_the_note_completes_the_visit_and_later_changes_are_addenda() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let therapist = &therapists(&env, &db)[0];
    let id = checked_in_today(&env, &db, 0);
    let ids = id.to_string();
    // Checked in without a note: listed as such.
    assert_eq!(
        missing_of(&unsigned_json(&env, &db, &[]), id).as_deref(),
        Some("no_note")
    );
    save_note(&db, id, therapist, false);
    assert_eq!(
        missing_of(&unsigned_json(&env, &db, &[]), id).as_deref(),
        Some("unsigned")
    );

    let out = note(&env, &db, therapist, &["sign", "--appointment", &ids]);
    assert_ok(&out);
    let said = stdout(&out);
    assert!(
        said.starts_with(&format!("Signed the note of appointment {id} as ")),
        "{said}"
    );
    assert!(said.contains("; the visit is completed"), "{said}");
    assert_eq!(status_of(&schedule_json(&env, &db, &[]), id), "completed");
    let s = signing(&db, id);
    let signed = s.signed.expect("signed");
    assert!(signed.at.starts_with("2026-11-27T"), "{}", signed.at);
    assert!(!signed.written_as.is_empty());
    assert!(!s.awaiting_cosign, "a therapist's note waits for nobody");
    let log = actions(&db);
    let sign_at = log.iter().rposition(|a| a == "note.sign").expect("audited");
    assert_eq!(log[sign_at + 1], "appointment.status", "{log:?}");
    assert_eq!(missing_of(&unsigned_json(&env, &db, &[]), id), None);

    // Locked: neither the store nor a second signature changes it.
    let mut store = ptclinic::db::open_existing(&db).unwrap();
    let refused = store
        .save_visit_note(
            id,
            None,
            &VisitNote {
                subjective: "rewritten".into(),
                ..Default::default()
            },
            Who {
                user: therapist,
                at: AT,
            },
        )
        .unwrap_err();
    assert!(
        refused
            .message
            .contains("can no longer be changed, only added to with an addendum"),
        "{}",
        refused.message
    );
    drop(store);
    let again = note(&env, &db, therapist, &["sign", "--appointment", &ids]);
    assert_usage_error(
        &again,
        &["signed by", "ptclinic note addendum --appointment"],
    );
    let store = ptclinic::db::open_existing(&db).unwrap();
    assert_eq!(
        store.visit_note(id).unwrap().unwrap().note.subjective,
        "Less pain on stairs."
    );
    drop(store);

    // An addendum: dated, by its author, under the note.
    let out = note(
        &env,
        &db,
        therapist,
        &[
            "addendum",
            "--appointment",
            &ids,
            "--text",
            "Called back: pain 2/10.",
        ],
    );
    assert_ok(&out);
    assert!(stdout(&out).starts_with(&format!(
        "Added an addendum to the note of appointment {id} as "
    )));
    let empty = note(
        &env,
        &db,
        therapist,
        &["addendum", "--appointment", &ids, "--text", "  "],
    );
    let err = assert_usage_error(&empty, &["an addendum needs its text"]);
    assert_eq!(err.lines().count(), 1);
    let addenda = signing(&db, id).addenda;
    assert_eq!(addenda.len(), 1, "the empty one stored nothing");
    assert_eq!(addenda[0].text, "Called back: pain 2/10.");
    assert_eq!(addenda[0].staff_id, signed.staff_id);
    assert!(actions(&db).contains(&"note.addendum".to_string()));

    // The progress report shows the signature and the addendum under the latest assessment.
    let mrn = schedule_json(&env, &db, &[])
        .iter()
        .find(|v| v["id"].as_i64() == Some(id))
        .unwrap()["mrn"]
        .as_str()
        .unwrap()
        .to_string();
    let out = ptclinic(
        &env,
        &["report", "progress", "--patient", &mrn, "--db", p(&db)],
    );
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains(&format!("Signed by {}, at ", signed.written_as)),
        "{text}"
    );
    assert!(text.contains("Called back: pain 2/10."), "{text}");
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
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let a = &v["patient"]["latest_assessment"];
    assert_eq!(a["signed_by"], signed.written_as.as_str(), "{a}");
    assert_eq!(a["addenda"][0]["text"], "Called back: pain 2/10.", "{a}");
    assert_eq!(a["awaiting_cosign"], false);
    // In HTML the signature follows the quoted assessment, never inside the clinician's words.
    let out = ptclinic(
        &env,
        &[
            "report",
            "progress",
            "--patient",
            &mrn,
            "--format",
            "html",
            "--db",
            p(&db),
        ],
    );
    assert_ok(&out);
    let html = stdout(&out);
    let quote_end = html
        .find("</blockquote>")
        .expect("the assessment is quoted");
    let signature = html
        .find("<p class=\"signature\">Signed by ")
        .expect("the signature has its own line");
    assert!(signature > quote_end, "{html}");
}

#[test]
fn only_clinicians_sign_and_only_a_therapist_signs_a_progress_report() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let therapist = therapists(&env, &db)[0].clone();
    add_staff(&db, "Sam Lee", "SL", Role::Assistant, "slee");
    let id = checked_in_today(&env, &db, 0);
    let ids = id.to_string();
    save_note(&db, id, &therapist, true);
    // A user not on the demo's staff acts as its front desk.
    let out = note(&env, &db, "visitor", &["sign", "--appointment", &ids]);
    assert_usage_error(&out, &["needs a therapist or an assistant", "front desk"]);
    let out = note(&env, &db, "slee", &["sign", "--appointment", &ids]);
    assert_usage_error(
        &out,
        &["writing a progress report needs a therapist", "assistant"],
    );
    assert!(signing(&db, id).signed.is_none(), "nothing was signed");
    assert_eq!(status_of(&schedule_json(&env, &db, &[]), id), "checked_in");
    assert!(!actions(&db).contains(&"note.sign".to_string()));
    let out = note(&env, &db, &therapist, &["sign", "--appointment", &ids]);
    assert_ok(&out);
    // A visit without a note, and one that is not there.
    let bare = checked_in_today(&env, &db, 1).to_string();
    let out = note(&env, &db, &therapist, &["sign", "--appointment", &bare]);
    assert_usage_error(&out, &["has no note yet"]);
    let out = note(&env, &db, &therapist, &["sign", "--appointment", "999999"]);
    assert_usage_error(&out, &["there is no appointment 999999"]);
    let out = note(&env, &db, &therapist, &["sign", "--appointment", "-3"]);
    assert_usage_error(&out, &["--appointment"]);
}

#[test]
fn an_assistants_note_waits_for_a_therapists_cosignature_where_the_payer_asks() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let therapists = therapists(&env, &db);
    add_staff(&db, "Sam Lee", "SL", Role::Assistant, "slee");
    let today = treatments_today(&env, &db);
    let id = |v: &Value| v["id"].as_i64().unwrap();
    // A payer that asks for the co-signature (Medicare, Medicaid, or one without rules).
    let first = today
        .iter()
        .find(|v| asks_cosign(&env, &db, &payer_of(&env, &db, v["mrn"].as_str().unwrap())))
        .map(id)
        .expect("a visit today whose payer asks for a co-signature");
    check_in(&env, &db, first);
    let ids = first.to_string();
    save_note(&db, first, "slee", false);
    let out = note(&env, &db, "slee", &["sign", "--appointment", &ids]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("awaits a therapist's co-signature"),
        "{}",
        stdout(&out)
    );
    assert!(signing(&db, first).awaiting_cosign);
    assert_eq!(
        missing_of(&unsigned_json(&env, &db, &[]), first).as_deref(),
        Some("awaiting_cosign")
    );
    let text = ptclinic(&env, &["report", "unsigned", "--db", p(&db)]);
    assert_ok(&text);
    assert!(
        stdout(&text)
            .lines()
            .any(|l| l.starts_with(&format!("Visit {first} "))
                && l.ends_with("awaiting co-signature")),
        "{}",
        stdout(&text)
    );
    // Not the assistant, not the front desk; a therapist, once.
    let out = note(&env, &db, "slee", &["cosign", "--appointment", &ids]);
    assert_usage_error(&out, &["co-signing an assistant's note needs a therapist"]);
    let out = note(&env, &db, "visitor", &["cosign", "--appointment", &ids]);
    assert_usage_error(&out, &["needs a therapist"]);
    let out = note(
        &env,
        &db,
        &therapists[0],
        &["cosign", "--appointment", &ids],
    );
    assert_ok(&out);
    assert!(stdout(&out).starts_with(&format!("Co-signed the note of appointment {first} as ")));
    let s = signing(&db, first);
    assert!(s.cosigned.is_some() && !s.awaiting_cosign);
    assert_eq!(missing_of(&unsigned_json(&env, &db, &[]), first), None);
    assert!(actions(&db).contains(&"note.cosign".to_string()));
    let out = note(
        &env,
        &db,
        &therapists[1],
        &["cosign", "--appointment", &ids],
    );
    assert_usage_error(&out, &["already co-signed"]);

    // A payer that does not ask: the assistant's note is done when signed. Setting it needs
    // an admin.
    let others: Vec<&Value> = today.iter().filter(|v| id(v) != first).collect();
    let second = check_in(&env, &db, id(others[0]));
    let payer = payer_of(&env, &db, others[0]["mrn"].as_str().unwrap());
    add_staff(&db, "Ada Admin", "AA", Role::Admin, "aadmin");
    let set = |user: &str| {
        ptclinic(
            &env,
            &[
                "payer",
                "set",
                "--name",
                &payer,
                "--assistant-cosign",
                "no",
                "--db",
                p(&db),
                "--user",
                user,
            ],
        )
    };
    assert_usage_error(
        &set(&therapists[0]),
        &["setting a payer's rules needs an admin"],
    );
    assert_ok(&set("aadmin"));
    save_note(&db, second, "slee", false);
    let out = note(
        &env,
        &db,
        "slee",
        &["sign", "--appointment", &second.to_string()],
    );
    assert_ok(&out);
    assert!(!stdout(&out).contains("co-signature"), "{}", stdout(&out));
    assert!(!signing(&db, second).awaiting_cosign);
    let out = note(
        &env,
        &db,
        &therapists[0],
        &["cosign", "--appointment", &second.to_string()],
    );
    assert_usage_error(&out, &["needs no co-signature"]);
    // A therapist's own note is never co-signed.
    let third = check_in(&env, &db, id(others[1]));
    save_note(&db, third, &therapists[0], false);
    assert_ok(&note(
        &env,
        &db,
        &therapists[0],
        &["sign", "--appointment", &third.to_string()],
    ));
    let out = note(
        &env,
        &db,
        &therapists[0],
        &["cosign", "--appointment", &third.to_string()],
    );
    assert_usage_error(&out, &["cannot be co-signed by the one who signed it"]);
}

#[test]
fn report_unsigned_lists_attended_visits_up_to_the_day() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let report = unsigned_json(&env, &db, &[]);
    assert!(!report.is_empty(), "the demo's notes are drafts");
    for v in &report {
        let o = v.as_object().unwrap();
        let keys: Vec<&str> = o.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "appointment",
                "date",
                "missing",
                "mrn",
                "patient",
                "site",
                "therapist"
            ],
            "{v}"
        );
        assert!(
            ["no_note", "unsigned", "awaiting_cosign"].contains(&v["missing"].as_str().unwrap())
        );
        assert!(v["date"].as_str().unwrap() <= TODAY);
    }
    // Only attended visits: none of today's, which are all still to come.
    assert!(report.iter().all(|v| v["date"] != TODAY));
    let earlier = unsigned_json(&env, &db, &["--date", "2026-11-20"]);
    assert!(earlier.len() < report.len());
    assert!(
        earlier
            .iter()
            .all(|v| v["date"].as_str().unwrap() <= "2026-11-20")
    );
    let text = ptclinic(
        &env,
        &["report", "unsigned", "--date", "2026-11-20", "--db", p(&db)],
    );
    assert_ok(&text);
    let t = stdout(&text);
    assert!(
        t.starts_with(&format!(
            "Unsigned notes, attended visits up to Friday 20 November 2026: {} to finish\n",
            earlier.len()
        )),
        "{t}"
    );
    assert_eq!(
        t.lines().filter(|l| l.starts_with("Visit ")).count(),
        earlier.len()
    );
    let bad = ptclinic(
        &env,
        &["report", "unsigned", "--date", "2026-13-01", "--db", p(&db)],
    );
    assert_usage_error(&bad, &["--date"]);
}
