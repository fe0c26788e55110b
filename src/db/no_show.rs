//! The no-show model's place in the record: the history it is fitted on (read in short
//! statements, so that a ten-year record never holds other terminals' commits for long), the
//! stored model in `meta` ('no_show_model', JSON, written with its audit row), each day's
//! risks, the call list's visits and the report's rates.

use super::sql::{Conn, OptionalExtension, Sql, SqlResult, args};
use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::stored_time::{day_range, day_text, parse_day, parse_start, start_text};
use super::{Db, Who, set_meta};
use crate::domain::messages::Confirmation;
use crate::domain::no_show::history::window_start;
use crate::domain::no_show::rates::RateVisit;
use crate::domain::no_show::{
    Attendance, Fit, HistoryVisit, NoShowModel, PatientHistory, VisitRisk, fit_model, risks_of,
};
use crate::domain::{AppointmentStatus, CancelReason, VisitKind};
use crate::error::{AppError, AppResult};

/// The `meta` key the model is stored under.
pub const META_KEY: &str = "no_show_model";

/// Rows per statement while reading the whole history: each statement is short, and a writer
/// at another terminal commits between two of them.
const CHUNK: i64 = 20_000;

fn attendance(status: &str, reason: Option<&str>) -> Attendance {
    AppointmentStatus::parse(status).map_or(Attendance::Open, |s| {
        Attendance::of(s, reason.and_then(CancelReason::parse))
    })
}

/// A stored booking time (`YYYY-MM-DDTHH:MM:SS` or any text starting with the day) as its day.
fn booked_on(created_at: Option<&str>) -> Option<NaiveDate> {
    created_at.and_then(|t| t.get(..10)).and_then(parse_day)
}

/// Every patient's attended and missed visits before `today`, in patient and start order.
fn read_histories(conn: &Conn, today: NaiveDate) -> SqlResult<Vec<PatientHistory>> {
    let mut people: HashMap<i64, (Option<NaiveDate>, Option<String>)> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached("SELECT id, date_of_birth, payer FROM patients")?;
        stmt.each(&[], |r| {
            let dob = r.text(1)?.and_then(parse_day);
            people.insert(r.get(0)?, (dob, r.get(2)?));
            Ok(())
        })?;
    }
    let today_text = day_text(today);
    let mut visits: Vec<(i64, HistoryVisit)> = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT id, patient_id, start, created_at, kind, status, cancel_reason
         FROM appointments WHERE id > ?1 ORDER BY id LIMIT ?2",
    )?;
    let mut after = i64::MIN;
    loop {
        let from = after;
        let mut read = 0;
        stmt.each(args![from, CHUNK], |r| {
            read += 1;
            after = r.get(0)?;
            let start = r.text(2)?.unwrap_or("");
            if start >= today_text.as_str() {
                return Ok(());
            }
            let seen = attendance(r.text(5)?.unwrap_or(""), r.text(6)?);
            // Visits cancelled ahead or never closed out count for nothing.
            if !seen.finished() {
                return Ok(());
            }
            let (Some(start), Some(kind)) = (
                parse_start(start),
                VisitKind::parse(r.text(4)?.unwrap_or("")),
            ) else {
                return Ok(());
            };
            visits.push((
                r.get(1)?,
                HistoryVisit {
                    id: after,
                    start,
                    booked_on: booked_on(r.text(3)?),
                    kind,
                    attendance: seen,
                },
            ));
            Ok(())
        })?;
        if read < CHUNK {
            break;
        }
    }
    visits.sort_by(|(pa, a), (pb, b)| pa.cmp(pb).then(a.start.cmp(&b.start)).then(a.id.cmp(&b.id)));
    let mut out: Vec<PatientHistory> = Vec::new();
    let mut current = None;
    for (patient, v) in visits {
        if current != Some(patient) {
            current = Some(patient);
            let (dob, payer) = people.get(&patient).cloned().unwrap_or_default();
            out.push(PatientHistory {
                date_of_birth: dob,
                payer,
                attended_before: None,
                visits: Vec::new(),
            });
        }
        if let Some(h) = out.last_mut() {
            h.visits.push(v);
        }
    }
    Ok(out)
}

