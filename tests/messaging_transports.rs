//! The outbox's real transports against real servers on loopback: email through an SMTP server
//! (plain, STARTTLS with a login and the clinic's own CA, TLS from the first byte, a wrong
//! password, nothing listening, a server that defers then accepts), and text messages through
//! a recording HTTP gateway in both presets; and the config mistakes, each one sentence.
//!
//! The transports are built as the app builds them: a config file read by `config::resolve`,
//! the secrets from an environment the test passes in.

mod common;

use std::collections::HashMap;

use common::gateway::{GatewayRecorder, Reply};
use common::smtp::{SINK_REFUSAL, SinkOptions, SinkSecurity, SmtpSink, TestCa, closed_port};
use ptclinic::config::{Overrides, Settings, resolve};
use ptclinic::domain::messages::Channel;
use ptclinic::error::AppResult;
use ptclinic::messaging::{Outgoing, SendFailure, Transport, Transports};

const PASSWORD: &str = "correct-horse-battery";
const TOKEN: &str = "tok-3f9a2c";

/// A sending machine: its config folder and its environment.
struct Machine {
    root: tempfile::TempDir,
    env: HashMap<String, String>,
}

impl Machine {
    fn new(config: &str, env: &[(&str, &str)]) -> Machine {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("ptclinic");
        std::fs::create_dir_all(&dir).expect("config dir");
        std::fs::write(dir.join("config.toml"), config).expect("config file");
        let mut vars: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let path = root.path().to_str().expect("utf-8").to_string();
        vars.insert("XDG_CONFIG_HOME".into(), path.clone());
        vars.insert("XDG_DATA_HOME".into(), format!("{path}/data"));
        vars.insert("HOME".into(), path);
        vars.insert("USER".into(), "desk".into());
        Machine { root, env: vars }
    }

    fn lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |key| self.env.get(key).cloned()
    }

    fn settings(&self) -> AppResult<Settings> {
        resolve(&Overrides::default(), &self.lookup())
    }

    fn transports(&self) -> AppResult<Transports> {
        Transports::from_settings(&self.settings()?, &self.lookup())
    }
}

fn mailer(config: &str, env: &[(&str, &str)]) -> Box<dyn Transport> {
    let transports = Machine::new(config, env)
        .transports()
        .unwrap_or_else(|e| panic!("transports: {}", e.message));
    assert!(transports.sms.is_none(), "no [sms], no gateway");
    let email = transports.email.expect("an email transport");
    assert_eq!(email.channel(), Channel::Email);
    email
}

fn smtp_config(port: u16, extra: &str) -> String {
    format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nfrom = \"Riverside PT <desk@riverside.example>\"\n{extra}"
    )
}

fn email<'a>(key: &'a str, html: Option<&'a str>) -> Outgoing<'a> {
    Outgoing {
        channel: Channel::Email,
        to: "pat.doe@example.test",
        subject: Some("Your visit on Monday"),
        text: "See you Monday at 9:30.\nRiverside PT",
        html,
        idempotency_key: key,
    }
}

fn refused(result: Result<impl std::fmt::Debug, SendFailure>) -> SendFailure {
    let failure = result.expect_err("not sent");
    assert!(
        !failure.reason.contains('\n'),
        "one line: {}",
        failure.reason
    );
    failure
}

