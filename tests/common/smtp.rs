//! A real SMTP server for the tests: tests/support/smtp_sink.py (Debian's python3-aiosmtpd) on
//! loopback, started per test, with every accepted message read back as JSON; and a throwaway
//! certificate authority for its STARTTLS and TLS.
//!
//! Without python3-aiosmtpd, `SmtpSink::start` says `skipped here: …` and returns `None`, and
//! the test returns; under CI (`CI` set), where .ci/run installs it, that is a failure instead.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tempfile::TempDir;

/// Debian's interpreter, where python3-aiosmtpd installs; a `python3` earlier on PATH (pyenv,
/// a virtualenv) would not have it.
pub const PYTHON: &str = "/usr/bin/python3";

pub const SKIP_WITHOUT_AIOSMTPD: &str =
    "skipped here: needs Debian's python3-aiosmtpd; CI installs it";

/// How the sink speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SinkSecurity {
    #[default]
    Plain,
    /// Offers STARTTLS and refuses mail before it.
    Starttls,
    /// TLS from the first byte.
    Tls,
}

#[derive(Debug, Clone, Default)]
pub struct SinkOptions {
    pub security: SinkSecurity,
    /// The one login it accepts (user, password); `None`: no login.
    pub auth: Option<(String, String)>,
    /// Answer the first N messages with `451 4.3.0 Mailbox busy, try again later`.
    pub refuse_first: usize,
}

/// The text of the sink's 451 refusal, for tests that check the server's reply reaches the
/// failure.
pub const SINK_REFUSAL: &str = "Mailbox busy, try again later";

/// One message the sink accepted.
#[derive(Debug, Clone, Deserialize)]
pub struct ReceivedMail {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// "none", "starttls" or "tls": how the session that carried it was protected.
    pub tls: String,
    /// The login the session used, if any.
    pub login: Option<String>,
    /// Decoded and unfolded, in order.
    pub headers: Vec<(String, String)>,
    /// The text/plain part, decoded, with `\n` line ends.
    pub text: Option<String>,
    /// The text/html part, decoded, with `\n` line ends.
    pub html: Option<String>,
    /// The message as it came over the wire.
    pub raw: String,
}

impl ReceivedMail {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct SmtpSink {
    pub port: u16,
    child: Child,
    /// Held open: the sink exits when it closes, so a killed test leaves no server behind.
    _stdin: ChildStdin,
    dir: TempDir,
}

impl SmtpSink {
    /// Whether Debian's python3-aiosmtpd is there.
    pub fn available() -> bool {
        Command::new(PYTHON)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Starts a sink, or says why not and returns `None` (a failure under CI). `ca` gives the
    /// certificate for STARTTLS and TLS.
    pub fn start(options: SinkOptions, ca: Option<&TestCa>) -> Option<SmtpSink> {
        if !Self::available() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must have python3-aiosmtpd for {PYTHON} (.ci/run installs it)"
            );
            println!("{SKIP_WITHOUT_AIOSMTPD}");
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("mail");
        std::fs::create_dir(&out).expect("mail dir");
        let port_file = dir.path().join("port");
        let stderr = std::fs::File::create(dir.path().join("stderr")).expect("stderr file");
        let mut command = Command::new(PYTHON);
        command
            .arg(script())
            .arg("--port-file")
            .arg(&port_file)
            .arg("--out")
            .arg(&out)
            .arg("--refuse-first")
            .arg(options.refuse_first.to_string());
        if let Some((user, password)) = &options.auth {
            command.arg("--auth").arg(format!("{user}:{password}"));
        }
        let tls_flag = match options.security {
            SinkSecurity::Plain => None,
            SinkSecurity::Starttls => Some("--starttls"),
            SinkSecurity::Tls => Some("--tls"),
        };
        if let Some(flag) = tls_flag {
            let ca = ca.expect("a TestCa for a sink with TLS");
            command.arg(flag).arg(&ca.server_cert).arg(&ca.server_key);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("start the SMTP sink");
        let stdin = child.stdin.take().expect("sink stdin");
        let mut sink = SmtpSink {
            port: 0,
            child,
            _stdin: stdin,
            dir,
        };
        sink.port = sink.wait_for_port(&port_file);
        Some(sink)
    }

    fn wait_for_port(&mut self, port_file: &Path) -> u16 {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(port) = std::fs::read_to_string(port_file)
                .ok()
                .and_then(|t| t.trim().parse().ok())
            {
                return port;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the SMTP sink exited ({status}): {}", self.stderr());
            }
            assert!(
                Instant::now() < deadline,
                "the SMTP sink did not start within 20 s: {}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the sink wrote to stderr (a Python traceback, when it failed).
    pub fn stderr(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(self.dir.path().join("stderr")) {
            let _ = f.read_to_string(&mut text);
        }
        text
    }

    /// Every message accepted so far, in the order they arrived.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("mail"))
            .expect("mail dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).expect("read message");
                serde_json::from_str(&text).expect("the sink's JSON")
            })
            .collect()
    }

    /// Waits until at least `count` messages are in (a sender in another process may still be
    /// talking), and returns them all.
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count || Instant::now() >= deadline {
                return messages;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py")
}

/// A port on loopback that nothing listens on (bound, read, released).
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A certificate authority made for one test, and a server certificate it signed for
/// 127.0.0.1 and localhost: what a clinic's in-house mail server with its own CA looks like.
pub struct TestCa {
    pub dir: TempDir,
    /// The CA's certificate: what `[smtp] ca_file` names.
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

impl TestCa {
    pub fn new() -> TestCa {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
        };
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "ptclinic test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate().expect("ca key");
        let ca_cert = ca_params.self_signed(&ca_key).expect("ca cert");
        let issuer = Issuer::new(ca_params, ca_key);

        let mut server_params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .expect("server params");
        server_params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let server_key = KeyPair::generate().expect("server key");
        let server_cert = server_params
            .signed_by(&server_key, &issuer)
            .expect("server cert");

        let dir = tempfile::tempdir().expect("temp dir");
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write pem");
            path
        };
        TestCa {
            ca_cert: write("ca.pem", &ca_cert.pem()),
            server_cert: write("server.pem", &server_cert.pem()),
            server_key: write("server-key.pem", &server_key.serialize_pem()),
            dir,
        }
    }
}
