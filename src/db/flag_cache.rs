//! Each visit's compliance flags, kept with the visit (`appointments.flags`, in the day's
//! covering index) so that a day is read from its own rows: worked out from the patient's
//! history, a day of a ten-year clinic touched a page or more per patient (their row, their
//! visits, their reports), over a thousand round trips on a network drive.
//!
//! The stored flags are a cache of what [`super::flags::fill_day_flags`] works out, never a
//! source of their own, and they are never trusted blindly. Triggers in the schema (so that a
//! write by any tool counts) mark a patient in `flags_stale` with the first day whose flags a
//! change may alter: a visit booked, moved or its status changed, a plan of care, an
//! authorisation or a payer's rules changed, a note marked as the progress report, an adherence report
//! (patient 0 with day '' marks every patient: the re-evaluation setting changed). Every
//! write this app makes works the marked patients' flags out again before it commits, in
//! the same transaction, and clears the marks; a day read while a mark covers it (a write by
//! another tool) or with a visit never worked out is read the long way, as before.

use super::sql::{Conn, Sql, SqlResult, args};
use chrono::NaiveDate;

use super::stored_time::{day_range, day_text, parse_start};
use crate::domain::flags::{self, Adherence, HistoryVisit, Terms, Thresholds};
use crate::domain::{AppointmentStatus, VisitKind};

/// The patient id of the mark that covers every patient.
pub(crate) const EVERY_PATIENT: i64 = 0;

/// Flags as stored: their words, comma-separated ('' for none).
pub(crate) fn encode(words: &[String]) -> String {
    words.join(",")
}

pub(crate) fn decode(stored: &str) -> Vec<String> {
    if stored.is_empty() {
        Vec::new()
    } else {
        stored.split(',').map(str::to_string).collect()
    }
}

/// The marks: (patient, first day whose flags may be out of date).
pub(crate) fn stale_marks(conn: &Conn) -> SqlResult<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached("SELECT patient_id, from_day FROM flags_stale")?;
    stmt.query_map(&[], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// Whether a mark covers `patient_id`'s visits on the day `day_text` (a stored day).
pub(crate) fn covers(marks: &[(i64, String)], patient_id: i64, day_text: &str) -> bool {
    marks
        .iter()
        .any(|(p, from)| (*p == patient_id || *p == EVERY_PATIENT) && from.as_str() <= day_text)
}

/// Works out again the flags of every marked patient's visits from the marked day on, stores
/// those that changed, and clears the marks. Runs inside the write that made the marks.
pub(crate) fn refresh(conn: &Conn) -> SqlResult<()> {
    let marks = stale_marks(conn)?;
    if marks.is_empty() {
        return Ok(());
    }
    let t = super::flags::thresholds(conn)?;
    let patients: Vec<(i64, String)> = if marks.iter().any(|(p, _)| *p == EVERY_PATIENT) {
        let mut stmt = conn.prepare_cached("SELECT id FROM patients ORDER BY id")?;
        stmt.query_map(&[], |r| Ok((r.get(0)?, String::new())))?
            .collect::<SqlResult<_>>()?
    } else {
        marks
    };
    // Many patients at once (a build, an import, the setting): each changed visit would move
    // its entry in the day's index, at random; building the index again afterwards is faster.
    let rebuild = patients.len() >= REBUILD_FROM && day_index_exists(conn)?;
    if rebuild {
        conn.execute_batch("DROP INDEX appointments_day")?;
    }
    // The no-show risks of the patients' scheduled visits are kept the same way.
    let fit = super::no_show::stored_fit(conn)?;
    for (patient_id, from) in &patients {
        refresh_patient(conn, *patient_id, from, &t)?;
        if let Some(fit) = &fit {
            super::no_show::store_patient_risks(conn, fit, *patient_id, from)?;
        }
    }
    if rebuild {
        conn.execute_batch(DAY_INDEX)?;
    }
    conn.prepare_cached("DELETE FROM flags_stale")?
        .execute(&[])?;
    Ok(())
}

/// The day's covering index with the columns schema 4 added, built once the flags are in (and
/// again after a refresh of many patients' flags).
pub(crate) const DAY_INDEX: &str = r#"
CREATE INDEX appointments_day ON appointments (start, therapist_id, patient_id, minutes, kind,
    status, status_changed_at, checked_in_at, cancel_reason, room, version, patient_name,
    patient_mrn, patient_dob, no_show_risk, flags, site_id);
"#;

/// From this many marked patients on, the day's index is built again rather than updated.
const REBUILD_FROM: usize = 2_000;

pub(super) fn day_index_exists(conn: &Conn) -> SqlResult<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index'
                        AND name = 'appointments_day')",
        &[],
        |r| r.get(0),
    )
}

/// One of the patient's visits as stored (texts as they are, for the same comparisons the
/// day's query makes).
struct Row {
    id: i64,
    start: String,
    kind: String,
    status: String,
    progress_report: bool,
}