/// The patients with a scheduled visit on the day: [?1, ?2).
const DAY_PATIENTS: &str = "SELECT patient_id FROM appointments
    WHERE start >= ?1 AND start < ?2 AND status = 'scheduled'";

/// One patient's part of a day: the day's scheduled visits (ids) and the history they are
/// scored on.
struct DayPatient {
    patient_id: i64,
    targets: Vec<i64>,
    history: PatientHistory,
}

/// The day's patients with their visits from 12 months before the day to its end, each with
/// their birth date and payer and, when those months hold no attended visit before the day's
/// first one, the last attended visit before them. Two statements for the whole day (a
/// statement per patient costs more in preparing than in reading: SQLite prepares a range
/// query again when its bound values change); the booking day is read only for the day's own
/// visits and the cancel reason only for cancellations, so `appointments_patient` answers the
/// rest.
fn day_patients(conn: &Conn, day: NaiveDate) -> SqlResult<Vec<DayPatient>> {
    let (day_from, day_to) = day_range(day);
    let window = start_text(window_start(day.and_time(chrono::NaiveTime::MIN)));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT patient_id, id, start, CASE WHEN start >= ?1 THEN created_at END, kind,
            status, CASE WHEN status = 'cancelled' THEN cancel_reason END
         FROM appointments
         WHERE patient_id IN ({DAY_PATIENTS}) AND start >= ?3 AND start < ?2"
    ))?;
    let mut visits: Vec<(i64, HistoryVisit)> = Vec::new();
    stmt.each(args![day_from, day_to, window], |r| {
        let (Some(start), Some(kind)) = (
            parse_start(r.text(2)?.unwrap_or("")),
            VisitKind::parse(r.text(4)?.unwrap_or("")),
        ) else {
            return Ok(());
        };
        visits.push((
            r.get(0)?,
            HistoryVisit {
                id: r.get(1)?,
                start,
                booked_on: booked_on(r.text(3)?),
                kind,
                attendance: attendance(r.text(5)?.unwrap_or(""), r.text(6)?),
            },
        ));
        Ok(())
    })?;
    // Visits at the same time in the order of their ids, as the whole history has them.
    visits.sort_by_key(|(p, v)| (*p, v.start, v.id));
    let mut people: HashMap<i64, (Option<NaiveDate>, Option<String>)> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, date_of_birth, payer FROM patients WHERE id IN ({DAY_PATIENTS})"
    ))?;
    stmt.each(args![day_from, day_to], |r| {
        let dob = r.text(1)?.and_then(parse_day);
        people.insert(r.get(0)?, (dob, r.get(2)?));
        Ok(())
    })?;
    let mut out: Vec<DayPatient> = Vec::new();
    let mut current = None;
    for (patient, v) in visits {
        if current != Some(patient) {
            current = Some(patient);
            let (date_of_birth, payer) = people.get(&patient).cloned().unwrap_or_default();
            out.push(DayPatient {
                patient_id: patient,
                targets: Vec::new(),
                history: PatientHistory {
                    date_of_birth,
                    payer,
                    attended_before: None,
                    visits: Vec::new(),
                },
            });
        }
        if let Some(p) = out.last_mut() {
            if v.start >= day.and_time(chrono::NaiveTime::MIN) && v.attendance == Attendance::Open {
                p.targets.push(v.id);
            }
            p.history.visits.push(v);
        }
    }
    let mut before = conn.prepare_cached(
        "SELECT start FROM appointments
         WHERE patient_id = ?1 AND start < ?2 AND status IN ('completed', 'checked_in')
         ORDER BY start DESC LIMIT 1",
    )?;
    for p in &mut out {
        let visits = &p.history.visits;
        let first_target = visits
            .iter()
            .find(|v| p.targets.contains(&v.id))
            .map(|v| v.start);
        let attended = visits
            .iter()
            .any(|v| v.attendance == Attendance::Attended && Some(v.start) < first_target);
        if !attended {
            p.history.attended_before = before
                .query_row(args![p.patient_id, window], |r| {
                    Ok(parse_start(r.text(0)?.unwrap_or("")))
                })
                .optional()?
                .flatten();
        }
    }
    Ok(out)
}

