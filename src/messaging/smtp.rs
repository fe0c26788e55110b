//! Email over SMTP: one connection per message (the outbox sends a handful at a time, and a
//! fresh connection never carries a half-failed state over), plain, STARTTLS or TLS from the
//! first byte, with an optional login whose password is read from the environment.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport};
use zeroize::Zeroizing;

use super::{Delivered, Outgoing, SendFailure, Transport, provider_text, scrub};
use crate::config::EnvLookup;
use crate::config::transports::{SmtpSecurity, SmtpSettings};
use crate::domain::messages::Channel;
use crate::error::{AppError, AppResult};
use crate::sanitize::path_for_message;

/// How long the server may take to accept the connection or answer any one command.
pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct SmtpSender {
    mailer: SmtpTransport,
    from: Mailbox,
    /// `host:port`, as every failure names it.
    server: String,
    security: SmtpSecurity,
    port: u16,
    username: Option<String>,
    /// Kept only to make sure no failure ever repeats it.
    password: Option<Zeroizing<String>>,
}

impl SmtpSender {
    /// Builds the sender: reads the password from the variable `password_env` names and the
    /// `ca_file`, so that a mistake in either shows before the first message.
    pub fn new(settings: &SmtpSettings, env: EnvLookup) -> AppResult<SmtpSender> {
        let from: Mailbox = settings.from.parse().map_err(|_| {
            AppError::input("[smtp] from must be an email address like desk@clinic.example")
        })?;
        let mut builder = SmtpTransport::builder_dangerous(settings.host.as_str())
            .port(settings.port)
            .timeout(Some(TIMEOUT));
        builder = match settings.security {
            SmtpSecurity::None => builder.tls(Tls::None),
            SmtpSecurity::Starttls => builder.tls(Tls::Required(tls_parameters(settings)?)),
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls_parameters(settings)?)),
        };
        let mut password = None;
        if let Some(login) = &settings.login {
            let secret = Zeroizing::new(env(&login.password_env).ok_or_else(|| {
                AppError::input(format!(
                    "[smtp] password_env names {}, which is not set in this environment",
                    login.password_env
                ))
            })?);
            builder = builder.credentials(Credentials::new(
                login.username.clone(),
                secret.as_str().to_owned(),
            ));
            password = Some(secret);
        }
        Ok(SmtpSender {
            mailer: builder.build(),
            from,
            server: host_port(&settings.host, settings.port),
            security: settings.security,
            port: settings.port,
            username: settings.login.as_ref().map(|l| l.username.clone()),
            password,
        })
    }

    /// The message as it goes out: the same Message-ID for every attempt at one outbox row.
    fn message(&self, outgoing: &Outgoing) -> Result<Message, SendFailure> {
        let to: Mailbox = outgoing.to.parse().map_err(|_| SendFailure {
            // The address itself stays out: the sentence may reach a log.
            reason: "the patient's email address is not one a mail server takes".to_string(),
            retry: false,
        })?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .date_now()
            .message_id(Some(message_id(
                outgoing.idempotency_key,
                self.from.email.domain(),
            )));
        if let Some(subject) = outgoing.subject {
            builder = builder.subject(subject);
        }
        let built = match outgoing.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                outgoing.text.to_string(),
                html.to_string(),
            )),
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(outgoing.text.to_string()),
        };
        built.map_err(|e| SendFailure {
            reason: format!("the email could not be put together: {e}"),
            retry: false,
        })
    }

    fn failure(&self, trouble: Trouble) -> SendFailure {
        let mut failure = describe(
            &self.server,
            self.security,
            self.port,
            self.username.as_deref(),
            trouble,
        );
        if let Some(password) = &self.password {
            failure.reason = scrub(&failure.reason, password);
        }
        failure
    }
}

impl Transport for SmtpSender {
    fn channel(&self) -> Channel {
        Channel::Email
    }

    fn send(&self, outgoing: &Outgoing) -> Result<Delivered, SendFailure> {
        if outgoing.channel != Channel::Email {
            return Err(SendFailure {
                reason: format!(
                    "the mail server sends email, not a {}",
                    outgoing.channel.words()
                ),
                retry: false,
            });
        }
        let message = self.message(outgoing)?;
        let message_id = message.headers().get_raw("Message-ID").map(str::to_string);
        lettre::Transport::send(&self.mailer, &message)
            .map(|_| Delivered {
                provider_id: message_id,
            })
            .map_err(|e| self.failure(Trouble::of(&e)))
    }
}

