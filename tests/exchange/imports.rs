//! CSV imports: all or nothing, every bad line reported with its line number.

use super::support::*;

#[test]
fn template_prints_the_header_line() {
    let env = EnvDirs::new();
    let out = ptclinic(&env, &["import", "patients", "--template"]);
    assert_code(&out, 0);
    assert!(stdout(&out).starts_with("mrn,first_name,last_name,date_of_birth,"));
    let out = ptclinic(&env, &["import", "appointments", "--template"]);
    assert_eq!(
        stdout(&out),
        "mrn,therapist,start,minutes,kind,status,cancel_reason,room\n"
    );
    let out = ptclinic(&env, &["import", "exercises", "--template"]);
    assert!(stdout(&out).starts_with("name,region,category,equipment,instructions,aliases"));
}

#[test]
fn bom_semicolons_quotes_and_any_column_order_import_and_round_trip_to_fhir() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let out = import(
        &env,
        &db,
        "patients",
        &fixture("patients_semicolon_bom.csv"),
        &[],
    );
    assert_code(&out, 0);
    assert!(stderr(&out).contains("3 rows"), "{}", stderr(&out));
    assert_eq!(count(&db, "patients"), 3);

    let b = fhir_bundle(&env, &db, "A-1001");
    let patient = resources(&b, "Patient")[0];
    assert_eq!(patient["identifier"][0]["value"], "A-1001");
    assert_eq!(patient["name"][0]["family"], "Okafor");
    assert_eq!(patient["name"][0]["given"][0], "Ada");
    assert_eq!(patient["birthDate"], "1961-04-02");
    assert_eq!(patient["telecom"][0]["value"], "(555) 010-2233");
    assert_eq!(patient["telecom"][1]["value"], "ada@example.org");
    let condition = resources(&b, "Condition")[0];
    assert_eq!(condition["code"]["coding"][0]["code"], "M17.11");
    assert_eq!(
        condition["code"]["text"],
        "Primary osteoarthritis, right knee; chronic"
    );

    let b = fhir_bundle(&env, &db, "A-1002");
    let patient = resources(&b, "Patient")[0];
    assert_eq!(patient["name"][0]["family"], "Smith, Jr.");
    assert_eq!(patient["name"][0]["given"][0], "Jean \"JJ\"");
    // No diagnosis, no Condition.
    let b = fhir_bundle(&env, &db, "A-1003");
    assert!(resources(&b, "Condition").is_empty());

    // One audit row for the whole import.
    assert_eq!(count(&db, "audit_log WHERE action = 'import.patients'"), 1);
}

#[test]
fn every_bad_row_is_listed_and_nothing_is_imported() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let out = import(&env, &db, "patients", &fixture("patients_bad.csv"), &[]);
    let lines = refused(&out, 5);
    assert!(stderr(&out).contains("nothing was imported"));
    assert!(lines[&2].contains("date_of_birth \"1980-02-30\" is not a real date"));
    assert!(lines[&4].contains("\"B-2\" is already on line 3"));
    let five = &lines[&5];
    for needle in [
        "first_name is empty",
        "phone",
        "email",
        "body_region \"neck\"",
    ] {
        assert!(five.contains(needle), "{five}");
    }
    assert!(lines[&6].contains("8 fields where the header has 7"));
    assert!(lines[&6].contains("double quotes"));
    assert!(lines[&7].contains("not in the past"));
    assert_eq!(count(&db, "patients"), 0);
    assert_eq!(
        count(&db, "audit_log WHERE action LIKE 'import.%'"),
        0,
        "a refused import leaves no audit row"
    );
}

