//! The clinic's hours and closed dates as stored (schema 6), and their changes.

use super::sql::{Conn, Sql, SqlResult, args};
use chrono::NaiveTime;

use super::audit::{self, AuditEntry};
use super::{Db, TxError, Who};
use crate::domain::clinic_hours::{
    ClinicCalendar, ClosedDay, DEFAULT_HOURS, DayHours, weekday_name,
};
use crate::domain::roles::Duty;
use crate::error::{AppError, AppResult};
use chrono::{NaiveDate, Weekday};

pub(in crate::db) fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

pub(crate) fn read_calendar(conn: &Conn) -> SqlResult<ClinicCalendar> {
    let mut calendar = ClinicCalendar::default();
    let mut stmt = conn.prepare_cached("SELECT weekday, open, close FROM clinic_hours")?;
    let rows = stmt.query_map(&[], |r| {
        Ok((
            r.get::<i64>(0)?,
            r.get::<Option<String>>(1)?,
            r.get::<Option<String>>(2)?,
        ))
    })?;
    for row in rows {
        let (weekday, open, close) = row?;
        let parse = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").ok();
        let hours = match (
            open.as_deref().and_then(parse),
            close.as_deref().and_then(parse),
        ) {
            (Some(open), Some(close)) => Some(DayHours { open, close }),
            _ => None,
        };
        if let Some(slot) = usize::try_from(weekday)
            .ok()
            .and_then(|i| calendar.week.get_mut(i))
        {
            *slot = hours;
        }
    }
    let mut stmt = conn.prepare_cached("SELECT day, reason FROM closed_days ORDER BY day")?;
    let rows = stmt.query_map(&[], |r| {
        Ok((r.get::<String>(0)?, r.get::<Option<String>>(1)?))
    })?;
    for row in rows {
        let (day, reason) = row?;
        if let Some(date) = super::stored_time::parse_day(&day) {
            calendar.closed.push(ClosedDay { date, reason });
        }
    }
    Ok(calendar)
}

fn put_week(tx: &Conn, week: &[Option<DayHours>; 7]) -> SqlResult<()> {
    for (i, hours) in week.iter().enumerate() {
        tx.execute(
            "INSERT INTO clinic_hours (weekday, open, close) VALUES (?1, ?2, ?3)
             ON CONFLICT (weekday) DO UPDATE SET open = excluded.open, close = excluded.close",
            args![
                i as i64,
                hours.map(|h| hhmm(h.open)),
                hours.map(|h| hhmm(h.close))
            ],
        )?;
    }
    Ok(())
}

/// The default week written into a new record, so its hours are the record's from day one.
pub(crate) fn seed_default_hours(tx: &Conn) -> SqlResult<()> {
    put_week(tx, &DEFAULT_HOURS)
}

/// A weekday's hours as audit rows give them: `{open, close}` or "closed".
pub(in crate::db) fn hours_json(h: Option<DayHours>) -> serde_json::Value {
    match h {
        Some(h) => serde_json::json!({"open": hhmm(h.open), "close": hhmm(h.close)}),
        None => serde_json::json!("closed"),
    }
}

impl Db {
    /// The week's hours (the default for a weekday never set) and every closed date.
    pub fn clinic_calendar(&self) -> AppResult<ClinicCalendar> {
        read_calendar(&self.sql()).map_err(|e| self.fail(e))
    }

    /// Sets one weekday's hours, or closes the clinic on that weekday (`None`). Admin only.
    pub fn set_clinic_hours(
        &mut self,
        day: Weekday,
        hours: Option<DayHours>,
        who: Who,
    ) -> AppResult<ClinicCalendar> {
        self.write_as(&who, Duty::ClinicHours, |tx, _| {
            let mut week = read_calendar(tx)?.week;
            let index = day.num_days_from_monday() as usize;
            let was = week[index];
            week[index] = hours;
            put_week(tx, &week)?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "clinic.hours_set",
                    entity: "clinic",
                    entity_id: None,
                    detail: serde_json::json!({
                        "day": weekday_name(day),
                        "was": hours_json(was),
                        "now": hours_json(hours),
                    }),
                },
            )?;
            Ok(read_calendar(tx)?)
        })
    }

    /// Marks a date closed (a reason replaces an earlier one). Admin only.
    pub fn add_closed_day(
        &mut self,
        date: NaiveDate,
        reason: Option<&str>,
        who: Who,
    ) -> AppResult<()> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = reason {
            crate::domain::staff::checked_identity("--reason", r).map_err(AppError::input)?;
        }
        let day = date.format("%Y-%m-%d").to_string();
        self.write_as(&who, Duty::ClinicHours, |tx, _| {
            tx.execute(
                "INSERT INTO closed_days (day, reason) VALUES (?1, ?2)
                 ON CONFLICT (day) DO UPDATE SET reason = excluded.reason",
                args![day, reason],
            )?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "clinic.closed_add",
                    entity: "clinic",
                    entity_id: None,
                    detail: serde_json::json!({"date": day, "reason": reason}),
                },
            )?;
            Ok(())
        })
    }

    /// Opens a closed date again; a date that was not closed is refused. Admin only.
    pub fn remove_closed_day(&mut self, date: NaiveDate, who: Who) -> AppResult<()> {
        let day = date.format("%Y-%m-%d").to_string();
        self.write_as(&who, Duty::ClinicHours, |tx, _| {
            let removed = tx.execute("DELETE FROM closed_days WHERE day = ?1", args![day])?;
            if removed == 0 {
                return Err(TxError::App(AppError::not_found(format!(
                    "{day} is not a closed day"
                ))));
            }
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "clinic.closed_remove",
                    entity: "clinic",
                    entity_id: None,
                    detail: serde_json::json!({"date": day}),
                },
            )?;
            Ok(())
        })
    }
}
