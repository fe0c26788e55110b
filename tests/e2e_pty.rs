//! The front-desk flow end to end: the full-screen app in a pseudo-terminal, driven by keys,
//! checked on the screen and then through `schedule --json`.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use serde_json::Value;
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_ptclinic");
const TODAY: &str = "2026-11-27";
const ROWS: u16 = 24;
const COLS: u16 = 80;

/// Temp folders for one test: config, data, home and the clinic database.
struct Clinic {
    root: TempDir,
    db: PathBuf,
}

impl Clinic {
    /// A default-size demo clinic built with the CLI.
    fn demo() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        for sub in ["config", "data", "home"] {
            std::fs::create_dir(root.path().join(sub)).expect("sub dir");
        }
        let db = root.path().join("clinic.db");
        let clinic = Self { root, db };
        let out = clinic.cli(&["demo"]);
        assert!(
            out.status.success(),
            "demo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        clinic
    }

    fn sub(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn db_text(&self) -> &str {
        self.db.to_str().expect("utf-8 path")
    }

    /// The pinned environment every run gets.
    fn env(&self) -> Vec<(String, String)> {
        let s = |p: PathBuf| p.to_string_lossy().into_owned();
        vec![
            ("XDG_CONFIG_HOME".into(), s(self.sub("config"))),
            ("XDG_DATA_HOME".into(), s(self.sub("data"))),
            ("HOME".into(), s(self.sub("home"))),
            ("PTCLINIC_TODAY".into(), TODAY.into()),
            ("RUST_BACKTRACE".into(), "0".into()),
        ]
    }

    fn cli(&self, args: &[&str]) -> std::process::Output {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .arg("--db")
            .arg(&self.db)
            .env_remove("PTCLINIC_DB")
            .env_remove("PTCLINIC_USER")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        cmd.output().expect("run ptclinic")
    }

    fn today(&self) -> Vec<Value> {
        let out = self.cli(&["schedule", "--json", "--date", TODAY]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout)
            .expect("JSON")
            .as_array()
            .expect("array")
            .clone()
    }
}

/// The app running in a pseudo-terminal, with a screen that follows its output.
struct Session {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    chunks: Receiver<Vec<u8>>,
    parser: vt100::Parser,
    /// Everything the app wrote, for checks on raw escape sequences.
    raw: Vec<u8>,
    // Kept open for the life of the session.
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Session {
    fn start(clinic: &Clinic, user: &str) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args(["--db", clinic.db_text(), "--user", user]);
        cmd.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        for (k, v) in clinic.env() {
            cmd.env(k, v);
        }
        cmd.env("TERM", "xterm-256color");
        cmd.cwd(clinic.root.path());
        let child = pty
            .slave
            .spawn_command(cmd)
            .expect("spawn ptclinic in the pty");
        // Only the child holds the slave side now, so the reader ends when it exits.
        drop(pty.slave);

        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let (tx, chunks) = channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let size = |n| NonZeroU16::new(n).expect("non-zero");
        Self {
            child,
            writer,
            chunks,
            parser: vt100::Parser::new(size(ROWS), size(COLS), 0),
            raw: Vec::new(),
            _master: pty.master,
        }
    }

    fn take(&mut self, chunk: &[u8]) {
        self.parser.process(chunk);
        self.raw.extend_from_slice(chunk);
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Feeds output into the screen until `done` holds, or fails after `limit`.
    fn wait_for(&mut self, what: &str, limit: Duration, done: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + limit;
        loop {
            if done(&self.screen()) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let screen = self.screen();
                let _ = self.child.kill();
                panic!("timed out waiting for {what}; the screen was:\n{screen}");
            }
            match self
                .chunks
                .recv_timeout(left.min(Duration::from_millis(100)))
            {
                Ok(chunk) => self.take(&chunk),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    if done(&self.screen()) {
                        return;
                    }
                    let screen = self.screen();
                    let status = self.child.try_wait();
                    panic!(
                        "the app stopped ({status:?}) while waiting for {what}; the screen was:\n{screen}"
                    );
                }
            }
        }
    }