#[test]
fn a_missing_column_the_wrong_delimiter_an_empty_file_and_a_header_only_are_refused() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "missing.csv",
            b"mrn,first_name,date_of_birth\n1,Ann,1980-01-01\n",
            "missing column(s): last_name",
        ),
        (
            "unknown.csv",
            b"mrn,first_name,last_name,date_of_birth,shoe_size\n1,A,B,1980-01-01,9\n",
            "unknown column(s): shoe_size",
        ),
        (
            "tabs.csv",
            b"mrn\tfirst_name\tlast_name\tdate_of_birth\n1\tA\tB\t1980-01-01\n",
            "tabs",
        ),
        (
            "pipes.csv",
            b"mrn|first_name|last_name|date_of_birth\n1|A|B|1980-01-01\n",
            "separated by commas or semicolons",
        ),
        ("empty.csv", b"", "the file is empty"),
        ("bom_only.csv", b"\xEF\xBB\xBF\r\n", "the file is empty"),
        (
            "header_only.csv",
            b"\xEF\xBB\xBFmrn,first_name,last_name,date_of_birth\r\n",
            "only a header",
        ),
        ("utf16.csv", b"\xFF\xFEm\0r\0n\0", "UTF-16"),
    ];
    for (name, bytes, needle) in cases {
        let file = env.file(name, bytes);
        let out = import(&env, &db, "patients", &file, &[]);
        let lines = refused(&out, 1);
        assert!(lines[&1].contains(needle), "{name}: {lines:?}");
    }
    // A Latin-1 row is named; the good rows around it are not imported either.
    let file = env.file(
        "latin1.csv",
        b"mrn,first_name,last_name,date_of_birth\n1,Ann,Lee,1980-01-01\n2,Ren\xe9,Roy,1981-01-01\n",
    );
    let lines = refused(&import(&env, &db, "patients", &file, &[]), 1);
    assert!(lines[&3].contains("UTF-8"));
    assert_eq!(count(&db, "patients"), 0);
    // Line numbers are the file's own, blank lines and multi-line quoted fields counted.
    let file = env.file(
        "lines.csv",
        "mrn,first_name,last_name,date_of_birth\r\n\r\n1,\"Ann\nMarie\",Lee,1980-01-01\r\n\r\n2,Bo,Ng,1980-02-30\r\n",
    );
    let lines = refused(&import(&env, &db, "patients", &file, &[]), 1);
    assert!(lines[&6].contains("1980-02-30"), "{lines:?}");
}

#[test]
fn an_existing_mrn_needs_update_and_dry_run_writes_nothing() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let first = env.file(
        "p1.csv",
        "mrn,first_name,last_name,date_of_birth,phone,payer\n7,Ann,Lee,1980-01-01,555-0100 22,Aetna\n",
    );
    let out = import(&env, &db, "patients", &first, &["--dry-run"]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("nothing was written"));
    assert_eq!(count(&db, "patients"), 0);
    assert_code(&import(&env, &db, "patients", &first, &[]), 0);

    let second = env.file(
        "p2.csv",
        "mrn,first_name,last_name,date_of_birth,phone,payer\n7,Ann,Lee-Park,1980-01-01,,Medicare\n8,Bo,Ng,1990-03-03,,\n",
    );
    let lines = refused(&import(&env, &db, "patients", &second, &[]), 1);
    assert!(lines[&2].contains("already exists (use --update"));
    assert_eq!(count(&db, "patients"), 1);
    // A dry run reports the same refusal, and a good dry run with --update changes nothing.
    let out = import(&env, &db, "patients", &second, &["--dry-run"]);
    assert!(stderr(&refused_ok(out)).contains("would fail"));
    assert_code(
        &import(&env, &db, "patients", &second, &["--update", "--dry-run"]),
        0,
    );
    assert_eq!(count(&db, "patients"), 1);

    let out = import(&env, &db, "patients", &second, &["--update"]);
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("1 new, 1 updated"),
        "{}",
        stderr(&out)
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (last, phone, payer, version): (String, Option<String>, String, i64) = conn
        .query_row(
            "SELECT last_name, phone, payer, version FROM patients WHERE mrn = '7'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(last, "Lee-Park");
    assert_eq!(
        phone.as_deref(),
        Some("555-0100 22"),
        "an empty cell keeps the value"
    );
    assert_eq!(payer, "Medicare");
    assert_eq!(version, 2);
}

fn refused_ok(out: Output) -> Output {
    refused(&out, 1);
    out
}

