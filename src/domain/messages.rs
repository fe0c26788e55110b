//! Messages to patients as the record keeps them: which channel, why, where each one is in
//! the outbox, what a visit's reminder and its confirmation stand at, and whether the patient
//! may be written to on a channel at all.

use chrono::NaiveDate;

/// How a message reaches the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Email,
    /// A text message, through the clinic's SMS gateway.
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Email, Channel::Sms];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(text: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// "email", "text message": as a sentence names it.
    pub fn words(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "text message",
        }
    }
}

/// Why a message is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    Reminder,
    /// A note to a patient whose visit was cancelled or fell off the schedule.
    Rebooking,
    HomeProgram,
    ProgressLetter,
}

impl Purpose {
    pub const ALL: [Purpose; 4] = [
        Purpose::Reminder,
        Purpose::Rebooking,
        Purpose::HomeProgram,
        Purpose::ProgressLetter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Reminder => "reminder",
            Purpose::Rebooking => "rebooking",
            Purpose::HomeProgram => "home_program",
            Purpose::ProgressLetter => "progress_letter",
        }
    }

    pub fn parse(text: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

/// How the clinic signs its messages to patients (`clinic_settings`, one row for the clinic):
/// its name, and the phone a patient may call back, when the clinic has set one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicContact {
    pub name: String,
    pub phone: Option<String>,
}

/// Where a message is in the outbox. A row being sent is `Pending` with a claim on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxState {
    Pending,
    Sent,
    Failed,
    Cancelled,
}

impl OutboxState {
    pub const ALL: [OutboxState; 4] = [
        OutboxState::Pending,
        OutboxState::Sent,
        OutboxState::Failed,
        OutboxState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
            OutboxState::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<OutboxState> {
        OutboxState::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// What a visit's reminder stands at, as the schedule shows it and `schedule --json` names it
/// (`reminder`): the newest reminder for the visit at its present time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReminderState {
    #[default]
    None,
    Pending,
    Sent,
    Failed,
}

impl ReminderState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderState::None => "none",
            ReminderState::Pending => "pending",
            ReminderState::Sent => "sent",
            ReminderState::Failed => "failed",
        }
    }

    /// The visit's reminder from its newest outbox row (a cancelled one counts as none).
    pub fn of(state: OutboxState) -> ReminderState {
        match state {
            OutboxState::Pending => ReminderState::Pending,
            OutboxState::Sent => ReminderState::Sent,
            OutboxState::Failed => ReminderState::Failed,
            OutboxState::Cancelled => ReminderState::None,
        }
    }
}

/// The patient's answer about a visit, from a call or a reply to a reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Confirmation {
    Confirmed,
    /// "Can't come": the visit stays booked until the desk cancels or moves it.
    Declined,
}

impl Confirmation {
    pub fn as_str(self) -> &'static str {
        match self {
            Confirmation::Confirmed => "confirmed",
            Confirmation::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<Confirmation> {
        [Confirmation::Confirmed, Confirmation::Declined]
            .into_iter()
            .find(|c| c.as_str() == text)
    }

    /// `schedule --json`'s `confirmed`: true, false, or null for no answer.
    pub fn as_json(answer: Option<Confirmation>) -> serde_json::Value {
        match answer {
            Some(Confirmation::Confirmed) => serde_json::Value::Bool(true),
            Some(Confirmation::Declined) => serde_json::Value::Bool(false),
            None => serde_json::Value::Null,
        }
    }
}

/// What the patient agreed to and what they stopped: consent to a channel with the day it
/// was given, and an opt-out (a reply of STOP, recorded by the desk) with its day. The one
/// rule of who may be written to ([`ContactConsent::standing`]): an opt-out outweighs every
/// consent given before it or on its day, until consent is given again on a later day (giving
/// consent again at the desk clears the opt-out, so the same day counts too: see
/// [`ContactConsent::after`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContactConsent {
    pub email_consent_on: Option<NaiveDate>,
    pub sms_consent_on: Option<NaiveDate>,
    pub email_opt_out_on: Option<NaiveDate>,
    pub sms_opt_out_on: Option<NaiveDate>,
}

