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
/// was given, and an opt-out (a reply of STOP, recorded by the desk) with its day. An opt-out
/// outweighs a consent given before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContactConsent {
    pub email_consent_on: Option<NaiveDate>,
    pub sms_consent_on: Option<NaiveDate>,
    pub email_opt_out_on: Option<NaiveDate>,
    pub sms_opt_out_on: Option<NaiveDate>,
}

impl ContactConsent {
    fn of(&self, channel: Channel) -> (Option<NaiveDate>, Option<NaiveDate>) {
        match channel {
            Channel::Email => (self.email_consent_on, self.email_opt_out_on),
            Channel::Sms => (self.sms_consent_on, self.sms_opt_out_on),
        }
    }

    /// Why nothing may be sent on `channel`, or None when it may.
    pub fn refusal(&self, channel: Channel) -> Option<String> {
        match self.of(channel) {
            (_, Some(out)) => Some(format!(
                "the patient opted out of {}s on {out}",
                channel.words()
            )),
            (None, None) => Some(format!(
                "the patient has not consented to {}s",
                channel.words()
            )),
            (Some(_), None) => None,
        }
    }

    pub fn allows(&self, channel: Channel) -> bool {
        self.refusal(channel).is_none()
    }
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
