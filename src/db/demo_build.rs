//! Writing the demo clinic: the generator in `crate::demo` decides every value, and these
//! methods store them, all inside the one transaction of [`Db::build_demo`].

use super::sql::{Conn, Sql, SqlResult, args};
use chrono::{NaiveDate, NaiveDateTime};

use super::audit::{self, AuditEntry};
use super::staff::{NewStaff, insert as insert_staff};
use super::stored_time::{day_text, start_text};
use super::{Db, TxResult, set_meta};
use crate::domain::bulk::{
    DemoAdherence, DemoAuthorization, DemoGoal, DemoMeasurement, DemoNote, DemoPatient, DemoPayer,
    DemoPlan, DemoProgram, DemoVisit, NewExercise,
};
use crate::error::AppResult;

/// The demo's writes, valid inside [`Db::build_demo`].
pub struct DemoWriter<'t> {
    tx: &'t Conn<'t>,
}

impl Db {
    /// Runs the demo's `build` in one transaction: all of it is stored, or none.
    pub fn build_demo<T>(
        &mut self,
        mut build: impl FnMut(&mut DemoWriter) -> TxResult<T>,
    ) -> AppResult<T> {
        // The day's index is built once at the end, from the finished visits with their flags:
        // kept up visit by visit, each insert and each flag stored would land at random in it.
        self.write(|tx| {
            tx.execute_batch("DROP INDEX IF EXISTS appointments_day")?;
            let built = build(&mut DemoWriter { tx })?;
            super::flag_cache::refresh(tx)?;
            tx.execute_batch(super::flag_cache::DAY_INDEX)?;
            Ok(built)
        })
    }
}

impl<'t> DemoWriter<'t> {
    pub(super) fn new(tx: &'t Conn<'t>) -> Self {
        Self { tx }
    }
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

impl DemoWriter<'_> {
    pub fn exercises(&mut self, all: &[NewExercise]) -> TxResult<()> {
        for e in all {
            super::imports::insert_exercise(self.tx, e)?;
        }
        Ok(())
    }

    /// (id, region) of every exercise, in library order.
    pub fn exercise_regions(&mut self) -> TxResult<Vec<(i64, String)>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT id, region FROM exercises ORDER BY id")?;
        let rows = stmt
            .query_map(&[], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<SqlResult<_>>()?;
        Ok(rows)
    }

    /// The clinic's program templates, made of library exercises.
    pub fn seed_templates(&mut self, by: &str, at: &str) -> TxResult<usize> {
        Ok(super::hep::seed_templates(self.tx, by, at)?)
    }

    pub fn staff(&mut self, s: &NewStaff) -> TxResult<i64> {
        Ok(insert_staff(self.tx, s)?)
    }

    pub fn patient(&mut self, p: &DemoPatient) -> TxResult<i64> {
        let d = &p.details;
        let inserted = self.tx.insert(
            "INSERT INTO patients (mrn, first_name, last_name, date_of_birth, phone, email,
                diagnosis_code, diagnosis, body_region, payer, active, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            args![
                d.mrn,
                d.first_name,
                d.last_name,
                day(d.date_of_birth),
                d.phone,
                d.email,
                d.diagnosis_code,
                d.diagnosis,
                d.body_region,
                d.payer,
                p.active,
                time(p.created_at),
            ],
        )?;
        Ok(inserted)
    }

