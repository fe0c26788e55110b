//! `ptclinic book`, `slots`, `cancel` and `move`: a visit or a series booked from a script,
//! each occurrence checked and printed with its outcome; the therapist's next free times; and
//! "this visit" or "this and the following ones of the series" for a cancellation or a move.
//!
//! A series with a clash and no `--on-clash` books nothing: the occurrences are listed with
//! their clashes and the command exits 1, so that a script never books half of what it asked
//! for without saying so. `--dry-run` lists the same and exits 0.

use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use crate::cli::{BookArgs, CancelReasonArg, OnClashArg};
use crate::config::Settings;
use crate::db::Who;
use crate::domain::series::{
    self, Checked, Outcome, Resolution, SeriesContext, TypedSeries, check_series,
};
use crate::domain::sites::Sites;
use crate::domain::slots::{BusyTimes, LISTED_SLOTS, next_free};
use crate::domain::staff::Staff;
use crate::domain::{AppointmentStatus, CancelReason, Role, VisitKind};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::sanitize::clean_line;

fn therapist(db: &crate::db::Db, who: &str) -> AppResult<Staff> {
    let s = db.find_staff(who)?;
    if !matches!(s.role, Role::Therapist | Role::Assistant) {
        return Err(AppError::input(format!(
            "{} ({}) is not a therapist or an assistant: visits are booked with one",
            clean_line(&s.name),
            clean_line(&s.initials)
        )));
    }
    Ok(s)
}

/// The site named for this command (else the only one), with the therapist refused there
/// when they do not work there, before anything is checked or booked.
fn site_for(
    db: &crate::db::Db,
    settings: &Settings,
    staff: &Staff,
) -> AppResult<(Sites, crate::domain::sites::Site)> {
    let sites = db.sites()?;
    let site = sites
        .pick(settings.site.as_deref())
        .map_err(AppError::input)?
        .clone();
    if !site.works_here(staff.id) {
        return Err(AppError::input(sites.not_working_at(
            &site,
            staff.id,
            &clean_line(&staff.name),
        )));
    }
    Ok((sites, site))
}

fn kind_arg(kind: Option<&str>) -> AppResult<VisitKind> {
    match kind {
        None => Ok(VisitKind::Treatment),
        Some(k) => VisitKind::parse(k.trim()).ok_or_else(|| {
            AppError::input(format!(
                "--kind takes evaluation, treatment, re_evaluation, progress or discharge, not \"{}\"",
                crate::sanitize::clean_echo(k)
            ))
        }),
    }
}

fn resolution(on_clash: Option<OnClashArg>) -> Option<Resolution> {
    on_clash.map(|c| match c {
        OnClashArg::Skip => Resolution::Skip,
        OnClashArg::Move => Resolution::Move,
        OnClashArg::Book => Resolution::BookAnyway,
    })
}

