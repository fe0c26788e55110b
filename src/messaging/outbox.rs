//! The outbox at work: which reminders are due now and in what words, and sending what is
//! due, one claimed message at a time, outside any transaction. `ptclinic remind`, the
//! terminals' sender and `ptclinic send` all go through here.

use chrono::{Duration, NaiveDateTime};

use super::{Outgoing, Transports};
use crate::db::outbox::{DueMessage, ForPatient, NewMessage, RemindableVisit, first_name};
use crate::db::{Db, Who};
use crate::domain::message_templates::{self as templates, Fill};
use crate::domain::messages::{Channel, OutboxState, Purpose};
use crate::domain::reminders::{self, VisitTimes};
use crate::error::{AppError, AppResult};

/// What became of one message (or of one visit that gets none) in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `--dry-run`: it would go now.
    WouldSend,
    Sent,
    /// Refused for now; it goes again at its next attempt (or waits for a transport).
    Pending,
    Failed,
    /// It will not go: the visit changed or the patient opted out.
    Cancelled,
    /// The visit gets no reminder: no consent, no address.
    Skipped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::WouldSend => "would_send",
            Outcome::Sent => "sent",
            Outcome::Pending => "pending",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
            Outcome::Skipped => "skipped",
        }
    }
}

/// One line of a run's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The outbox row, once there is one.
    pub message: Option<i64>,
    pub purpose: Purpose,
    pub appointment: Option<i64>,
    pub mrn: String,
    pub channel: Option<Channel>,
    pub to: Option<String>,
    pub due: Option<NaiveDateTime>,
    pub outcome: Outcome,
    /// Why it did not go, in one sentence.
    pub reason: Option<String>,
    /// This run handed it to the provider (a refusal is then the provider's).
    pub tried: bool,
}

impl Line {
    /// A message the outbox holds, not handed to a provider in this run.
    fn of_due(m: DueMessage, outcome: Outcome, reason: Option<String>) -> Line {
        Line {
            message: Some(m.id),
            purpose: m.purpose,
            appointment: m.appointment_id,
            mrn: m.mrn,
            channel: Some(m.channel),
            to: Some(m.recipient),
            due: Some(m.due_at),
            outcome,
            reason,
            tried: false,
        }
    }
}

/// A run's report: its lines, and what stopped it from sending at all (quiet hours).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub lines: Vec<Line>,
    pub held: Option<String>,
}

/// The farthest ahead of a visit a reminder can be due: the largest offset, pushed back out
/// of quiet hours (less than a day) and their margin.
fn horizon(offsets: &[i64]) -> Duration {
    let largest = offsets.iter().copied().max().unwrap_or(0);
    Duration::minutes(largest + 24 * 60 + reminders::QUIET_MARGIN_MINUTES)
}

/// A reminder to queue, with the patient's MRN for the report.
pub struct Planned {
    pub message: NewMessage,
    pub mrn: String,
}

