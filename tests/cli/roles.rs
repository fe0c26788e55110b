//! Roles at the command line: each write is refused for each role it is not for (exit 2, one
//! sentence naming the role needed, nothing stored), the demo's stand-in front desk, a user not
//! on the staff of a real record, the first admin of a new record, and the last admin kept.

use super::support::*;

/// Who runs a command in the demo, and how the refusal names them.
#[derive(Debug, Clone, Copy, PartialEq)]
enum As {
    Therapist,
    Assistant,
    /// A user the demo does not know: it acts as the demo's front-desk person.
    FrontDesk,
    Admin,
}

impl As {
    const ALL: [As; 4] = [As::Therapist, As::Assistant, As::FrontDesk, As::Admin];

    fn user(self, therapist: &str) -> String {
        match self {
            As::Therapist => therapist.to_string(),
            As::Assistant => DEMO_ASSISTANT.into(),
            As::FrontDesk => "walkin".into(),
            As::Admin => DEMO_ADMIN.into(),
        }
    }

    /// How `roles::check` names the role in a refusal.
    fn label(self) -> &'static str {
        match self {
            As::Therapist => "therapist",
            As::Assistant => "assistant",
            As::FrontDesk => "front desk",
            As::Admin => "admin",
        }
    }
}

struct Write {
    args: Vec<String>,
    /// Who may: the others are refused.
    allowed: &'static [As],
    /// The refusal's "… needs WHO".
    needs: &'static str,
}

fn writes(env: &EnvDirs, db: &Path) -> Vec<Write> {
    let mrn = schedule_json(env, db, &[])[0]["mrn"]
        .as_str()
        .unwrap()
        .to_string();
    let csv = env.file(
        "new.csv",
        "mrn,first_name,last_name,date_of_birth\nZ-1,Ada,Okafor,1961-04-02\n",
    );
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    vec![
        Write {
            args: s(&[
                "record",
                "--patient",
                &mrn,
                "--measure",
                "NPRS",
                "--value",
                "4",
            ]),
            allowed: &[As::Therapist, As::Assistant],
            needs: "recording a measure needs a therapist or an assistant",
        },
        Write {
            args: s(&["import", "patients", p(&csv)]),
            allowed: &[As::Admin],
            needs: "importing records needs an admin",
        },
        Write {
            args: s(&["measures", "set", "--code", "NPRS", "--mcid", "1.5"]),
            allowed: &[As::Admin],
            needs: "setting a measure's thresholds needs an admin",
        },
        Write {
            args: s(&[
                "staff",
                "add",
                "--name",
                "Nia Cole",
                "--initials",
                "NC",
                "--role",
                "assistant",
                "--credentials",
                "PTA",
            ]),
            allowed: &[As::Admin],
            needs: "changing the staff list needs an admin",
        },
        Write {
            args: s(&[
                "staff",
                "edit",
                "--initials",
                "NC",
                "--credentials",
                "PTA, CLT",
            ]),
            allowed: &[As::Admin],
            needs: "changing the staff list needs an admin",
        },
        Write {
            args: s(&["staff", "deactivate", "--initials", "NC"]),
            allowed: &[As::Admin],
            needs: "changing the staff list needs an admin",
        },
    ]
}

fn run_as(env: &EnvDirs, db: &Path, args: &[String], user: &str) -> Output {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend(["--user", user, "--db", p(db)]);
    ptclinic(env, &all)
}