fn tls_parameters(settings: &SmtpSettings) -> AppResult<TlsParameters> {
    let mut builder = TlsParameters::builder(settings.host.clone());
    if let Some(path) = &settings.ca_file {
        let shown = path_for_message(path);
        let pem = std::fs::read(path)
            .map_err(|e| AppError::input(format!("cannot read [smtp] ca_file {shown}: {e}")))?;
        let holds_certificate =
            String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----");
        let certificate = Certificate::from_pem(&pem)
            .ok()
            .filter(|_| holds_certificate)
            .ok_or_else(|| {
                AppError::input(format!(
                    "[smtp] ca_file {shown} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
                ))
            })?;
        builder = builder.add_root_certificate(certificate);
    }
    builder
        .build_rustls()
        .map_err(|e| AppError::failure(format!("cannot set up TLS for the mail server: {e}")))
}

/// `host:port`, with an IPv6 address in brackets.
fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// `<ptclinic.KEY@domain>`: the key itself where it is plain enough for a Message-ID, else a
/// digest of it, so that two keys never share an id and a retry always repeats its own.
pub fn message_id(key: &str, domain: &str) -> String {
    let plain = !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_+=".contains(c));
    let local = if plain {
        key.to_string()
    } else {
        use sha2::{Digest, Sha256};
        Sha256::digest(key.as_bytes())
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    format!("<ptclinic.{local}@{domain}>")
}

/// What went wrong, as far as a sentence and the retry decision care.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Trouble {
    /// The server answered a command with a negative reply.
    Reply { code: u16, text: String },
    /// No answer in time.
    Timeout,
    /// No connection: refused, no route, no such host.
    Unreachable(String),
    /// The connection broke or the server said something that is not SMTP.
    Broken(String),
    /// The server's certificate is not one this machine trusts.
    Certificate(String),
    /// TLS failed otherwise (often: security does not match what the port speaks).
    Tls(String),
    /// The server lacks what the config asks for (STARTTLS, a login method).
    Unsupported(String),
}

impl Trouble {
    fn of(error: &lettre::transport::smtp::Error) -> Trouble {
        use std::error::Error as _;
        let detail = || {
            error
                .source()
                .map(|s| s.to_string())
                .unwrap_or_else(|| error.to_string())
        };
        if let Some(code) = error.status() {
            return Trouble::Reply {
                code: code.into(),
                text: detail(),
            };
        }
        if error.is_client() {
            return Trouble::Unsupported(detail());
        }
        let mut source = error.source();
        while let Some(current) = source {
            if let Some(tls) = current.downcast_ref::<rustls::Error>() {
                return tls_trouble(tls);
            }
            if let Some(io) = current.downcast_ref::<std::io::Error>() {
                if let Some(tls) = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
                    return tls_trouble(tls);
                }
                return io_trouble(io);
            }
            source = current.source();
        }
        if error.is_tls() {
            Trouble::Tls(detail())
        } else if error.is_response() {
            Trouble::Broken(detail())
        } else {
            Trouble::Unreachable(detail())
        }
    }
}

fn tls_trouble(error: &rustls::Error) -> Trouble {
    match error {
        rustls::Error::InvalidCertificate(_) => Trouble::Certificate(error.to_string()),
        _ => Trouble::Tls(error.to_string()),
    }
}

fn io_trouble(error: &std::io::Error) -> Trouble {
    use std::io::ErrorKind as K;
    match error.kind() {
        // A read timeout shows as WouldBlock on Unix.
        K::TimedOut | K::WouldBlock => Trouble::Timeout,
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
            Trouble::Broken(error.to_string())
        }
        // Refused, no route, and a name that does not resolve (an untyped error).
        _ => Trouble::Unreachable(error.to_string()),
    }
}

