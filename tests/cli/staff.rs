//! The command line: init and staff.

use super::support::*;

#[test]
fn init_then_staff_add_and_list() {
    let env = EnvDirs::new();
    let db = env.path("clinic.db");
    let out = ptclinic(&env, &["init", "--db", p(&db)]);
    assert_ok(&out);
    assert!(db.is_file());

    let out = ptclinic(&env, &["staff", "list", "--json", "--db", p(&db)]);
    assert_ok(&out);
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&out)).unwrap(),
        serde_json::json!([])
    );

    let out = ptclinic(
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
            "--username",
            "dwhit",
            "--db",
            p(&db),
        ],
    );
    assert_ok(&out);
    let out = ptclinic(
        &env,
        &[
            "staff",
            "add",
            "--name",
            "Rob Front",
            "--initials",
            "RF",
            "--role",
            "front_desk",
            "--db",
            p(&db),
        ],
    );
    assert_ok(&out);

    let out = ptclinic(&env, &["staff", "list", "--json", "--db", p(&db)]);
    assert_ok(&out);
    let staff: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(staff.len(), 2, "{staff:?}");
    let dana = staff
        .iter()
        .find(|s| s["initials"] == "DW")
        .expect("DW listed");
    assert_eq!(dana["name"], "Dana Whitfield");
    assert_eq!(dana["role"], "therapist");
    assert_eq!(dana["username"], "dwhit");
    assert!(dana["id"].as_i64().is_some());
    let rob = staff
        .iter()
        .find(|s| s["initials"] == "RF")
        .expect("RF listed");
    assert_eq!(rob["role"], "front_desk");
    assert!(rob["username"].is_null());
    for s in &staff {
        let keys: BTreeSet<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from(["id", "name", "initials", "role", "username", "credentials"])
        );
    }

    // An empty clinic has an empty day.
    assert!(schedule_json(&env, &db, &[]).is_empty());

    // init refuses an existing record and leaves it alone.
    let before = read(&db);
    let out = ptclinic(&env, &["init", "--db", p(&db)]);
    assert_usage_error(&out, &[p(&db), "already exists"]);
    assert_eq!(read(&db), before);
}

#[test]
fn staff_add_refuses_duplicate_initials() {
    let env = EnvDirs::new();
    let db = env.path("clinic.db");
    assert_ok(&ptclinic(&env, &["init", "--db", p(&db)]));
    let add = |name: &str, ini: &str| {
        ptclinic(
            &env,
            &[
                "staff",
                "add",
                "--name",
                name,
                "--initials",
                ini,
                "--role",
                "therapist",
                "--db",
                p(&db),
            ],
        )
    };
    assert_ok(&add("Dana Whitfield", "DW"));
    let out = add("Derek Wong", "DW");
    assert_usage_error(&out, &["DW"]);
    // Initials are compared without regard to case.
    let out = add("Derek Wong", "dw");
    assert_code(&out, 2);
    let out = ptclinic(&env, &["staff", "list", "--json", "--db", p(&db)]);
    let staff: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(staff.len(), 1, "{staff:?}");
}

#[test]
fn init_needs_a_db_path() {
    let env = EnvDirs::new();
    let out = ptclinic(&env, &["init"]);
    assert_usage_error(&out, &["--db"]);
    assert!(!env.sub("data").join("ptclinic").join("demo.db").exists());
}