#[test]
fn plain_smtp_delivers_the_parts_and_the_message_id_of_the_key() {
    let Some(sink) = SmtpSink::start(SinkOptions::default(), None) else {
        return;
    };
    let mail = mailer(&smtp_config(sink.port, "security = \"none\"\n"), &[]);
    let html = "<p>See you <b>Monday</b> at 9:30.</p>";

    let sent = mail.send(&email("outbox-41-1", Some(html))).expect("sent");
    assert_eq!(
        sent.provider_id.as_deref(),
        Some("<ptclinic.outbox-41-1@riverside.example>")
    );
    // A second attempt at the same row (after a crash) carries the same Message-ID.
    mail.send(&email("outbox-41-1", Some(html)))
        .expect("sent again");
    mail.send(&email("outbox-42-1", None)).expect("text only");

    let got = sink.messages();
    assert_eq!(got.len(), 3, "{}", sink.stderr());
    let first = &got[0];
    assert_eq!(first.mail_from, "desk@riverside.example");
    assert_eq!(first.rcpt_to, ["pat.doe@example.test"]);
    assert_eq!(first.tls, "none");
    assert_eq!(first.login, None);
    assert_eq!(
        first.header("From"),
        Some("Riverside PT <desk@riverside.example>")
    );
    assert_eq!(first.header("To"), Some("pat.doe@example.test"));
    assert_eq!(first.header("Subject"), Some("Your visit on Monday"));
    assert_eq!(
        first.header("Message-ID"),
        Some("<ptclinic.outbox-41-1@riverside.example>")
    );
    assert!(first.header("Date").is_some());
    assert!(
        first
            .header("Content-Type")
            .is_some_and(|t| t.starts_with("multipart/alternative")),
        "{:?}",
        first.header("Content-Type")
    );
    assert_eq!(
        first.text.as_deref().map(str::trim_end),
        Some("See you Monday at 9:30.\nRiverside PT")
    );
    assert_eq!(first.html.as_deref().map(str::trim_end), Some(html));

    assert_eq!(got[1].header("Message-ID"), first.header("Message-ID"));

    let plain = &got[2];
    assert_eq!(
        plain.header("Message-ID"),
        Some("<ptclinic.outbox-42-1@riverside.example>")
    );
    assert!(
        plain
            .header("Content-Type")
            .is_some_and(|t| t.starts_with("text/plain")),
        "{:?}",
        plain.header("Content-Type")
    );
    assert_eq!(plain.html, None);
    assert_eq!(
        plain.text.as_deref().map(str::trim_end),
        Some("See you Monday at 9:30.\nRiverside PT")
    );
}

#[test]
fn starttls_with_a_login_trusts_the_clinics_own_ca_through_ca_file() {
    let ca = TestCa::new();
    let options = SinkOptions {
        security: SinkSecurity::Starttls,
        auth: Some(("desk".into(), PASSWORD.into())),
        ..Default::default()
    };
    let Some(sink) = SmtpSink::start(options, Some(&ca)) else {
        return;
    };
    let login = "security = \"starttls\"\nusername = \"desk\"\npassword_env = \"SMTP_PASSWORD\"\n";

    // Without the CA the server's certificate is not trusted, and no retry will change that.
    let untrusting = mailer(
        &smtp_config(sink.port, login),
        &[("SMTP_PASSWORD", PASSWORD)],
    );
    let failure = refused(untrusting.send(&email("outbox-1-1", None)));
    assert!(!failure.retry, "{failure:?}");
    assert!(
        failure.reason.contains(&format!("127.0.0.1:{}", sink.port))
            && failure.reason.contains("ca_file"),
        "{}",
        failure.reason
    );

    let config = smtp_config(
        sink.port,
        &format!("{login}ca_file = \"{}\"\n", ca.ca_cert.display()),
    );
    let mail = mailer(&config, &[("SMTP_PASSWORD", PASSWORD)]);
    mail.send(&email("outbox-1-2", Some("<p>hi</p>")))
        .expect("sent over STARTTLS");
    let got = sink.messages();
    assert_eq!(got.len(), 1, "{}", sink.stderr());
    assert_eq!(got[0].tls, "starttls");
    assert_eq!(got[0].login.as_deref(), Some("desk"));
    assert_eq!(got[0].html.as_deref().map(str::trim_end), Some("<p>hi</p>"));
}

