//! The outbox: every message to a patient as a row of the record. This part reads what the
//! schedule shows of it: each visit's reminder at the visit's present time.

use super::sql::{Conn, OptionalExtension, Row, Sql, SqlError, SqlResult, args};
use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::json;

use super::audit::{self, AuditEntry};
use super::stored_time::{day_text, parse_day, parse_start, start_text};
use super::{Db, Who};
use crate::clock::stamp;
use crate::domain::message_templates::{self, Fill};
use crate::domain::messages::{Channel, ContactConsent, OutboxState, Purpose, ReminderState};
use crate::domain::patient::ContactPreference;
use crate::domain::reminders::{self, Reachable};
use crate::domain::roles::Duty;
use crate::error::{AppError, AppResult};

/// The newest reminder of each visit whose start lies in [?1, ?2), for the start the visit has
/// now (a reminder for the time before a move does not count). Reads the visits by their
/// start and each one's reminders by `outbox_visit`.
const REMINDERS_BETWEEN: &str = "SELECT a.id,
        (SELECT o.state FROM outbox o
         WHERE o.appointment_id = a.id AND o.purpose = 'reminder' AND o.for_start = a.start
         ORDER BY o.id DESC LIMIT 1)
    FROM appointments a
    WHERE a.start >= ?1 AND a.start < ?2";

const REMINDER_OF: &str = "SELECT o.state FROM outbox o
    JOIN appointments a ON a.id = o.appointment_id AND a.start = o.for_start
    WHERE o.appointment_id = ?1 AND o.purpose = 'reminder'
    ORDER BY o.id DESC LIMIT 1";

fn state_of(text: Option<String>) -> ReminderState {
    text.as_deref()
        .and_then(OutboxState::parse)
        .map_or(ReminderState::None, ReminderState::of)
}

/// Visits in [from, to) (days) that have a reminder; a visit missing from the map has none.
pub(in crate::db) fn reminders_between(
    conn: &Conn,
    from: NaiveDate,
    to: NaiveDate,
) -> SqlResult<HashMap<i64, ReminderState>> {
    let mut stmt = conn.prepare_cached(REMINDERS_BETWEEN)?;
    let rows = stmt.query_map(args![day_text(from), day_text(to)], |r| {
        Ok((r.get::<i64>(0)?, r.get::<Option<String>>(1)?))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, state) = row?;
        let state = state_of(state);
        if state != ReminderState::None {
            out.insert(id, state);
        }
    }
    Ok(out)
}

impl Db {
    /// Each visit of the days [from, to) that has a reminder, with where it stands.
    pub fn reminders_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<HashMap<i64, ReminderState>> {
        reminders_between(&self.sql(), from, to).map_err(|e| self.fail(e))
    }

    /// Where the reminder of these visits stands, each at its present time.
    pub fn reminders_of(&self, appointment_ids: &[i64]) -> AppResult<HashMap<i64, ReminderState>> {
        let run = || -> SqlResult<HashMap<i64, ReminderState>> {
            let mut stmt = self.sql().prepare_cached(REMINDER_OF)?;
            let mut out = HashMap::new();
            for &id in appointment_ids {
                if let Some(state) = stmt.query_row(args![id], |r| r.get(0)).optional()? {
                    out.insert(id, state_of(state));
                }
            }
            Ok(out)
        };
        run().map_err(|e| self.fail(e))
    }
}

/// Why a reminder was cancelled when its visit changed. A visit put back as it was (an undone
/// cancellation, a move back) gets such a reminder back when it is planned again.
pub(in crate::db) const NOT_SCHEDULED: &str = "the visit is no longer scheduled";
pub(in crate::db) const MOVED: &str = "the visit was moved";

/// A scheduled visit that may need a reminder, with the patient's ways of being reached.
#[derive(Debug, Clone, PartialEq)]
pub struct RemindableVisit {
    pub appointment_id: i64,
    pub patient_id: i64,
    pub start: NaiveDateTime,
    pub booked_at: NaiveDateTime,
    pub therapist_name: String,
    pub contact: Contact,
    /// Where the visit is: its reminder gives the site's address and phone.
    pub site_id: i64,
}

