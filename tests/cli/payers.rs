//! The command line: `payer set|list`, who may set a payer's rules, and the billing report
//! billing each visit by its patient's payer's rule.

use super::signing::add_staff;
use super::support::*;
use ptclinic::domain::Role;

fn payers_json(env: &EnvDirs, db: &Path) -> Vec<Value> {
    let out = ptclinic(env, &["payer", "list", "--json", "--db", p(db)]);
    assert_ok(&out);
    serde_json::from_str::<Value>(&stdout(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn set(env: &EnvDirs, db: &Path, args: &[&str]) -> Output {
    let mut all = vec!["payer", "set", "--db", p(db), "--user", "aadmin"];
    all.extend_from_slice(args);
    ptclinic(env, &all)
}

#[test]
fn an_admin_sets_a_payers_rules_and_the_list_shows_them() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    assert!(payers_json(&env, &db).is_empty());
    // Before the record has an admin nobody may (the front desk stands in for strangers).
    let out = set(&env, &db, &["--name", "Aetna", "--billing-rule", "ama"]);
    assert_usage_error(&out, &["setting a payer's rules needs an admin"]);
    add_staff(&db, "Ada Admin", "AA", Role::Admin, "aadmin");
    let out = set(&env, &db, &["--name", "Aetna", "--billing-rule", "ama"]);
    assert_ok(&out);
    assert_eq!(
        stdout(&out),
        "Aetna: AMA rule of eights per code; evaluation counts as a visit: yes; assistant's note co-signed: yes\n"
    );
    let out = set(&env, &db, &["--name", "aetna", "--evaluation-counts", "no"]);
    assert_ok(&out);
    assert_eq!(
        payers_json(&env, &db),
        vec![serde_json::json!({
            "name": "Aetna", "billing_rule": "ama", "evaluation_counts": false,
            "assistant_needs_cosign": true,
        })],
        "the second change kept the first and the name's spelling"
    );
    let text = ptclinic(&env, &["payer", "list", "--db", p(&db)]);
    assert_ok(&text);
    assert!(stdout(&text).ends_with(
        "Any other payer: Medicare 8-minute rule; evaluation counts as a visit: yes; assistant's note co-signed: yes\n"
    ));
    let store = ptclinic::db::open_existing(&db).unwrap();
    let rows: Vec<_> = store
        .audit_log(&ptclinic::db::audit::AuditQuery::default())
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "payer.set")
        .collect();
    assert_eq!(rows.len(), 2, "each change audited");
}

#[test]
fn bad_payer_input_is_one_sentence_and_stores_nothing() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    add_staff(&db, "Ada Admin", "AA", Role::Admin, "aadmin");
    for (args, needle) in [
        (
            &["--name", "Aetna", "--billing-rule", "cigna"][..],
            "--billing-rule takes one of medicare, ama",
        ),
        (
            &["--name", "Aetna", "--evaluation-counts", "maybe"][..],
            "--evaluation-counts takes one of yes, no",
        ),
        (&["--name", "Aetna"][..], "payer set needs --billing-rule"),
        (
            &["--name", " ", "--billing-rule", "ama"][..],
            "the payer's name is empty",
        ),
    ] {
        let out = set(&env, &db, args);
        let err = assert_usage_error(&out, &[needle]);
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    assert!(payers_json(&env, &db).is_empty());
}

#[test]
fn billing_follows_each_patients_payer_and_the_config_only_for_unlisted_payers() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    add_staff(&db, "Ada Admin", "AA", Role::Admin, "aadmin");
    let day = "2026-11-23";
    let billing = |extra: &[(&str, &str)]| -> Vec<Value> {
        let out = ptclinic_with(
            &env,
            &["report", "billing", "--date", day, "--json", "--db", p(&db)],
            extra,
        );
        assert_ok(&out);
        serde_json::from_str::<Value>(&stdout(&out))
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let before = billing(&[]);
    assert!(before.iter().all(|v| v["rule"] == "medicare"));
    // The payer of the first visit's patient bills by the AMA rule from now on.
    let mrn = before[0]["mrn"].as_str().unwrap();
    let out = ptclinic(
        &env,
        &[
            "report",
            "progress",
            "--patient",
            mrn,
            "--format",
            "json",
            "--db",
            p(&db),
        ],
    );
    let payer = serde_json::from_str::<Value>(&stdout(&out)).unwrap()["patient"]["payer"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ok(&set(
        &env,
        &db,
        &["--name", &payer, "--billing-rule", "ama"],
    ));
    let after = billing(&[]);
    assert_eq!(after.len(), before.len());
    let mut listed = 0;
    for v in &after {
        let out = ptclinic(
            &env,
            &[
                "report",
                "progress",
                "--patient",
                v["mrn"].as_str().unwrap(),
                "--format",
                "json",
                "--db",
                p(&db),
            ],
        );
        let theirs = serde_json::from_str::<Value>(&stdout(&out)).unwrap()["patient"]["payer"]
            .as_str()
            .map(str::to_string);
        if theirs
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(&payer))
        {
            listed += 1;
            assert_eq!(v["rule"], "ama", "{v}");
        } else {
            assert_eq!(v["rule"], "medicare", "{v}");
        }
    }
    assert!(listed >= 1);
    // The config's rule is for the payers the record does not list.
    let config = env.sub("config").join("ptclinic");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "billing_rule = \"ama\"\n").unwrap();
    let configured = billing(&[]);
    assert!(configured.iter().all(|v| v["rule"] == "ama"));
    let text = ptclinic(&env, &["report", "billing", "--date", day, "--db", p(&db)]);
    assert_ok(&text);
    assert!(
        stdout(&text)
            .starts_with("Billing, Monday 23 November 2026 (AMA rule of eights per code): ")
    );
}