/// The sentence and the retry decision for a failure at `server`.
fn describe(
    server: &str,
    security: SmtpSecurity,
    port: u16,
    username: Option<&str>,
    trouble: Trouble,
) -> SendFailure {
    let at = format!("the mail server at {server}");
    let (reason, retry) = match trouble {
        Trouble::Reply { code, text } => {
            let reply = provider_text(&format!("{code} {text}"));
            match code {
                // Authentication required, too weak, refused, or only over TLS: the login is
                // wrong or not allowed, and asking again will not change that.
                530 | 534 | 535 | 538 => (
                    match username {
                        Some(user) => {
                            format!("{at} refused the login of {}: {reply}", provider_text(user))
                        }
                        None => {
                            format!("{at} wants a login: {reply} (set username and password_env)")
                        }
                    },
                    false,
                ),
                400..=499 => (format!("{at} deferred the message: {reply}"), true),
                _ => (format!("{at} refused the message: {reply}"), false),
            }
        }
        Trouble::Timeout => (
            format!("{at} did not answer within {} seconds", TIMEOUT.as_secs()),
            true,
        ),
        Trouble::Unreachable(detail) => (
            format!("cannot reach {at}: {}", provider_text(&detail)),
            true,
        ),
        Trouble::Broken(detail) => (
            format!(
                "the connection to {at} broke off: {}",
                provider_text(&detail)
            ),
            true,
        ),
        Trouble::Certificate(detail) => (
            format!(
                "{at} shows a certificate this machine does not trust ({}): for a server with the clinic's own CA, name that CA's PEM file as [smtp] ca_file",
                provider_text(&detail)
            ),
            false,
        ),
        Trouble::Tls(detail) => (
            format!(
                "TLS with {at} failed ({}): check that port {port} speaks security = \"{}\"",
                provider_text(&detail),
                security.as_str()
            ),
            false,
        ),
        Trouble::Unsupported(detail) => (
            format!(
                "{at} cannot do what [smtp] asks: {}",
                provider_text(&detail)
            ),
            false,
        ),
    };
    SendFailure { reason, retry }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(trouble: Trouble) -> SendFailure {
        describe(
            "mail.clinic.example:587",
            SmtpSecurity::Starttls,
            587,
            Some("desk"),
            trouble,
        )
    }

    #[test]
    fn a_wrong_password_and_a_permanent_refusal_are_not_retried() {
        let f = said(Trouble::Reply {
            code: 535,
            text: "5.7.8 Authentication credentials invalid".into(),
        });
        assert!(!f.retry);
        assert_eq!(
            f.reason,
            "the mail server at mail.clinic.example:587 refused the login of desk: 535 5.7.8 Authentication credentials invalid"
        );
        let f = said(Trouble::Reply {
            code: 550,
            text: "5.1.1 <x@y> mailbox unavailable".into(),
        });
        assert!(!f.retry);
        assert!(
            f.reason.contains("refused the message: 550 5.1.1"),
            "{}",
            f.reason
        );
    }

    #[test]
    fn a_4xx_a_timeout_and_an_unreachable_server_are_retried() {
        let f = said(Trouble::Reply {
            code: 451,
            text: "4.3.0 try again later".into(),
        });
        assert!(f.retry);
        assert!(
            f.reason
                .ends_with("deferred the message: 451 4.3.0 try again later")
        );
        let f = said(Trouble::Timeout);
        assert!(f.retry);
        assert!(
            f.reason.ends_with("did not answer within 20 seconds"),
            "{}",
            f.reason
        );
        let f = said(Trouble::Unreachable(
            "Connection refused (os error 111)".into(),
        ));
        assert!(f.retry);
        assert_eq!(
            f.reason,
            "cannot reach the mail server at mail.clinic.example:587: Connection refused (os error 111)"
        );
        assert!(said(Trouble::Broken("unexpected end of file".into())).retry);
    }

    #[test]
    fn a_certificate_or_tls_mismatch_needs_a_person_not_a_retry() {
        let f = said(Trouble::Certificate(
            "invalid peer certificate: UnknownIssuer".into(),
        ));
        assert!(!f.retry);
        assert!(f.reason.contains("ca_file"), "{}", f.reason);
        let f = said(Trouble::Tls("received corrupt message".into()));
        assert!(!f.retry);
        assert!(
            f.reason.contains("port 587 speaks security = \"starttls\""),
            "{}",
            f.reason
        );
        let f = said(Trouble::Unsupported(
            "STARTTLS is not supported on this server".into(),
        ));
        assert!(!f.retry);
    }

    #[test]
    fn server_text_is_one_clean_bounded_line() {
        let f = said(Trouble::Reply {
            code: 554,
            text: format!("5.7.1 line one\r\n\u{1b}[31mline two{}", "x".repeat(500)),
        });
        assert!(
            !f.reason.contains('\n') && !f.reason.contains('\u{1b}'),
            "{}",
            f.reason
        );
        assert!(f.reason.chars().count() < 300, "{}", f.reason);
    }

    #[test]
    fn the_message_id_repeats_for_a_key_and_differs_between_keys() {
        assert_eq!(
            message_id("outbox-17-a1", "clinic.example"),
            "<ptclinic.outbox-17-a1@clinic.example>"
        );
        let odd = message_id("row 17 <x>", "clinic.example");
        assert_eq!(odd, message_id("row 17 <x>", "clinic.example"));
        assert_ne!(odd, message_id("row 18 <x>", "clinic.example"));
        assert!(odd.starts_with("<ptclinic.") && !odd.contains(' '), "{odd}");
    }
}