/// Where the patient stands on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    NoConsent,
    Consented(NaiveDate),
    OptedOut(NaiveDate),
}

impl Standing {
    /// The step that leads to it: what the record's edit starts from.
    pub fn step(self) -> ConsentStep {
        match self {
            Standing::NoConsent => ConsentStep::Clear,
            Standing::Consented(_) => ConsentStep::Give,
            Standing::OptedOut(_) => ConsentStep::OptOut,
        }
    }

    /// As the patient's record says it: "consented 2026-01-05", "opted out 2026-03-01".
    pub fn words(self) -> String {
        match self {
            Standing::NoConsent => "no consent".into(),
            Standing::Consented(on) => format!("consented {on}"),
            Standing::OptedOut(on) => format!("opted out {on}"),
        }
    }
}

/// A change the desk records to the patient's consent on one channel, on the day it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentStep {
    /// The patient agreed to be written to on the channel.
    Give,
    /// The consent on record is taken off (recorded in error, or not to be relied on); an
    /// opt-out stays.
    Clear,
    /// The patient said STOP.
    OptOut,
}

impl ConsentStep {
    pub const ALL: [ConsentStep; 3] = [ConsentStep::Give, ConsentStep::OptOut, ConsentStep::Clear];

    /// As the record's edit offers it.
    pub fn label(self) -> &'static str {
        match self {
            ConsentStep::Give => "consents today",
            ConsentStep::OptOut => "opted out today",
            ConsentStep::Clear => "no consent",
        }
    }
}

impl ContactConsent {
    fn of(&self, channel: Channel) -> (Option<NaiveDate>, Option<NaiveDate>) {
        match channel {
            Channel::Email => (self.email_consent_on, self.email_opt_out_on),
            Channel::Sms => (self.sms_consent_on, self.sms_opt_out_on),
        }
    }

    fn set(&mut self, channel: Channel, consent: Option<NaiveDate>, opt_out: Option<NaiveDate>) {
        match channel {
            Channel::Email => (self.email_consent_on, self.email_opt_out_on) = (consent, opt_out),
            Channel::Sms => (self.sms_consent_on, self.sms_opt_out_on) = (consent, opt_out),
        }
    }

    /// Where the patient stands on `channel`: the rule every sender and screen follows.
    pub fn standing(&self, channel: Channel) -> Standing {
        match self.of(channel) {
            (consent, Some(out)) if consent.is_none_or(|c| c <= out) => Standing::OptedOut(out),
            (Some(consent), _) => Standing::Consented(consent),
            (None, _) => Standing::NoConsent,
        }
    }

    /// Why nothing may be sent on `channel`, or None when it may.
    pub fn refusal(&self, channel: Channel) -> Option<String> {
        match self.standing(channel) {
            Standing::OptedOut(out) => Some(format!(
                "the patient opted out of {}s on {out}",
                channel.words()
            )),
            Standing::NoConsent => Some(format!(
                "the patient has not consented to {}s",
                channel.words()
            )),
            Standing::Consented(_) => None,
        }
    }

    pub fn allows(&self, channel: Channel) -> bool {
        self.refusal(channel).is_none()
    }

    /// The consent after `step` on `channel` on `today`. Consent already in force keeps the
    /// day it was given, and an opt-out already in force its day; consent given again clears
    /// the opt-out it overcomes (the audit log keeps it), so the same day's STOP and new
    /// consent read as the desk recorded them, the later one last.
    pub fn after(&self, channel: Channel, step: ConsentStep, today: NaiveDate) -> ContactConsent {
        let mut next = *self;
        let (consent, opt_out) = self.of(channel);
        match (step, self.standing(channel)) {
            (ConsentStep::Give, Standing::Consented(_)) => {}
            (ConsentStep::Give, _) => next.set(channel, Some(today), None),
            (ConsentStep::Clear, _) => next.set(channel, None, opt_out),
            (ConsentStep::OptOut, Standing::OptedOut(_)) => {}
            (ConsentStep::OptOut, _) => next.set(channel, consent, Some(today)),
        }
        next
    }
}

/// A change to how a patient is reached: their email and phone as typed (empty clears one;
/// None leaves it), and consent steps per channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactChange {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub steps: Vec<(Channel, ConsentStep)>,
}