/// A visit's risk as its row keeps it (`appointments.no_show_risk`, in the day's covering
/// index, so that a day shows its risks without reading each patient's history).
pub(in crate::db) fn encode_risk(r: &VisitRisk) -> String {
    json!({ "p": r.probability, "high": r.high, "why": r.reasons }).to_string()
}

pub(in crate::db) fn decode_risk(stored: Option<&str>) -> Option<VisitRisk> {
    let v: serde_json::Value = serde_json::from_str(stored?).ok()?;
    Some(VisitRisk {
        probability: v.get("p")?.as_f64()?,
        high: v.get("high")?.as_bool()?,
        reasons: v
            .get("why")?
            .as_array()?
            .iter()
            .filter_map(|w| w.as_str().map(str::to_string))
            .collect(),
    })
}

/// The stored model's fit, if there is one this version reads.
pub(in crate::db) fn stored_fit(conn: &Conn) -> SqlResult<Option<Fit>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            args![META_KEY],
            |r| r.get(0),
        )
        .optional()?;
    Ok(text
        .and_then(|t| serde_json::from_str::<NoShowModel>(&t).ok())
        .and_then(|m| m.fit)
        .filter(Fit::is_well_formed))
}

/// Scores the patient's scheduled visits from the stored day `from` on ('' for all) and keeps
/// each risk in its row; a visit no longer scheduled drops its risk. Runs inside the write
/// that changed the patient's visits, as their flags do (see `flag_cache`).
pub(in crate::db) fn store_patient_risks(
    conn: &Conn,
    fit: &Fit,
    patient_id: i64,
    from: &str,
) -> SqlResult<()> {
    // Only from the changed day on: the patient's older visits are not read again.
    conn.prepare_cached(
        "UPDATE appointments SET no_show_risk = NULL
         WHERE patient_id = ?1 AND start >= ?2 AND status <> 'scheduled'
           AND no_show_risk IS NOT NULL",
    )?
    .execute(args![patient_id, from])?;
    let first: Option<String> = conn
        .prepare_cached(
            "SELECT min(start) FROM appointments
             WHERE patient_id = ?1 AND status = 'scheduled' AND start >= ?2",
        )?
        .query_row(args![patient_id, from], |r| r.get(0))?;
    let Some(first) = first.as_deref().and_then(parse_start) else {
        return Ok(());
    };
    let window = start_text(window_start(first));
    let mut targets = Vec::new();
    let mut visits = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, start, CASE WHEN status = 'scheduled' THEN created_at END, kind, status,
                CASE WHEN status = 'cancelled' THEN cancel_reason END
             FROM appointments WHERE patient_id = ?1 AND start >= ?2 ORDER BY start, id",
        )?;
        stmt.each(args![patient_id, window], |r| {
            let (Some(start), Some(kind)) = (
                parse_start(r.text(1)?.unwrap_or("")),
                VisitKind::parse(r.text(3)?.unwrap_or("")),
            ) else {
                return Ok(());
            };
            let v = HistoryVisit {
                id: r.get(0)?,
                start,
                booked_on: booked_on(r.text(2)?),
                kind,
                attendance: attendance(r.text(4)?.unwrap_or(""), r.text(5)?),
            };
            if start >= first && v.attendance == Attendance::Open {
                targets.push(v.id);
            }
            visits.push(v);
            Ok(())
        })?;
    }
    let (date_of_birth, payer) = conn
        .prepare_cached("SELECT date_of_birth, payer FROM patients WHERE id = ?1")?
        .query_row(args![patient_id], |r| {
            Ok((r.text(0)?.and_then(parse_day), r.get::<Option<String>>(1)?))
        })?;
    let attended = visits
        .iter()
        .any(|v| v.attendance == Attendance::Attended && v.start < first);
    let attended_before = if attended {
        None
    } else {
        conn.prepare_cached(
            "SELECT start FROM appointments
             WHERE patient_id = ?1 AND start < ?2 AND status IN ('completed', 'checked_in')
             ORDER BY start DESC LIMIT 1",
        )?
        .query_row(args![patient_id, window], |r| r.get::<String>(0))
        .optional()?
        .as_deref()
        .and_then(parse_start)
    };
    let history = PatientHistory {
        date_of_birth,
        payer,
        attended_before,
        visits,
    };
    let mut risks = Vec::new();
    risks_of(fit, &history, &targets, |id, risk| {
        risks.push((id, encode_risk(&risk)));
    });
    conn.set_each("appointments", "no_show_risk", &risks)
}