/// Scheduled visits starting in (?1, ?2], by `appointments_start`.
const REMINDABLE: &str = "SELECT a.id, a.patient_id, a.start, a.created_at, s.name,
        p.mrn, p.contact_preference, p.email_consent_on, p.sms_consent_on, p.email_opt_out_on,
        p.sms_opt_out_on, p.email, p.phone, a.site_id
    FROM appointments a
    JOIN patients p ON p.id = a.patient_id
    JOIN staff s ON s.id = a.therapist_id
    WHERE a.start > ?1 AND a.start <= ?2 AND a.status = 'scheduled'
    ORDER BY a.start, a.id";

fn day_column(r: &Row, idx: usize) -> SqlResult<Option<NaiveDate>> {
    Ok(r.get::<Option<String>>(idx)?.as_deref().and_then(parse_day))
}

fn consent_from(r: &Row, first: usize) -> SqlResult<ContactConsent> {
    Ok(ContactConsent {
        email_consent_on: day_column(r, first)?,
        sms_consent_on: day_column(r, first + 1)?,
        email_opt_out_on: day_column(r, first + 2)?,
        sms_opt_out_on: day_column(r, first + 3)?,
    })
}

/// mrn, contact_preference, the four consent days, email and phone from column `first` on.
fn contact_from(r: &Row, first: usize) -> SqlResult<Contact> {
    Ok(Contact {
        mrn: r.get(first)?,
        preference: r
            .get::<Option<String>>(first + 1)?
            .as_deref()
            .and_then(ContactPreference::parse),
        consent: consent_from(r, first + 2)?,
        email: r.get(first + 6)?,
        phone: r.get(first + 7)?,
    })
}

fn time_column(r: &Row, idx: usize) -> SqlResult<NaiveDateTime> {
    let text: String = r.get(idx)?;
    parse_start(&text)
        .ok_or_else(|| SqlError::Type(idx, "unreadable time in the outbox".to_string()))
}

/// A message queued for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub patient_id: i64,
    pub appointment_id: Option<i64>,
    pub purpose: Purpose,
    pub channel: Channel,
    /// A reminder: the visit's start it is for, and how long before it.
    pub reminder_of: Option<(NaiveDateTime, i64)>,
    pub due_at: NaiveDateTime,
    pub recipient: String,
    pub subject: Option<String>,
    pub body: String,
    pub html: Option<String>,
}

/// A handout or a letter for one patient, to go by email now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForPatient {
    pub patient_id: i64,
    pub purpose: Purpose,
    /// Who the template names: the therapist of record.
    pub therapist_name: String,
    /// Follows the template's words in the text part.
    pub text: String,
    pub html: String,
}

/// A message in the outbox, to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub id: i64,
    pub mrn: String,
    pub to: String,
}

/// A message one sender has claimed: no other terminal sends it while the claim holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub purpose: Purpose,
    pub channel: Channel,
    pub appointment_id: Option<i64>,
    pub mrn: String,
    pub due_at: NaiveDateTime,
    pub recipient: String,
    pub subject: Option<String>,
    pub body: String,
    pub html: Option<String>,
    /// The same for every attempt at this message, and different in every record.
    pub idempotency_key: String,
}

/// Pending messages whose time has come, with what decides whether they may still go (the
/// visit's present time and status, the patient's consent), oldest first; `$rest` narrows it.
macro_rules! due_select {
    ($rest:literal) => {
        concat!(
            "SELECT o.id, o.purpose, o.channel, o.appointment_id, p.mrn, o.due_at,
                o.recipient, o.subject, o.body, o.html, o.for_start, a.start, a.status,
                p.email_consent_on, p.sms_consent_on, p.email_opt_out_on, p.sms_opt_out_on
            FROM outbox o
            JOIN patients p ON p.id = o.patient_id
            LEFT JOIN appointments a ON a.id = o.appointment_id
            WHERE o.state = 'pending' AND o.due_at <= ?1
              AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?1) ",
            $rest,
            " ORDER BY o.due_at, o.id"
        )
    };
}

