//! Appointments: patient by MRN, therapist by name, initials or username. A visit the
//! patient already has at the same start is refused, or changed with `--update`. Built for
//! size: patients, staff and existing visits are loaded once, statements are prepared once.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use rusqlite::{Connection, params};

use super::fields::{self, shown};
use super::table::{Column, Problem, Table};
use super::{Checked, Counts, Options, Progress, finish, tick};
use crate::db::schedule::START_FORMAT;
use crate::domain::{AppointmentStatus, CancelReason, VisitKind};
use crate::sanitize::clean_line;

const fn col(name: &'static str, required: bool) -> Column {
    Column { name, required }
}

pub const COLUMNS: &[Column] = &[
    col("mrn", true),
    col("therapist", true),
    col("start", true),
    col("minutes", true),
    col("kind", true),
    col("status", false),
    col("cancel_reason", false),
    col("room", false),
];

struct Planned {
    patient_id: i64,
    therapist_id: i64,
    start: String,
    minutes: i64,
    kind: VisitKind,
    status: Option<AppointmentStatus>,
    cancel_reason: Option<CancelReason>,
    room: Option<String>,
    existing: Option<i64>,
}

struct StaffRow {
    id: i64,
    name: String,
    initials: String,
    username: Option<String>,
    therapist: bool,
}

/// Who "therapist" names: one therapist's id, or why not.
fn resolve(staff: &[StaffRow], who: &str) -> Result<i64, String> {
    let matches: Vec<&StaffRow> = staff
        .iter()
        .filter(|s| {
            s.initials.eq_ignore_ascii_case(who)
                || s.name.to_lowercase() == who.to_lowercase()
                || s.username
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(who))
        })
        .collect();
    match matches.as_slice() {
        [] => Err(format!(
            "therapist {} is not on the staff (ptclinic staff list)",
            shown(who)
        )),
        [one] if !one.therapist => Err(format!(
            "therapist {} is front-desk staff, not a therapist",
            shown(who)
        )),
        [one] => Ok(one.id),
        many => {
            let names: Vec<String> = many
                .iter()
                .map(|s| format!("{} ({})", clean_line(&s.name), clean_line(&s.initials)))
                .collect();
            Err(format!(
                "therapist {} names more than one person, {}: use their initials",
                shown(who),
                names.join(", ")
            ))
        }
    }
}

fn words<T: Copy>(all: &[T], as_str: impl Fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|k| as_str(*k)).collect()
}