#[test]
fn appointments_import_checks_patients_therapists_times_and_words() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let patients = env.file(
        "p.csv",
        "mrn,first_name,last_name,date_of_birth\n7,Ann,Lee,1980-01-01\n8,Bo,Ng,1990-03-03\n",
    );
    assert_code(&import(&env, &db, "patients", &patients, &[]), 0);
    let bad = env.file(
        "a_bad.csv",
        "mrn,therapist,start,minutes,kind,status\n\
         9,AR,2026-12-01 08:00,30,treatment,\n\
         7,Zed,2026-12-01 08:00,30,treatment,\n\
         7,FD,2026-12-01 09:00,30,treatment,\n\
         7,AR,2026-12-01 8am,30,treatment,\n\
         7,AR,2026-12-01 10:00,2,treatment,\n\
         7,AR,2026-12-01 11:00,30,massage,\n\
         7,AR,2026-12-01 12:00,30,treatment,arrived\n\
         8,AR,2026-12-01 08:00,30,treatment,\n\
         8,BK,2026-12-01T08:00,30,evaluation,\n",
    );
    let lines = refused(&import(&env, &db, "appointments", &bad, &[]), 8);
    assert!(lines[&2].contains("mrn \"9\" is not a patient here"));
    assert!(lines[&3].contains("therapist \"Zed\" is not on the staff"));
    assert!(lines[&4].contains("not a therapist"));
    assert!(lines[&5].contains("not a date and time"));
    assert!(lines[&6].contains("minutes \"2\""));
    assert!(lines[&7].contains("kind \"massage\""));
    assert!(lines[&8].contains("status \"arrived\""));
    assert!(lines[&10].contains("already on line 9"));
    assert_eq!(count(&db, "appointments"), 0);

    let good = env.file(
        "a.csv",
        "MRN,Therapist,Start,Minutes,Kind,Status,Room\n\
         7,ar,2026-12-01 08:00,45,Evaluation,,2\n\
         7,Ana Ruiz,2026-12-03T08:00,30,treatment,scheduled,\n\
         8,BK,2026-12-01 09:15,30,re-evaluation,cancelled,\n\
         8,BK,2026-11-20 09:15,30,treatment,completed,\n",
    );
    assert_code(&import(&env, &db, "appointments", &good, &[]), 0);
    assert_eq!(count(&db, "appointments"), 4);
    let lines = refused(&import(&env, &db, "appointments", &good, &[]), 4);
    assert!(lines[&2].contains("already has a visit at 2026-12-01 08:00"));
    let out = import(&env, &db, "appointments", &good, &["--update"]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("0 new, 4 updated"));
    assert_eq!(count(&db, "appointments"), 4);
    // The FHIR status words follow CLINICAL.md.
    let b = fhir_bundle(&env, &db, "8");
    let statuses: BTreeSet<&str> = resources(&b, "Appointment")
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, BTreeSet::from(["cancelled", "fulfilled"]));
}

#[test]
fn appointments_import_refuses_later_visits_that_already_happened() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let patients = env.file(
        "p.csv",
        "mrn,first_name,last_name,date_of_birth\n7,Ann,Lee,1980-01-01\n",
    );
    assert_code(&import(&env, &db, "patients", &patients, &[]), 0);
    let before = std::fs::read(&db).unwrap();
    // Today is 2026-11-27 (common::TODAY).
    let bad = env.file(
        "later.csv",
        "mrn,therapist,start,minutes,kind,status\n\
         7,AR,2026-11-27 08:00,30,treatment,completed\n\
         7,AR,2026-11-28 08:00,30,treatment,completed\n\
         7,AR,2026-11-28 09:00,30,treatment,checked_in\n\
         7,AR,2026-12-01 09:00,30,treatment,no_show\n\
         7,AR,2026-12-01 10:00,30,treatment,scheduled\n\
         7,AR,2026-12-01 11:00,30,treatment,cancelled\n\
         7,AR,2200-12-01 11:00,30,treatment,\n\
         7,AR,1899-12-31 11:00,30,treatment,completed\n",
    );
    let lines = refused(&import(&env, &db, "appointments", &bad, &[]), 5);
    for line in [3, 4, 5] {
        assert!(
            lines[&line].contains("later day"),
            "line {line}: {}",
            lines[&line]
        );
    }
    for line in [8, 9] {
        assert!(
            lines[&line].contains("1900 to 2100"),
            "line {line}: {}",
            lines[&line]
        );
    }
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing was written");
}

#[test]
fn an_unbalanced_quote_is_reported_on_the_line_where_it_opens() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let before = std::fs::read(&db).unwrap();
    let file = env.file(
        "p.csv",
        "mrn,first_name,last_name,date_of_birth\n\
         7,Ann,Lee,1980-01-01\n\
         8,\"Bo,Ng,1990-03-03\n\
         9,Cy,Oh,1991-04-04\n\
         10,Di,Po,1992-05-05\n",
    );
    let lines = refused(&import(&env, &db, "patients", &file, &[]), 1);
    assert!(lines[&3].contains("never closed"), "{lines:?}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(count(&db, "patients"), 0);
}