#[test]
fn implicit_tls_from_the_first_byte() {
    let ca = TestCa::new();
    let options = SinkOptions {
        security: SinkSecurity::Tls,
        auth: Some(("desk".into(), PASSWORD.into())),
        ..Default::default()
    };
    let Some(sink) = SmtpSink::start(options, Some(&ca)) else {
        return;
    };
    let config = smtp_config(
        sink.port,
        &format!(
            "security = \"tls\"\nusername = \"desk\"\npassword_env = \"SMTP_PASSWORD\"\nca_file = \"{}\"\n",
            ca.ca_cert.display()
        ),
    );
    let mail = mailer(&config, &[("SMTP_PASSWORD", PASSWORD)]);
    mail.send(&email("outbox-2-1", None))
        .expect("sent over TLS");
    let got = sink.messages();
    assert_eq!(got.len(), 1, "{}", sink.stderr());
    assert_eq!(got[0].tls, "tls");
    assert_eq!(got[0].login.as_deref(), Some("desk"));

    // A plain server spoken to with TLS: a mismatch a person must fix, not a retry. (The
    // other way round, the client waits for a greeting the TLS server never sends, and the
    // timeout says so after 20 s.)
    let Some(plain) = SmtpSink::start(SinkOptions::default(), None) else {
        return;
    };
    let config = smtp_config(
        plain.port,
        &format!(
            "security = \"tls\"\nca_file = \"{}\"\n",
            ca.ca_cert.display()
        ),
    );
    let failure = refused(mailer(&config, &[]).send(&email("outbox-2-2", None)));
    assert!(!failure.retry, "{failure:?}");
    assert!(
        failure.reason.starts_with(&format!(
            "TLS with the mail server at 127.0.0.1:{} failed (",
            plain.port
        )) && failure.reason.ends_with(&format!(
            "): check that port {} speaks security = \"tls\"",
            plain.port
        )),
        "{}",
        failure.reason
    );
    assert!(plain.messages().is_empty());
    assert_eq!(sink.messages().len(), 1);
}

#[test]
fn a_wrong_password_is_not_retried_and_never_repeated() {
    let ca = TestCa::new();
    let options = SinkOptions {
        security: SinkSecurity::Starttls,
        auth: Some(("desk".into(), PASSWORD.into())),
        ..Default::default()
    };
    let Some(sink) = SmtpSink::start(options, Some(&ca)) else {
        return;
    };
    let wrong = "wrong-horse-staple";
    let config = smtp_config(
        sink.port,
        &format!(
            "username = \"desk\"\npassword_env = \"SMTP_PASSWORD\"\nca_file = \"{}\"\n",
            ca.ca_cert.display()
        ),
    );
    let failure = refused(mailer(&config, &[("SMTP_PASSWORD", wrong)]).send(&email("k-1", None)));
    assert!(!failure.retry, "{failure:?}");
    assert_eq!(
        failure.reason,
        format!(
            "the mail server at 127.0.0.1:{} refused the login of desk: 535 5.7.8 Authentication credentials invalid",
            sink.port
        )
    );
    assert!(!failure.reason.contains(wrong));
    assert!(sink.messages().is_empty());
}

#[test]
fn nothing_listening_is_worth_a_retry() {
    let port = closed_port();
    let mail = mailer(&smtp_config(port, "security = \"none\"\n"), &[]);
    let failure = refused(mail.send(&email("k-1", None)));
    assert!(failure.retry, "{failure:?}");
    assert!(
        failure.reason.starts_with(&format!(
            "cannot reach the mail server at 127.0.0.1:{port}: "
        )),
        "{}",
        failure.reason
    );
}

#[test]
fn a_server_that_defers_then_accepts() {
    let options = SinkOptions {
        refuse_first: 1,
        ..Default::default()
    };
    let Some(sink) = SmtpSink::start(options, None) else {
        return;
    };
    let mail = mailer(&smtp_config(sink.port, "security = \"none\"\n"), &[]);
    let failure = refused(mail.send(&email("outbox-9-1", None)));
    assert!(failure.retry, "{failure:?}");
    assert!(
        failure.reason.contains("451") && failure.reason.contains(SINK_REFUSAL),
        "{}",
        failure.reason
    );
    assert!(sink.messages().is_empty());
    mail.send(&email("outbox-9-1", None))
        .expect("accepted the second time");
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].header("Message-ID"),
        Some("<ptclinic.outbox-9-1@riverside.example>")
    );
}

fn gateway(config: &str) -> Box<dyn Transport> {
    let transports = Machine::new(config, &[("SMS_TOKEN", TOKEN)])
        .transports()
        .unwrap_or_else(|e| panic!("transports: {}", e.message));
    assert!(transports.email.is_none(), "no [smtp], no mail server");
    let sms = transports.sms.expect("an SMS transport");
    assert_eq!(sms.channel(), Channel::Sms);
    sms
}

fn text(key: &str) -> Outgoing<'_> {
    Outgoing {
        channel: Channel::Sms,
        to: "+15555550123",
        subject: None,
        text: "Riverside PT: see you Mon 9:30 & bring shoes. Reply STOP to opt out.",
        html: None,
        idempotency_key: key,
    }
}