/// The reminders due at `now` that the outbox does not have yet, in their words, and the
/// visits that get none with why.
pub fn due_reminders(db: &Db, now: NaiveDateTime) -> AppResult<(Vec<Planned>, Vec<Line>)> {
    let settings = db.messaging_settings()?;
    let visits = db.remindable_visits(now, now + horizon(&settings.offsets))?;
    let due: Vec<(&RemindableVisit, i64, NaiveDateTime)> = visits
        .iter()
        .filter_map(|v| {
            let times = VisitTimes {
                start: v.start,
                booked_at: v.booked_at,
            };
            reminders::due_reminder(times, &settings.offsets, &settings.quiet, now)
                .map(|(offset, at)| (v, offset, at))
        })
        .collect();
    if due.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let Some(clinic_phone) = settings.clinic_phone.clone() else {
        return Err(AppError::input(
            "reminders give the clinic's phone: set it first with ptclinic messaging settings --clinic-phone NUMBER",
        ));
    };
    let queued = db.reminders_already_queued(
        &due.iter()
            .map(|(v, _, _)| (v.appointment_id, v.start))
            .collect::<Vec<_>>(),
    )?;
    let sites = db.sites()?;
    let mut words = std::collections::HashMap::new();
    let mut messages = Vec::new();
    let mut skipped = Vec::new();
    for (v, offset, at) in due {
        let already = queued.get(&v.appointment_id).is_some_and(|rows| {
            rows.iter()
                .any(|&(o, state)| o == offset && state != OutboxState::Cancelled)
        });
        if already {
            continue;
        }
        let (channel, to) = match reminders::channel_for(&v.contact.reachable()) {
            Ok(found) => found,
            Err(why) => {
                skipped.push(Line {
                    message: None,
                    purpose: Purpose::Reminder,
                    appointment: Some(v.appointment_id),
                    mrn: v.contact.mrn.clone(),
                    channel: None,
                    to: None,
                    due: Some(at),
                    outcome: Outcome::Skipped,
                    reason: Some(why),
                    tried: false,
                });
                continue;
            }
        };
        if let std::collections::hash_map::Entry::Vacant(e) = words.entry(channel) {
            e.insert(db.message_template(Purpose::Reminder, channel)?.template);
        }
        let (date, time) = Fill::when(v.start);
        let site = sites.by_id(v.site_id);
        let fill = Fill {
            clinic_name: settings.clinic_name.clone(),
            clinic_phone: site
                .and_then(|s| s.phone.clone())
                .unwrap_or_else(|| clinic_phone.clone()),
            // A one-site clinic's reminder names no site; a group's names the visit's.
            site_name: site
                .filter(|_| sites.several())
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            site_address: site.and_then(|s| s.address.clone()).unwrap_or_default(),
            date,
            time,
            therapist_first_name: first_name(&v.therapist_name),
        };
        let rendered = templates::render(&words[&channel], &fill).map_err(AppError::input)?;
        messages.push(Planned {
            mrn: v.contact.mrn.clone(),
            message: NewMessage {
                patient_id: v.patient_id,
                appointment_id: Some(v.appointment_id),
                purpose: Purpose::Reminder,
                channel,
                reminder_of: Some((v.start, offset)),
                due_at: at,
                recipient: to,
                subject: rendered.subject,
                body: rendered.body,
                html: None,
            },
        });
    }
    Ok((messages, skipped))
}

fn no_transport(channel: Channel) -> String {
    match channel {
        Channel::Email => {
            "no mail server is set up on this machine ([smtp] in the config)".to_string()
        }
        Channel::Sms => "no SMS gateway is set up on this machine ([sms] in the config)".into(),
    }
}

/// What `remind --dry-run` shows: every message that would go now, to whom, and the visits
/// that get none. Writes nothing.
pub fn preview(db: &Db, transports: &Transports, now: NaiveDateTime) -> AppResult<Report> {
    let (new, skipped) = due_reminders(db, now)?;
    let settings = db.messaging_settings()?;
    let held = quiet_note(&settings.quiet, now);
    let waiting = |channel: Channel| -> (Outcome, Option<String>) {
        if held.is_some() {
            (Outcome::Pending, held.clone())
        } else if transports.for_channel(channel).is_none() {
            (Outcome::Pending, Some(no_transport(channel)))
        } else {
            (Outcome::WouldSend, None)
        }
    };
    let mut lines: Vec<Line> = db
        .due_messages(now)?
        .into_iter()
        .map(|m| {
            let (outcome, reason) = match m.stale.clone() {
                Some(why) => (Outcome::Cancelled, Some(why)),
                None => waiting(m.channel),
            };
            Line::of_due(m, outcome, reason)
        })
        .collect();
    for Planned { message: m, mrn } in new {
        let (outcome, reason) = waiting(m.channel);
        lines.push(Line {
            message: None,
            purpose: m.purpose,
            appointment: m.appointment_id,
            mrn,
            channel: Some(m.channel),
            to: Some(m.recipient),
            due: Some(m.due_at),
            outcome,
            reason,
            tried: false,
        });
    }
    lines.extend(skipped);
    sort(&mut lines);
    Ok(Report { lines, held })
}

fn sort(lines: &mut [Line]) {
    lines.sort_by_key(|l| (l.due, l.appointment));
}

fn quiet_note(quiet: &reminders::QuietHours, now: NaiveDateTime) -> Option<String> {
    (!reminders::may_send_at(now, quiet)).then(|| {
        format!(
            "it is quiet hours ({}): nothing is sent until {}",
            quiet.text(),
            quiet.to.format("%H:%M")
        )
    })
}

/// A name for this sender in the outbox's claims: the machine, the process and the moment.
pub fn claimer_name(now: NaiveDateTime) -> String {
    format!(
        "{}:{}:{}",
        crate::db::audit::host(),
        std::process::id(),
        now.and_utc().timestamp_micros()
    )
}

