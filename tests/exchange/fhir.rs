//! FHIR R4: a patient's Bundle and the clinic's bulk NDJSON, checked against the R4 structure.

use super::support::*;

/// A demo patient with measurements and a home exercise program.
fn demo_patient_with_program(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT p.mrn FROM patients p
         WHERE EXISTS (SELECT 1 FROM hep_programs h WHERE h.patient_id = p.id)
           AND (SELECT COUNT(DISTINCT measure_code) FROM measurements m WHERE m.patient_id = p.id) >= 2
           AND EXISTS (SELECT 1 FROM measurements m WHERE m.patient_id = p.id AND m.measure_code = 'NPRS')
         ORDER BY p.id LIMIT 1",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn a_fhir_bundle_follows_the_r4_structure_of_each_resource() {
    let env = EnvDirs::new();
    let db = small_demo(&env);
    let mrn = demo_patient_with_program(&db);
    let b = fhir_bundle(&env, &db, &mrn);
    let counts = check_bundle(&b);
    assert_eq!(counts["Patient"], 1);
    assert_eq!(counts["Condition"], 1);
    assert!(counts["Observation"] >= 2);
    assert!(counts["Appointment"] >= 1);
    assert_eq!(counts["CarePlan"], 1);

    let conn = rusqlite::Connection::open(&db).unwrap();
    let (pid, measurements, visits, items): (i64, i64, i64, i64) = conn
        .query_row(
            "SELECT p.id,
                (SELECT COUNT(*) FROM measurements WHERE patient_id = p.id),
                (SELECT COUNT(*) FROM appointments WHERE patient_id = p.id),
                (SELECT COUNT(*) FROM hep_items i JOIN hep_programs h ON h.id = i.program_id
                  WHERE h.patient_id = p.id AND h.version_no =
                    (SELECT MAX(version_no) FROM hep_programs WHERE patient_id = p.id))
             FROM patients p WHERE mrn = ?1",
            [&mrn],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(counts["Observation"] as i64, measurements);
    assert_eq!(counts["Appointment"] as i64, visits);
    let plan = resources(&b, "CarePlan")[0];
    assert_eq!(plan["activity"].as_array().unwrap().len() as i64, items);
    assert_eq!(
        plan["subject"]["reference"],
        format!("Patient/patient-{pid}")
    );
    assert!(
        plan["activity"][0]["detail"]["description"]
            .as_str()
            .unwrap()
            .contains(" x ")
    );

    // NPRS carries its LOINC code; the others the project's code system.
    for o in resources(&b, "Observation") {
        let codings = o["code"]["coding"].as_array().unwrap();
        let own = codings.last().unwrap();
        assert_eq!(
            own["system"],
            "https://ptclinic.example/fhir/CodeSystem/outcome-measure"
        );
        if own["code"] == "NPRS" {
            assert_eq!(codings[0]["system"], "http://loinc.org");
            assert_eq!(codings[0]["code"], "72514-3");
        } else {
            assert_eq!(codings.len(), 1);
        }
    }
    // The audit log records the disclosure.
    assert_eq!(count(&db, "audit_log WHERE action = 'export.fhir'"), 1);

    // --out writes the same bundle to a file; an unknown MRN is bad input.
    let file = env.path("bundle.json");
    let out = ptclinic(
        &env,
        &[
            "export",
            "fhir",
            "--patient",
            &mrn,
            "--out",
            p(&file),
            "--db",
            p(&db),
        ],
    );
    assert_code(&out, 0);
    let from_file: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    check_bundle(&from_file);
    let out = ptclinic(
        &env,
        &["export", "fhir", "--patient", "nope", "--db", p(&db)],
    );
    assert_code(&out, 2);
    assert!(stderr(&out).contains("no patient with MRN nope"));
}

#[test]
fn fhir_bulk_export_writes_ndjson_per_resource_type() {
    let env = EnvDirs::new();
    let db = small_demo(&env);
    let dir = env.path("bulk");
    let out = ptclinic(
        &env,
        &["export", "fhir", "--all", "--out", p(&dir), "--db", p(&db)],
    );
    assert_code(&out, 0);
    let mut all = Vec::new();
    for kind in [
        "Patient",
        "Condition",
        "Observation",
        "Appointment",
        "CarePlan",
    ] {
        let text = std::fs::read_to_string(dir.join(format!("{kind}.ndjson"))).unwrap();
        assert!(text.ends_with('\n'));
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("one resource per line"))
            .collect();
        assert!(lines.iter().all(|r| r["resourceType"] == kind));
        if kind == "Patient" {
            assert_eq!(lines.len() as i64, count(&db, "patients"));
        }
        if kind == "Appointment" {
            assert_eq!(lines.len() as i64, count(&db, "appointments"));
        }
        all.extend(lines);
    }
    // Together they make a valid, fully resolved collection.
    let bundle = serde_json::json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": "2026-11-27T10:00:00Z",
        "entry": all.iter().map(|r| serde_json::json!({
            "fullUrl": format!("https://x.example/{}/{}", r["resourceType"].as_str().unwrap(), r["id"].as_str().unwrap()),
            "resource": r,
        })).collect::<Vec<_>>(),
    });
    check_bundle(&bundle);
    let out = ptclinic(&env, &["export", "fhir", "--all", "--db", p(&db)]);
    assert_code(&out, 2);
}

