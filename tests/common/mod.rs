//! What the integration tests share: a clinic in temp folders with a pinned environment, the
//! binary run from the command line, and the full-screen app in a pseudo-terminal.
#![allow(dead_code)] // each test crate uses its own part of this

pub mod fhir_r4;
pub mod gateway;
pub mod pg;
pub mod smtp;

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use serde_json::Value;
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_ptclinic");
pub const TODAY: &str = "2026-11-27";
pub const ROWS: u16 = 24;
pub const COLS: u16 = 80;

/// Temp folders for one test: config, data, home and the clinic database. On a server the
/// record is a throw-away PostgreSQL database the demo file was migrated to, and `db` holds its
/// address (`--db` takes either).
pub struct Clinic {
    pub root: TempDir,
    pub db: PathBuf,
    pub server: Option<pg::TestDb>,
}

impl Clinic {
    /// A default-size demo clinic built with the CLI.
    pub fn demo() -> Self {
        Self::demo_with(&[])
    }

    /// A demo clinic built with these `demo` options (`--patients 60`, ...). With
    /// `PTCLINIC_TEST_RECORD=server` it is moved to the test server before the test sees it:
    /// CI runs the suites that speak to the record only through ptclinic a second time so.
    pub fn demo_with(options: &[&str]) -> Self {
        let clinic = Self::demo_file(options);
        if std::env::var("PTCLINIC_TEST_RECORD").as_deref() != Ok("server") {
            return clinic;
        }
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let server = pg::TestDb::new(&format!("c{n}"))
            .expect("PTCLINIC_TEST_RECORD=server needs the test server");
        clinic.moved_to(server)
    }

    /// The same demo clinic moved to a throw-away database on the test server with
    /// `ptclinic migrate`, or None (with the line saying why) when no server is configured.
    pub fn demo_on_server(test: &str, options: &[&str]) -> Option<Self> {
        let server = pg::TestDb::new(test)?;
        Some(Self::demo_file(options).moved_to(server))
    }

    /// The demo clinic in its SQLite file.
    fn demo_file(options: &[&str]) -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        for sub in ["config", "data", "home"] {
            std::fs::create_dir(root.path().join(sub)).expect("sub dir");
        }
        let db = root.path().join("clinic.db");
        let clinic = Self {
            root,
            db,
            server: None,
        };
        let mut args = vec!["demo"];
        args.extend_from_slice(options);
        let out = clinic.cli(&args);
        assert!(
            out.status.success(),
            "demo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        clinic
    }