/// The patients with a visit booked, whose risks a new model changes.
fn booked_patients(conn: &Conn) -> SqlResult<Vec<i64>> {
    conn.prepare_cached("SELECT DISTINCT patient_id FROM appointments WHERE status = 'scheduled'")?
        .query_map(&[], |r| r.get(0))?
        .collect()
}

/// Scores every scheduled visit again by `fit` (a model just stored) or drops every stored
/// risk (None: no model), in the caller's transaction (an upgrade's).
pub(in crate::db) fn store_all_risks(conn: &Conn, fit: Option<&Fit>) -> SqlResult<()> {
    let Some(fit) = fit else {
        conn.execute(
            "UPDATE appointments SET no_show_risk = NULL WHERE no_show_risk IS NOT NULL",
            &[],
        )?;
        return Ok(());
    };
    for p in booked_patients(conn)? {
        store_patient_risks(conn, fit, p, "")?;
    }
    Ok(())
}

/// Patients whose risks one short write scores after a refit: a ten-year clinic has thousands
/// with visits booked, and another terminal's write must not wait for all of them.
const RISKS_PER_WRITE: usize = 250;

/// A scheduled visit of the call list's day, with what the desk needs to call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallListVisit {
    pub appointment_id: i64,
    pub start: NaiveDateTime,
    pub therapist: String,
    pub patient_id: i64,
    pub patient_name: String,
    pub mrn: String,
    pub phone: Option<String>,
    /// The patient's answer for the visit's present time.
    pub answer: Option<Confirmation>,
    /// An answer was given for another time (the visit has moved since).
    pub answered_other_time: bool,
    pub site_id: i64,
}

impl Db {
    /// The stored model as it is, whatever its age (None: none stored, or one this version
    /// cannot read).
    pub fn stored_no_show_model(&self) -> AppResult<Option<NoShowModel>> {
        Ok(self
            .meta(META_KEY)?
            .and_then(|text| serde_json::from_str::<NoShowModel>(&text).ok())
            .filter(|m| m.fit.as_ref().is_none_or(Fit::is_well_formed)))
    }

    /// The model in force for `who`'s day: the stored one while it is fresh (fitted at most 7
    /// days before, in this layout), else fitted again and stored.
    pub fn no_show_model(&mut self, who: Who) -> AppResult<NoShowModel> {
        let today = who.today()?;
        if let Some(m) = self.stored_no_show_model()?
            && m.is_fresh(today)
        {
            return Ok(m);
        }
        self.refit_no_show_model(who)
    }

    /// Fits the model on the record's history before `today`, without storing it.
    pub fn fit_no_show_model(&self, today: NaiveDate, fitted_at: &str) -> AppResult<NoShowModel> {
        let histories = read_histories(&self.sql(), today).map_err(|e| self.fail(e))?;
        Ok(fit_model(&histories, today, fitted_at))
    }

