//! The no-show risk of issue 17 on the demo clinic: the model fitted on its history ranks the
//! last months' missed visits well above chance, gives the same reasons fit after fit, is
//! stored once and refitted when a week old; the call list leaves out confirmed visits; the
//! report's JSON; bad input.

mod common;

use chrono::{Duration, NaiveDate};
use common::{Clinic, DEMO_ADMIN, TODAY, assert_code, stderr, stdout};
use ptclinic::db::Who;
use ptclinic::db::audit::AuditQuery;
use ptclinic::domain::messages::Confirmation;
use serde_json::Value;

fn today() -> NaiveDate {
    NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap()
}

fn tomorrow() -> NaiveDate {
    today() + Duration::days(1)
}

/// The Monday after the pinned Friday: a full day (tomorrow is a Saturday morning).
fn monday() -> NaiveDate {
    today() + Duration::days(3)
}

const MONDAY: &str = "2026-11-30";

fn json_of(clinic: &Clinic, args: &[&str]) -> Value {
    let mut all = vec!["--user", DEMO_ADMIN];
    all.extend_from_slice(args);
    let out = clinic.cli(&all);
    assert_code(&out, 0);
    serde_json::from_str(&stdout(&out)).expect("JSON")
}

fn fitted_actions(db: &ptclinic::db::Db) -> usize {
    db.audit_log(&AuditQuery::default())
        .unwrap()
        .iter()
        .filter(|r| r.action == "no_show_model.fitted")
        .count()
}