    fn wait_for_text(&mut self, needle: &str) {
        let owned = needle.to_string();
        self.wait_for(&format!("{needle:?}"), Duration::from_secs(10), move |s| {
            s.contains(&owned)
        });
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
    }

    /// Waits for the app to exit (killing it after a timeout), then drains its last output.
    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            while let Ok(chunk) = self.chunks.try_recv() {
                self.take(&chunk);
            }
            match self.child.try_wait().expect("try_wait") {
                Some(status) => break status,
                None if Instant::now() >= deadline => {
                    let _ = self.child.kill();
                    let screen = self.screen();
                    panic!("the app did not exit within 10 s; the screen was:\n{screen}");
                }
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        // The last bytes written before exiting may still be in the pty.
        let drain = Instant::now() + Duration::from_secs(3);
        while Instant::now() < drain {
            match self.chunks.recv_timeout(Duration::from_millis(100)) {
                Ok(chunk) => self.take(&chunk),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
        status
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

/// A patient with exactly one visit today and a name nobody else has today.
struct Pick {
    id: i64,
    name: String,
    mrn: String,
}

fn single_visit_patients(visits: &[Value]) -> Vec<Pick> {
    let named = |n: &str| visits.iter().filter(|v| v["patient"] == n).count();
    visits
        .iter()
        .filter(|v| named(v["patient"].as_str().unwrap()) == 1)
        .filter(|v| v["status"] == "scheduled")
        .map(|v| Pick {
            id: v["id"].as_i64().unwrap(),
            name: v["patient"].as_str().unwrap().to_string(),
            mrn: v["mrn"].as_str().unwrap().to_string(),
        })
        .collect()
}

/// True when the app's own ranking puts `pick` strictly first for `query` among today's visits.
fn wins_outright(visits: &[Value], query: &str, pick: &Pick) -> bool {
    let matcher = ptclinic::search::Matcher::default();
    let people: Vec<(&str, &str)> = visits
        .iter()
        .map(|v| (v["patient"].as_str().unwrap(), v["mrn"].as_str().unwrap()))
        .collect();
    let hits = ptclinic::search::rank_people(&matcher, query, people.iter().copied());
    match hits.as_slice() {
        [first, rest @ ..] => {
            visits[first.index]["id"].as_i64() == Some(pick.id)
                && rest.first().is_none_or(|second| second.score < first.score)
        }
        [] => false,
    }
}

/// A patient and a name query (their last name, else "first last") that picks them out.
fn pick_by_name(visits: &[Value]) -> (Pick, String) {
    for pick in single_visit_patients(visits) {
        let last = pick.name.split_whitespace().last().unwrap().to_string();
        for query in [last, pick.name.clone()] {
            if wins_outright(visits, &query, &pick) {
                return (pick, query);
            }
        }
    }
    panic!("no patient today is picked out by their name");
}

/// Asserts that only `id` is checked in today and everything else is still scheduled.
#[track_caller]
fn assert_only_checked_in(visits: &[Value], id: Option<i64>) {
    for v in visits {
        let expected = if Some(v["id"].as_i64().unwrap()) == id {
            "checked_in"
        } else {
            "scheduled"
        };
        assert_eq!(v["status"], expected, "{v}");
    }
}

fn assert_exited_cleanly(status: &portable_pty::ExitStatus, session: &Session) {
    assert!(
        status.success(),
        "exit status {status:?}; the screen was:\n{}",
        session.screen()
    );
}

#[test]
fn front_desk_checks_a_patient_in_by_name() {
    let clinic = Clinic::demo();
    let before = clinic.today();
    assert!(before.len() > 10, "a full day: {}", before.len());
    assert_only_checked_in(&before, None);
    let (pick, query) = pick_by_name(&before);

    let mut s = Session::start(&clinic, "frontdesk1");
    s.wait_for_text("booked");
    s.send("/");
    s.wait_for_text("Find:");
    s.send(&query);
    s.send("\r");
    s.send("c");
    s.wait_for_text(&format!("{}: checked in", pick.name));
    s.send("q");
    let status = s.wait_exit();
    assert_exited_cleanly(&status, &s);

    let after = clinic.today();
    assert_eq!(after.len(), before.len());
    assert_only_checked_in(&after, Some(pick.id));
    let v = after
        .iter()
        .find(|v| v["id"].as_i64() == Some(pick.id))
        .unwrap();
    assert!(
        v["checked_in_at"].as_str().unwrap().starts_with(TODAY),
        "{v}"
    );

    let conn = rusqlite::Connection::open(&clinic.db).unwrap();
    let (action, user): (String, String) = conn
        .query_row(
            "SELECT action, user FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (action.as_str(), user.as_str()),
        ("appointment.status", "frontdesk1")
    );
}

#[test]
fn front_desk_checks_a_patient_in_by_mrn() {
    let clinic = Clinic::demo();
    let before = clinic.today();
    // Any patient with a single visit today; the MRN wins over every name.
    let pick = single_visit_patients(&before)
        .into_iter()
        .nth(3)
        .expect("a few patients with one visit today");
    assert!(wins_outright(&before, &pick.mrn, &pick));

    let mut s = Session::start(&clinic, "frontdesk1");
    s.wait_for_text("booked");
    s.send("/");
    s.send(&pick.mrn);
    s.send("\r");
    s.send("c");
    s.wait_for_text(&format!("{}: checked in", pick.name));
    s.send("q");
    let status = s.wait_exit();
    assert_exited_cleanly(&status, &s);
    assert_only_checked_in(&clinic.today(), Some(pick.id));
}

#[test]
fn undo_puts_the_visit_back_to_scheduled() {
    let clinic = Clinic::demo();
    let before = clinic.today();
    let (pick, query) = pick_by_name(&before);

    let mut s = Session::start(&clinic, "frontdesk1");
    s.wait_for_text("booked");
    s.send("/");
    s.wait_for_text("Find:");
    s.send(&query);
    s.send("\r");
    s.send("c");
    s.wait_for_text(&format!("{}: checked in", pick.name));
    s.send("u");
    s.wait_for_text(&format!("undone: {} is", pick.name));
    s.send("q");
    let status = s.wait_exit();
    assert_exited_cleanly(&status, &s);

    let after = clinic.today();
    assert_only_checked_in(&after, None);
    let v = after
        .iter()
        .find(|v| v["id"].as_i64() == Some(pick.id))
        .unwrap();
    assert!(v["checked_in_at"].is_null(), "{v}");
}

#[test]
fn quitting_restores_the_terminal() {
    let clinic = Clinic::demo();
    let before = clinic.today();

    let mut s = Session::start(&clinic, "frontdesk1");
    s.wait_for_text("booked");
    assert!(
        s.parser.screen().alternate_screen(),
        "the app draws on the alternate screen"
    );
    s.send("q");
    let status = s.wait_exit();
    assert_exited_cleanly(&status, &s);

    let raw = String::from_utf8_lossy(&s.raw).into_owned();
    let entered = raw
        .find("\x1b[?1049h")
        .expect("entered the alternate screen");
    let left = raw.rfind("\x1b[?1049l").expect("left the alternate screen");
    assert!(left > entered, "left after entering");
    assert!(
        !raw[left..].contains("\x1b[?1049h"),
        "not re-entered after leaving"
    );
    let shown = raw.rfind("\x1b[?25h").expect("cursor shown again");
    assert!(
        shown > raw.rfind("\x1b[?25l").unwrap_or(0),
        "the cursor is visible at the end"
    );
    assert!(
        !s.parser.screen().alternate_screen(),
        "back on the main screen"
    );
    assert!(!s.parser.screen().hide_cursor(), "cursor visible");

    // Just looking changes nothing.
    assert_eq!(clinic.today(), before);
}

#[test]
fn the_app_starts_on_the_pinned_day() {
    let clinic = Clinic::demo();
    let n = clinic.today().len();
    let mut s = Session::start(&clinic, "frontdesk1");
    s.wait_for_text("booked");
    s.wait_for_text("Fri 27 Nov 2026");
    s.wait_for_text(&format!("booked {n}"));
    s.send("q");
    let status = s.wait_exit();
    assert_exited_cleanly(&status, &s);
}