/// Those no live claim holds, on the channels this machine sends, a page at a time.
const CLAIMABLE: &str = concat!(
    due_select!(
        "AND (o.claimed_at IS NULL OR o.claimed_at < ?2)
         AND ((?3 AND o.channel = 'email') OR (?4 AND o.channel = 'sms'))"
    ),
    " LIMIT 16"
);

/// Every one, claimed or not.
const DUE: &str = due_select!("");

/// A message due now, as `remind --dry-run` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueMessage {
    pub id: i64,
    pub purpose: Purpose,
    pub channel: Channel,
    pub appointment_id: Option<i64>,
    pub mrn: String,
    pub due_at: NaiveDateTime,
    pub recipient: String,
    /// Why it will be cancelled instead of sent (the visit moved, the patient opted out).
    pub stale: Option<String>,
}

fn record_id(conn: &Conn) -> SqlResult<String> {
    Ok(conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'created_at'",
            &[],
            |r| r.get::<String>(0),
        )
        .optional()?
        .unwrap_or_default())
}

fn idempotency_key(record: &str, id: i64) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{record}\0{id}").as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("ptclinic-{hex}-{id}")
}

fn audit_message(
    tx: &Conn,
    who: &Who,
    action: &str,
    id: i64,
    detail: serde_json::Value,
) -> SqlResult<()> {
    audit::record(
        tx,
        &AuditEntry {
            at: who.at,
            user: who.user,
            action,
            entity: "message",
            entity_id: Some(id),
            detail,
        },
    )
}

/// Cancels a visit's reminders that have not gone yet (the visit was moved, cancelled, marked
/// or begun), each audited; a message being sent right now keeps its claim and is marked
/// sent when it went.
pub(in crate::db) fn cancel_visit_reminders(
    tx: &Conn,
    appointment_id: i64,
    why: &str,
    who: &Who,
) -> SqlResult<usize> {
    let ids: Vec<i64> = tx
        .prepare_cached(
            "SELECT id FROM outbox
             WHERE appointment_id = ?1 AND purpose = 'reminder' AND state = 'pending'",
        )?
        .query_map(args![appointment_id], |r| r.get(0))?
        .collect::<SqlResult<_>>()?;
    for &id in &ids {
        cancel_one(tx, id, why, who)?;
    }
    Ok(ids.len())
}

fn cancel_one(tx: &Conn, id: i64, why: &str, who: &Who) -> SqlResult<()> {
    tx.prepare_cached(
        "UPDATE outbox SET state = 'cancelled', last_error = ?2, next_attempt_at = NULL,
            version = version + 1
         WHERE id = ?1 AND state = 'pending'",
    )?
    .execute(args![id, why])?;
    audit_message(tx, who, "message.cancelled", id, json!({ "why": why }))
}

