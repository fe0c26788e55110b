use crate::config::Settings;
use crate::db::Who;
use crate::db::schedule::StatusChange;
use crate::domain::AppointmentStatus;
use crate::domain::appointment::Visit;
use crate::error::{AppError, AppResult};
use crate::sanitize::clean_line;

/// Visits of the day that a name or MRN picks out: an exact MRN, else every word of the query
/// starting a word of the patient's name.
pub fn matching<'a>(visits: &'a [Visit], query: &str) -> Vec<&'a Visit> {
    let query = query.trim();
    let by_mrn: Vec<&Visit> = visits.iter().filter(|v| v.mrn == query).collect();
    if !by_mrn.is_empty() {
        return by_mrn;
    }
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return Vec::new();
    }
    visits
        .iter()
        .filter(|v| {
            let name = v.patient_name.to_lowercase();
            let name_words: Vec<&str> = name.split_whitespace().collect();
            words
                .iter()
                .all(|w| name_words.iter().any(|n| n.starts_with(w.as_str())))
        })
        .collect()
}

pub fn run(
    settings: &Settings,
    appointment: Option<i64>,
    patient: Option<&str>,
    date: Option<&str>,
) -> AppResult<()> {
    let day = super::day_arg(settings, date)?;
    let today = settings.clock.today();
    if day > today {
        return Err(AppError::input(format!(
            "only today's visits can be checked in, and --date {day} is a later day"
        )));
    }
    let mut db = super::open_clinic(settings)?;
    // The patient's next visit that can still be checked in, else their first.
    let id = pick_visit(&db, day, appointment, patient, |s| {
        matches!(s, AppointmentStatus::Scheduled | AppointmentStatus::NoShow)
    })?;
    set_and_say(
        &mut db,
        settings,
        id,
        AppointmentStatus::CheckedIn,
        ("Checked in", "Already checked in"),
    )
}

/// Sets a visit's status as the desk's commands do, and says what happened (`said`: when it
/// changed, when it already was).
pub fn set_and_say(
    db: &mut crate::db::Db,
    settings: &Settings,
    id: i64,
    to: AppointmentStatus,
    said: (&str, &str),
) -> AppResult<()> {
    let at = crate::clock::stamp(settings.clock.now());
    let change = db.set_status(
        id,
        None,
        to,
        None,
        Who {
            user: &settings.user,
            at: &at,
        },
    )?;
    let (verb, v) = match &change {
        StatusChange::Changed { visit, .. } => (said.0, visit),
        StatusChange::Unchanged { visit } => (said.1, visit),
    };
    super::emit_after_change(&format!(
        "{verb}: {} {} (MRN {}) with {}, appointment {}{}\n",
        v.start.format("%Y-%m-%d %H:%M"),
        clean_line(&v.patient_name),
        clean_line(&v.mrn),
        clean_line(&v.therapist_name),
        v.id,
        v.checked_in_at
            .as_deref()
            .and_then(|t| t.get(11..16))
            .map(|t| format!(", arrived {t}"))
            .unwrap_or_default()
    ));
    Ok(())
}

/// The visit `--appointment` names, or the one of the day's visits of the patient `--patient`
/// picks out: the first whose status `wanted` accepts, else their first. More than one
/// patient matching is refused with the candidates listed.
pub fn pick_visit(
    db: &crate::db::Db,
    day: chrono::NaiveDate,
    appointment: Option<i64>,
    patient: Option<&str>,
    wanted: impl Fn(AppointmentStatus) -> bool,
) -> AppResult<i64> {
    Ok(match (appointment, patient) {
        (Some(id), _) => id,
        (None, Some(query)) => {
            let visits = db.day(day)?;
            let found = matching(&visits, query);
            let mut patients: Vec<i64> = found.iter().map(|v| v.patient_id).collect();
            patients.dedup();
            patients.sort_unstable();
            patients.dedup();
            match patients.len() {
                0 => {
                    return Err(AppError::input(format!(
                        "no visit on {day} for a patient matching \"{}\"",
                        crate::sanitize::clean_echo(query)
                    )));
                }
                1 => {}
                _ => {
                    let list: Vec<String> = found
                        .iter()
                        .map(|v| {
                            format!(
                                "  {} {} (MRN {}) with {}, appointment {}",
                                v.start.format("%H:%M"),
                                clean_line(&v.patient_name),
                                clean_line(&v.mrn),
                                clean_line(&v.therapist_initials),
                                v.id
                            )
                        })
                        .collect();
                    return Err(AppError::input(format!(
                        "\"{}\" matches more than one patient on {day}; use --appointment ID or the MRN:\n{}",
                        crate::sanitize::clean_echo(query),
                        list.join("\n")
                    )));
                }
            }
            found
                .iter()
                .find(|v| wanted(v.status))
                .or_else(|| found.first())
                .map(|v| v.id)
                .unwrap_or_default()
        }
        (None, None) => {
            return Err(AppError::input(
                "say which visit: --appointment ID or --patient NAME-OR-MRN",
            ));
        }
    })
}