/// An adherence report as stored.
struct Report {
    reported_on: String,
    done: i64,
    prescribed: i64,
    id: i64,
}

fn refresh_patient(conn: &Conn, patient_id: i64, from: &str, t: &Thresholds) -> SqlResult<()> {
    let rows: Vec<Row> = conn
        .prepare_cached(
            "SELECT a.id, a.start, a.kind, a.status,
                    EXISTS (SELECT 1 FROM visit_notes n INDEXED BY visit_notes_progress
                            WHERE n.appointment_id = a.id AND n.is_progress_report = 1)
             FROM appointments a WHERE a.patient_id = ?1 ORDER BY a.start, a.id",
        )?
        .query_map(args![patient_id], |r| {
            Ok(Row {
                id: r.get(0)?,
                start: r.get(1)?,
                kind: r.get(2)?,
                status: r.get(3)?,
                progress_report: r.get::<i64>(4)? != 0,
            })
        })?
        .collect::<SqlResult<_>>()?;
    if !rows.iter().any(|r| r.start.as_str() >= from) {
        return Ok(());
    }
    let terms = super::flags::terms_of(conn, patient_id)?;
    let reports: Vec<Report> = conn
        .prepare_cached(
            "SELECT reported_on, sessions_done, sessions_prescribed, id FROM adherence_reports
             WHERE patient_id = ?1",
        )?
        .query_map(args![patient_id], |r| {
            Ok(Report {
                reported_on: r.get(0)?,
                done: r.get(1)?,
                prescribed: r.get(2)?,
                id: r.get(3)?,
            })
        })?
        .collect::<SqlResult<_>>()?;

    let flags: Vec<(i64, String)> = rows
        .iter()
        .filter(|r| r.start.as_str() >= from)
        .filter_map(|row| {
            let start = parse_start(&row.start)?;
            let words = flags_on(row, start.date(), &rows, &terms, &reports, t);
            Some((row.id, encode(&words)))
        })
        .collect();
    conn.set_each("appointments", "flags", &flags)
}

/// The flags of `target` (on `day`) exactly as `fill_day_flags` works them out for its day:
/// the same history (from the same bound), the same latest report, the same terms.
fn flags_on(
    target: &Row,
    day: NaiveDate,
    rows: &[Row],
    terms: &Terms,
    reports: &[Report],
    t: &Thresholds,
) -> Vec<String> {
    let (from, to) = day_range(day);
    let attended = |s: &str| s == "checked_in" || s == "completed";
    let boundary = rows
        .iter()
        .filter(|e| e.start.as_str() < from.as_str() && attended(&e.status))
        .filter(|e| {
            matches!(
                e.kind.as_str(),
                "evaluation" | "re_evaluation" | "discharge"
            )
        })
        .map(|e| e.start[..e.start.len().min(10)].to_string())
        .max();
    let auth_start = terms
        .authorizations
        .iter()
        .filter(|a| a.starts_on <= day && day <= a.ends_on)
        .map(|a| day_text(a.starts_on))
        .min();
    let history_from = match (boundary, auth_start) {
        (None, _) => String::new(),
        (Some(b), Some(a)) if a < b => a,
        (Some(b), _) => b,
    };
    let history_from = history_from.as_str();
    let history: Vec<HistoryVisit> = rows
        .iter()
        .filter(|a| a.start.as_str() >= history_from && a.start.as_str() < to.as_str())
        .filter(|a| attended(&a.status) || a.status == "scheduled")
        .filter_map(|a| {
            Some(HistoryVisit {
                id: a.id,
                start: parse_start(&a.start)?,
                kind: VisitKind::parse(&a.kind)?,
                status: AppointmentStatus::parse(&a.status)?,
                // As the day's query: a note marked as the report counts on a treatment or a
                // progress visit of the history, and on any visit of the day itself.
                progress_report: a.progress_report
                    && (a.kind == "treatment"
                        || a.kind == "progress"
                        || a.start.as_str() >= from.as_str()),
            })
        })
        .collect();
    let (Some(start), Some(kind), Some(status)) = (
        parse_start(&target.start),
        VisitKind::parse(&target.kind),
        AppointmentStatus::parse(&target.status),
    ) else {
        return Vec::new();
    };
    let target = history
        .iter()
        .find(|x| x.id == target.id)
        .cloned()
        .unwrap_or(HistoryVisit {
            id: target.id,
            start,
            kind,
            status,
            progress_report: false,
        });
    let adherence: Option<Adherence> = reports
        .iter()
        .filter(|r| r.reported_on.as_str() < to.as_str())
        .filter_map(|r| {
            super::adherence::report(&r.reported_on, r.done, r.prescribed)
                .map(|a| ((a.reported_on, r.id), a))
        })
        .max_by_key(|(order, _)| *order)
        .map(|(_, a)| a);
    flags::assess(&history, &target, terms, adherence.as_ref(), t)
        .flags
        .iter()
        .map(|f| f.as_str().to_string())
        .collect()
}