fn insert_message(tx: &Conn, m: &NewMessage, who: &Who) -> SqlResult<Option<i64>> {
    let (for_start, offset) = m.reminder_of.map_or((None, None), |(start, offset)| {
        (Some(start_text(start)), Some(offset))
    });
    // A reminder goes in only while its visit is still scheduled at that time, and only once
    // (`outbox_once`): two terminals planning at the same moment add one row. One cancelled
    // because its visit changed comes back when the visit is as it was again. RETURNING gives
    // the row's id whether it was added or brought back, and nothing when the visit has moved
    // on or the reminder is already there.
    let added: Option<i64> = tx.row(
        "INSERT INTO outbox (patient_id, appointment_id, purpose, channel,
            for_start, offset_minutes, due_at, recipient, subject, body, html, created_at,
            created_by)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13
         WHERE CAST(?5 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM appointments
            WHERE id = ?2 AND start = ?5 AND status = 'scheduled')
         ON CONFLICT (appointment_id, channel, offset_minutes, for_start)
            WHERE purpose = 'reminder'
         DO UPDATE SET state = 'pending', due_at = excluded.due_at,
            recipient = excluded.recipient, subject = excluded.subject,
            body = excluded.body, attempts = 0, last_error = NULL, claimed_by = NULL,
            claimed_at = NULL, version = version + 1
         WHERE outbox.state = 'cancelled' AND outbox.last_error IN (?14, ?15)
         RETURNING id",
        args![
            m.patient_id,
            m.appointment_id,
            m.purpose.as_str(),
            m.channel.as_str(),
            for_start,
            offset,
            start_text(m.due_at),
            m.recipient,
            m.subject,
            m.body,
            m.html,
            who.at,
            who.user,
            NOT_SCHEDULED,
            MOVED
        ],
        |r| r.get(0),
    )?;
    let Some(id) = added else {
        return Ok(None);
    };
    audit_message(
        tx,
        who,
        "message.queued",
        id,
        json!({
            "patient_id": m.patient_id,
            "appointment_id": m.appointment_id,
            "purpose": m.purpose.as_str(),
            "channel": m.channel.as_str(),
            "offset_minutes": offset,
            "due_at": start_text(m.due_at),
        }),
    )?;
    if let (Some(appointment), Some(start)) = (m.appointment_id, &for_start) {
        // The reminder nearer the visit replaces an earlier one still waiting to go.
        let older: Vec<i64> = tx
            .prepare_cached(
                "SELECT id FROM outbox WHERE appointment_id = ?1 AND purpose = 'reminder'
                    AND state = 'pending' AND for_start = ?2 AND id <> ?3 AND claimed_by IS NULL",
            )?
            .query_map(args![appointment, start, id], |r| r.get(0))?
            .collect::<SqlResult<_>>()?;
        for old in older {
            cancel_one(tx, old, "a reminder nearer the visit replaced it", who)?;
        }
    }
    Ok(Some(id))
}

/// Why a claimable message must not go after all, or None when it may.
fn stale_reason(r: &Row, channel: Channel, now: NaiveDateTime) -> SqlResult<Option<String>> {
    let consent = consent_from(r, 13)?;
    if let Some(why) = consent.refusal(channel) {
        return Ok(Some(why));
    }
    let for_start: Option<String> = r.get(10)?;
    let Some(for_start) = for_start else {
        return Ok(None);
    };
    let start: Option<String> = r.get(11)?;
    let status: Option<String> = r.get(12)?;
    Ok(if status.as_deref() != Some("scheduled") {
        Some(NOT_SCHEDULED.into())
    } else if start.as_deref() != Some(&for_start) {
        Some(MOVED.into())
    } else if start
        .as_deref()
        .and_then(parse_start)
        .is_some_and(|s| s <= now)
    {
        Some("the visit had begun".into())
    } else {
        None
    })
}

/// A patient's ways of being reached, as a message to them needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub mrn: String,
    pub preference: Option<ContactPreference>,
    pub consent: ContactConsent,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Contact {
    pub fn reachable(&self) -> Reachable<'_> {
        Reachable {
            preference: self.preference,
            consent: self.consent,
            email: self.email.as_deref(),
            phone: self.phone.as_deref(),
        }
    }
}

/// "Maya" of "Maya Chen": the name a message to a patient uses.
pub fn first_name(full: &str) -> String {
    full.split_whitespace().next().unwrap_or(full).to_string()
}

