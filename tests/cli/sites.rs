//! The command line for a clinic group's sites: a record starts with one site where everyone
//! works; a second site makes booking, slots, the schedule and the waitlist say which; a
//! therapist is booked only where they work; every refusal is one sentence and stores nothing.

use super::support::*;

fn run(env: &EnvDirs, db: &Path, args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--db", p(db), "--user", DEMO_ADMIN]);
    ptclinic(env, &all)
}

fn sites(env: &EnvDirs, db: &Path) -> Vec<Value> {
    let out = run(env, db, &["site", "list", "--json"]);
    assert_ok(&out);
    serde_json::from_str::<Value>(&stdout(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

fn book(env: &EnvDirs, db: &Path, therapist: &str, site: Option<&str>, time: &str) -> Output {
    let mut args = vec![
        "book",
        "--patient",
        "100001",
        "--therapist",
        therapist,
        "--start",
        "2026-12-08",
        "--time",
        time,
        "--minutes",
        "45",
        "--count",
        "1",
    ];
    if let Some(site) = site {
        args.extend_from_slice(&["--site", site]);
    }
    run(env, db, &args)
}

#[test]
fn a_second_site_is_named_at_booking_and_shown_apart() {
    let env = EnvDirs::new();
    let db = small_demo(&env, "clinic.db");
    let therapist = demo_therapist(&env, &db);

    let one = sites(&env, &db);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["name"], "Main");
    assert!(
        one[0]["staff"].as_array().unwrap().len() >= 3,
        "everyone works at the one site: {one:?}"
    );

    let out = run(
        &env,
        &db,
        &[
            "site",
            "add",
            "--name",
            "North",
            "--address",
            "12 Elm St",
            "--phone",
            "(555) 010-3000",
        ],
    );
    assert_ok(&out);
    assert!(stdout(&out).starts_with("North\n"), "{}", stdout(&out));
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'site.add'"
        ),
        1
    );

    // Two sites: a booking says where, and nothing is stored until it does.
    let visits = count(&db, "SELECT count(*) FROM appointments");
    assert_usage_error(
        &book(&env, &db, &therapist, None, "10:00"),
        &["several sites (Main, North)", "--site"],
    );
    assert_usage_error(
        &book(&env, &db, &therapist, Some("North"), "10:00"),
        &[
            "does not work at North (works at Main)",
            "ptclinic site staff North --add",
        ],
    );
    assert_usage_error(
        &book(&env, &db, &therapist, Some("South"), "10:00"),
        &["no site is named \"South\""],
    );
    assert_eq!(count(&db, "SELECT count(*) FROM appointments"), visits);

    assert_ok(&run(
        &env,
        &db,
        &["site", "staff", "North", "--add", &therapist],
    ));
    let booked = book(&env, &db, &therapist, Some("north"), "10:00");
    assert_ok(&booked);
    assert!(
        stderr(&booked).contains("Booked 1 of 1 visits") && stderr(&booked).contains(" at North."),
        "the booking's line names the site: {}",
        stderr(&booked)
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM appointments a JOIN sites s ON s.id = a.site_id
             WHERE s.name = 'North' AND a.start = '2026-12-08T10:00'"
        ),
        1
    );

    let day = |site: &str| -> Vec<Value> {
        schedule_json(&env, &db, &["--date", "2026-12-08", "--site", site])
    };
    let north = day("North");
    assert_eq!(north.len(), 1, "{north:?}");
    assert_eq!(north[0]["site"], "North");
    assert!(day("Main").iter().all(|v| v["site"] == "Main"));
    assert_eq!(day("all").len(), day("Main").len() + 1);

    // A therapist is in one place at a time: their Main visits block North's slots too.
    let out = run(
        &env,
        &db,
        &[
            "slots",
            "--therapist",
            &therapist,
            "--from",
            "2026-12-08",
            "--site",
            "North",
        ],
    );
    assert_ok(&out);
    assert!(stdout(&out).contains(" at North:"), "{}", stdout(&out));
    assert!(
        !stdout(&out).contains("2026-12-08 10:00"),
        "{}",
        stdout(&out)
    );

    // A site's own hours: North is closed on Saturdays, Main is not.
    assert_ok(&run(
        &env,
        &db,
        &["site", "hours", "North", "--day", "sat", "--closed"],
    ));
    let saturday = |site: &str| {
        let out = run(
            &env,
            &db,
            &[
                "slots",
                "--therapist",
                &therapist,
                "--from",
                "2026-12-12",
                "--site",
                site,
                "--json",
            ],
        );
        assert_ok(&out);
        let slots: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
        slots
            .iter()
            .any(|s| s["start"].as_str().unwrap().starts_with("2026-12-12"))
    };
    assert!(!saturday("North"));
    assert!(saturday("Main"));
    let north = sites(&env, &db)
        .into_iter()
        .find(|s| s["name"] == "North")
        .unwrap();
    assert_eq!(
        north["own_hours"],
        serde_json::json!([{"day": "sat", "open": null, "close": null, "closed": true}])
    );

    // The waitlist is per site.
    let out = run(
        &env,
        &db,
        &[
            "waitlist",
            "add",
            "--patient",
            "100002",
            "--times",
            "09:00-12:00",
            "--site",
            "North",
        ],
    );
    assert_ok(&out);
    let listed = |site: &str| -> Vec<Value> {
        let out = run(&env, &db, &["waitlist", "list", "--json", "--site", site]);
        assert_ok(&out);
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    assert!(listed("North").iter().any(|e| e["mrn"] == "100002"));
    assert!(!listed("Main").iter().any(|e| e["mrn"] == "100002"));

    // Reports take the site: the demo's unsigned notes are all Main's.
    let unsigned = |site: &str| -> Vec<Value> {
        let out = run(&env, &db, &["report", "unsigned", "--json", "--site", site]);
        assert_ok(&out);
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let main = unsigned("Main");
    assert!(!main.is_empty());
    assert!(main.iter().all(|v| v["site"] == "Main"), "{main:?}");
    assert!(unsigned("North").is_empty());
    assert_eq!(unsigned("all").len(), main.len());
    let no_shows = |site: &str| -> Value {
        let out = run(&env, &db, &["report", "no-shows", "--json", "--site", site]);
        assert_ok(&out);
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let (main, north) = (no_shows("Main"), no_shows("North"));
    assert_eq!(main["site"], "Main");
    assert!(main["total"]["visits"].as_u64().unwrap() > 0, "{main}");
    assert_eq!(
        north["total"]["visits"], 0,
        "North has no visits in the past"
    );

    // A site that lists its rooms takes only those, from an import too. Changes to a site's
    // rooms are made together or not at all.
    assert_usage_error(
        &run(
            &env,
            &db,
            &[
                "site", "rooms", "North", "--add", "Pool", "--remove", "Sauna",
            ],
        ),
        &["North has no room \"Sauna\"; nothing was changed"],
    );
    assert_eq!(count(&db, "SELECT count(*) FROM site_rooms"), 0);
    assert_ok(&run(&env, &db, &["site", "rooms", "North", "--add", "Gym"]));
    let csv = env.file(
        "visits.csv",
        format!("mrn,therapist,start,minutes,kind,room\n100003,{therapist},2026-12-09T09:00,45,treatment,Pool\n"),
    );
    let visits = count(&db, "SELECT count(*) FROM appointments");
    assert_usage_error(
        &run(
            &env,
            &db,
            &["import", "appointments", p(&csv), "--site", "North"],
        ),
        &["North has no room \"Pool\"; its rooms are Gym"],
    );
    assert_eq!(count(&db, "SELECT count(*) FROM appointments"), visits);
    let csv = env.file(
        "visits.csv",
        format!("mrn,therapist,start,minutes,kind,room\n100003,{therapist},2026-12-09T09:00,45,treatment,gym\n"),
    );
    assert_ok(&run(
        &env,
        &db,
        &["import", "appointments", p(&csv), "--site", "North"],
    ));
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM appointments WHERE room = 'Gym' AND site_id = 2"
        ),
        1
    );

    // A site with visits to come stays open; the last active site always does.
    assert_usage_error(
        &run(&env, &db, &["site", "edit", "North", "--close"]),
        &["North has 2 visit(s) still to come"],
    );
    assert_usage_error(
        &run(&env, &db, &["site", "add", "--name", "ALL"]),
        &["\"all\" names every site"],
    );
    assert_usage_error(
        &run(&env, &db, &["site", "add", "--name", "north"]),
        &["a site is already named \"north\""],
    );
    assert_eq!(sites(&env, &db).len(), 2);

    // Patients belong to the whole group: importing them needs no site.
    let csv = env.file(
        "patients.csv",
        "mrn,first_name,last_name,date_of_birth\nG1,Gale,Ortiz,1970-03-04\n",
    );
    assert_ok(&run(&env, &db, &["import", "patients", p(&csv)]));
}