fn at_text(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

fn line(c: &Checked, appointment: Option<i64>) -> String {
    let when = c.start.format("%a %Y-%m-%d %H:%M");
    let what = match &c.outcome {
        Outcome::Booked { reason: None } => "booked".to_string(),
        Outcome::Booked { reason: Some(r) } => format!("booked anyway ({r})"),
        Outcome::Skipped { reason } => format!("skipped ({reason})"),
        Outcome::Moved { to, reason } => {
            format!("moved to {} ({reason})", to.format("%a %Y-%m-%d %H:%M"))
        }
        Outcome::Clash { reason } => format!("clash: {reason}"),
    };
    match appointment {
        Some(id) => format!("{when}  {what}, appointment {id}\n"),
        None => format!("{when}  {what}\n"),
    }
}

fn listing(checked: &[Checked], ids: &[Option<i64>], json: bool) -> String {
    if json {
        let rows: Vec<serde_json::Value> = checked
            .iter()
            .zip(ids)
            .map(|(c, id)| {
                json!({
                    "start": at_text(c.start),
                    "outcome": c.outcome.word(),
                    "reason": c.outcome.reason(),
                    "moved_to": match &c.outcome {
                        Outcome::Moved { to, .. } => Some(at_text(*to)),
                        _ => None,
                    },
                    "appointment": id,
                })
            })
            .collect();
        format!("{}\n", serde_json::Value::Array(rows))
    } else {
        checked
            .iter()
            .zip(ids)
            .map(|(c, id)| line(c, *id))
            .collect()
    }
}

pub fn run(settings: &Settings, args: &BookArgs) -> AppResult<()> {
    let today = settings.clock.today();
    let now = settings.clock.now();
    let kind = kind_arg(args.kind.as_deref())?;
    let mut db = super::open_clinic(settings)?;
    let patient = super::patient_with_mrn(&db, &args.patient)?;
    let staff = therapist(&db, &args.therapist)?;
    let (sites, site) = site_for(&db, settings, &staff)?;
    let facts = db.series_facts(patient.id, site.id)?;
    let typed = TypedSeries {
        weekdays: args.weekdays.clone(),
        time: args.time.clone(),
        minutes: args.minutes,
        start: args.start.clone(),
        count: args.count,
        until: args.until.clone(),
    };
    // The plan covering the start fills in what is left out; the start is read first so that
    // its plan can be found (a start that is not a date is refused by `read_series` below).
    let start_day = crate::domain::when::parse_date(&args.start, today).ok();
    let frequency = start_day.and_then(|d| series::plan_frequency(&facts.plans, d));
    let request =
        series::read_series(&typed, frequency, &facts.calendar, today).map_err(AppError::input)?;
    for sentence in &request.filled_in {
        super::note(&format!("From the plan of care: {sentence}."));
    }
    let first = request.start;
    let busy = db.therapist_busy(
        staff.id,
        first,
        request.last_day() + Duration::days(crate::domain::slots::SEARCH_DAYS + 1),
    )?;
    let ctx = SeriesContext {
        calendar: &facts.calendar,
        busy: BusyTimes::new(busy),
        plans: facts.terms.plans.clone(),
        authorizations: series::authorization_counts(
            &facts.terms.authorizations,
            &facts.counted_visits,
        ),
        kind,
        now,
    };
    let choice = resolution(args.on_clash);
    let checked = check_series(&request.occurrences, request.minutes, &ctx, |_, _| choice);
    let none: Vec<Option<i64>> = vec![None; checked.len()];
    let clashes = checked
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Clash { .. }))
        .count();
    if args.dry_run {
        return super::emit(&listing(&checked, &none, args.json));
    }
    if clashes > 0 {
        super::emit(&listing(&checked, &none, args.json))?;
        return Err(AppError::of(
            ErrorKind::Conflict,
            format!(
                "{clashes} of the {} visits clash, so nothing was booked: choose --on-clash skip, move or book (--dry-run shows what each does)",
                checked.len()
            ),
        ));
    }
    let single = request.occurrences.len() == 1 && args.weekdays.is_none();
    let mut new =
        crate::db::series_work::new_series(patient.id, staff.id, site.id, kind, &request, &checked);
    if single {
        // One visit asked without weekdays is a visit, not a series of one.
        new.rule = None;
    }
    let at = crate::clock::stamp(now);
    let booked = db.book_series(
        &new,
        Who {
            user: &settings.user,
            at: &at,
        },
    )?;
    let mut ids = booked.appointments.iter();
    let shown: Vec<Option<i64>> = checked
        .iter()
        .map(|c| c.booked_at().and_then(|_| ids.next().copied()))
        .collect();
    super::emit_after_change(&listing(&checked, &shown, args.json));
    if !args.json {
        super::note(&format!(
            "Booked {} of {} visits for {} (MRN {}) with {}{}{}.",
            booked.appointments.len(),
            checked.len(),
            clean_line(&format!("{} {}", patient.first_name, patient.last_name)),
            clean_line(&patient.mrn),
            clean_line(&staff.name),
            // A group's desk books for any of its sites: the line says which one.
            if sites.several() {
                format!(" at {}", clean_line(&site.name))
            } else {
                String::new()
            },
            booked
                .series_id
                .map(|id| format!(", series {id}"))
                .unwrap_or_default()
        ));
    }
    Ok(())
}

