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
