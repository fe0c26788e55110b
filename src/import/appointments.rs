//! Appointments: patient by MRN, therapist by name, initials or username. A visit the
//! patient already has at the same start is refused, or changed with `--update`. Built for
//! size: patients, staff and existing visits are loaded once, statements are prepared once.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::fields::{self, shown};
use super::table::{Column, Problem, Table, col};
use super::{Claims, Options, Progress, finish, tick};
use crate::domain::appointment::{VISIT_MINUTES_MAX, VISIT_MINUTES_MIN};
use crate::domain::bulk::{ImportedVisit, Known, Planned};
use crate::domain::staff::Staff;
use crate::domain::{AppointmentStatus, CancelReason, Role, VisitKind};
use crate::sanitize::clean_line;

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

/// Who "therapist" names: one therapist's id, or why not.
fn resolve(staff: &[Staff], who: &str) -> Result<i64, String> {
    let matches: Vec<&Staff> = staff
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
        [one] if one.role != Role::Therapist => Err(format!(
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

/// Checks every row against the record's patients, staff and visits; the plan, or every
/// bad line.
pub fn check(
    known: &Known,
    table: &Table,
    mut problems: Vec<Problem>,
    opts: &Options,
    progress: &mut Progress,
) -> Result<Vec<Planned<ImportedVisit>>, Vec<Problem>> {
    let patients = &known.patients;
    let staff = &known.staff;
    let existing = &known.visits;
    let kinds = words(VisitKind::ALL, VisitKind::as_str);
    let statuses = words(AppointmentStatus::ALL, AppointmentStatus::as_str);
    let reasons_words = words(CancelReason::ALL, CancelReason::as_str);
    let mut therapists: HashMap<String, Result<i64, String>> = HashMap::new();
    let mut claims = Claims::new(existing, opts.update);
    let mut plan: Vec<Planned<ImportedVisit>> = Vec::with_capacity(table.rows.len());
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
                    .or_insert_with(|| resolve(staff, &who))
                    .clone()
            })
        );
        let start: Option<NaiveDateTime> = ok!(fields::start("start", get("start")));
        let minutes = ok!(fields::integer(
            "minutes",
            get("minutes"),
            VISIT_MINUTES_MIN,
            VISIT_MINUTES_MAX
        )
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
        let room = ok!(fields::limited("room", get("room"), 40).and_then(|room| {
            match (room, &known.site) {
                (Some(room), Some(site)) => site.room(&room).map(Some),
                (room, _) => Ok(room),
            }
        }));
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
        let existing_id = match (patient_id, start) {
            (Some(pid), Some(start)) => claims.claim(
                (pid, start),
                row.line,
                &mut reasons,
                |first| format!("the same patient and start are already on line {first}"),
                || {
                    format!(
                        "mrn {} already has a visit at {} (use --update to change it)",
                        shown(get("mrn").unwrap_or_default()),
                        start.format("%Y-%m-%d %H:%M")
                    )
                },
            ),
            _ => None,
        };
        // A visit is changed by an import at its own site: its room and therapist are that
        // site's.
        if let (Some(id), Some(site)) = (existing_id, &known.site)
            && known.visit_sites.get(&id).is_some_and(|&at| at != site.id)
        {
            reasons.push(format!(
                "the visit at {} is at another site than {} (import it with that site's --site)",
                start.map_or_else(String::new, |s| s.format("%Y-%m-%d %H:%M").to_string()),
                clean_line(&site.name)
            ));
        }
        if !reasons.is_empty() {
            problems.push(Problem::new(row.line, reasons.join("; ")));
            continue;
        }
        if let (Some(patient_id), Some(therapist_id), Some(start), Some(minutes), Some(kind)) =
            (patient_id, therapist_id, start, minutes, kind)
        {
            plan.push(Planned {
                row: ImportedVisit {
                    patient_id,
                    therapist_id,
                    start,
                    minutes,
                    kind,
                    status: status.flatten(),
                    cancel_reason: cancel_reason.flatten(),
                    room: room.flatten(),
                },
                existing: existing_id,
            });
        }
    }
    finish(problems)?;
    Ok(plan)
}
