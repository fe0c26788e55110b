//! Plans of care as stored: one row per certification.

use rusqlite::Connection;

use super::Db;
use super::stored_time::parse_day_column;
use crate::domain::plan_of_care::PlanOfCare;
use crate::error::AppResult;

pub(crate) const PLAN_COLUMNS: &str = "id, patient_id, starts_on, ends_on, visits_per_week, weeks,
    physician, certified_on, delay_reason, recertifies, version";

pub(crate) fn row_to_plan(r: &rusqlite::Row) -> rusqlite::Result<PlanOfCare> {
    let day = |i: usize| -> rusqlite::Result<_> { parse_day_column(i, &r.get::<_, String>(i)?) };
    let certified: Option<String> = r.get(7)?;
    Ok(PlanOfCare {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        starts_on: day(2)?,
        ends_on: day(3)?,
        visits_per_week: r.get(4)?,
        weeks: r.get(5)?,
        physician: r.get(6)?,
        certified_on: certified.map(|c| parse_day_column(7, &c)).transpose()?,
        delay_reason: r.get(8)?,
        recertifies: r.get(9)?,
        version: r.get(10)?,
    })
}

/// A patient's plans, oldest first.
pub(crate) fn of_patient(conn: &Connection, patient_id: i64) -> rusqlite::Result<Vec<PlanOfCare>> {
    conn.prepare_cached(&format!(
        "SELECT {PLAN_COLUMNS} FROM plans_of_care WHERE patient_id = ?1 ORDER BY starts_on, id"
    ))?
    .query_map([patient_id], row_to_plan)?
    .collect()
}

impl Db {
    /// The patient's plans of care, oldest first: the certification history.
    pub fn plans_of_care(&self, patient_id: i64) -> AppResult<Vec<PlanOfCare>> {
        of_patient(self.conn(), patient_id).map_err(|e| self.fail(e))
    }
}