#[test]
fn each_write_is_refused_for_each_role_it_is_not_for_and_nothing_is_stored() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let therapist = demo_therapist(&env, &db);
    let mut refusals = 0;
    for write in writes(&env, &db) {
        for who in As::ALL.into_iter().filter(|a| !write.allowed.contains(a)) {
            let before = read(&db);
            let out = run_as(&env, &db, &write.args, &who.user(&therapist));
            let err = assert_usage_error(&out, &[write.needs]);
            assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
            // The demo's stand-in front desk is named as such.
            assert!(
                err.contains(&format!("on the staff as {}", who.label()))
                    || err.contains(&format!("acts as its {} (", who.label())),
                "{:?} as {who:?}: {err}",
                write.args
            );
            assert_eq!(
                read(&db),
                before,
                "{:?} as {who:?} stored something",
                write.args
            );
            refusals += 1;
        }
        // The role it is for may: the table is not refusing everything.
        let who = write.allowed[0];
        let out = run_as(&env, &db, &write.args, &who.user(&therapist));
        assert_ok(&out);
    }
    assert_eq!(refusals, 2 + 3 * 5);
    // Each allowed write left its audit row, by the user who made it.
    let out = ptclinic(&env, &["audit", "--json", "--db", p(&db)]);
    let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let by = |action: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r["action"] == action)
            .map(|r| r["user"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(by("measurement.record"), vec![therapist.clone()]);
    assert_eq!(by("staff.add"), vec![DEMO_ADMIN.to_string()]);
    assert_eq!(by("staff.deactivate"), vec![DEMO_ADMIN.to_string()]);
}

#[test]
fn in_the_demo_an_unknown_user_acts_as_its_front_desk() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let visits = schedule_json(&env, &db, &[]);
    let id = visits.iter().find(|v| v["status"] == "scheduled").unwrap()["id"]
        .as_i64()
        .unwrap();
    // The front desk checks in…
    let out = ptclinic(
        &env,
        &[
            "check-in",
            "--appointment",
            &id.to_string(),
            "--user",
            "walkin",
            "--db",
            p(&db),
        ],
    );
    assert_ok(&out);
    assert_eq!(status_of(&schedule_json(&env, &db, &[]), id), "checked_in");
    // …and the refusal of a clinical write says whom the user stood in for.
    let out = ptclinic(
        &env,
        &[
            "record",
            "--patient",
            visits[0]["mrn"].as_str().unwrap(),
            "--measure",
            "NPRS",
            "--value",
            "4",
            "--user",
            "walkin",
            "--db",
            p(&db),
        ],
    );
    let staff: Vec<Value> = serde_json::from_str(&stdout(&ptclinic(
        &env,
        &["staff", "list", "--json", "--db", p(&db)],
    )))
    .unwrap();
    let desk = staff.iter().find(|s| s["role"] == "front_desk").unwrap();
    assert_usage_error(
        &out,
        &[
            "in the demo walkin acts as its front desk (",
            desk["name"].as_str().unwrap(),
            "run as one of its staff (--user)",
        ],
    );
    // The demo's staff: therapists sign as PT, DPT, and the admin and the assistant are the
    // README's.
    let role_of = |user: &str| {
        staff
            .iter()
            .find(|s| s["username"] == user)
            .map(|s| (s["role"].clone(), s["credentials"].clone()))
    };
    assert_eq!(
        role_of(DEMO_ADMIN),
        Some((Value::from("admin"), Value::Null))
    );
    assert_eq!(
        role_of(DEMO_ASSISTANT),
        Some((Value::from("assistant"), Value::from("PTA")))
    );
    let therapist = demo_therapist(&env, &db);
    assert_eq!(
        role_of(&therapist),
        Some((Value::from("therapist"), Value::from("PT, DPT")))
    );
}

fn add(env: &EnvDirs, db: &Path, user: &str, extra: &[&str]) -> Output {
    let mut args = vec!["staff", "add", "--db", p(db), "--user", user];
    args.extend_from_slice(extra);
    ptclinic(env, &args)
}

#[test]
fn a_new_record_gets_its_first_admin_then_strangers_are_read_only() {
    let env = EnvDirs::new();
    let db = env.path("clinic.db");
    assert_ok(&ptclinic(&env, &["init", "--db", p(&db)]));
    // Nobody is on the staff yet: anyone may add the first admin.
    let out = add(
        &env,
        &db,
        "mlee",
        &[
            "--name",
            "Mo Lee",
            "--initials",
            "ML",
            "--role",
            "admin",
            "--username",
            "mlee",
        ],
    );
    assert_ok(&out);
    // From then on the staff list is the admin's: a stranger is refused and nothing is stored.
    let before = read(&db);
    let out = add(
        &env,
        &db,
        "stranger",
        &["--name", "Eve Sly", "--initials", "ES", "--role", "admin"],
    );
    assert_usage_error(
        &out,
        &[
            "changing the staff list needs an admin",
            "stranger is not on the staff of this record, so it is read-only for them",
        ],
    );
    assert_eq!(read(&db), before);
    // The admin adds a therapist, who may then record; the stranger may not even check in.
    let out = add(
        &env,
        &db,
        "mlee",
        &[
            "--name",
            "Ana Ruiz",
            "--initials",
            "AR",
            "--role",
            "therapist",
            "--username",
            "aruiz",
            "--credentials",
            "PT, DPT",
        ],
    );
    assert_ok(&out);
    let out = ptclinic(&env, &["staff", "list", "--db", p(&db)]);
    assert!(
        stdout(&out).contains("PT, DPT"),
        "the list shows credentials: {}",
        stdout(&out)
    );
    let csv = env.file(
        "p.csv",
        "mrn,first_name,last_name,date_of_birth\nA-1,Ada,Okafor,1961-04-02\n",
    );
    assert_ok(&ptclinic(
        &env,
        &[
            "import",
            "patients",
            p(&csv),
            "--user",
            "mlee",
            "--db",
            p(&db),
        ],
    ));
    let before = read(&db);
    let out = ptclinic(
        &env,
        &[
            "record",
            "--patient",
            "A-1",
            "--measure",
            "NPRS",
            "--value",
            "5",
            "--user",
            "stranger",
            "--db",
            p(&db),
        ],
    );
    assert_usage_error(&out, &["stranger is not on the staff", "read-only"]);
    assert_eq!(read(&db), before);
    let out = ptclinic(
        &env,
        &[
            "record",
            "--patient",
            "A-1",
            "--measure",
            "NPRS",
            "--value",
            "5",
            "--user",
            "aruiz",
            "--db",
            p(&db),
        ],
    );
    assert_ok(&out);
}

