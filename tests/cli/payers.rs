//! The command line: `payer set|list`, who may set a payer's rules, and the billing report
//! billing each visit by its patient's payer's rule.

use super::support::*;

fn payers_json(env: &EnvDirs, db: &Path) -> Vec<Value> {
    let out = ptclinic(env, &["payer", "list", "--json", "--db", p(db)]);
    assert_ok(&out);
    serde_json::from_str::<Value>(&stdout(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn set(env: &EnvDirs, db: &Path, user: &str, args: &[&str]) -> Output {
    let mut all = vec!["payer", "set", "--db", p(db), "--user", user];
    all.extend_from_slice(args);
    ptclinic(env, &all)
}

/// Each visit of the day's billing report, as JSON.
fn billing(env: &EnvDirs, db: &Path, day: &str) -> Vec<Value> {
    let out = ptclinic(
        env,
        &["report", "billing", "--date", day, "--json", "--db", p(db)],
    );
    assert_ok(&out);
    serde_json::from_str::<Value>(&stdout(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The payer on a patient's record.
fn payer_of(env: &EnvDirs, db: &Path, mrn: &str) -> Option<String> {
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
        .map(str::to_string)
}

#[test]
fn an_admin_sets_a_payers_rules_and_the_list_shows_them() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let listed = payers_json(&env, &db);
    assert!(
        listed
            .iter()
            .any(|p| p["name"] == "Medicare" && p["billing_rule"] == "medicare"),
        "the demo lists its payers: {listed:?}"
    );
    // The front desk (a stranger stands in for it in the demo) and a therapist may not.
    let therapist = crate::common::demo_therapist(&env, &db);
    for user in ["stranger", therapist.as_str()] {
        let out = set(
            &env,
            &db,
            user,
            &["--name", "Tricare", "--billing-rule", "ama"],
        );
        assert_usage_error(&out, &["setting a payer's rules needs an admin"]);
    }
    assert_eq!(payers_json(&env, &db), listed, "nothing stored");
    let admin = crate::common::DEMO_ADMIN;
    let out = set(
        &env,
        &db,
        admin,
        &["--name", "Tricare", "--billing-rule", "ama"],
    );
    assert_ok(&out);
    assert_eq!(
        stdout(&out),
        "Tricare: AMA rule of eights per code; evaluation counts as a visit: yes; assistant's note co-signed: yes\n"
    );
    let out = set(
        &env,
        &db,
        admin,
        &["--name", "tricare", "--evaluation-counts", "no"],
    );
    assert_ok(&out);
    let now = payers_json(&env, &db);
    assert_eq!(now.len(), listed.len() + 1);
    assert!(
        now.contains(&serde_json::json!({
            "name": "Tricare", "billing_rule": "ama", "evaluation_counts": false,
            "assistant_needs_cosign": true,
        })),
        "the second change kept the first and the name's spelling: {now:?}"
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
    let before = payers_json(&env, &db);
    for (args, needle) in [
        (
            &["--name", "Aetna", "--billing-rule", "cigna"][..],
            "--billing-rule takes one of medicare, ama",
        ),
        (
            &["--name", "Aetna", "--evaluation-counts", "maybe"][..],
            "--evaluation-counts takes one of yes, no",
        ),
        (&["--name", "Tricare"][..], "payer set needs --billing-rule"),
        (
            &["--name", " ", "--billing-rule", "ama"][..],
            "the payer's name is empty",
        ),
    ] {
        let out = set(&env, &db, crate::common::DEMO_ADMIN, args);
        let err = assert_usage_error(&out, &[needle]);
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    assert_eq!(payers_json(&env, &db), before);
}

#[test]
fn billing_follows_each_patients_payer_and_the_config_only_for_unlisted_payers() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let day = "2026-11-23";
    let rules: Vec<(String, String)> = payers_json(&env, &db)
        .iter()
        .map(|p| {
            let name = p["name"].as_str().unwrap().to_lowercase();
            (name, p["billing_rule"].as_str().unwrap().to_string())
        })
        .collect();
    let rule_of = |payer: &Option<String>, unlisted: &str| -> String {
        payer
            .as_deref()
            .and_then(|name| rules.iter().find(|(n, _)| *n == name.to_lowercase()))
            .map_or(unlisted.to_string(), |(_, r)| r.clone())
    };
    let visits = billing(&env, &db, day);
    let payers: Vec<Option<String>> = visits
        .iter()
        .map(|v| payer_of(&env, &db, v["mrn"].as_str().unwrap()))
        .collect();
    for (v, payer) in visits.iter().zip(&payers) {
        assert_eq!(v["rule"], rule_of(payer, "medicare"), "{payer:?}: {v}");
    }
    assert!(
        visits.iter().any(|v| v["rule"] == "ama") && visits.iter().any(|v| v["rule"] == "medicare"),
        "the day mixes payers of both rules: {visits:?}"
    );
    // One payer changes its rule: its patients' visits follow, the others keep theirs.
    let changed = payers[0]
        .clone()
        .expect("the first visit's patient has a payer");
    let flipped = if rule_of(&payers[0], "medicare") == "ama" {
        "medicare"
    } else {
        "ama"
    };
    assert_ok(&set(
        &env,
        &db,
        crate::common::DEMO_ADMIN,
        &["--name", &changed, "--billing-rule", flipped],
    ));
    let after = billing(&env, &db, day);
    assert_eq!(after.len(), visits.len());
    for ((v, was), payer) in after.iter().zip(&visits).zip(&payers) {
        if payer.as_deref() == Some(changed.as_str()) {
            assert_eq!(v["rule"], flipped, "{v}");
        } else {
            assert_eq!(v["rule"], was["rule"], "{v}");
        }
    }
    // The config's rule is for the payers the record does not list (self-pay here).
    let config = env.sub("config").join("ptclinic");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "billing_rule = \"ama\"\n").unwrap();
    let configured = billing(&env, &db, day);
    for ((v, was), payer) in configured.iter().zip(&after).zip(&payers) {
        let listed = payer
            .as_deref()
            .is_some_and(|name| rules.iter().any(|(n, _)| *n == name.to_lowercase()));
        if listed {
            assert_eq!(v["rule"], was["rule"], "{v}");
        } else {
            assert_eq!(v["rule"], "ama", "{v}");
        }
    }
    let text = ptclinic(&env, &["report", "billing", "--date", day, "--db", p(&db)]);
    assert_ok(&text);
    assert!(
        stdout(&text)
            .starts_with("Billing, Monday 23 November 2026 (AMA rule of eights per code): ")
    );
}
