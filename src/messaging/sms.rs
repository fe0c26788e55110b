//! Text messages through an HTTP gateway: Twilio's Messages API (a form post with basic auth)
//! or a generic JSON post with a bearer token. Each request carries the outbox row's key as
//! `Idempotency-Key`, for gateways that drop a repeated request.

use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;
use zeroize::Zeroizing;

use super::{Delivered, Outgoing, SendFailure, Transport, provider_text, scrub};
use crate::config::EnvLookup;
use crate::config::transports::{SmsPreset, SmsSettings};
use crate::domain::messages::Channel;
use crate::error::{AppError, AppResult};

/// How long one request may take, from connecting to the last byte of the answer.
pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct SmsGateway {
    agent: ureq::Agent,
    url: String,
    /// `host:port` (or `host`), as every failure names it.
    server: String,
    preset: SmsPreset,
    /// The whole `Authorization` header.
    authorization: Zeroizing<String>,
    token: Zeroizing<String>,
    from: String,
}

impl SmsGateway {
    /// Builds the gateway, reading the token from the variable `token_env` names.
    pub fn new(settings: &SmsSettings, env: EnvLookup) -> AppResult<SmsGateway> {
        let token = Zeroizing::new(env(&settings.token_env).ok_or_else(|| {
            AppError::input(format!(
                "[sms] token_env names {}, which is not set in this environment",
                settings.token_env
            ))
        })?);
        let authorization = Zeroizing::new(match settings.preset {
            SmsPreset::Twilio => {
                let account = settings.account.as_deref().unwrap_or_default();
                let pair = Zeroizing::new(format!("{account}:{}", token.as_str()));
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair.as_bytes())
                )
            }
            SmsPreset::Json => format!("Bearer {}", token.as_str()),
        });
        let server = settings
            .url
            .parse::<ureq::http::Uri>()
            .ok()
            .and_then(|uri| uri.authority().map(|a| a.to_string()))
            .unwrap_or_else(|| "the configured url".to_string());
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            // Statuses are read below: a 4xx body carries the provider's reason.
            .http_status_as_error(false)
            // A redirected POST would lose its body or its method; the url should be exact.
            .max_redirects(0)
            .user_agent(concat!("ptclinic/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(SmsGateway {
            agent,
            url: settings.url.clone(),
            server,
            preset: settings.preset,
            authorization,
            token,
            from: settings.from.clone(),
        })
    }

    fn post(&self, outgoing: &Outgoing) -> Result<(u16, String), ureq::Error> {
        let request = self
            .agent
            .post(&self.url)
            .header("Authorization", self.authorization.as_str())
            .header("Idempotency-Key", outgoing.idempotency_key)
            .header("Accept", "application/json");
        let mut response = match self.preset {
            SmsPreset::Twilio => request.send_form([
                ("To", outgoing.to),
                ("From", self.from.as_str()),
                ("Body", outgoing.text),
            ])?,
            SmsPreset::Json => {
                let body = serde_json::json!({
                    "to": outgoing.to,
                    "from": self.from,
                    "text": outgoing.text,
                });
                request
                    .content_type("application/json")
                    .send(body.to_string().as_bytes())?
            }
        };
        let status = response.status().as_u16();
        // An answer too large or not text still has a status worth reporting.
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .unwrap_or_default();
        Ok((status, body))
    }
}

impl Transport for SmsGateway {
    fn channel(&self) -> Channel {
        Channel::Sms
    }

    fn send(&self, outgoing: &Outgoing) -> Result<Delivered, SendFailure> {
        if outgoing.channel != Channel::Sms {
            return Err(SendFailure {
                reason: format!(
                    "the text-message gateway sends text messages, not an {}",
                    outgoing.channel.words()
                ),
                retry: false,
            });
        }
        let result = match self.post(outgoing) {
            Ok((status, body)) => answer(&self.server, self.preset, status, &body),
            Err(e) => Err(unsent(&self.server, &e)),
        };
        result.map_err(|mut failure| {
            failure.reason = scrub(&failure.reason, &self.token);
            failure
        })
    }
}

