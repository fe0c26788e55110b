//! The command line: database resolution.

use super::support::*;

#[test]
fn db_comes_from_env_then_config_file() {
    let env = EnvDirs::new();
    let a = small_demo(&env, "a.db");
    let mut args = vec!["demo", "--db", "", "--seed", "5"];
    let b = env.path("b.db");
    args[2] = p(&b);
    args.extend_from_slice(SMALL);
    assert_ok(&ptclinic(&env, &args));
    let ja = schedule_json(&env, &a, &[]);
    let jb = schedule_json(&env, &b, &[]);
    assert_ne!(ja, jb);

    let run = |extra: &[(&str, &str)]| {
        let out = ptclinic_with(&env, &["schedule", "--json"], extra);
        assert_ok(&out);
        serde_json::from_str::<Vec<Value>>(&stdout(&out)).unwrap()
    };
    assert_eq!(run(&[("PTCLINIC_DB", p(&a))]), ja);

    let cfg = env.sub("config").join("ptclinic");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), format!("db = {:?}\n", p(&b))).unwrap();
    assert_eq!(run(&[]), jb, "config file");
    assert_eq!(run(&[("PTCLINIC_DB", p(&a))]), ja, "env beats config");
    let out = ptclinic_with(
        &env,
        &["schedule", "--json", "--db", p(&b)],
        &[("PTCLINIC_DB", p(&a))],
    );
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&stdout(&out)).unwrap(),
        jb,
        "flag beats env"
    );
}

#[test]
fn without_any_db_the_demo_clinic_is_built_in_the_data_folder() {
    let env = EnvDirs::new();
    let out = ptclinic(&env, &["schedule", "--json"]);
    assert_ok(&out);
    let demo = env.sub("data").join("ptclinic").join("demo.db");
    assert!(demo.is_file(), "demo built at {}", demo.display());
    let visits: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(!visits.is_empty());
    assert!(visits.iter().all(|v| v["status"] == "scheduled"));
}
