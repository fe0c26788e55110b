//! `ptclinic export fhir (--patient MRN [--out FILE] | --all --out DIR)` and
//! `ptclinic export ical --therapist NAME [--from D] [--to D] [--out FILE] [--full-names]`.
//! Each export is a disclosure of patient data, so each leaves one audit row.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::cli::ExportCommand;
use crate::config::{self, Settings};
use crate::db::Db;
use crate::db::audit::AuditEntry;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::export::{fhir, ical};
use crate::files;
use crate::sanitize::{clean_line, path_for_message};

/// How far ahead a calendar reaches when `--to` is not given.
const ICAL_DEFAULT_DAYS: i64 = 90;

pub fn run(settings: &Settings, cmd: ExportCommand) -> AppResult<()> {
    match cmd {
        ExportCommand::Fhir {
            patient: Some(mrn),
            out,
            ..
        } => fhir_patient(settings, &mrn, out.as_deref()),
        ExportCommand::Fhir {
            all: true,
            out: Some(dir),
            ..
        } => fhir_all(settings, &dir),
        ExportCommand::Fhir { .. } => Err(AppError::input(
            "say which patients: --patient MRN, or --all --out DIR",
        )),
        ExportCommand::Ical {
            therapist,
            from,
            to,
            out,
            full_names,
        } => ical_export(
            settings,
            &therapist,
            from.as_deref(),
            to.as_deref(),
            out.as_deref(),
            full_names,
        ),
        ExportCommand::Hep {
            patient,
            format,
            out,
        } => super::hep::export_handout(settings, &patient, format, out.as_deref()),
    }
}

fn audit_export(
    db: &mut Db,
    settings: &Settings,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    detail: serde_json::Value,
) -> AppResult<()> {
    let at = crate::clock::stamp(settings.clock.now());
    db.record_disclosure(&AuditEntry {
        at: &at,
        user: &settings.user,
        action,
        entity,
        entity_id,
        detail,
    })
}

fn now_instant(settings: &Settings) -> String {
    fhir::instant(settings.clock.now())
}

fn fhir_patient(settings: &Settings, mrn: &str, out: Option<&Path>) -> AppResult<()> {
    let mut db = super::open_clinic(settings)?;
    let patient = super::patient_with_mrn(&db, mrn)?;
    let record = db.export_record(Some(patient.id))?;
    let resources = fhir::resources(&record);
    let bundle = fhir::bundle(&resources, &now_instant(settings));
    let text = format!("{}\n", fhir::pretty(&bundle));
    super::disclose(out, &text, || {
        audit_export(
            &mut db,
            settings,
            "export.fhir",
            "patient",
            Some(patient.id),
            json!({ "resources": resources.count(), "to": if out.is_some() { "file" } else { "stdout" } }),
        )
    })?;
    if let Some(path) = out {
        eprintln!(
            "Wrote a FHIR R4 bundle of {} resources to {}.",
            resources.count(),
            path_for_message(path)
        );
    }
    Ok(())
}

fn fhir_all(settings: &Settings, dir: &Path) -> AppResult<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(AppError::input(format!(
            "{} is a file: --all writes one file per resource type into a folder",
            dir.display()
        )));
    }
    let mut db = super::open_clinic(settings)?;
    let record = db.export_record(None)?;
    let resources = fhir::resources(&record);
    let counts: serde_json::Map<String, serde_json::Value> = resources
        .by_type
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v.len())))
        .collect();
    files::create_private_dir(dir).map_err(|e| {
        AppError::failure(format!(
            "cannot create the folder {}: {e}",
            path_for_message(dir)
        ))
    })?;
    // Every file is written in full before the disclosure is audited and the files renamed
    // into place, so a folder that refuses one of them leaves neither an audit row nor a mix.
    let ndjson = fhir::ndjson(&resources);
    let mut staged = Vec::new();
    let mut stale = Vec::new();
    for kind in fhir::TYPES {
        let path: PathBuf = dir.join(format!("{kind}.ndjson"));
        match ndjson.iter().find(|(k, _)| k == kind) {
            Some((_, text)) => staged.push(files::stage(&path, text.as_bytes())?),
            // A file left from an earlier export would no longer be true.
            None if path.is_file() => stale.push(path),
            None => {}
        }
    }
    audit_export(
        &mut db,
        settings,
        "export.fhir_bulk",
        "patient",
        None,
        serde_json::Value::Object(counts),
    )?;
    for file in staged {
        file.persist()?;
    }
    for path in stale {
        std::fs::remove_file(&path).map_err(|e| {
            AppError::failure(format!(
                "cannot remove the old {}: {e}",
                path_for_message(&path)
            ))
        })?;
    }
    let summary: Vec<String> = resources
        .by_type
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{} {k}", v.len()))
        .collect();
    eprintln!(
        "Wrote FHIR R4 bulk data to {}: {}.",
        path_for_message(dir),
        summary.join(", ")
    );
    Ok(())
}

/// What makes this record's calendar UIDs its own.
fn clinic_key(db: &Db) -> AppResult<String> {
    let digits = |s: String| {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    };
    if let Some(created) = db.meta("created_at")? {
        return Ok(format!("c{}", digits(created)));
    }
    if let Some(built) = db.meta(crate::demo::META_DEMO_BUILT_ON)? {
        let seed = db.meta("demo_seed")?.unwrap_or_default();
        return Ok(format!("demo{}s{}", digits(built), digits(seed)));
    }
    Ok("clinic".into())
}

fn ical_export(
    settings: &Settings,
    therapist: &str,
    from: Option<&str>,
    to: Option<&str>,
    out: Option<&Path>,
    full_names: bool,
) -> AppResult<()> {
    let from = match from {
        Some(d) => config::parse_typed_day(d, "--from", settings.clock.today())?,
        None => settings.clock.today(),
    };
    let to = match to {
        Some(d) => config::parse_typed_day(d, "--to", settings.clock.today())?,
        None => from + chrono::Duration::days(ICAL_DEFAULT_DAYS),
    };
    if to < from {
        return Err(AppError::input(format!(
            "--to {to} is before --from {from}"
        )));
    }
    let mut db = super::open_clinic(settings)?;
    let staff = db.find_staff(therapist)?;
    if staff.role != Role::Therapist {
        return Err(AppError::input(format!(
            "{} is not a therapist, so has no visits",
            clean_line(&staff.name)
        )));
    }
    let visits = db.therapist_visits(staff.id, from, to)?;
    let cal = ical::Calendar {
        therapist: &staff.name,
        clinic_key: &clinic_key(&db)?,
        full_names,
        stamp: chrono::Utc::now(),
    };
    let text = ical::calendar(&cal, &visits);
    let events = text.matches("BEGIN:VEVENT").count();
    super::disclose(out, &text, || {
        audit_export(
            &mut db,
            settings,
            "export.ical",
            "staff",
            Some(staff.id),
            json!({
                "from": from.to_string(),
                "to": to.to_string(),
                "events": events,
                "full_names": full_names,
            }),
        )
    })?;
    if let Some(path) = out {
        eprintln!(
            "Wrote {events} visits of {} ({from} to {to}) to {}.",
            clean_line(&staff.name),
            path_for_message(path)
        );
    }
    Ok(())
}