    /// This clinic's file moved to `server` with `ptclinic migrate`, and the file removed.
    fn moved_to(mut self, server: pg::TestDb) -> Self {
        let url = server.url();
        let out = self.cli(&["migrate", "--from", self.db_text(), "--to", &url]);
        assert!(
            out.status.success(),
            "migrate failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::remove_file(&self.db).expect("the migrated file");
        self.db = PathBuf::from(url);
        self.server = Some(server);
        self
    }

    pub fn is_server(&self) -> bool {
        self.server.is_some()
    }

    pub fn sub(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    pub fn db_text(&self) -> &str {
        self.db.to_str().expect("utf-8 path")
    }

    /// The pinned environment every run gets.
    pub fn env(&self) -> Vec<(String, String)> {
        let s = |p: PathBuf| p.to_string_lossy().into_owned();
        vec![
            ("XDG_CONFIG_HOME".into(), s(self.sub("config"))),
            ("XDG_DATA_HOME".into(), s(self.sub("data"))),
            ("HOME".into(), s(self.sub("home"))),
            ("PTCLINIC_TODAY".into(), TODAY.into()),
            ("RUST_BACKTRACE".into(), "0".into()),
        ]
        .into_iter()
        // The test server's password, for terminals started with a cleared environment.
        .chain(
            std::env::var("PGPASSWORD")
                .ok()
                .map(|p| ("PGPASSWORD".into(), p)),
        )
        .collect()
    }

    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        self.command(args).output().expect("run ptclinic")
    }

    /// The command `cli` runs, for a test that needs to change how it runs (its stdout, a
    /// umask, another user).
    pub fn command(&self, args: &[&str]) -> Command {
        self.command_of(BIN, args)
    }

    /// `program` (a wrapper such as `sh` or `setpriv`, given the binary among its arguments)
    /// with the pinned environment.
    pub fn command_of(&self, program: &str, args: &[&str]) -> Command {
        self.command_on(&self.db, program, args)
    }

    /// Like `command_of`, on another record than the clinic's own.
    pub fn command_on(&self, db: &std::path::Path, program: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .arg("--db")
            .arg(db)
            .env_remove("PTCLINIC_DB")
            .env_remove("PTCLINIC_USER")
            .env_remove("PTCLINIC_SITE")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        cmd
    }

    /// The username of one of this demo's therapists (see [`demo_therapist`]).
    pub fn therapist(&self) -> String {
        therapist_in(&self.staff_json())
    }

    /// The usernames of this demo's therapists, in `staff list` order.
    pub fn therapists(&self) -> Vec<String> {
        let staff: Vec<Value> = serde_json::from_str(&self.staff_json()).expect("staff JSON");
        staff
            .iter()
            .filter(|s| s["role"] == "therapist")
            .filter_map(|s| s["username"].as_str().map(str::to_string))
            .collect()
    }

    /// The username of the staff member with this full name (a visit's `therapist`).
    pub fn username_of(&self, name: &str) -> String {
        let staff: Vec<Value> = serde_json::from_str(&self.staff_json()).expect("staff JSON");
        staff
            .iter()
            .find(|s| s["name"] == name)
            .and_then(|s| s["username"].as_str())
            .unwrap_or_else(|| panic!("nobody called {name} on the staff"))
            .to_string()
    }

    fn staff_json(&self) -> String {
        let out = self.cli(&["staff", "list", "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn today(&self) -> Vec<Value> {
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

/// Runs `body` on a demo clinic (these `demo` options) in a SQLite file, then on the same clinic
/// moved to the test server: one test body, both backends. Without a server the second run says
/// so in one line and is skipped (CI always has one).
pub fn each_backend(test: &str, options: &[&str], body: impl Fn(&Clinic)) {
    body(&Clinic::demo_with(options));
    if let Some(clinic) = Clinic::demo_on_server(test, options) {
        body(&clinic);
    }
}

/// The app running in a pseudo-terminal, with a screen that follows its output.
pub struct Session {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    chunks: Receiver<Vec<u8>>,
    pub parser: vt100::Parser,
    /// Everything the app wrote, for checks on raw escape sequences.
    pub raw: Vec<u8>,
    // Kept open for the life of the session; also how the terminal is resized.
    master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Session {
    pub fn start(clinic: &Clinic, user: &str) -> Self {
        Self::start_with(clinic, user, &[], (ROWS, COLS))
    }

    /// Like [`Session::start`], with extra environment variables and another terminal size.
    pub fn start_with(
        clinic: &Clinic,
        user: &str,
        extra_env: &[(&str, &str)],
        (rows, cols): (u16, u16),
    ) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
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
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
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
            parser: vt100::Parser::new(size(rows), size(cols), 0),
            raw: Vec::new(),
            master: pty.master,
        }
    }

    /// Resizes the terminal, as a person dragging the window would.
    pub fn resize(&mut self, rows: u16, cols: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pty");
        let size = |n| NonZeroU16::new(n).expect("non-zero");
        self.parser.set_size(size(rows), size(cols));
    }

    /// Reads whatever the app has written within `wait`, without expecting anything.
    pub fn settle(&mut self, wait: Duration) {
        let deadline = Instant::now() + wait;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.chunks.recv_timeout(left) {
                Ok(chunk) => self.take(&chunk),
                Err(_) => break,
            }
        }
    }

    pub fn take(&mut self, chunk: &[u8]) {
        self.parser.process(chunk);
        self.raw.extend_from_slice(chunk);
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Feeds output into the screen until `done` holds, or fails after `limit`.
    pub fn wait_for(&mut self, what: &str, limit: Duration, done: impl Fn(&str) -> bool) {
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

    pub fn wait_for_text(&mut self, needle: &str) {
        let owned = needle.to_string();
        self.wait_for(&format!("{needle:?}"), Duration::from_secs(10), move |s| {
            s.contains(&owned)
        });
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
    }

    /// Waits for the app to exit (killing it after a timeout), then drains its last output.
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
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

/// A private home, config and data folder for one test, plus a work folder for databases.
pub struct EnvDirs {
    root: TempDir,
}

impl EnvDirs {
    pub fn new() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        for sub in ["config", "data", "home", "work"] {
            std::fs::create_dir(root.path().join(sub)).expect("sub dir");
        }
        Self { root }
    }

    pub fn sub(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// A path in the work folder (not created).
    pub fn path(&self, file: &str) -> PathBuf {
        self.sub("work").join(file)
    }

    /// Writes a file in the work folder and returns its path.
    pub fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).expect("write file");
        path
    }
}

/// The demo's admin and assistant: their usernames are the same in every demo (README, "The
/// demo's users"). A user not on the staff acts as the demo's front desk.
pub const DEMO_ADMIN: &str = "admin";
pub const DEMO_ASSISTANT: &str = "pta";

/// The username of a therapist of the demo record at `db` (the first `staff list` gives): the
/// `--user` of any clinical change a test makes there.
pub fn demo_therapist(env: &EnvDirs, db: &std::path::Path) -> String {
    let db = db.to_str().expect("utf-8 path");
    let out = ptclinic(env, &["staff", "list", "--json", "--db", db]);
    assert_code(&out, 0);
    therapist_in(&stdout(&out))
}

/// The first therapist's username in `staff list --json` output.
pub fn therapist_in(staff_json: &str) -> String {
    let staff: Vec<Value> = serde_json::from_str(staff_json).expect("staff list JSON");
    staff
        .iter()
        .find(|s| s["role"] == "therapist")
        .and_then(|s| s["username"].as_str())
        .expect("the demo has a therapist with a username")
        .to_string()
}

/// Runs the binary with a clean, pinned environment.
pub fn ptclinic(env: &EnvDirs, args: &[&str]) -> Output {
    ptclinic_with(env, args, &[])
}

/// Same as [`ptclinic`], with extra environment variables set last.
pub fn ptclinic_with(env: &EnvDirs, args: &[&str], extra: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(env.sub("work"))
        .env("XDG_CONFIG_HOME", env.sub("config"))
        .env("XDG_DATA_HOME", env.sub("data"))
        .env("HOME", env.sub("home"))
        .env("PTCLINIC_TODAY", TODAY)
        .env("RUST_BACKTRACE", "0")
        .env_remove("PTCLINIC_DB")
        .env_remove("PTCLINIC_USER")
        .env_remove("PTCLINIC_SITE")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.output().expect("run ptclinic")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
pub fn assert_code(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "expected exit {code}\nstdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
}

/// A small demo clinic (`patients` patients, two weeks back and one ahead) around the pinned
/// day, opened through the library: what the store-level tests start from.
pub fn small_demo_db(patients: u32) -> (TempDir, ptclinic::db::Db) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.db");
    let small = ptclinic::demo::DemoOptions {
        patients,
        weeks_back: 2,
        weeks_ahead: 1,
        ..ptclinic::demo::DemoOptions::default()
    };
    let today = chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    ptclinic::demo::build(&path, false, &small, today).unwrap();
    (dir, ptclinic::db::open_existing(&path).unwrap())
}
