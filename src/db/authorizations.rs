//! Authorisations as stored: several per patient over time, each counting the visits its
//! window holds.

use super::sql::{Conn, OptionalExtension, Row, Sql, SqlResult, args};
use chrono::NaiveDate;
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::stored_time::{day_text, parse_day_column};
use super::{Db, Who};
use crate::domain::authorization::{
    Authorization, AuthorizationRequest, AuthorizationUse, AuthorizedVisits, counts,
};
use crate::domain::roles::Duty;
use crate::domain::{AppointmentStatus, VisitKind};
use crate::error::{AppError, AppResult};

const AUTH_COLUMNS: &str = "id, patient_id, payer, reference, starts_on, ends_on, visits, version";

fn row_to_authorization(r: &Row) -> SqlResult<Authorization> {
    let day = |i: usize| -> SqlResult<_> { parse_day_column(i, &r.get::<String>(i)?) };
    Ok(Authorization {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        payer: r.get(2)?,
        reference: r.get(3)?,
        starts_on: day(4)?,
        ends_on: day(5)?,
        visits: r.get(6)?,
        version: r.get(7)?,
    })
}

/// A patient's authorisations, oldest first.
pub(crate) fn of_patient(conn: &Conn, patient_id: i64) -> SqlResult<Vec<Authorization>> {
    conn.prepare_cached(&format!(
        "SELECT {AUTH_COLUMNS} FROM authorizations WHERE patient_id = ?1 ORDER BY starts_on, id"
    ))?
    .query_map(args![patient_id], row_to_authorization)?
    .collect()
}

/// Each of the patient's authorisations with the attended visits (checked in or completed, on
/// or before `today`) its window holds, the evaluation counted as its payer says.
pub(crate) fn uses(
    conn: &Conn,
    patient_id: i64,
    today: NaiveDate,
) -> SqlResult<Vec<AuthorizationUse>> {
    let visits: Vec<(NaiveDate, VisitKind)> = conn
        .prepare_cached("SELECT start, kind, status FROM appointments WHERE patient_id = ?1")?
        .query_map(args![patient_id], |r| {
            Ok((
                r.get::<String>(0)?,
                r.get::<String>(1)?,
                r.get::<String>(2)?,
            ))
        })?
        .filter_map(|row| {
            row.map(|(start, kind, status)| {
                let start = super::stored_time::parse_start(&start)?;
                let attended = matches!(
                    AppointmentStatus::parse(&status)?,
                    AppointmentStatus::CheckedIn | AppointmentStatus::Completed
                );
                (attended && start.date() <= today)
                    .then_some((start.date(), VisitKind::parse(&kind)?))
            })
            .transpose()
        })
        .collect::<SqlResult<_>>()?;
    of_patient(conn, patient_id)?
        .into_iter()
        .map(|a| {
            let evaluation_counts =
                super::payers::rules(conn, Some(&a.payer), Default::default())?.evaluation_counts;
            let used = visits
                .iter()
                .filter(|(day, kind)| a.holds(*day) && counts(*kind, evaluation_counts))
                .count() as i64;
            Ok(AuthorizationUse {
                authorization: a,
                evaluation_counts,
                used,
            })
        })
        .collect()
}

/// An authorisation a file states, under the patient's payer; the same one already recorded
/// is not added twice (an import run again).
pub(crate) fn insert_stated(
    tx: &Conn,
    patient_id: i64,
    a: &AuthorizedVisits,
    who: &Who,
) -> SqlResult<()> {
    tx.prepare_cached(
        "INSERT INTO authorizations (patient_id, payer, starts_on, ends_on, visits, created_by,
             created_at)
         SELECT ?1, coalesce((SELECT nullif(trim(payer), '') FROM patients WHERE id = ?1),
                             'unknown payer'), ?2, ?3, ?4, ?5, ?6
         WHERE NOT EXISTS (SELECT 1 FROM authorizations WHERE patient_id = ?1 AND starts_on = ?2
                           AND ends_on = ?3 AND visits = ?4)",
    )?
    .execute(args![
        patient_id,
        day_text(a.starts_on),
        day_text(a.ends_on),
        a.visits,
        who.user,
        who.at
    ])?;
    Ok(())
}