pub fn run(
    conn: &Connection,
    table: &Table,
    mut problems: Vec<Problem>,
    opts: &Options,
    write: bool,
    progress: &mut Progress,
) -> Checked<Counts> {
    let patients: HashMap<String, i64> = {
        let mut stmt = conn.prepare("SELECT mrn, id FROM patients")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let staff: Vec<StaffRow> = {
        let mut stmt = conn.prepare("SELECT id, name, initials, username, role FROM staff")?;
        stmt.query_map([], |r| {
            Ok(StaffRow {
                id: r.get(0)?,
                name: r.get(1)?,
                initials: r.get(2)?,
                username: r.get(3)?,
                therapist: r.get::<_, String>(4)? == "therapist",
            })
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    let existing: HashMap<(i64, String), i64> = {
        let mut stmt = conn.prepare("SELECT patient_id, start, id FROM appointments")?;
        stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let kinds = words(VisitKind::ALL, VisitKind::as_str);
    let statuses = words(AppointmentStatus::ALL, AppointmentStatus::as_str);
    let reasons_words = words(CancelReason::ALL, CancelReason::as_str);
    let mut therapists: HashMap<String, Result<i64, String>> = HashMap::new();
    let mut seen: HashMap<(i64, String), u64> = HashMap::new();
    let mut plan: Vec<Planned> = Vec::with_capacity(table.rows.len());
    let total = table.rows.len();

    for (i, row) in table.rows.iter().enumerate() {
        tick(progress, "checking", i + 1, total);
        let get = |c: &str| table.get(row, c);
        let mut reasons: Vec<String> = Vec::new();
        macro_rules! ok {
            ($e:expr) => {
                match $e {
                    Ok(v) => Some(v),
                    Err(e) => {
                        reasons.push(e);
                        None
                    }
                }
            };
        }

        let patient_id = ok!(fields::mrn(get("mrn")).and_then(|m| {
            patients.get(&m).copied().ok_or_else(|| {
                format!(
                    "mrn {} is not a patient here (import the patients first)",
                    shown(&m)
                )
            })
        }));
        let therapist_id = ok!(
            fields::required_text("therapist", get("therapist")).and_then(|who| {
                therapists
                    .entry(who.clone())
                    .or_insert_with(|| resolve(&staff, &who))
                    .clone()
            })
        );
        let start: Option<NaiveDateTime> = ok!(fields::start("start", get("start")));
        let minutes = ok!(fields::integer("minutes", get("minutes"), 5, 480)
            .and_then(|m| { m.ok_or_else(|| "minutes is empty".to_string()) }));
        let kind = ok!(fields::one_of("kind", get("kind"), &kinds).and_then(|k| {
            k.and_then(VisitKind::parse)
                .ok_or_else(|| "kind is empty".to_string())
        }));
        let status = ok!(fields::one_of("status", get("status"), &statuses)
            .map(|s| s.and_then(AppointmentStatus::parse)));
        let cancel_reason =
            ok!(
                fields::one_of("cancel_reason", get("cancel_reason"), &reasons_words)
                    .map(|s| s.and_then(CancelReason::parse))
            );
        let room = ok!(fields::limited("room", get("room"), 40));
        if let (Some(start), Some(Some(status))) = (start, status)
            && let Err(why) = status.fits_day(start.date(), opts.today)
        {
            reasons.push(format!("status {status}: {why} (today is {})", opts.today));
        }
        if let (Some(Some(_)), Some(s)) = (&cancel_reason, &status)
            && *s != Some(AppointmentStatus::Cancelled)
        {
            reasons.push("cancel_reason is only for cancelled visits".into());
        }
        let mut existing_id = None;
        if let (Some(pid), Some(start)) = (patient_id, start) {
            let key = (pid, start.format(START_FORMAT).to_string());
            if let Some(first) = seen.get(&key) {
                reasons.push(format!(
                    "the same patient and start are already on line {first}"
                ));
            }
            existing_id = existing.get(&key).copied();
            if existing_id.is_some() && !opts.update {
                reasons.push(format!(
                    "mrn {} already has a visit at {} (use --update to change it)",
                    shown(get("mrn").unwrap_or_default()),
                    key.1.replace('T', " ")
                ));
            }
            seen.entry(key).or_insert(row.line);
        }
        if !reasons.is_empty() {
            problems.push(Problem::new(row.line, reasons.join("; ")));
            continue;
        }
        if let (Some(patient_id), Some(therapist_id), Some(start), Some(minutes), Some(kind)) =
            (patient_id, therapist_id, start, minutes, kind)
        {
            plan.push(Planned {
                patient_id,
                therapist_id,
                start: start.format(START_FORMAT).to_string(),
                minutes,
                kind,
                status: status.flatten(),
                cancel_reason: cancel_reason.flatten(),
                room: room.flatten(),
                existing: existing_id,
            });
        }
    }
    if let Err(p) = finish(problems) {
        return Ok(Err(p));
    }
    let counts = Counts::of(plan.iter().map(|p| p.existing));
    if write {
        write_rows(conn, &plan, opts, progress)?;
    }
    Ok(Ok(counts))
}

fn write_rows(
    conn: &Connection,
    plan: &[Planned],
    opts: &Options,
    progress: &mut Progress,
) -> rusqlite::Result<()> {
    let mut insert = conn.prepare(
        "INSERT INTO appointments (patient_id, therapist_id, start, minutes, kind, status,
            status_changed_at, cancel_reason, room, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    // A status in the file replaces the stored one (and its reason); an empty cell keeps it.
    let mut update = conn.prepare(
        "UPDATE appointments SET therapist_id = ?2, minutes = ?3, kind = ?4,
            status_changed_at = CASE WHEN ?5 IS NOT NULL AND ?5 <> status THEN ?8
                                     ELSE status_changed_at END,
            cancel_reason = CASE WHEN ?5 IS NOT NULL THEN ?6 ELSE cancel_reason END,
            status = COALESCE(?5, status),
            room = COALESCE(?7, room),
            version = version + 1
         WHERE id = ?1",
    )?;
    let total = plan.len();
    for (i, p) in plan.iter().enumerate() {
        tick(progress, "writing", i + 1, total);
        let status = p.status.map(|s| s.as_str());
        let reason = p.cancel_reason.map(|r| r.as_str());
        match p.existing {
            None => {
                let status = status.unwrap_or("scheduled");
                let changed = (status != "scheduled").then_some(opts.at);
                insert.execute(params![
                    p.patient_id,
                    p.therapist_id,
                    p.start,
                    p.minutes,
                    p.kind.as_str(),
                    status,
                    changed,
                    reason,
                    p.room,
                    opts.at
                ])?;
                super::audit_record(conn, opts, "appointment", conn.last_insert_rowid(), false)?;
            }
            Some(id) => {
                update.execute(params![
                    id,
                    p.therapist_id,
                    p.minutes,
                    p.kind.as_str(),
                    status,
                    reason,
                    p.room,
                    opts.at
                ])?;
                super::audit_record(conn, opts, "appointment", id, true)?;
            }
        }
    }
    Ok(())
}