/// The provider's id from a 2xx answer, or why a non-2xx answer is a failure.
fn answer(
    server: &str,
    preset: SmsPreset,
    status: u16,
    body: &str,
) -> Result<Delivered, SendFailure> {
    let json: Option<Value> = serde_json::from_str(body).ok();
    if (200..300).contains(&status) {
        let key = match preset {
            SmsPreset::Twilio => "sid",
            SmsPreset::Json => "id",
        };
        let provider_id = json.as_ref().and_then(|j| match j.get(key)? {
            Value::String(s) if !s.is_empty() => Some(provider_text(s)),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        return Ok(Delivered { provider_id });
    }
    let said = json
        .as_ref()
        .and_then(provider_message)
        .or_else(|| {
            // A short plain-text answer is the reason; an HTML error page is not.
            let text = body.trim();
            (!text.is_empty() && text.len() <= 200 && !text.starts_with('<'))
                .then(|| text.to_string())
        })
        .map(|m| format!(": {}", provider_text(&m)))
        .unwrap_or_default();
    let at = format!("the text-message gateway at {server}");
    let (reason, retry) = match status {
        408 | 429 | 500..=599 => (format!("{at} answered {status}{said}"), true),
        401 | 403 => (
            format!("{at} refused the account or token ({status}){said}"),
            false,
        ),
        300..=399 => (
            format!("{at} answered {status}, a redirect: [sms] url should be the exact address"),
            false,
        ),
        _ => (format!("{at} refused the message ({status}){said}"), false),
    };
    Err(SendFailure { reason, retry })
}

/// The provider's own words in an error answer: Twilio's `message`, or the usual fields of
/// other gateways.
fn provider_message(json: &Value) -> Option<String> {
    let text = |v: &Value| {
        v.as_str()
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    };
    json.get("message")
        .and_then(text)
        .or_else(|| json.get("error").and_then(text))
        .or_else(|| json.pointer("/error/message").and_then(text))
        .or_else(|| json.get("detail").and_then(text))
}

/// A request that got no HTTP answer.
fn unsent(server: &str, error: &ureq::Error) -> SendFailure {
    let at = format!("the text-message gateway at {server}");
    let (reason, retry) = match error {
        ureq::Error::Timeout(_) => (
            format!("{at} did not answer within {} seconds", TIMEOUT.as_secs()),
            true,
        ),
        ureq::Error::HostNotFound => (format!("cannot reach {at}: no such host"), true),
        ureq::Error::ConnectionFailed | ureq::Error::Io(_) => (
            format!("cannot reach {at}: {}", provider_text(&error.to_string())),
            true,
        ),
        ureq::Error::Protocol(_) => (
            format!(
                "{at} answered with something that is not HTTP: {}",
                provider_text(&error.to_string())
            ),
            true,
        ),
        ureq::Error::Rustls(rustls::Error::InvalidCertificate(_)) => (
            format!(
                "{at} shows a certificate this machine does not trust ({})",
                provider_text(&error.to_string())
            ),
            false,
        ),
        _ => (
            format!(
                "the request to {at} failed: {}",
                provider_text(&error.to_string())
            ),
            false,
        ),
    };
    SendFailure { reason, retry }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: &str = "api.twilio.com";

    #[test]
    fn the_id_comes_from_sid_for_twilio_and_id_for_json() {
        let ok = answer(
            AT,
            SmsPreset::Twilio,
            201,
            r#"{"sid":"SM123","status":"queued"}"#,
        );
        assert_eq!(ok.unwrap().provider_id.as_deref(), Some("SM123"));
        let ok = answer(AT, SmsPreset::Json, 200, r#"{"id":42}"#);
        assert_eq!(ok.unwrap().provider_id.as_deref(), Some("42"));
        let ok = answer(AT, SmsPreset::Json, 202, "accepted");
        assert_eq!(ok.unwrap().provider_id, None);
    }

    #[test]
    fn busy_and_broken_gateways_are_retried_refusals_are_not() {
        for status in [429, 500, 503] {
            let f = answer(AT, SmsPreset::Twilio, status, "").unwrap_err();
            assert!(f.retry, "{status}");
            assert_eq!(
                f.reason,
                format!("the text-message gateway at {AT} answered {status}")
            );
        }
        let f = answer(
            AT,
            SmsPreset::Twilio,
            400,
            r#"{"code":21211,"message":"Invalid 'To' Phone Number","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#,
        )
        .unwrap_err();
        assert!(!f.retry);
        assert_eq!(
            f.reason,
            format!(
                "the text-message gateway at {AT} refused the message (400): Invalid 'To' Phone Number"
            )
        );
        let f = answer(
            AT,
            SmsPreset::Json,
            401,
            r#"{"error":{"message":"bad token"}}"#,
        )
        .unwrap_err();
        assert!(!f.retry);
        assert!(
            f.reason
                .ends_with("refused the account or token (401): bad token"),
            "{}",
            f.reason
        );
        let f = answer(
            AT,
            SmsPreset::Json,
            502,
            "<html><body>Bad gateway</body></html>",
        )
        .unwrap_err();
        assert!(f.retry);
        assert!(!f.reason.contains("<html>"), "{}", f.reason);
    }
}