impl Db {
    /// Changes an authorisation's payer, window or visits, if it is still at `seen_version`
    /// (else nothing is written and the conflict says who changed it); the audit row holds
    /// what it was and what it is now.
    pub fn edit_authorization(
        &mut self,
        id: i64,
        seen_version: i64,
        request: AuthorizationRequest,
        who: Who,
    ) -> AppResult<Authorization> {
        let a = request.check().map_err(AppError::input)?;
        let patient_id = self.write_as(&who, Duty::Authorizations, |tx, _| {
            let before = tx
                .prepare_cached(&format!(
                    "SELECT {AUTH_COLUMNS} FROM authorizations WHERE id = ?1"
                ))?
                .query_row(args![id], row_to_authorization)
                .optional()?
                .ok_or_else(|| {
                    super::TxError::App(AppError::not_found(format!(
                        "there is no authorisation {id}"
                    )))
                })?;
            if before.version != seen_version {
                return Err(super::TxError::App(AppError::of(
                    crate::error::ErrorKind::Conflict,
                    format!(
                        "this authorisation was changed on another terminal{} — reloaded; nothing was overwritten: check it and try again",
                        super::patients::last_change(tx, "authorization", id)
                    ),
                )));
            }
            tx.execute(
                "UPDATE authorizations SET payer = ?2, reference = ?3, starts_on = ?4,
                     ends_on = ?5, visits = ?6, version = version + 1
                 WHERE id = ?1",
                args![
                    id,
                    a.payer,
                    a.reference,
                    day_text(a.starts_on),
                    day_text(a.ends_on),
                    a.visits
                ],
            )?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "auth.edit",
                    entity: "authorization",
                    entity_id: Some(id),
                    detail: json!({
                        "patient_id": before.patient_id,
                        "from": {
                            "payer": before.payer,
                            "starts_on": day_text(before.starts_on),
                            "ends_on": day_text(before.ends_on),
                            "visits": before.visits,
                        },
                        "to": {
                            "payer": a.payer,
                            "starts_on": day_text(a.starts_on),
                            "ends_on": day_text(a.ends_on),
                            "visits": a.visits,
                        },
                        "version": seen_version + 1,
                    }),
                },
            )?;
            Ok(before.patient_id)
        })?;
        self.authorizations(patient_id)?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| AppError::not_found(format!("no authorisation {id}")))
    }

    /// The patient's authorisations, oldest first.
    pub fn authorizations(&self, patient_id: i64) -> AppResult<Vec<Authorization>> {
        of_patient(&self.sql(), patient_id).map_err(|e| self.fail(e))
    }

    /// The patient's authorisations with the visits used so far.
    pub fn authorization_uses(
        &self,
        patient_id: i64,
        today: NaiveDate,
    ) -> AppResult<Vec<AuthorizationUse>> {
        uses(&self.sql(), patient_id, today).map_err(|e| self.fail(e))
    }

    /// Records an authorisation (the front desk's or an admin's duty).
    pub fn add_authorization(
        &mut self,
        patient_id: i64,
        request: AuthorizationRequest,
        who: Who,
    ) -> AppResult<Authorization> {
        let a = request.check().map_err(AppError::input)?;
        let id = self.write_as(&who, Duty::Authorizations, |tx, _| {
            let id = tx.insert(
                "INSERT INTO authorizations (patient_id, payer, reference, starts_on, ends_on,
                     visits, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                args![
                    patient_id,
                    a.payer,
                    a.reference,
                    day_text(a.starts_on),
                    day_text(a.ends_on),
                    a.visits,
                    who.user,
                    who.at
                ],
            )?;
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "auth.add",
                    entity: "authorization",
                    entity_id: Some(id),
                    detail: json!({
                        "patient_id": patient_id,
                        "payer": a.payer,
                        "starts_on": day_text(a.starts_on),
                        "ends_on": day_text(a.ends_on),
                        "visits": a.visits,
                    }),
                },
            )?;
            Ok(id)
        })?;
        self.authorizations(patient_id)?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| AppError::not_found(format!("no authorisation {id}")))
    }
}
