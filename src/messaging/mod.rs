//! The outbox's transports: how a message leaves the clinic. Each transport takes one message
//! and either hands it to the provider (with the provider's id, where it gives one) or says
//! why not, and whether trying again later may help. Credentials come from the sending
//! machine's config and environment, never from the shared record.

pub mod outbox;

pub mod sms;
pub mod smtp;

use crate::config::{EnvLookup, Settings};
use crate::domain::messages::Channel;
use crate::error::AppResult;

/// One message as it is to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing<'a> {
    pub channel: Channel,
    /// The email address or the phone number (E.164, e.g. +15555550123).
    pub to: &'a str,
    /// Email only.
    pub subject: Option<&'a str>,
    /// The plain text: an email's text part, or the whole text message.
    pub text: &'a str,
    /// An email's HTML part (the home program's handout).
    pub html: Option<&'a str>,
    /// The same for every attempt at one outbox row, so that a provider that knows it (an
    /// email's Message-ID, a gateway's idempotency key) can drop a duplicate after a crash.
    pub idempotency_key: &'a str,
}

/// The provider took the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The provider's id for it, where it gives one.
    pub provider_id: Option<String>,
}

/// The provider did not take the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFailure {
    /// One sentence: the provider's own reason where it gave one, never the password.
    pub reason: String,
    /// Whether trying again later may help (a server that was down, a 4xx SMTP reply, an
    /// HTTP 429 or 5xx), as against a refusal that will not change (a wrong password, an
    /// address the server rejects).
    pub retry: bool,
}

/// Sends one message at a time, blocking; the outbox calls it outside any transaction.
pub trait Transport: Send {
    fn channel(&self) -> Channel;
    fn send(&self, message: &Outgoing) -> Result<Delivered, SendFailure>;
}

/// The transports this machine is set up for, one per channel; `None` where its section of
/// the config file is missing, so that a clinic that only emails needs no gateway.
pub struct Transports {
    pub email: Option<Box<dyn Transport>>,
    pub sms: Option<Box<dyn Transport>>,
}

impl Transports {
    /// Builds what `[smtp]` and `[sms]` describe, reading their secrets through `env` now, so
    /// that a missing password or token is one sentence before anything is sent.
    pub fn from_settings(settings: &Settings, env: EnvLookup) -> AppResult<Transports> {
        let email = match &settings.transports.smtp {
            Some(smtp) => Some(Box::new(smtp::SmtpSender::new(smtp, env)?) as Box<dyn Transport>),
            None => None,
        };
        let sms = match &settings.transports.sms {
            Some(sms) => Some(Box::new(sms::SmsGateway::new(sms, env)?) as Box<dyn Transport>),
            None => None,
        };
        Ok(Transports { email, sms })
    }

    /// The transport for a channel, if this machine has one.
    pub fn for_channel(&self, channel: Channel) -> Option<&dyn Transport> {
        match channel {
            Channel::Email => self.email.as_deref(),
            Channel::Sms => self.sms.as_deref(),
        }
    }
}

/// The most characters of a provider's own words that a failure repeats.
const PROVIDER_TEXT_MAX: usize = 200;

/// A provider's words as a failure repeats them: one clean line, bounded.
fn provider_text(text: &str) -> String {
    let line = crate::sanitize::clean_line(text);
    if line.chars().count() <= PROVIDER_TEXT_MAX {
        return line;
    }
    let mut out: String = line.chars().take(PROVIDER_TEXT_MAX - 1).collect();
    out.push('…');
    out
}

/// The sentence without the secret, should a server ever repeat it. Too short a secret
/// would mangle ordinary words, and no server echoes a password in a reply anyway.
fn scrub(reason: &str, secret: &str) -> String {
    if secret.chars().count() >= 4 {
        reason.replace(secret, "…")
    } else {
        reason.to_string()
    }
}