/// A therapist of the demo (measures are written by clinicians).
fn demo_therapist(env: &EnvDirs, db: &Path) -> String {
    let out = ptclinic(env, &["staff", "list", "--json", "--db", p(db)]);
    assert_code(&out, 0);
    let staff: Value = serde_json::from_str(&stdout(&out)).unwrap();
    staff
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["role"] == "therapist")
        .expect("the demo has therapists")["username"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn koos_jr_and_hoos_jr_observations_carry_their_loinc_codes_and_the_subscales_none() {
    let env = EnvDirs::new();
    let db = small_demo(&env);
    let mrn = demo_patient_with_program(&db);
    let user = demo_therapist(&env, &db);
    let koos: Vec<&str> = std::iter::repeat_n("1", 42).collect();
    for (measure, items) in [
        ("KOOS-JR", "1,1,1,1,1,1,1".to_string()),
        ("HOOS-JR", "2,2,2,3,1,1".to_string()),
        ("KOOS", koos.join(",")),
    ] {
        let out = ptclinic(
            &env,
            &[
                "record",
                "--patient",
                &mrn,
                "--measure",
                measure,
                "--items",
                &items,
                "--user",
                &user,
                "--db",
                p(&db),
            ],
        );
        assert_code(&out, 0);
    }
    let b = fhir_bundle(&env, &db, &mrn);
    check_bundle(&b);
    let observations = resources(&b, "Observation");
    let by_code = |code: &str| -> Vec<&Value> {
        observations
            .iter()
            .copied()
            .filter(|o| o["code"]["coding"].as_array().unwrap().last().unwrap()["code"] == code)
            .collect()
    };
    let knee = by_code("KOOS-JR");
    assert_eq!(knee.len(), 1);
    assert_eq!(knee[0]["code"]["coding"][0]["system"], "http://loinc.org");
    assert_eq!(knee[0]["code"]["coding"][0]["code"], "82332-8");
    assert_eq!(knee[0]["valueQuantity"]["value"], 68.284);
    let hip = by_code("HOOS-JR");
    assert_eq!(hip[0]["code"]["coding"][0]["code"], "82323-7");
    assert_eq!(hip[0]["valueQuantity"]["value"], 55.985);
    for sub in [
        "KOOS-Pain",
        "KOOS-Symptoms",
        "KOOS-ADL",
        "KOOS-Sport",
        "KOOS-QOL",
    ] {
        let o = by_code(sub);
        assert_eq!(o.len(), 1, "{sub}");
        assert_eq!(o[0]["code"]["coding"].as_array().unwrap().len(), 1, "{sub}");
        assert_eq!(o[0]["valueQuantity"]["value"], 75.0, "{sub}");
    }
}