/// On the default demo clinic (seed 1) the model tested on the last six weeks, fitted on the
/// six before, scored an AUC of 0.717 (0.715 to 0.740 over seeds 1 to 4); the bar leaves room
/// for changes to the demo, and a model that ranks no better than chance fails it (the demo's
/// old uniform no-shows scored 0.527).
#[test]
fn the_model_ranks_the_demo_clinics_missed_visits_well_above_chance() {
    let clinic = Clinic::demo();
    let report = json_of(&clinic, &["report", "no-shows", "--json"]);
    let model = &report["model"];
    assert_eq!(model["available"], true, "{model:#}");
    let q = &model["quality"];
    let auc = q["auc"].as_f64().expect("an AUC");
    assert!(auc >= 0.65, "holdout AUC {auc}");
    // The test months are the later half of the demo's twelve weeks, fitted on the first.
    assert_eq!(q["holdout_to"], "2026-11-26");
    assert!(q["holdout_from"].as_str().unwrap() > model["history_from"].as_str().unwrap());
    let bins = q["calibration"].as_array().unwrap();
    assert_eq!(bins.len(), 10);
    let counted: u64 = bins.iter().map(|b| b["count"].as_u64().unwrap()).sum();
    assert_eq!(counted, q["visits"].as_u64().unwrap());
    // Calibrated enough that the riskiest tenth misses far more than the safest.
    let observed = |b: &Value| b["observed"].as_f64().unwrap();
    assert!(
        observed(&bins[9]) > 3.0 * observed(&bins[0]).max(0.01),
        "{bins:?}"
    );
    assert!(q["top_band_observed"].as_f64().unwrap() > 0.2);
    // The demo misses about one visit in ten.
    let total = &report["total"];
    let missed =
        total["no_show_rate"].as_f64().unwrap() + total["late_cancel_rate"].as_f64().unwrap();
    assert!((0.07..0.14).contains(&missed), "missed {missed}");
    // What the demo plants, the model finds: prior no-shows raise the risk.
    let coefficient = |feature: &str| {
        model["coefficients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["feature"] == feature)
            .and_then(|c| c["coefficient"].as_f64())
            .unwrap()
    };
    assert!(coefficient("prior_no_shows") > 0.0);
    assert!(coefficient("lead_days") > 0.0);
}

#[test]
fn the_report_json_has_its_fields() {
    let clinic = Clinic::demo();
    let r = json_of(
        &clinic,
        &[
            "report",
            "no-shows",
            "--json",
            "--from",
            "2026-10-01",
            "--to",
            "2026-11-26",
        ],
    );
    assert_eq!(r["from"], "2026-10-01");
    assert_eq!(r["to"], "2026-11-26");
    for key in [
        "visits",
        "no_shows",
        "late_cancellations",
        "no_show_rate",
        "late_cancel_rate",
    ] {
        assert!(r["total"].get(key).is_some(), "total.{key}");
    }
    let therapists = r["by_therapist"].as_array().unwrap();
    assert_eq!(therapists.len(), 6);
    assert!(
        therapists
            .iter()
            .all(|t| t["therapist"].is_string() && t["initials"].is_string())
    );
    let sum: u64 = therapists
        .iter()
        .map(|t| t["visits"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, r["total"]["visits"].as_u64().unwrap());
    assert_eq!(r["by_weekday"][0]["weekday"], "Monday");
    assert!(
        r["by_hour"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["hour"].is_u64())
    );
    let lead = r["by_lead_time"].as_array().unwrap();
    assert_eq!(lead[0]["lead_time"], "same day");
    assert_eq!(lead[0]["min_days"], 0);
    let lead_sum: u64 = lead.iter().map(|t| t["visits"].as_u64().unwrap()).sum();
    assert_eq!(lead_sum, sum);
    let m = &r["model"];
    for key in [
        "available",
        "reason",
        "fitted_at",
        "history_from",
        "history_through",
        "counts",
        "threshold",
        "threshold_rule",
        "top_share",
        "coefficients",
        "quality",
        "quality_note",
    ] {
        assert!(m.get(key).is_some(), "model.{key}");
    }
    assert_eq!(m["fitted_at"].as_str().unwrap().get(..10), Some(TODAY));
    let threshold = m["threshold"].as_f64().unwrap();
    assert!(threshold > 0.0 && threshold < 1.0);
    // The text report says the same in words.
    let out = clinic.cli(&["--user", DEMO_ADMIN, "report", "no-shows"]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("By lead time"), "{text}");
    assert!(text.contains("AUC 0."), "{text}");
}

#[test]
fn two_fits_of_the_same_record_give_the_same_risks_and_reasons() {
    let clinic = Clinic::demo();
    let db = ptclinic::db::open_existing(&clinic.db).unwrap();
    let a = db
        .fit_no_show_model(today(), "2026-11-27T07:00:00")
        .unwrap();
    let b = db
        .fit_no_show_model(today(), "2026-11-27T07:00:00")
        .unwrap();
    assert_eq!(a, b);
    let (fa, fb) = (a.fit.unwrap(), b.fit.unwrap());
    let ra = db.day_risks_with(&fa, monday()).unwrap();
    let rb = db.day_risks_with(&fb, monday()).unwrap();
    assert!(!ra.is_empty());
    assert_eq!(ra, rb);
    assert!(ra.values().any(|r| r.high && !r.reasons.is_empty()));
    assert!(
        ra.values()
            .all(|r| r.high == (r.probability >= fa.threshold))
    );
    // The demo is built with its model: the schedule's risks are the stored model's, kept in
    // each visit's row.
    let kept: std::collections::HashMap<i64, _> = db
        .day(monday())
        .unwrap()
        .into_iter()
        .filter_map(|v| v.risk.map(|r| (v.id, r)))
        .collect();
    assert_eq!(kept, db.day_risks(monday()).unwrap());
    let mut db = db;
    db.no_show_model(Who {
        user: DEMO_ADMIN,
        at: "2026-11-27T07:00:00",
    })
    .unwrap();
    assert_eq!(db.day_risks(monday()).unwrap(), ra);
    // The call list shows the same reasons run after run.
    let one = json_of(
        &clinic,
        &["report", "call-list", "--json", "--date", MONDAY],
    );
    let two = json_of(
        &clinic,
        &["report", "call-list", "--json", "--date", MONDAY],
    );
    assert_eq!(one, two);
    let visits = one["visits"].as_array().unwrap();
    assert!(!visits.is_empty());
    for v in visits {
        let id = v["appointment"].as_i64().unwrap();
        assert_eq!(
            v["reasons"].as_array().unwrap().len(),
            ra[&id].reasons.len(),
            "visit {id}"
        );
        assert_eq!(v["reasons"][0], ra[&id].reasons[0]);
    }
}

#[test]
fn the_model_is_stored_once_and_refitted_after_a_week() {
    let clinic = Clinic::demo();
    json_of(&clinic, &["report", "no-shows", "--json"]);
    json_of(&clinic, &["report", "call-list", "--json"]);
    let db = ptclinic::db::open_existing(&clinic.db).unwrap();
    assert_eq!(fitted_actions(&db), 1, "fitted once, then read");
    let row = db
        .audit_log(&AuditQuery::default())
        .unwrap()
        .into_iter()
        .find(|r| r.action == "no_show_model.fitted")
        .unwrap();
    assert_eq!(row.entity, "clinic");
    assert_eq!(row.entity_id, None);
    // Counts and quality, no patient.
    let summary: Value = serde_json::from_str(&row.summary).unwrap();
    assert!(summary["holdout_auc"].is_f64());
    assert!(summary.get("patients").is_none());
    let stored = db.stored_no_show_model().unwrap().unwrap();
    assert_eq!(stored.fitted_on(), Some(today()));
    drop(db);
    let later = |days: i64| {
        let day = (today() + Duration::days(days)).to_string();
        let out = clinic
            .command(&["--user", DEMO_ADMIN, "report", "no-shows", "--json"])
            .env("PTCLINIC_TODAY", &day)
            .output()
            .unwrap();
        assert_code(&out, 0);
    };
    later(7);
    let db = ptclinic::db::open_existing(&clinic.db).unwrap();
    assert_eq!(fitted_actions(&db), 1, "a week old is still fresh");
    drop(db);
    later(8);
    let db = ptclinic::db::open_existing(&clinic.db).unwrap();
    assert_eq!(fitted_actions(&db), 2);
    let refit = db.stored_no_show_model().unwrap().unwrap();
    assert_eq!(refit.fitted_on(), Some(today() + Duration::days(8)));
}

#[test]
fn the_call_list_leaves_out_visits_confirmed_for_their_time() {
    let clinic = Clinic::demo();
    let tomorrows = json_of(&clinic, &["report", "call-list", "--json"]);
    assert_eq!(tomorrows["date"], tomorrow().to_string());
    let list = json_of(
        &clinic,
        &["report", "call-list", "--json", "--date", MONDAY],
    );
    assert_eq!(list["date"], MONDAY);
    assert_eq!(list["model_available"], true);
    let visits = list["visits"].as_array().unwrap().clone();
    assert!(visits.len() >= 3, "{list:#}");
    for v in &visits {
        for key in [
            "appointment",
            "start",
            "time",
            "therapist",
            "patient",
            "mrn",
            "phone",
            "risk",
            "risk_percent",
            "reasons",
            "confirmation",
        ] {
            assert!(v.get(key).is_some(), "{key} in {v}");
        }
        assert_eq!(v["confirmation"], "none");
        assert!(v["risk"].as_f64().unwrap() >= list["threshold"].as_f64().unwrap());
    }
    let start = |v: &Value| {
        chrono::NaiveDateTime::parse_from_str(v["start"].as_str().unwrap(), "%Y-%m-%dT%H:%M")
            .unwrap()
    };
    let id = |v: &Value| v["appointment"].as_i64().unwrap();
    let db = ptclinic::db::open_existing(&clinic.db).unwrap();
    use ptclinic::db::testing::record_confirmation;
    record_confirmation(
        &db,
        id(&visits[0]),
        Confirmation::Confirmed,
        start(&visits[0]),
    )
    .unwrap();
    record_confirmation(
        &db,
        id(&visits[1]),
        Confirmation::Declined,
        start(&visits[1]),
    )
    .unwrap();
    // Confirmed for a time the visit no longer has: still to call.
    record_confirmation(
        &db,
        id(&visits[2]),
        Confirmation::Confirmed,
        start(&visits[2]) - Duration::days(1),
    )
    .unwrap();
    drop(db);
    let after = json_of(
        &clinic,
        &["report", "call-list", "--json", "--date", MONDAY],
    );
    let now: Vec<&Value> = after["visits"].as_array().unwrap().iter().collect();
    assert_eq!(now.len(), visits.len() - 1);
    assert!(!now.iter().any(|v| id(v) == id(&visits[0])));
    let of = |n: i64| now.iter().find(|v| id(v) == n).unwrap();
    assert_eq!(of(id(&visits[1]))["confirmation"], "declined");
    assert_eq!(
        of(id(&visits[2]))["confirmation"],
        "answered for another time"
    );
    // The text names the declined one for rebooking, with the phone number.
    let out = clinic.cli(&[
        "--user",
        DEMO_ADMIN,
        "report",
        "call-list",
        "--date",
        MONDAY,
    ]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(
        text.starts_with("Call list for Monday 30 November 2026: "),
        "{text}"
    );
    assert!(text.contains("declined: rebook"), "{text}");
    assert!(
        text.contains(of(id(&visits[1]))["phone"].as_str().unwrap()),
        "{text}"
    );
    // Showing names and phones is audited, with the patients' ids.
    let db = ptclinic::db::open_existing(&clinic.db).unwrap();
    let shown: Vec<_> = db
        .audit_log(&AuditQuery::default())
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "report.call_list")
        .map(|r| serde_json::from_str::<Value>(&r.summary).unwrap())
        .filter(|s| s["date"] == MONDAY)
        .collect();
    assert_eq!(shown.len(), 3, "{shown:?}");
    assert_eq!(shown[2]["rows"], now.len());
    let ids = shown[2]["patients"].as_array().unwrap();
    assert_eq!(ids.len(), now.len(), "one id per patient listed");
}

#[test]
fn a_record_with_too_little_history_has_no_model_and_says_so() {
    let clinic = Clinic::demo_with(&["--weeks-back", "0", "--patients", "30"]);
    let report = json_of(&clinic, &["report", "no-shows", "--json"]);
    assert_eq!(report["model"]["available"], false);
    assert!(report["model"]["quality"].is_null());
    assert!(
        report["model"]["reason"]
            .as_str()
            .unwrap()
            .contains("at least 200")
    );
    let out = clinic.cli(&["--user", DEMO_ADMIN, "report", "no-shows"]);
    assert_code(&out, 0);
    let text = stdout(&out);
    let last = text.lines().last().unwrap();
    assert!(last.starts_with("There is no no-show model yet"), "{text}");
    assert!(!text.contains("AUC"), "{text}");
    let list = json_of(&clinic, &["report", "call-list", "--json"]);
    assert_eq!(list["model_available"], false);
    assert_eq!(list["visits"], Value::Array(Vec::new()));
    let out = clinic.cli(&["--user", DEMO_ADMIN, "report", "call-list"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
    let db = ptclinic::db::open_existing(&clinic.db).unwrap();
    assert!(db.day_risks(monday()).unwrap().is_empty());
}

#[test]
fn bad_input_is_one_sentence_and_exit_2() {
    let clinic = Clinic::demo_with(&["--weeks-back", "1", "--patients", "20"]);
    for args in [
        &[
            "report",
            "no-shows",
            "--from",
            "2026-11-01",
            "--to",
            "2026-10-01",
        ][..],
        &["report", "no-shows", "--from", "2027-01-01"],
        &["report", "no-shows", "--to", "2026-13-01"],
        &["report", "no-shows", "--from", "yesterday-ish"],
        &["report", "call-list", "--date", "2026-02-30"],
    ] {
        let out = clinic.cli(args);
        assert_code(&out, 2);
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = clinic.cli(&[
        "report",
        "no-shows",
        "--from",
        "2026-11-01",
        "--to",
        "2026-10-01",
    ]);
    assert!(
        stderr(&out).contains("--from 2026-11-01 is after --to 2026-10-01"),
        "{}",
        stderr(&out)
    );
}