    /// Fits the model now and stores it in one short transaction with its audit row
    /// ('no_show_model.fitted': counts and quality, nothing about any patient). It is worked
    /// out from the record like the compliance flags, so anyone who may read may refresh it.
    pub fn refit_no_show_model(&mut self, who: Who) -> AppResult<NoShowModel> {
        let model = self.fit_no_show_model(who.today()?, who.at)?;
        let text = serde_json::to_string(&model).map_err(|e| {
            AppError::failure(format!("the no-show model could not be written: {e}"))
        })?;
        let detail = json!({
            "finished_visits": model.counts.finished_visits,
            "no_shows": model.counts.no_shows,
            "late_cancellations": model.counts.late_cancellations,
            "history_through": model.history_through,
            "model": model.fit.is_some(),
            "holdout_auc": model.quality.as_ref().map(|q| q.auc),
            "threshold": model.fit.as_ref().map(|f| f.threshold),
        });
        self.write(|tx| {
            set_meta(tx, META_KEY, &text)?;
            if model.fit.is_none() {
                store_all_risks(tx, None)?;
            }
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "no_show_model.fitted",
                    entity: "clinic",
                    entity_id: None,
                    detail: detail.clone(),
                },
            )?;
            Ok(())
        })?;
        // The booked visits scored by the new model, a few hundred patients per write; a
        // visit changed meanwhile was scored by its own write, with the model then stored.
        if let Some(fit) = &model.fit {
            let patients = booked_patients(&self.sql()).map_err(|e| self.fail(e))?;
            for chunk in patients.chunks(RISKS_PER_WRITE) {
                self.write(|tx| {
                    for &p in chunk {
                        store_patient_risks(tx, fit, p, "")?;
                    }
                    Ok(())
                })?;
            }
        }
        Ok(model)
    }

    /// The risk of each of the day's scheduled visits, by the stored model whatever its age
    /// ([`Db::no_show_model`] keeps it fresh); empty when there is no model. Reads the day's
    /// visits and, per patient, only their last 12 months.
    pub fn day_risks(&self, day: NaiveDate) -> AppResult<HashMap<i64, VisitRisk>> {
        match self.stored_no_show_model()?.and_then(|m| m.fit) {
            Some(fit) => self.day_risks_with(&fit, day),
            None => Ok(HashMap::new()),
        }
    }

    /// [`Db::day_risks`] with a model in hand. One read transaction of a few milliseconds:
    /// the shared lock is taken once, not once per patient, and the reads agree.
    pub fn day_risks_with(&self, fit: &Fit, day: NaiveDate) -> AppResult<HashMap<i64, VisitRisk>> {
        let run = || -> SqlResult<HashMap<i64, VisitRisk>> {
            let conn = &self.sql();
            conn.in_read(|| {
                let mut out = HashMap::new();
                for p in day_patients(conn, day)? {
                    risks_of(fit, &p.history, &p.targets, |id, risk| {
                        out.insert(id, risk);
                    });
                }
                Ok(out)
            })
        };
        run().map_err(|e| self.fail(e))
    }

    /// The day's scheduled visits in time order, with the patient's phone and their answer.
    pub fn call_list_visits(&self, day: NaiveDate) -> AppResult<Vec<CallListVisit>> {
        let (from, to) = day_range(day);
        let run = || -> SqlResult<Vec<CallListVisit>> {
            let mut stmt = self.sql().prepare_cached(
                "SELECT a.id, a.start, s.name, p.id, p.first_name || ' ' || p.last_name, p.mrn,
                    p.phone, c.answer, c.for_start, a.site_id
                 FROM appointments a
                 JOIN patients p ON p.id = a.patient_id
                 JOIN staff s ON s.id = a.therapist_id
                 LEFT JOIN visit_confirmations c ON c.appointment_id = a.id
                 WHERE a.start >= ?1 AND a.start < ?2 AND a.status = 'scheduled'
                 ORDER BY a.start, s.name, a.id",
            )?;
            let mut out = Vec::new();
            stmt.each(args![from, to], |r| {
                let start_text: String = r.get(1)?;
                let Some(start) = parse_start(&start_text) else {
                    return Ok(());
                };
                let answer: Option<String> = r.get(7)?;
                let for_start: Option<String> = r.get(8)?;
                let current = for_start.as_deref() == Some(start_text.as_str());
                out.push(CallListVisit {
                    appointment_id: r.get(0)?,
                    start,
                    therapist: r.get(2)?,
                    patient_id: r.get(3)?,
                    patient_name: r.get(4)?,
                    mrn: r.get(5)?,
                    phone: r.get(6)?,
                    answer: answer
                        .as_deref()
                        .and_then(Confirmation::parse)
                        .filter(|_| current),
                    answered_other_time: answer.is_some() && !current,
                    site_id: r.get(9)?,
                });
                Ok(())
            })?;
            Ok(out)
        };
        run().map_err(|e| self.fail(e))
    }

    /// The visits from `from` to `to` (days, inclusive) that were attended, missed or
    /// cancelled, for the report's rates.
    /// The finished visits from `from` to `to`, at one site (`Some`) or at all of them.
    pub fn attendance_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        site: Option<i64>,
    ) -> AppResult<Vec<RateVisit>> {
        let end = to.succ_opt().unwrap_or(to);
        let run = || -> SqlResult<Vec<RateVisit>> {
            let mut stmt = self.sql().prepare_cached(
                "SELECT therapist_id, start, created_at, status, cancel_reason FROM appointments
                 WHERE start >= ?1 AND start < ?2
                   AND status IN ('checked_in', 'completed', 'no_show', 'cancelled')
                   AND (CAST(?3 AS INTEGER) IS NULL OR site_id = ?3)",
            )?;
            let mut out = Vec::new();
            stmt.each(args![day_text(from), day_text(end), site], |r| {
                let seen = attendance(r.text(3)?.unwrap_or(""), r.text(4)?);
                let Some(start) = parse_start(r.text(1)?.unwrap_or("")) else {
                    return Ok(());
                };
                if seen.finished() {
                    out.push(RateVisit {
                        therapist_id: r.get(0)?,
                        start,
                        booked_on: booked_on(r.text(2)?),
                        attendance: seen,
                    });
                }
                Ok(())
            })?;
            Ok(out)
        };
        run().map_err(|e| self.fail(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    /// A clinic of returning patients over more than a year, so that the day's reads cut
    /// histories at 12 months and look further back for the last attended visit.
    fn clinic() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clinic.db");
        let opts = crate::demo::DemoOptions {
            therapists: 2,
            patients: 60,
            weeks_back: 70,
            weeks_ahead: 2,
            ..Default::default()
        };
        crate::demo::build(&path, false, &opts, today()).unwrap();
        (dir, crate::db::open_existing(&path).unwrap())
    }

    /// Every visit of the patient, whatever its status or age.
    fn whole_history(db: &Db, patient_id: i64) -> PatientHistory {
        let mut stmt = db
            .sql()
            .prepare_cached(
                "SELECT id, start, created_at, kind, status, cancel_reason FROM appointments
                 WHERE patient_id = ?1 ORDER BY start, id",
            )
            .unwrap();
        let visits = stmt
            .query_map(args![patient_id], |r| {
                Ok(HistoryVisit {
                    id: r.get(0)?,
                    start: parse_start(&r.get::<String>(1)?).unwrap(),
                    booked_on: booked_on(r.get::<Option<String>>(2)?.as_deref()),
                    kind: VisitKind::parse(&r.get::<String>(3)?).unwrap(),
                    attendance: attendance(
                        &r.get::<String>(4)?,
                        r.get::<Option<String>>(5)?.as_deref(),
                    ),
                })
            })
            .unwrap()
            .collect::<SqlResult<Vec<_>>>()
            .unwrap();
        let (date_of_birth, payer) = db
            .sql()
            .query_row(
                "SELECT date_of_birth, payer FROM patients WHERE id = ?1",
                args![patient_id],
                |r| Ok((parse_day(&r.get::<String>(0)?), r.get(1)?)),
            )
            .unwrap();
        PatientHistory {
            date_of_birth,
            payer,
            attended_before: None,
            visits,
        }
    }

    #[test]
    fn a_days_risks_from_the_last_12_months_match_the_whole_history() {
        let (_dir, db) = clinic();
        // Some of next week's patients were last seen more than a year ago.
        let tomorrow = today() + chrono::Duration::days(1);
        for p in day_patients(&db.sql(), tomorrow).unwrap().iter().take(4) {
            db.sql()
                .execute(
                    "UPDATE appointments SET start = strftime('%Y-%m-%dT%H:%M', start, '-400 days')
                     WHERE patient_id = ?1 AND start < ?2",
                    args![p.patient_id, day_text(today())],
                )
                .unwrap();
        }
        let model = db
            .fit_no_show_model(today(), "2026-11-27T07:00:00")
            .unwrap();
        let fit = model.fit.expect("enough history");
        let mut compared = 0;
        let mut looked_back = 0;
        for d in 0..10 {
            let day = today() + chrono::Duration::days(d);
            let risks = db.day_risks_with(&fit, day).unwrap();
            let mut expected = HashMap::new();
            for p in day_patients(&db.sql(), day).unwrap() {
                let whole = whole_history(&db, p.patient_id);
                looked_back += usize::from(p.history.attended_before.is_some());
                risks_of(&fit, &whole, &p.targets, |id, r| {
                    expected.insert(id, r);
                });
            }
            compared += expected.len();
            assert_eq!(risks, expected, "{day}");
        }
        assert!(compared > 50, "{compared} visits compared");
        assert!(
            looked_back > 0,
            "some patients were last seen over a year before"
        );
    }

    #[test]
    fn the_stored_model_is_read_back_as_fitted_and_audited_once() {
        let (_dir, mut db) = clinic();
        let who = || Who {
            user: "admin",
            at: "2026-11-27T07:00:00",
        };
        // The demo is built with its model, fitted and audited once.
        let built = db
            .stored_no_show_model()
            .unwrap()
            .expect("the demo's model");
        let fitted = db.no_show_model(who()).unwrap();
        assert_eq!(fitted, built);
        let again = db
            .no_show_model(Who {
                user: "admin",
                at: "2026-11-28T07:00:00",
            })
            .unwrap();
        assert_eq!(again, fitted, "a fresh model is read, not refitted");
        assert_eq!(db.stored_no_show_model().unwrap(), Some(fitted.clone()));
        let rows: Vec<_> = db
            .audit_log(&audit::AuditQuery::default())
            .unwrap()
            .into_iter()
            .filter(|r| r.action == "no_show_model.fitted")
            .collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].user, "ptclinic demo");
        // A model this version cannot read is fitted again.
        db.write(|tx| {
            set_meta(tx, META_KEY, "{\"version\": 0}")?;
            Ok(())
        })
        .unwrap();
        assert_eq!(db.stored_no_show_model().unwrap(), None);
        assert!(db.day_risks(today()).unwrap().is_empty());
        let refit = db.no_show_model(who()).unwrap();
        assert_eq!(refit.fit, fitted.fit);
        // Each scheduled visit keeps its risk in its row, as the model scores it.
        let kept: HashMap<i64, VisitRisk> = db
            .day(today())
            .unwrap()
            .into_iter()
            .filter_map(|v| v.risk.map(|r| (v.id, r)))
            .collect();
        assert!(!kept.is_empty());
        assert_eq!(kept, db.day_risks(today()).unwrap());
    }
}