/// Plans the reminders due at `now`, then sends every message due, each claimed first.
pub fn run(
    db: &mut Db,
    transports: &Transports,
    now: NaiveDateTime,
    user: &str,
) -> AppResult<Report> {
    let (new, skipped) = due_reminders(db, now)?;
    let at = crate::clock::stamp(now);
    let who = || Who { user, at: &at };
    let messages: Vec<NewMessage> = new.into_iter().map(|p| p.message).collect();
    db.queue_messages(&messages, who())?;
    let mut report = send_due(db, transports, now, user)?;
    report.lines.extend(skipped);
    sort(&mut report.lines);
    Ok(report)
}

/// Sends every message due at `now` on the channels this machine has; the rest wait.
pub fn send_due(
    db: &mut Db,
    transports: &Transports,
    now: NaiveDateTime,
    user: &str,
) -> AppResult<Report> {
    // A look before any write: most runs find nothing due, and a read costs a shared file less.
    if db.due_messages(now)?.is_empty() {
        return Ok(Report::default());
    }
    let settings = db.messaging_settings()?;
    let at = crate::clock::stamp(now);
    let who = || Who { user, at: &at };
    let mut report = Report {
        held: quiet_note(&settings.quiet, now),
        ..Report::default()
    };
    if report.held.is_none() {
        let claimer = claimer_name(now);
        let channels: Vec<Channel> = Channel::ALL
            .into_iter()
            .filter(|&c| transports.for_channel(c).is_some())
            .collect();
        while let Some(m) = db.claim_next_message(now, &channels, &claimer, who())? {
            let Some(transport) = transports.for_channel(m.channel) else {
                break;
            };
            let sent = transport.send(&Outgoing {
                channel: m.channel,
                to: &m.recipient,
                subject: m.subject.as_deref(),
                text: &m.body,
                html: m.html.as_deref(),
                idempotency_key: &m.idempotency_key,
            });
            let (outcome, reason) = match sent {
                Ok(delivered) => {
                    db.message_sent(m.id, &claimer, delivered.provider_id.as_deref(), who())?;
                    (Outcome::Sent, None)
                }
                Err(refused) => {
                    let (state, _) = db.message_refused(
                        m.id,
                        &claimer,
                        &refused.reason,
                        refused.retry,
                        now,
                        who(),
                    )?;
                    let outcome = match state {
                        OutboxState::Pending => Outcome::Pending,
                        OutboxState::Cancelled => Outcome::Cancelled,
                        _ => Outcome::Failed,
                    };
                    (outcome, Some(refused.reason))
                }
            };
            report.lines.push(Line {
                message: Some(m.id),
                purpose: m.purpose,
                appointment: m.appointment_id,
                mrn: m.mrn,
                channel: Some(m.channel),
                to: Some(m.recipient),
                due: Some(m.due_at),
                outcome,
                reason,
                tried: true,
            });
        }
    }
    // What is due and still waiting: for quiet hours to end, for a machine that has its
    // channel's transport, or for another terminal's send (a refused message waits for its
    // next attempt and is reported above).
    for m in db.due_messages(now)? {
        if m.stale.is_some() {
            continue;
        }
        let reason = report.held.clone().or_else(|| {
            Some(match transports.for_channel(m.channel) {
                None => no_transport(m.channel),
                Some(_) => "another terminal is sending it".into(),
            })
        });
        report.lines.push(Line::of_due(m, Outcome::Pending, reason));
    }
    Ok(report)
}

/// Queues `letter` for the patient's email (with their consent) and sends what is due; returns
/// what became of it. A refusal that may pass leaves it queued for the next run.
pub fn send_to_patient(
    db: &mut Db,
    transports: &Transports,
    letter: &ForPatient,
    now: NaiveDateTime,
    user: &str,
) -> AppResult<Line> {
    let at = crate::clock::stamp(now);
    let queued = db.queue_for_patient(letter, Who { user, at: &at })?;
    let report = send_due(db, transports, now, user)?;
    Ok(report
        .lines
        .into_iter()
        .find(|l| l.message == Some(queued.id))
        .unwrap_or(Line {
            message: Some(queued.id),
            purpose: letter.purpose,
            appointment: None,
            mrn: queued.mrn,
            channel: Some(Channel::Email),
            to: Some(queued.to),
            due: Some(now),
            outcome: Outcome::Pending,
            reason: Some("queued behind other messages; it goes at the next run".into()),
            tried: false,
        }))
}