pub fn slots(
    settings: &Settings,
    who: &str,
    minutes: i64,
    from: Option<&str>,
    json: bool,
) -> AppResult<()> {
    let today = settings.clock.today();
    let now = settings.clock.now();
    let from = match from {
        Some(d) => crate::config::parse_typed_day(d, "--from", today)?
            .and_time(chrono::NaiveTime::MIN)
            .max(now),
        None => now,
    };
    let db = super::open_clinic(settings)?;
    let staff = therapist(&db, who)?;
    let (sites, site) = site_for(&db, settings, &staff)?;
    // A clinic of one site says nothing of it.
    let at = if sites.several() {
        format!(" at {}", clean_line(&site.name))
    } else {
        String::new()
    };
    let (calendar, busy) = db.slot_facts(staff.id, site.id, from.date())?;
    let found = next_free(
        from,
        minutes,
        &calendar,
        &BusyTimes::new(busy),
        LISTED_SLOTS,
    );
    if json {
        let rows: Vec<serde_json::Value> = found
            .iter()
            .map(|s| {
                json!({
                    "start": at_text(*s),
                    "minutes": minutes,
                    "therapist": clean_line(&staff.name),
                    "therapist_initials": clean_line(&staff.initials),
                    "site": clean_line(&site.name),
                })
            })
            .collect();
        return super::emit(&format!("{}\n", serde_json::Value::Array(rows)));
    }
    if found.is_empty() {
        return super::emit(&format!(
            "{} has no free {minutes} minutes within {} in the {} days from {}.\n",
            clean_line(&staff.name),
            if at.is_empty() {
                "the clinic's hours".to_string()
            } else {
                format!("the hours{at}")
            },
            crate::domain::slots::SEARCH_DAYS,
            from.format("%Y-%m-%d")
        ));
    }
    let mut out = format!(
        "The next free times for {minutes} minutes with {}{at}:\n",
        clean_line(&staff.name),
    );
    for s in &found {
        out.push_str(&format!("  {}\n", s.format("%a %Y-%m-%d %H:%M")));
    }
    super::emit(&out)
}

fn who_at(settings: &Settings) -> String {
    crate::clock::stamp(settings.clock.now())
}

fn visit_line(v: &crate::domain::appointment::Visit) -> String {
    format!(
        "{} {} (MRN {}) with {}, appointment {}",
        v.start.format("%a %Y-%m-%d %H:%M"),
        clean_line(&v.patient_name),
        clean_line(&v.mrn),
        clean_line(&v.therapist_initials),
        v.id
    )
}

pub fn cancel(
    settings: &Settings,
    appointment: i64,
    reason: CancelReasonArg,
    following: bool,
) -> AppResult<()> {
    let reason = match reason {
        CancelReasonArg::Patient => CancelReason::Patient,
        CancelReasonArg::Clinic => CancelReason::Clinic,
        CancelReasonArg::Late => CancelReason::Late,
    };
    let mut db = super::open_clinic(settings)?;
    let at = who_at(settings);
    let who = Who {
        user: &settings.user,
        at: &at,
    };
    let cancelled = if following {
        db.cancel_following(appointment, reason, who)?
    } else {
        match db.set_status(
            appointment,
            None,
            AppointmentStatus::Cancelled,
            Some(reason),
            who,
        )? {
            crate::db::schedule::StatusChange::Changed { visit, .. } => vec![visit],
            crate::db::schedule::StatusChange::Unchanged { visit } => {
                super::emit_after_change(&format!("Already cancelled: {}\n", visit_line(&visit)));
                return Ok(());
            }
        }
    };
    let text: String = cancelled
        .iter()
        .map(|v| format!("Cancelled: {}\n", visit_line(v)))
        .collect();
    super::emit_after_change(&text);
    Ok(())
}

pub fn move_visit(
    settings: &Settings,
    appointment: i64,
    date: Option<&str>,
    time: &str,
    following: bool,
) -> AppResult<()> {
    let today = settings.clock.today();
    let mut db = super::open_clinic(settings)?;
    let v = db
        .visit(appointment)?
        .ok_or_else(|| AppError::not_found(format!("there is no appointment {appointment}")))?;
    let day = match date {
        Some(d) => crate::config::parse_typed_day(d, "--date", today)?,
        None => v.start.date(),
    };
    let (open, close) = db.site_calendar(v.site_id)?.reading_window(day);
    let t = crate::domain::when::parse_time(time, open, close)
        .map_err(|e| AppError::input(format!("--time: {e}")))?;
    let to = day.and_time(t);
    let at = who_at(settings);
    let who = Who {
        user: &settings.user,
        at: &at,
    };
    let moved = if following {
        db.move_following(appointment, Some(v.version), to, who)?
    } else {
        let b = crate::db::schedule::Booking {
            patient_id: v.patient_id,
            therapist_id: v.therapist_id,
            start: to,
            minutes: v.minutes,
            kind: v.kind,
            site_id: v.site_id,
        };
        vec![db.reschedule(appointment, v.version, &b, who)?]
    };
    let text: String = moved
        .iter()
        .map(|v| format!("Moved: {}\n", visit_line(v)))
        .collect();
    super::emit_after_change(&text);
    Ok(())
}
