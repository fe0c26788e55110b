//! What the record holds of outcome measures, read by the progress pane, the reports and the
//! goals alike: the clinic's definitions and a patient's measurements.

use super::sql::{Conn, SqlResult, args};
use super::stored_time::parse_day;
use crate::domain::measures::MeasureDef;
use crate::domain::progress::MeasurePoint;

/// [`MEASURES`] with the thresholds the record holds for each (a measure the record lacks keeps
/// its defaults).
pub(crate) fn clinic_measures(conn: &Conn) -> SqlResult<Vec<MeasureDef>> {
    let mut stmt = conn.prepare_cached("SELECT code, mcid, mdc FROM measure_definitions")?;
    let stored: Vec<(String, Option<f64>, Option<f64>)> = stmt
        .query_map(&[], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<SqlResult<_>>()?;
    Ok(crate::domain::measures::MEASURES
        .iter()
        .map(|def| match stored.iter().find(|(c, _, _)| c == def.code) {
            Some((_, mcid, mdc)) => MeasureDef {
                mcid: *mcid,
                mdc: *mdc,
                ..*def
            },
            None => *def,
        })
        .collect())
}

pub(crate) fn points_of(conn: &Conn, patient_id: i64) -> SqlResult<Vec<(String, MeasurePoint)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, measure_code, taken_on, value, detail, items, appointment_id
         FROM measurements WHERE patient_id = ?1 ORDER BY taken_on, id",
    )?;
    let rows = stmt.query_map(args![patient_id], |r| {
        Ok((
            r.get::<i64>(0)?,
            r.get::<String>(1)?,
            r.get::<String>(2)?,
            r.get::<f64>(3)?,
            r.get::<Option<String>>(4)?,
            r.get::<Option<String>>(5)?,
            r.get::<Option<i64>>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, code, taken_on, value, detail, items, appointment_id) = row?;
        if let Some(date) = parse_day(&taken_on) {
            out.push((
                code,
                MeasurePoint {
                    id,
                    date,
                    value,
                    detail,
                    items,
                    appointment_id,
                },
            ));
        }
    }
    Ok(out)
}