impl ContactChange {
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.phone.is_none() && self.steps.is_empty()
    }

    /// The steps asked for, each once. Consent and a step that takes it away on the same
    /// channel contradict each other and are refused; no consent and an opt-out go together
    /// (a STOP recorded with the consent taken off).
    pub fn steps(&self) -> Result<Vec<(Channel, ConsentStep)>, String> {
        let mut out: Vec<(Channel, ConsentStep)> = Vec::new();
        for &(channel, step) in &self.steps {
            if out.contains(&(channel, step)) {
                continue;
            }
            let clash = out.iter().find(|(c, earlier)| {
                *c == channel && (*earlier == ConsentStep::Give) != (step == ConsentStep::Give)
            });
            if let Some((_, earlier)) = clash {
                return Err(format!(
                    "{}s: {} and {} at once; record one of them",
                    channel.words(),
                    step_words(*earlier),
                    step_words(step)
                ));
            }
            out.push((channel, step));
        }
        Ok(out)
    }
}

fn step_words(step: ConsentStep) -> &'static str {
    match step {
        ConsentStep::Give => "consent",
        ConsentStep::Clear => "no consent",
        ConsentStep::OptOut => "an opt-out",
    }
}

/// Whether consent to `channel` can be given with this email or phone on record: an email
/// needs an address, a text a number it can go to ([`text_number`]).
pub fn consent_needs(
    channel: Channel,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<(), String> {
    match channel {
        Channel::Email if email.is_none_or(|e| e.trim().is_empty()) => {
            Err("consent to emails needs the patient's email address, and none is on record".into())
        }
        Channel::Sms => match phone.filter(|p| !p.trim().is_empty()) {
            None => Err(
                "consent to text messages needs the patient's phone number, and none is on record"
                    .into(),
            ),
            Some(p) => text_number(p).map(|_| ()).map_err(|why| {
                format!("consent to text messages needs a number a text can go to: {why}")
            }),
        },
        Channel::Email => Ok(()),
    }
}

/// How the patient's answer reached the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerVia {
    /// Recorded by the desk, from a call or a reply it read.
    Desk,
    /// Recorded by an integration that reads the gateway's replies (`ptclinic confirm`).
    Reply,
}

impl AnswerVia {
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerVia::Desk => "desk",
            AnswerVia::Reply => "reply",
        }
    }

    pub fn parse(text: &str) -> Option<AnswerVia> {
        [AnswerVia::Desk, AnswerVia::Reply]
            .into_iter()
            .find(|v| v.as_str() == text)
    }
}

/// The patient's answer about a visit at its present time, as the record holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitAnswer {
    pub answer: Confirmation,
    pub via: AnswerVia,
    /// Local `YYYY-MM-DDTHH:MM:SS`.
    pub answered_at: String,
    pub recorded_by: String,
}

impl VisitAnswer {
    /// As the patient's record says it: "confirmed to the desk", "can't come (by reply)".
    pub fn words(&self) -> &'static str {
        match (self.answer, self.via) {
            (Confirmation::Confirmed, AnswerVia::Desk) => "confirmed to the desk",
            (Confirmation::Confirmed, AnswerVia::Reply) => "confirmed by reply",
            (Confirmation::Declined, AnswerVia::Desk) => "can't come (told the desk)",
            (Confirmation::Declined, AnswerVia::Reply) => "can't come (by reply)",
        }
    }
}

impl ReminderState {
    /// As the patient's record says it.
    pub fn words(self) -> &'static str {
        match self {
            ReminderState::None => "no reminder",
            ReminderState::Pending => "reminder due",
            ReminderState::Sent => "reminder sent",
            ReminderState::Failed => "reminder failed",
        }
    }
}

/// Whether a visit takes an answer now: only a scheduled visit that has not started; the
/// sentence says why not.
pub fn answerable(
    status: crate::domain::AppointmentStatus,
    start: chrono::NaiveDateTime,
    now: chrono::NaiveDateTime,
) -> Result<(), String> {
    use crate::domain::AppointmentStatus;
    if status != AppointmentStatus::Scheduled {
        return Err(format!(
            "only a booked visit still to come can be confirmed or declined; this one is {}",
            status.label()
        ));
    }
    if start <= now {
        return Err(format!(
            "this visit began at {}: only a visit still to come can be confirmed or declined",
            start.format("%Y-%m-%d %H:%M")
        ));
    }
    Ok(())
}

