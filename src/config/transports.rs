//! The sending machine's `[smtp]` and `[sms]` sections of the config file: as written, and as
//! checked. Secrets never sit in the file: it names the environment variables that hold them,
//! and those are read only when the transports are built.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::sanitize::clean_echo;

/// `[smtp]` as the file has it.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SmtpFile {
    pub host: Option<String>,
    pub port: Option<i64>,
    /// `none`, `starttls` (the default) or `tls`.
    pub security: Option<String>,
    pub username: Option<String>,
    /// The name of the environment variable that holds the password.
    pub password_env: Option<String>,
    /// The sender: `desk@clinic.example` or `Riverside PT <desk@clinic.example>`.
    pub from: Option<String>,
    /// A PEM file of certificates to trust besides the public ones (an in-house mail server
    /// with the clinic's own CA); relative to the config file's folder.
    pub ca_file: Option<PathBuf>,
    /// Only read to refuse it with the right advice rather than "unknown field".
    pub password: Option<toml::Value>,
}

/// `[sms]` as the file has it.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SmsFile {
    pub url: Option<String>,
    /// `twilio` (the default) or `json`.
    pub preset: Option<String>,
    /// The Twilio account SID, the user name of its basic auth.
    pub account: Option<String>,
    /// The name of the environment variable that holds the gateway's token.
    pub token_env: Option<String>,
    /// The sending number (E.164) or sender name.
    pub from: Option<String>,
    /// Only read to refuse it with the right advice rather than "unknown field".
    pub token: Option<toml::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain text all the way: only for a relay on the same machine or a trusted network.
    None,
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl SmtpSecurity {
    pub const NAMES: &'static str = "none, starttls or tls";

    pub fn parse(text: &str) -> Option<SmtpSecurity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" => Some(SmtpSecurity::None),
            "starttls" => Some(SmtpSecurity::Starttls),
            "tls" => Some(SmtpSecurity::Tls),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::None => "none",
            SmtpSecurity::Starttls => "starttls",
            SmtpSecurity::Tls => "tls",
        }
    }

    /// The port such a server listens on unless the config says otherwise.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::None => 25,
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
        }
    }
}

/// The login of an SMTP server: the user name, and where its password is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpLogin {
    pub username: String,
    pub password_env: String,
}

/// A checked `[smtp]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub login: Option<SmtpLogin>,
    /// As typed (it is what the messages' From header shows).
    pub from: String,
    /// Already resolved against the config file's folder.
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsPreset {
    /// Twilio's Messages API: a form post of To, From and Body with basic auth.
    Twilio,
    /// A JSON post of to, from and text with a bearer token.
    Json,
}

impl SmsPreset {
    pub const NAMES: &'static str = "twilio or json";

    pub fn parse(text: &str) -> Option<SmsPreset> {
        match text.trim().to_ascii_lowercase().as_str() {
            "twilio" => Some(SmsPreset::Twilio),
            "json" => Some(SmsPreset::Json),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SmsPreset::Twilio => "twilio",
            SmsPreset::Json => "json",
        }
    }
}

/// A checked `[sms]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsSettings {
    pub url: String,
    pub preset: SmsPreset,
    /// Twilio only: the account SID.
    pub account: Option<String>,
    pub token_env: String,
    pub from: String,
}

/// Both sections, each absent when the file has none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransportSettings {
    pub smtp: Option<SmtpSettings>,
    pub sms: Option<SmsSettings>,
}

impl TransportSettings {
    /// Checks the file's sections; `config_dir` is where a relative `ca_file` is found.
    pub fn from_file(
        smtp: Option<&SmtpFile>,
        sms: Option<&SmsFile>,
        config_dir: &Path,
    ) -> AppResult<TransportSettings> {
        Ok(TransportSettings {
            smtp: smtp.map(|s| check_smtp(s, config_dir)).transpose()?,
            sms: sms.map(check_sms).transpose()?,
        })
    }
}

fn refuse(message: String) -> AppError {
    AppError::input(message)
}

/// A value that must be there and must not be blank.
fn required<'a>(
    value: &'a Option<String>,
    section: &str,
    key: &str,
    example: &str,
) -> AppResult<&'a str> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(refuse(format!(
            "[{section}] needs {key}, for example {key} = \"{example}\""
        ))),
    }
}

/// A present value that is not blank (`Ok(None)` when absent).
fn optional<'a>(value: &'a Option<String>, section: &str, key: &str) -> AppResult<Option<&'a str>> {
    match value.as_deref().map(str::trim) {
        None => Ok(None),
        Some("") => Err(refuse(format!(
            "[{section}] {key} is empty: give a value or leave the key out"
        ))),
        Some(v) => Ok(Some(v)),
    }
}