impl Db {
    /// Puts `letter` in the outbox for the patient's email, due now, in the clinic's words: one
    /// sentence and nothing queued when the patient has not consented to email, has opted out
    /// or has no address, or the clinic's phone is not set.
    pub fn queue_for_patient(&mut self, letter: &ForPatient, who: Who) -> AppResult<Queued> {
        let now = who.now()?;
        let contact = self.contact_of(letter.patient_id)?;
        let to = reminders::address_on(&contact.reachable(), Channel::Email).map_err(|why| {
            AppError::input(format!(
                "MRN {}: {why}",
                crate::sanitize::clean_line(&contact.mrn)
            ))
        })?;
        let settings = self.messaging_settings()?;
        let clinic_phone = settings.clinic_phone.clone().ok_or_else(|| {
            AppError::input(
                "messages give the clinic's phone: set it first with ptclinic messaging settings --clinic-phone NUMBER",
            )
        })?;
        let template = self
            .message_template(letter.purpose, Channel::Email)?
            .template;
        let (date, time) = Fill::when(now);
        let words = message_templates::render(
            &template,
            &Fill {
                clinic_name: settings.clinic_name,
                clinic_phone,
                // A handout or a letter is about the patient's care, not a visit at a site.
                site_name: String::new(),
                site_address: String::new(),
                date,
                time,
                therapist_first_name: first_name(&letter.therapist_name),
            },
        )
        .map_err(AppError::input)?;
        let message = NewMessage {
            patient_id: letter.patient_id,
            appointment_id: None,
            purpose: letter.purpose,
            channel: Channel::Email,
            reminder_of: None,
            due_at: now,
            recipient: to.clone(),
            subject: words.subject,
            body: format!("{}\n\n{}", words.body.trim_end(), letter.text),
            html: Some(letter.html.clone()),
        };
        let id = self.write_as(&who, Duty::PatientContact, |tx, _| {
            Ok(insert_message(tx, &message, &who)?)
        })?;
        let id = id.ok_or_else(|| AppError::failure("the message could not be queued"))?;
        Ok(Queued {
            id,
            mrn: contact.mrn,
            to,
        })
    }

    /// How the patient may be reached.
    pub fn contact_of(&self, patient_id: i64) -> AppResult<Contact> {
        self.sql()
            .query_row(
                "SELECT mrn, contact_preference, email_consent_on, sms_consent_on,
                    email_opt_out_on, sms_opt_out_on, email, phone
                 FROM patients WHERE id = ?1",
                args![patient_id],
                |r| contact_from(r, 0),
            )
            .map_err(|e| self.fail(e))
    }

    /// Scheduled visits that start after `now` and no later than `until`.
    pub fn remindable_visits(
        &self,
        now: NaiveDateTime,
        until: NaiveDateTime,
    ) -> AppResult<Vec<RemindableVisit>> {
        let run = || -> SqlResult<Vec<RemindableVisit>> {
            let mut stmt = self.sql().prepare_cached(REMINDABLE)?;
            let rows = stmt.query_map(args![start_text(now), start_text(until)], |r| {
                Ok(RemindableVisit {
                    appointment_id: r.get(0)?,
                    patient_id: r.get(1)?,
                    start: time_column(r, 2)?,
                    // Booked with seconds; a booking time that cannot be read holds nothing back.
                    booked_at: r
                        .get::<String>(3)?
                        .get(..16)
                        .and_then(parse_start)
                        .unwrap_or(NaiveDateTime::MIN),
                    therapist_name: r.get(4)?,
                    contact: contact_from(r, 5)?,
                    site_id: r.get(13)?,
                })
            })?;
            rows.collect()
        };
        run().map_err(|e| self.fail(e))
    }

    /// Which of these (visit, channel, offset, start) reminders the outbox already has, in
    /// any state.
    pub fn reminders_already_queued(
        &self,
        wanted: &[(i64, NaiveDateTime)],
    ) -> AppResult<HashMap<i64, Vec<(i64, OutboxState)>>> {
        let run = || -> SqlResult<HashMap<i64, Vec<(i64, OutboxState)>>> {
            let mut stmt = self.sql().prepare_cached(
                "SELECT offset_minutes, state FROM outbox
                 WHERE appointment_id = ?1 AND purpose = 'reminder' AND for_start = ?2",
            )?;
            let mut out = HashMap::new();
            for &(id, start) in wanted {
                let rows = stmt.query_map(args![id, start_text(start)], |r| {
                    Ok((r.get::<i64>(0)?, r.get::<String>(1)?))
                })?;
                let mut found = Vec::new();
                for row in rows {
                    let (offset, state) = row?;
                    if let Some(state) = OutboxState::parse(&state) {
                        found.push((offset, state));
                    }
                }
                out.insert(id, found);
            }
            Ok(out)
        };
        run().map_err(|e| self.fail(e))
    }