fn twilio_config(url: &str) -> String {
    format!(
        "[sms]\nurl = \"{url}\"\npreset = \"twilio\"\naccount = \"AC0123\"\ntoken_env = \"SMS_TOKEN\"\nfrom = \"+15555550100\"\n"
    )
}

#[test]
fn twilio_preset_posts_the_form_with_basic_auth_and_the_key() {
    let recorder = GatewayRecorder::start(vec![Reply::twilio_created("SM9f8e7d")]);
    let path = "/2010-04-01/Accounts/AC0123/Messages.json";
    let sms = gateway(&twilio_config(&recorder.url(path)));
    let sent = sms.send(&text("outbox-7-1")).expect("sent");
    assert_eq!(sent.provider_id.as_deref(), Some("SM9f8e7d"));

    let requests = recorder.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", path));
    assert_eq!(
        r.header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    // base64 of "AC0123:tok-3f9a2c"
    assert_eq!(
        r.header("Authorization"),
        Some("Basic QUMwMTIzOnRvay0zZjlhMmM=")
    );
    assert_eq!(r.header("Idempotency-Key"), Some("outbox-7-1"));
    assert_eq!(
        r.form(),
        [
            ("To".to_string(), "+15555550123".to_string()),
            ("From".to_string(), "+15555550100".to_string()),
            (
                "Body".to_string(),
                "Riverside PT: see you Mon 9:30 & bring shoes. Reply STOP to opt out.".to_string()
            ),
        ]
    );
}

#[test]
fn json_preset_posts_to_from_text_with_a_bearer_token() {
    let recorder = GatewayRecorder::start(vec![Reply::json(
        200,
        serde_json::json!({"id": "msg-77", "status": "accepted"}),
    )]);
    let sms = gateway(&format!(
        "[sms]\nurl = \"{}\"\npreset = \"json\"\ntoken_env = \"SMS_TOKEN\"\nfrom = \"Riverside\"\n",
        recorder.url("/v1/messages")
    ));
    let sent = sms.send(&text("outbox-8-1")).expect("sent");
    assert_eq!(sent.provider_id.as_deref(), Some("msg-77"));

    let r = &recorder.requests()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1/messages")
    );
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(
        r.header("Authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(r.header("Idempotency-Key"), Some("outbox-8-1"));
    assert_eq!(
        r.json(),
        serde_json::json!({
            "to": "+15555550123",
            "from": "Riverside",
            "text": "Riverside PT: see you Mon 9:30 & bring shoes. Reply STOP to opt out.",
        })
    );
}

#[test]
fn a_failing_gateway_is_retried_and_a_refusal_says_the_providers_reason() {
    let recorder = GatewayRecorder::start(vec![
        Reply::json(500, serde_json::json!({"message": "upstream hiccup"})),
        Reply::twilio_error(429, 20429, "Too Many Requests"),
        Reply::twilio_error(
            400,
            21211,
            "The 'To' number +1555555 is not a valid phone number.",
        ),
        Reply::twilio_created("SM1"),
    ]);
    let server = format!("127.0.0.1:{}", recorder.port);
    let sms = gateway(&twilio_config(&recorder.url("/Messages.json")));

    let failure = refused(sms.send(&text("k-1")));
    assert!(failure.retry);
    assert_eq!(
        failure.reason,
        format!("the text-message gateway at {server} answered 500: upstream hiccup")
    );
    let failure = refused(sms.send(&text("k-1")));
    assert!(failure.retry);
    assert!(failure.reason.contains("429"), "{}", failure.reason);
    let failure = refused(sms.send(&text("k-1")));
    assert!(!failure.retry);
    assert_eq!(
        failure.reason,
        format!(
            "the text-message gateway at {server} refused the message (400): The 'To' number +1555555 is not a valid phone number."
        )
    );
    assert!(!failure.reason.contains(TOKEN));
    assert_eq!(
        sms.send(&text("k-1")).expect("sent").provider_id.as_deref(),
        Some("SM1")
    );
    assert_eq!(recorder.requests().len(), 4);
}

#[test]
fn a_gateway_that_is_not_there_is_worth_a_retry() {
    let port = closed_port();
    let sms = gateway(&twilio_config(&format!(
        "http://127.0.0.1:{port}/Messages.json"
    )));
    let failure = refused(sms.send(&text("k-1")));
    assert!(failure.retry, "{failure:?}");
    assert!(
        failure.reason.starts_with(&format!(
            "cannot reach the text-message gateway at 127.0.0.1:{port}"
        )),
        "{}",
        failure.reason
    );
}

/// The sentence a config file gets, without the "config file PATH: " in front.
fn config_error(config: &str, env: &[(&str, &str)]) -> String {
    let machine = Machine::new(config, env);
    let err = match machine.transports() {
        Ok(_) => panic!("accepted: {config}"),
        Err(e) => e,
    };
    assert_eq!(err.exit_code(), 2, "{}", err.message);
    assert!(!err.message.contains('\n'), "one line: {}", err.message);
    let prefix = format!(
        "config file {}: ",
        machine.root.path().join("ptclinic/config.toml").display()
    );
    match err.message.strip_prefix(&prefix) {
        Some(rest) => rest.to_string(),
        None => err.message,
    }
}

#[test]
fn config_mistakes_are_one_sentence_each() {
    let from = "from = \"desk@riverside.example\"\n";
    assert_eq!(
        config_error(
            &format!("[smtp]\nhost = \"m\"\nsecurity = \"ssl\"\n{from}"),
            &[]
        ),
        "[smtp] security must be none, starttls or tls, not \"ssl\""
    );
    assert_eq!(
        config_error(&format!("[smtp]\nhost = \"m\"\nport = 99999\n{from}"), &[]),
        "[smtp] port must be between 1 and 65535, not 99999"
    );
    assert_eq!(
        config_error("[smtp]\nhost = \"m\"\nfrom = \"the front desk\"\n", &[]),
        "[smtp] from must be an email address like \"Riverside PT <desk@riverside.example>\", not \"the front desk\""
    );
    assert_eq!(
        config_error(&format!("[smtp]\n{from}"), &[]),
        "[smtp] needs host, for example host = \"smtp.example.com\""
    );
    let unknown = config_error(&format!("[smtp]\nhost = \"m\"\nhots = \"m\"\n{from}"), &[]);
    assert!(unknown.contains("hots"), "{unknown}");
    assert_eq!(
        config_error(
            "[sms]\nurl = \"https://g.example/send\"\npreset = \"nexmo\"\ntoken_env = \"T\"\nfrom = \"+15555550100\"\n",
            &[]
        ),
        "[sms] preset must be twilio or json, not \"nexmo\""
    );
    assert!(
        config_error(
            "[sms]\npreset = \"json\"\ntoken_env = \"T\"\nfrom = \"+15555550100\"\n",
            &[]
        )
        .starts_with("[sms] needs url, for example url = \"https://")
    );
    // The secrets are looked up when the transports are built.
    assert_eq!(
        config_error(
            &format!(
                "[smtp]\nhost = \"m\"\nusername = \"desk\"\npassword_env = \"SMTP_PASSWORD\"\n{from}"
            ),
            &[]
        ),
        "[smtp] password_env names SMTP_PASSWORD, which is not set in this environment"
    );
    assert_eq!(
        config_error(
            "[sms]\nurl = \"https://g.example/send\"\npreset = \"json\"\ntoken_env = \"SMS_TOKEN\"\nfrom = \"+15555550100\"\n",
            &[]
        ),
        "[sms] token_env names SMS_TOKEN, which is not set in this environment"
    );
    let missing_ca = config_error(
        &format!("[smtp]\nhost = \"m\"\nca_file = \"clinic-ca.pem\"\n{from}"),
        &[],
    );
    assert!(
        missing_ca.starts_with("cannot read [smtp] ca_file ")
            && missing_ca.contains("ptclinic/clinic-ca.pem"),
        "relative to the config folder: {missing_ca}"
    );
}

#[test]
fn no_sections_no_transports() {
    let transports = Machine::new("", &[])
        .transports()
        .expect("nothing to build");
    assert!(transports.email.is_none() && transports.sms.is_none());
    assert!(transports.for_channel(Channel::Email).is_none());
}