/// The name of an environment variable: letters, digits and underscores, not starting with a
/// digit, so that a password pasted in by mistake is refused rather than looked up.
fn env_name(value: &str, section: &str, key: &str) -> AppResult<String> {
    let ok = value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !value.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(value.to_string())
    } else {
        // Never echoed: it may be the secret itself.
        Err(refuse(format!(
            "[{section}] {key} must be the name of an environment variable (letters, digits and _), not its value"
        )))
    }
}

/// A host name or address: no scheme, port, path or spaces.
fn check_host(host: &str) -> AppResult<String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let ok = !bare.is_empty()
        && bare
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_:".contains(c))
        && (!bare.contains(':') || bare.parse::<std::net::Ipv6Addr>().is_ok());
    if ok {
        Ok(bare.to_string())
    } else {
        Err(refuse(format!(
            "[smtp] host must be the mail server's name or address, like smtp.example.com, not \"{}\"",
            clean_echo(host)
        )))
    }
}

fn check_smtp(file: &SmtpFile, config_dir: &Path) -> AppResult<SmtpSettings> {
    if file.password.is_some() {
        return Err(refuse(
            "[smtp] takes no password: put it in an environment variable and give that variable's name as password_env"
                .to_string(),
        ));
    }
    let host = check_host(required(&file.host, "smtp", "host", "smtp.example.com")?)?;
    let security = match optional(&file.security, "smtp", "security")? {
        None => SmtpSecurity::Starttls,
        Some(text) => SmtpSecurity::parse(text).ok_or_else(|| {
            refuse(format!(
                "[smtp] security must be {}, not \"{}\"",
                SmtpSecurity::NAMES,
                clean_echo(text)
            ))
        })?,
    };
    let port = match file.port {
        None => security.default_port(),
        Some(p) => u16::try_from(p)
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| refuse(format!("[smtp] port must be between 1 and 65535, not {p}")))?,
    };
    let username = optional(&file.username, "smtp", "username")?;
    let password_env = optional(&file.password_env, "smtp", "password_env")?;
    let login = match (username, password_env) {
        (None, None) => None,
        (Some(_), None) => {
            return Err(refuse(
                "[smtp] username needs password_env, the name of the environment variable that holds the password"
                    .to_string(),
            ));
        }
        (None, Some(_)) => {
            return Err(refuse(
                "[smtp] password_env needs username, the login the password belongs to".to_string(),
            ));
        }
        (Some(user), Some(var)) => Some(SmtpLogin {
            username: user.to_string(),
            password_env: env_name(var, "smtp", "password_env")?,
        }),
    };
    if login.is_some() && security == SmtpSecurity::None {
        return Err(refuse(
            "[smtp] security = \"none\" would send the password unencrypted: use starttls or tls with a username"
                .to_string(),
        ));
    }
    let from_text = required(
        &file.from,
        "smtp",
        "from",
        "Riverside PT <desk@riverside.example>",
    )?;
    if from_text.parse::<lettre::message::Mailbox>().is_err() {
        return Err(refuse(format!(
            "[smtp] from must be an email address like \"Riverside PT <desk@riverside.example>\", not \"{}\"",
            clean_echo(from_text)
        )));
    }
    let ca_file = file.ca_file.as_ref().map(|p| config_dir.join(p));
    if let Some(path) = &ca_file
        && security == SmtpSecurity::None
    {
        return Err(refuse(format!(
            "[smtp] ca_file {} is only used with security = \"starttls\" or \"tls\"",
            crate::sanitize::path_for_message(path)
        )));
    }
    Ok(SmtpSettings {
        host,
        port,
        security,
        login,
        from: from_text.to_string(),
        ca_file,
    })
}

/// Whether a URL's host is this machine: the one place plain http may carry a token.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn check_url(url: &str) -> AppResult<String> {
    let bad = || {
        refuse(format!(
            "[sms] url must be the gateway's https:// address, like https://api.twilio.com/2010-04-01/Accounts/AC…/Messages.json, not \"{}\"",
            clean_echo(url)
        ))
    };
    let uri: ureq::http::Uri = url.parse().map_err(|_| bad())?;
    let host = uri.host().filter(|h| !h.is_empty()).ok_or_else(bad)?;
    match uri.scheme_str() {
        Some("https") => Ok(url.to_string()),
        Some("http") if is_loopback(host) => Ok(url.to_string()),
        Some("http") => Err(refuse(format!(
            "[sms] url {} is plain http, which would send the token unencrypted: use https://",
            clean_echo(url)
        ))),
        _ => Err(bad()),
    }
}