    /// Adds messages to the outbox in one transaction, each audited; returns the new rows' ids
    /// (None for a reminder the outbox already had, or whose visit changed meanwhile).
    pub fn queue_messages(
        &mut self,
        messages: &[NewMessage],
        who: Who,
    ) -> AppResult<Vec<Option<i64>>> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        self.write_as(&who, Duty::PatientContact, |tx, _| {
            let mut out = Vec::with_capacity(messages.len());
            for m in messages {
                out.push(insert_message(tx, m, &who)?);
            }
            Ok(out)
        })
    }

    /// Claims the oldest message due at `now` on one of `channels` for `claimer`, in one short
    /// transaction: messages that must not go after all (the visit was moved, cancelled or
    /// has begun; the patient opted out) are cancelled on the way. The claim counts as an
    /// attempt, so a terminal that stops mid-send does not get unlimited tries.
    pub fn claim_next_message(
        &mut self,
        now: NaiveDateTime,
        channels: &[Channel],
        claimer: &str,
        who: Who,
    ) -> AppResult<Option<Claimed>> {
        if channels.is_empty() {
            return Ok(None);
        }
        let (email, sms) = (
            channels.contains(&Channel::Email),
            channels.contains(&Channel::Sms),
        );
        self.write_as(&who, Duty::PatientContact, |tx, _| {
            let record = record_id(tx)?;
            let expired = now - chrono::Duration::minutes(reminders::CLAIM_MINUTES);
            // A page of candidates at a time: those that must not go are cancelled on the way,
            // and the next page read, until one may go or none is left.
            let chosen = loop {
                let mut stale = Vec::new();
                let mut chosen = None;
                let mut seen = 0;
                let (due, claim_expired) = (start_text(now), stamp(expired));
                // One claim at a time: the rest of the page waits for the next call.
                tx.scan(CLAIMABLE, args![due, claim_expired, email, sms], &mut |r| {
                    seen += 1;
                    let id: i64 = r.get(0)?;
                    let (Some(purpose), Some(channel)) = (
                        Purpose::parse(&r.get::<String>(1)?),
                        Channel::parse(&r.get::<String>(2)?),
                    ) else {
                        return Ok(true);
                    };
                    if let Some(why) = stale_reason(r, channel, now)? {
                        stale.push((id, why));
                        return Ok(true);
                    }
                    chosen = Some(Claimed {
                        id,
                        purpose,
                        channel,
                        appointment_id: r.get(3)?,
                        mrn: r.get(4)?,
                        due_at: time_column(r, 5)?,
                        recipient: r.get::<Option<String>>(6)?.unwrap_or_default(),
                        subject: r.get(7)?,
                        body: r.get::<Option<String>>(8)?.unwrap_or_default(),
                        html: r.get(9)?,
                        idempotency_key: idempotency_key(&record, id),
                    });
                    Ok(false)
                })?;
                let cancelled = stale.len();
                for (id, why) in stale {
                    cancel_one(tx, id, &why, &who)?;
                }
                if chosen.is_some() || seen == 0 || cancelled == 0 {
                    break chosen;
                }
            };
            let Some(claimed) = chosen else {
                return Ok(None);
            };
            tx.prepare_cached(
                "UPDATE outbox SET claimed_by = ?2, claimed_at = ?3, attempts = attempts + 1,
                    version = version + 1
                 WHERE id = ?1 AND state = 'pending'",
            )?
            .execute(args![claimed.id, claimer, stamp(now)])?;
            audit_message(
                tx,
                &who,
                "message.claimed",
                claimed.id,
                json!({ "claimed_by": claimer }),
            )?;
            Ok(Some(claimed))
        })
    }

    /// The provider took the message `claimer` claimed.
    pub fn message_sent(
        &mut self,
        id: i64,
        claimer: &str,
        provider_id: Option<&str>,
        who: Who,
    ) -> AppResult<()> {
        self.write_as(&who, Duty::PatientContact, |tx, _| {
            // Sent is the truth even when the visit was cancelled while the message was out.
            tx.execute(
                "UPDATE outbox SET state = 'sent', sent_at = ?3, provider_id = ?4,
                    claimed_by = NULL, claimed_at = NULL, next_attempt_at = NULL,
                    last_error = NULL, version = version + 1
                 WHERE id = ?1 AND claimed_by = ?2 AND state IN ('pending', 'cancelled')",
                args![id, claimer, who.at, provider_id],
            )?;
            audit_message(
                tx,
                &who,
                "message.sent",
                id,
                json!({ "provider_id": provider_id }),
            )?;
            Ok(())
        })
    }

    /// The provider refused the message: it waits for its next attempt, or, when no retry may
    /// help or its attempts are used up, it has failed. Returns its state now.
    pub fn message_refused(
        &mut self,
        id: i64,
        claimer: &str,
        reason: &str,
        retry: bool,
        now: NaiveDateTime,
        who: Who,
    ) -> AppResult<(OutboxState, Option<NaiveDateTime>)> {
        self.write_as(&who, Duty::PatientContact, |tx, _| {
            let attempts: Option<i64> = tx
                .query_row(
                    "SELECT attempts FROM outbox WHERE id = ?1 AND claimed_by = ?2",
                    args![id, claimer],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(attempts) = attempts else {
                return Ok((OutboxState::Pending, None));
            };
            let next = if retry {
                reminders::next_attempt(attempts, now)
            } else {
                None
            };
            let state = if next.is_some() {
                OutboxState::Pending
            } else {
                OutboxState::Failed
            };
            tx.execute(
                "UPDATE outbox SET state = CASE WHEN state = 'cancelled' THEN state ELSE ?3 END,
                    next_attempt_at = ?4, last_error = ?5, claimed_by = NULL, claimed_at = NULL,
                    version = version + 1
                 WHERE id = ?1 AND claimed_by = ?2",
                args![
                    id,
                    claimer,
                    state.as_str(),
                    next.map(start_text),
                    reason
                ],
            )?;
            audit_message(
                tx,
                &who,
                if next.is_some() {
                    "message.retry"
                } else {
                    "message.failed"
                },
                id,
                json!({ "attempts": attempts, "reason": reason, "next_attempt_at": next.map(start_text) }),
            )?;
            Ok((state, next))
        })
    }

    /// The messages due at `now` as `remind --dry-run` shows them, each with the reason it
    /// will be cancelled instead of sent, if there is one.
    pub fn due_messages(&self, now: NaiveDateTime) -> AppResult<Vec<DueMessage>> {
        let run = || -> SqlResult<Vec<DueMessage>> {
            let mut stmt = self.sql().prepare_cached(DUE)?;
            let rows = stmt.query_map(args![start_text(now)], |r| {
                let channel = Channel::parse(&r.get::<String>(2)?).unwrap_or(Channel::Email);
                Ok(DueMessage {
                    id: r.get(0)?,
                    purpose: Purpose::parse(&r.get::<String>(1)?).unwrap_or(Purpose::Reminder),
                    channel,
                    appointment_id: r.get(3)?,
                    mrn: r.get(4)?,
                    due_at: time_column(r, 5)?,
                    recipient: r.get::<Option<String>>(6)?.unwrap_or_default(),
                    stale: stale_reason(r, channel, now)?,
                })
            })?;
            rows.collect()
        };
        run().map_err(|e| self.fail(e))
    }
}