#[test]
fn the_last_admin_is_kept_and_staff_changes_are_audited() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let staff = |env: &EnvDirs| -> Vec<Value> {
        let out = ptclinic(env, &["staff", "list", "--json", "--db", p(&db)]);
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let admin = staff(&env)
        .into_iter()
        .find(|s| s["username"] == DEMO_ADMIN)
        .unwrap();
    let initials = admin["initials"].as_str().unwrap().to_string();
    let as_admin = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--user", DEMO_ADMIN, "--db", p(&db)]);
        ptclinic(&env, &all)
    };
    let before = read(&db);
    // The only admin can neither leave nor stop being an admin, even by their own hand.
    let out = as_admin(&["staff", "deactivate", "--initials", &initials]);
    assert_usage_error(&out, &["the last active admin"]);
    let out = as_admin(&[
        "staff",
        "edit",
        "--initials",
        &initials,
        "--role",
        "therapist",
    ]);
    assert_usage_error(&out, &["the last active admin"]);
    assert_eq!(read(&db), before, "nothing stored");

    // With a second admin, the first may step down; the new one carries on.
    assert_ok(&as_admin(&[
        "staff",
        "add",
        "--name",
        "Kit Moss",
        "--initials",
        "KM",
        "--role",
        "admin",
        "--username",
        "kmoss",
    ]));
    assert_ok(&as_admin(&[
        "staff",
        "edit",
        "--initials",
        &initials,
        "--role",
        "front_desk",
        "--credentials",
        "",
    ]));
    let now = staff(&env);
    let old = now.iter().find(|s| s["initials"] == initials).unwrap();
    assert_eq!(old["role"], "front_desk");
    // No longer an admin: the staff list is not theirs to change.
    let out = as_admin(&["staff", "deactivate", "--initials", "KM"]);
    assert_usage_error(
        &out,
        &["changing the staff list needs an admin", "as front desk"],
    );
    let out = ptclinic(
        &env,
        &[
            "staff",
            "deactivate",
            "--initials",
            &initials,
            "--user",
            "kmoss",
            "--db",
            p(&db),
        ],
    );
    assert_ok(&out);
    assert!(staff(&env).iter().all(|s| s["initials"] != initials));
    // Someone no longer on the staff is not found again.
    let out = ptclinic(
        &env,
        &[
            "staff",
            "deactivate",
            "--initials",
            &initials,
            "--user",
            "kmoss",
            "--db",
            p(&db),
        ],
    );
    assert_usage_error(&out, &["no active staff member has the initials"]);

    let out = ptclinic(&env, &["audit", "--json", "--db", p(&db)]);
    let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let edit = rows.iter().find(|r| r["action"] == "staff.edit").unwrap();
    assert_eq!(edit["user"], DEMO_ADMIN);
    let gone = rows
        .iter()
        .find(|r| r["action"] == "staff.deactivate")
        .unwrap();
    assert_eq!(gone["user"], "kmoss");
}

#[test]
fn staff_edit_refuses_bad_input_and_nothing_changes() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let before = read(&db);
    for (args, says) in [
        (
            vec!["--initials", "ZZZ", "--name", "X"],
            "no active staff member",
        ),
        (vec!["--initials", "ZZZ"], "say what to change"),
        (
            vec!["--initials", "ZZZ", "--credentials", "PT\u{1b}[2J"],
            "control characters",
        ),
    ] {
        let mut all = vec!["staff", "edit"];
        all.extend(args);
        all.extend(["--user", DEMO_ADMIN, "--db", p(&db)]);
        assert_usage_error(&ptclinic(&env, &all), &[says]);
    }
    // A username already someone else's.
    let therapist = demo_therapist(&env, &db);
    let out = ptclinic(&env, &["staff", "list", "--json", "--db", p(&db)]);
    let staff: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let pta = staff
        .iter()
        .find(|s| s["username"] == DEMO_ASSISTANT)
        .unwrap();
    let out = ptclinic(
        &env,
        &[
            "staff",
            "edit",
            "--initials",
            pta["initials"].as_str().unwrap(),
            "--username",
            &therapist,
            "--user",
            DEMO_ADMIN,
            "--db",
            p(&db),
        ],
    );
    assert_usage_error(&out, &["already belongs to someone"]);
    assert_eq!(read(&db), before);
}