/// A text message's sender: a number in E.164 or an alphanumeric sender name (at most 11
/// letters and digits, at least one letter), as carriers allow.
fn check_sms_from(from: &str) -> AppResult<String> {
    if let Some(digits) = from.strip_prefix('+')
        && (8..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
    {
        return Ok(from.to_string());
    }
    let sender_name = (1..=11).contains(&from.len())
        && from.chars().all(|c| c.is_ascii_alphanumeric())
        && from.chars().any(|c| c.is_ascii_alphabetic());
    if sender_name {
        Ok(from.to_string())
    } else {
        Err(refuse(format!(
            "[sms] from must be the sending number with its country code, like +15555550123, or a sender name of up to 11 letters and digits, not \"{}\"",
            clean_echo(from)
        )))
    }
}

fn check_sms(file: &SmsFile) -> AppResult<SmsSettings> {
    if file.token.is_some() {
        return Err(refuse(
            "[sms] takes no token: put it in an environment variable and give that variable's name as token_env"
                .to_string(),
        ));
    }
    let url = check_url(required(
        &file.url,
        "sms",
        "url",
        "https://api.twilio.com/2010-04-01/Accounts/AC…/Messages.json",
    )?)?;
    let preset = match optional(&file.preset, "sms", "preset")? {
        None => SmsPreset::Twilio,
        Some(text) => SmsPreset::parse(text).ok_or_else(|| {
            refuse(format!(
                "[sms] preset must be {}, not \"{}\"",
                SmsPreset::NAMES,
                clean_echo(text)
            ))
        })?,
    };
    let account = optional(&file.account, "sms", "account")?;
    let account = match (preset, account) {
        (SmsPreset::Twilio, None) => {
            return Err(refuse(
                "[sms] preset twilio needs account, the account SID (AC…) the token belongs to"
                    .to_string(),
            ));
        }
        (SmsPreset::Json, Some(_)) => {
            return Err(refuse(
                "[sms] account is for preset twilio: preset json sends only the token".to_string(),
            ));
        }
        (_, account) => account.map(str::to_string),
    };
    let token_env = env_name(
        required(&file.token_env, "sms", "token_env", "SMS_TOKEN")?,
        "sms",
        "token_env",
    )?;
    let from = check_sms_from(required(&file.from, "sms", "from", "+15555550123")?)?;
    Ok(SmsSettings {
        url,
        preset,
        account,
        token_env,
        from,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(text: &str) -> AppResult<SmtpSettings> {
        let file: SmtpFile = toml::from_str(text).expect("valid toml");
        check_smtp(&file, Path::new("/etc/ptclinic"))
    }

    fn sms(text: &str) -> AppResult<SmsSettings> {
        let file: SmsFile = toml::from_str(text).expect("valid toml");
        check_sms(&file)
    }

    fn refused(result: AppResult<impl std::fmt::Debug>) -> String {
        let err = result.expect_err("refused");
        assert_eq!(err.exit_code(), 2);
        assert!(!err.message.contains('\n'), "one line: {}", err.message);
        err.message
    }

    #[test]
    fn smtp_defaults_to_starttls_on_587_and_resolves_the_ca_file() {
        let s = smtp(
            "host = \"mail.clinic.example\"\nfrom = \"Riverside PT <desk@clinic.example>\"\nusername = \"desk\"\npassword_env = \"SMTP_PASSWORD\"\nca_file = \"ca.pem\"\n",
        )
        .unwrap();
        assert_eq!(s.security, SmtpSecurity::Starttls);
        assert_eq!(s.port, 587);
        assert_eq!(s.ca_file, Some(PathBuf::from("/etc/ptclinic/ca.pem")));
        assert_eq!(
            s.login,
            Some(SmtpLogin {
                username: "desk".into(),
                password_env: "SMTP_PASSWORD".into()
            })
        );
        let s = smtp("host = \"m\"\nfrom = \"d@c.example\"\nsecurity = \"TLS\"\n").unwrap();
        assert_eq!((s.security, s.port), (SmtpSecurity::Tls, 465));
        let s = smtp("host = \"m\"\nfrom = \"d@c.example\"\nsecurity = \"none\"\nport = 2525\n")
            .unwrap();
        assert_eq!(
            (s.security, s.port, s.login),
            (SmtpSecurity::None, 2525, None)
        );
    }

    #[test]
    fn each_smtp_mistake_is_one_sentence_naming_the_key() {
        let base = "host = \"m\"\nfrom = \"d@c.example\"\n";
        let m = refused(smtp(&format!("{base}security = \"ssl\"\n")));
        assert_eq!(
            m,
            "[smtp] security must be none, starttls or tls, not \"ssl\""
        );
        let m = refused(smtp(&format!("{base}port = 70000\n")));
        assert_eq!(m, "[smtp] port must be between 1 and 65535, not 70000");
        let m = refused(smtp(&format!("{base}port = 0\n")));
        assert!(m.contains("not 0"), "{m}");
        let m = refused(smtp("host = \"m\"\nfrom = \"front desk\"\n"));
        assert!(m.starts_with("[smtp] from must be an email address"), "{m}");
        assert!(m.ends_with("not \"front desk\""), "{m}");
        let m = refused(smtp("from = \"d@c.example\"\n"));
        assert_eq!(
            m,
            "[smtp] needs host, for example host = \"smtp.example.com\""
        );
        let m = refused(smtp("host = \"m\"\n"));
        assert!(m.starts_with("[smtp] needs from"), "{m}");
        let m = refused(smtp("host = \"smtp://m:25\"\nfrom = \"d@c.example\"\n"));
        assert!(m.starts_with("[smtp] host must be"), "{m}");
        let m = refused(smtp(&format!("{base}username = \"desk\"\n")));
        assert!(m.contains("needs password_env"), "{m}");
        let m = refused(smtp(&format!("{base}password_env = \"P\"\n")));
        assert!(m.contains("needs username"), "{m}");
        let m = refused(smtp(&format!(
            "{base}username = \"desk\"\npassword_env = \"hunter2 secret!\"\n"
        )));
        assert!(!m.contains("hunter2"), "never echoes a pasted secret: {m}");
        let m = refused(smtp(&format!("{base}password = \"hunter2\"\n")));
        assert!(m.contains("password_env") && !m.contains("hunter2"), "{m}");
        let m = refused(smtp(&format!(
            "{base}security = \"none\"\nusername = \"desk\"\npassword_env = \"P\"\n"
        )));
        assert!(m.contains("unencrypted"), "{m}");
    }

    #[test]
    fn sms_twilio_needs_an_account_and_json_takes_none() {
        let s = sms(
            "url = \"https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json\"\naccount = \"AC1\"\ntoken_env = \"TWILIO_TOKEN\"\nfrom = \"+15555550100\"\n",
        )
        .unwrap();
        assert_eq!(s.preset, SmsPreset::Twilio);
        assert_eq!(s.account.as_deref(), Some("AC1"));
        let s = sms(
            "url = \"http://127.0.0.1:8080/send\"\npreset = \"json\"\ntoken_env = \"T\"\nfrom = \"Riverside\"\n",
        )
        .unwrap();
        assert_eq!((s.preset, s.from.as_str()), (SmsPreset::Json, "Riverside"));
    }

    #[test]
    fn each_sms_mistake_is_one_sentence_naming_the_key() {
        let rest = "token_env = \"T\"\nfrom = \"+15555550100\"\n";
        let m = refused(sms(&format!(
            "url = \"https://g.example/send\"\npreset = \"nexmo\"\n{rest}"
        )));
        assert_eq!(m, "[sms] preset must be twilio or json, not \"nexmo\"");
        let m = refused(sms(&format!("preset = \"json\"\n{rest}")));
        assert!(
            m.starts_with("[sms] needs url, for example url = \"https://"),
            "{m}"
        );
        let m = refused(sms(&format!(
            "url = \"http://gateway.example/send\"\npreset = \"json\"\n{rest}"
        )));
        assert!(m.contains("plain http"), "{m}");
        let m = refused(sms(&format!(
            "url = \"gateway\"\npreset = \"json\"\n{rest}"
        )));
        assert!(m.starts_with("[sms] url must be"), "{m}");
        let m = refused(sms(&format!("url = \"https://g.example/send\"\n{rest}")));
        assert!(m.contains("needs account"), "{m}");
        let m = refused(sms(&format!(
            "url = \"https://g.example/send\"\npreset = \"json\"\naccount = \"A\"\n{rest}"
        )));
        assert!(m.contains("account is for preset twilio"), "{m}");
        let m = refused(sms(
            "url = \"https://g.example/send\"\npreset = \"json\"\ntoken_env = \"T\"\nfrom = \"555-0100\"\n",
        ));
        assert!(
            m.starts_with("[sms] from must be the sending number"),
            "{m}"
        );
        let m = refused(sms(
            "url = \"https://g.example/send\"\npreset = \"json\"\nfrom = \"+15555550100\"\n",
        ));
        assert!(m.starts_with("[sms] needs token_env"), "{m}");
        let m = refused(sms(&format!(
            "url = \"https://g.example/send\"\npreset = \"json\"\ntoken = \"abc\"\n{rest}"
        )));
        assert!(m.contains("token_env") && !m.contains("abc"), "{m}");
    }
}