/// The number a text message goes to, in E.164 (`+` and up to 15 digits), from a phone as the
/// record holds it. A number without a country code is taken as North American (ten digits,
/// or eleven starting with 1), as the clinic's own are; anything else must start with `+`.
pub fn text_number(phone: &str) -> Result<String, String> {
    let trimmed = phone.trim();
    let refuse = || {
        format!(
            "{} is not a phone number a text message can go to (ten digits, or + and the country code)",
            crate::sanitize::clean_line(trimmed)
        )
    };
    let international = trimmed.starts_with('+');
    let body = if international {
        &trimmed[1..]
    } else {
        trimmed
    };
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || " -().".contains(c))
    {
        return Err(refuse());
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    match (international, digits.len()) {
        (true, 8..=15) if !digits.starts_with('0') => Ok(format!("+{digits}")),
        (false, 10) if !digits.starts_with(['0', '1']) => Ok(format!("+1{digits}")),
        (false, 11) if digits.starts_with('1') && !digits[1..].starts_with(['0', '1']) => {
            Ok(format!("+{digits}"))
        }
        _ => Err(refuse()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> Option<NaiveDate> {
        crate::domain::parse_day(d)
    }

    #[test]
    fn names_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        for p in Purpose::ALL {
            assert_eq!(Purpose::parse(p.as_str()), Some(p));
        }
        for s in OutboxState::ALL {
            assert_eq!(OutboxState::parse(s.as_str()), Some(s));
        }
        assert_eq!(Channel::parse("fax"), None);
    }

    #[test]
    fn an_opt_out_outweighs_consent_and_no_consent_refuses() {
        let mut c = ContactConsent {
            email_consent_on: day("2026-01-05"),
            ..Default::default()
        };
        assert!(c.allows(Channel::Email));
        assert_eq!(
            c.refusal(Channel::Sms).as_deref(),
            Some("the patient has not consented to text messages")
        );
        c.email_opt_out_on = day("2026-03-01");
        assert_eq!(
            c.refusal(Channel::Email).as_deref(),
            Some("the patient opted out of emails on 2026-03-01")
        );
    }

    #[test]
    fn consent_given_after_an_opt_out_counts_and_on_its_day_the_opt_out_wins() {
        let c = ContactConsent {
            sms_consent_on: day("2026-03-05"),
            sms_opt_out_on: day("2026-03-01"),
            email_consent_on: day("2026-03-01"),
            email_opt_out_on: day("2026-03-01"),
        };
        assert_eq!(
            c.standing(Channel::Sms),
            Standing::Consented(day("2026-03-05").unwrap())
        );
        assert_eq!(
            c.standing(Channel::Email),
            Standing::OptedOut(day("2026-03-01").unwrap())
        );
        let none = ContactConsent::default();
        assert_eq!(none.standing(Channel::Email), Standing::NoConsent);
        assert_eq!(
            ContactConsent {
                sms_opt_out_on: day("2026-01-02"),
                ..Default::default()
            }
            .standing(Channel::Sms)
            .words(),
            "opted out 2026-01-02"
        );
    }

    #[test]
    fn the_desk_steps_keep_the_first_day_and_new_consent_overcomes_a_stop() {
        let today = day("2026-11-27").unwrap();
        let given = ContactConsent::default().after(Channel::Email, ConsentStep::Give, today);
        assert_eq!(given.standing(Channel::Email), Standing::Consented(today));
        // Given again later: still the day it was first given.
        let later = day("2026-12-03").unwrap();
        assert_eq!(given.after(Channel::Email, ConsentStep::Give, later), given);
        // A STOP the same day wins, and keeps the consent's day on record.
        let stopped = given.after(Channel::Email, ConsentStep::OptOut, today);
        assert_eq!(stopped.standing(Channel::Email), Standing::OptedOut(today));
        assert_eq!(stopped.email_consent_on, Some(today));
        assert_eq!(
            stopped.after(Channel::Email, ConsentStep::OptOut, later),
            stopped
        );
        // Consent given again, even that day, overcomes it.
        let again = stopped.after(Channel::Email, ConsentStep::Give, today);
        assert!(again.allows(Channel::Email));
        assert_eq!(again.email_opt_out_on, None);
        // Clearing takes the consent off, never an opt-out; the other channel is untouched.
        let cleared = stopped.after(Channel::Email, ConsentStep::Clear, later);
        assert_eq!(cleared.email_consent_on, None);
        assert_eq!(cleared.standing(Channel::Email), Standing::OptedOut(today));
        assert_eq!(cleared.standing(Channel::Sms), Standing::NoConsent);
    }

    #[test]
    fn contradicting_steps_and_a_missing_address_are_one_sentence_each() {
        let change = ContactChange {
            steps: vec![
                (Channel::Email, ConsentStep::Give),
                (Channel::Sms, ConsentStep::Give),
                (Channel::Email, ConsentStep::OptOut),
            ],
            ..Default::default()
        };
        assert_eq!(
            change.steps().unwrap_err(),
            "emails: consent and an opt-out at once; record one of them"
        );
        let twice = ContactChange {
            steps: vec![(Channel::Sms, ConsentStep::Give); 2],
            ..Default::default()
        };
        assert_eq!(
            twice.steps().unwrap(),
            vec![(Channel::Sms, ConsentStep::Give)]
        );
        let stop = ContactChange {
            steps: vec![
                (Channel::Sms, ConsentStep::Clear),
                (Channel::Sms, ConsentStep::OptOut),
            ],
            ..Default::default()
        };
        assert_eq!(stop.steps().unwrap().len(), 2);
        assert!(ContactChange::default().is_empty());
        assert!(consent_needs(Channel::Email, None, None).is_err());
        assert!(consent_needs(Channel::Email, Some("a@example.com"), None).is_ok());
        let landline = consent_needs(Channel::Sms, None, Some("555-1234")).unwrap_err();
        assert!(landline.contains("is not a phone number"), "{landline}");
        assert!(consent_needs(Channel::Sms, None, Some("(555) 555-0134")).is_ok());
    }

    #[test]
    fn only_a_booked_visit_still_to_come_takes_an_answer() {
        use crate::domain::AppointmentStatus;
        let at = |t: &str| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").unwrap();
        let start = at("2026-11-27 10:00");
        assert!(answerable(AppointmentStatus::Scheduled, start, at("2026-11-27 09:59")).is_ok());
        let began = answerable(AppointmentStatus::Scheduled, start, at("2026-11-27 10:00"));
        assert!(began.unwrap_err().starts_with("this visit began at"));
        let cancelled = answerable(AppointmentStatus::Cancelled, start, at("2026-11-26 09:00"));
        assert!(cancelled.unwrap_err().ends_with("this one is cancelled"));
    }

    #[test]
    fn a_text_goes_to_an_e164_number() {
        assert_eq!(text_number("(555) 123-4567").unwrap(), "+15551234567");
        assert_eq!(text_number("1-555-123-4567").unwrap(), "+15551234567");
        assert_eq!(text_number("+44 20 7946 0958").unwrap(), "+442079460958");
        for bad in [
            "555-1234",
            "call me",
            "+0123456789",
            "(055) 123-4567",
            "12345678901234567",
        ] {
            let refused = text_number(bad).unwrap_err();
            assert!(
                refused.contains("is not a phone number"),
                "{bad}: {refused}"
            );
        }
    }

    #[test]
    fn the_schedule_names_a_cancelled_reminder_as_none() {
        assert_eq!(
            ReminderState::of(OutboxState::Cancelled),
            ReminderState::None
        );
        assert_eq!(ReminderState::of(OutboxState::Sent).as_str(), "sent");
        assert_eq!(
            Confirmation::as_json(Some(Confirmation::Declined)),
            serde_json::json!(false)
        );
        assert_eq!(Confirmation::as_json(None), serde_json::Value::Null);
    }
}
