//! The outbox's transports: how a message leaves the clinic. Each transport takes one message
//! and either hands it to the provider (with the provider's id, where it gives one) or says
//! why not, and whether trying again later may help. Credentials come from the sending
//! machine's config and environment, never from the shared record.

pub mod templates;

use crate::domain::messages::Channel;

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