#[test]
fn twenty_thousand_appointments_import_in_one_go() {
    let env = EnvDirs::new();
    let db = small_demo(&env);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mrns: Vec<String> = conn
        .prepare("SELECT mrn FROM patients ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(conn);
    let before = count(&db, "appointments");
    let initials = ["AM", "CH", "IP", "SS", "SM", "TH"];
    let mut csv = String::from("mrn,therapist,start,minutes,kind\n");
    let day0 = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    for n in 0..20_000usize {
        let day = day0 + chrono::Duration::days((n / mrns.len()) as i64);
        csv.push_str(&format!(
            "{},{},{} {:02}:00,30,treatment\n",
            mrns[n % mrns.len()],
            initials[n % initials.len()],
            day.format("%Y-%m-%d"),
            8 + n % 9
        ));
    }
    let file = env.file("big.csv", csv);
    // Imports are an admin's: the demo's admin brings them in.
    let out = import(&env, &db, "appointments", &file, &["--user", DEMO_ADMIN]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("20000 rows"), "{}", stderr(&out));
    assert_eq!(count(&db, "appointments"), before + 20_000);
}

#[test]
fn exercises_import_with_aliases_and_update() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let out = import(&env, &db, "exercises", &fixture("exercises.csv"), &[]);
    assert_code(&out, 0);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (aliases, category, instructions): (String, String, String) = conn
        .query_row(
            "SELECT aliases, category, instructions FROM exercises WHERE name = 'wall slide with foam roller'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(aliases, "wall slides;WS");
    assert_eq!(category, "range_of_motion");
    assert!(
        instructions.contains("wall, roller"),
        "quoted commas survive"
    );
    drop(conn);

    let lines = refused(
        &import(&env, &db, "exercises", &fixture("exercises.csv"), &[]),
        2,
    );
    assert!(lines[&2].contains("already has"));
    let changed = env.file(
        "e2.csv",
        "name,region,category,equipment,instructions,sets\n\
         WALL SLIDE WITH FOAM ROLLER,shoulder,range_of_motion,foam roller,New words.,3\n\
         Heel raise,ankle_foot,strengthening,none,Rise onto your toes.\u{1b}[2J,\n\
         Bad one,elbow,strengthening,none,,99\n",
    );
    let lines = refused(&import(&env, &db, "exercises", &changed, &["--update"]), 1);
    assert!(lines[&4].contains("instructions is empty"));
    assert!(lines[&4].contains("sets \"99\""));
    let fixed = env.file(
        "e3.csv",
        "name,region,category,equipment,instructions,sets\n\
         WALL SLIDE WITH FOAM ROLLER,shoulder,range_of_motion,foam roller,New words.,3\n\
         Heel raise,ankle_foot,strengthening,none,Rise onto your toes.\u{1b}[2J,\n",
    );
    assert_code(&import(&env, &db, "exercises", &fixed, &["--update"]), 0);
    assert_eq!(count(&db, "exercises"), 3);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (sets, aliases): (i64, String) = conn
        .query_row(
            "SELECT sets, aliases FROM exercises WHERE name = 'Wall slide with foam roller'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((sets, aliases.as_str()), (3, "wall slides;WS"));
    let instructions: String = conn
        .query_row(
            "SELECT instructions FROM exercises WHERE name = 'Heel raise'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        instructions, "Rise onto your toes.[2J",
        "control characters are dropped"
    );
}

#[test]
fn each_imported_patient_has_its_own_audit_rows() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let csv = env.file(
        "p.csv",
        "mrn,first_name,last_name,date_of_birth,phone\nA1,Ada,Okafor,1961-04-02,\n",
    );
    assert_code(
        &ptclinic(&env, &["import", "patients", p(&csv), "--db", p(&db)]),
        0,
    );
    let update = env.file(
        "u.csv",
        "mrn,first_name,last_name,date_of_birth,phone\nA1,Ada,Okafor,1961-04-02,555 010 2233\n",
    );
    assert_code(
        &ptclinic(
            &env,
            &["import", "patients", p(&update), "--update", "--db", p(&db)],
        ),
        0,
    );
    let out = ptclinic(
        &env,
        &["audit", "--json", "--patient", "A1", "--db", p(&db)],
    );
    assert_code(&out, 0);
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let actions: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["import.insert", "import.update"], "{rows}");
}

/// A library exercise's default dose takes the same limits as a patient's dosage form: 200
/// reps are a dose (ankle pumps), 201 are refused.
#[test]
fn a_library_dose_has_the_dosage_forms_limits() {
    let env = EnvDirs::new();
    let db = empty_clinic(&env);
    let file = env.file(
        "reps.csv",
        "name,region,category,equipment,instructions,reps\n\
         Ankle pumps,ankle_foot,range_of_motion,none,Point and flex the foot.,200\n\
         Too many,ankle_foot,range_of_motion,none,Point and flex the foot.,201\n",
    );
    let lines = refused(&import(&env, &db, "exercises", &file, &[]), 1);
    assert!(lines[&3].contains("reps"), "{:?}", lines[&3]);
    assert!(lines[&3].contains("200"), "{:?}", lines[&3]);
    assert!(!lines.contains_key(&2), "{lines:?}");
}