    pub fn plan(&mut self, p: &DemoPlan) -> TxResult<i64> {
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT INTO plans_of_care (patient_id, starts_on, ends_on, visits_per_week, weeks,
                    physician, certified_on, recertifies, created_by, created_at, body_region)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
                         coalesce(?11, (SELECT body_region FROM patients WHERE id = ?1)))",
            )?
            .insert(args![
                p.patient_id,
                day(p.starts_on),
                day(p.ends_on),
                p.visits_per_week,
                p.weeks,
                p.physician,
                p.certified_on.map(day),
                p.recertifies,
                p.created_by,
                time(p.created_at),
                p.region.map(|r| r.as_str()),
            ])?;
        Ok(inserted)
    }

    pub fn authorization(&mut self, a: &DemoAuthorization) -> TxResult<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO authorizations (patient_id, payer, reference, starts_on, ends_on,
                    visits, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(args![
                a.patient_id,
                a.payer,
                a.reference,
                day(a.starts_on),
                day(a.ends_on),
                a.visits,
                a.created_by,
                time(a.created_at),
            ])?;
        Ok(())
    }

    pub fn visit(&mut self, v: &DemoVisit) -> TxResult<i64> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO appointments (patient_id, therapist_id, start, minutes, kind, status,
                status_changed_at, checked_in_at, cancel_reason, room, created_at,
                patient_name, patient_mrn, patient_dob, site_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
                (SELECT first_name || ' ' || last_name FROM patients WHERE id = ?1),
                (SELECT mrn FROM patients WHERE id = ?1),
                (SELECT date_of_birth FROM patients WHERE id = ?1), ?12)",
        )?;
        let inserted = stmt.insert(args![
            v.patient_id,
            v.therapist_id,
            start_text(v.start),
            v.minutes,
            v.kind.as_str(),
            v.status.as_str(),
            v.status_changed_at.map(time),
            v.checked_in_at.map(time),
            v.cancel_reason.map(|r| r.as_str()),
            v.room,
            time(v.created_at),
            super::sites::DEMO_SITE,
        ])?;
        Ok(inserted)
    }

    pub fn measurement(&mut self, m: &DemoMeasurement) -> TxResult<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO measurements (patient_id, appointment_id, measure_code, taken_on, value,
                recorded_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        stmt.execute(args![
            m.patient_id,
            m.appointment_id,
            m.code,
            day(m.taken_on),
            m.value,
            m.recorded_by,
            time(m.created_at)
        ])?;
        Ok(())
    }

    pub fn program(&mut self, p: &DemoProgram) -> TxResult<()> {
        let program_id = self.tx.insert(
            "INSERT INTO hep_programs (patient_id, version_no, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4)",
            args![p.patient_id, p.version_no, p.created_by, time(p.created_at)],
        )?;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO hep_items (program_id, position, exercise_id, sets, reps, hold_seconds,
                times_per_day, days_per_week, side)
             SELECT ?1, ?2, id, sets, reps, hold_seconds, times_per_day, days_per_week, ?3
             FROM exercises WHERE id = ?4",
        )?;
        for (position, (id, side)) in p.items.iter().enumerate() {
            stmt.execute(args![program_id, position as i64 + 1, side, id])?;
        }
        Ok(())
    }

    pub fn note(&mut self, n: &DemoNote) -> TxResult<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO visit_notes (appointment_id, subjective, objective, assessment, plan,
                timed_minutes, is_progress_report, author, updated_at, signed_by, signed_as,
                signed_at, signed_role)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, s.id,
                    s.name || coalesce(', ' || s.credentials, ''),
                    CASE WHEN s.id IS NOT NULL THEN ?9 END, s.role
             FROM (SELECT 1) LEFT JOIN staff s ON ?10 AND s.username = ?8",
        )?;
        stmt.execute(args![
            n.appointment_id,
            n.subjective,
            n.objective,
            n.assessment,
            n.plan,
            n.timed_minutes,
            n.is_progress_report,
            n.author,
            time(n.updated_at),
            n.signed,
        ])?;
        Ok(())
    }

    /// A goal under the plan of care the patient's evaluation started.
    pub fn goal(&mut self, g: &DemoGoal) -> TxResult<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO goals (plan_id, term, description, measure_code, target, target_on,
                created_by, created_at)
             SELECT id, ?3, ?4, ?5, ?6, ?7, ?8, ?2 || 'T12:00:00' FROM plans_of_care
             WHERE patient_id = ?1 AND starts_on <= ?2 AND ?2 <= ends_on
             ORDER BY starts_on, id LIMIT 1",
        )?;
        stmt.execute(args![
            g.patient_id,
            day_text(g.evaluated_on),
            g.term,
            g.description,
            g.measure.map(|(code, _)| code),
            g.measure.map(|(_, target)| target),
            day_text(g.target_on),
            g.by,
        ])?;
        Ok(())
    }

    pub fn payer(&mut self, p: &DemoPayer) -> TxResult<()> {
        self.tx.execute(
            "INSERT INTO payers (name, billing_rule, evaluation_counts, assistant_needs_cosign)
             VALUES (?1, ?2, ?3, ?4)",
            args![
                p.name,
                p.rules.billing_rule.as_str(),
                p.rules.evaluation_counts,
                p.rules.assistant_needs_cosign
            ],
        )?;
        Ok(())
    }

    pub fn adherence(&mut self, a: &DemoAdherence) -> TxResult<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO adherence_reports (patient_id, appointment_id, reported_on, sessions_done,
                sessions_prescribed, recorded_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        stmt.execute(args![
            a.patient_id,
            a.appointment_id,
            day(a.reported_on),
            a.sessions_done,
            a.sessions_prescribed,
            a.recorded_by
        ])?;
        Ok(())
    }

    /// The MRNs of the first `n` active patients, in the order they were registered.
    pub fn active_patient_mrns(&mut self, n: usize) -> TxResult<Vec<String>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT mrn FROM patients WHERE active = 1 ORDER BY id LIMIT ?1")?;
        let rows = stmt
            .query_map(args![n as i64], |r| r.get(0))?
            .collect::<SqlResult<_>>()?;
        Ok(rows)
    }

    /// A waitlist entry for the patient with `mrn`, added at `added_at` by `by`.
    pub fn waitlist_entry(
        &mut self,
        mrn: &str,
        mut entry: crate::domain::waitlist::NewWaitlistEntry,
        added_at: NaiveDateTime,
        by: &str,
    ) -> TxResult<i64> {
        entry.patient_id =
            self.tx
                .query_row("SELECT id FROM patients WHERE mrn = ?1", args![mrn], |r| {
                    r.get(0)
                })?;
        let entry = entry
            .checked()
            .map_err(|e| super::TxError::App(crate::error::AppError::failure(e)))?;
        Ok(super::waitlist::insert_entry(
            self.tx,
            &entry,
            &time(added_at),
            by,
        )?)
    }

    /// The patient's consent and opt-outs per channel, as the demo gave them.
    pub fn consent(
        &mut self,
        patient_id: i64,
        c: &crate::domain::messages::ContactConsent,
    ) -> TxResult<()> {
        self.tx
            .prepare_cached(
                "UPDATE patients SET email_consent_on = ?2, sms_consent_on = ?3,
                    email_opt_out_on = ?4, sms_opt_out_on = ?5
                 WHERE id = ?1",
            )?
            .execute(args![
                patient_id,
                c.email_consent_on.map(day),
                c.sms_consent_on.map(day),
                c.email_opt_out_on.map(day),
                c.sms_opt_out_on.map(day),
            ])?;
        Ok(())
    }

    /// The scheduled visits starting in [from, to), as (id, start), by time.
    pub fn scheduled_between(
        &mut self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> TxResult<Vec<(i64, NaiveDateTime)>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, start FROM appointments
             WHERE start >= ?1 AND start < ?2 AND status = 'scheduled' ORDER BY start, id",
        )?;
        let rows = stmt
            .query_map(args![start_text(from), start_text(to)], |r| {
                Ok((r.get::<i64>(0)?, r.get::<String>(1)?))
            })?
            .collect::<SqlResult<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, start)| Some((id, super::stored_time::parse_start(&start)?)))
            .collect())
    }

    /// The patient's answer about a visit, for the start it has, as the demo recorded it.
    pub fn confirmation(
        &mut self,
        appointment_id: i64,
        for_start: NaiveDateTime,
        answer: crate::domain::messages::Confirmation,
        via: crate::domain::messages::AnswerVia,
        answered_at: NaiveDateTime,
        by: &str,
    ) -> TxResult<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO visit_confirmations
                    (appointment_id, answer, for_start, answered_at, recorded_by, via)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(args![
                appointment_id,
                answer.as_str(),
                start_text(for_start),
                time(answered_at),
                by,
                via.as_str()
            ])?;
        Ok(())
    }

    /// A value in the record's `meta` table (what marks a demo clinic, its seed, its day).
    pub fn meta(&mut self, key: &str, value: &str) -> TxResult<()> {
        Ok(set_meta(self.tx, key, value)?)
    }

    /// The build's own audit row.
    pub fn audit(&mut self, entry: &AuditEntry) -> TxResult<()> {
        Ok(audit::record(self.tx, entry)?)
    }
}
