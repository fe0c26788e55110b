//! Where a PostgreSQL record is: the `postgres://` address as libpq spells it, with `sslmode`
//! and `sslrootcert` read here (the driver knows only three of libpq's six modes), and the
//! password looked up as libpq does — the address itself (the terminal's own config file),
//! `PGPASSWORD`, then `~/.pgpass` — never from the record, and never shown.

use std::path::{Path, PathBuf};

use crate::error::{AppError, AppResult};

/// libpq's `sslmode`s, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(text: &str) -> AppResult<SslMode> {
        Ok(match text {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(AppError::input(format!(
                    "sslmode \"{}\" is not one of disable, allow, prefer, require, verify-ca, verify-full",
                    crate::sanitize::clean_echo(other)
                )));
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// Whether the server's certificate must chain to a trusted root.
    pub fn verifies(self) -> bool {
        matches!(self, SslMode::VerifyCa | SslMode::VerifyFull)
    }
}

/// Where the trusted roots for `verify-ca`/`verify-full` come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// A PEM file (`sslrootcert=FILE`, else libpq's `~/.postgresql/root.crt`).
    File(PathBuf),
    /// `sslrootcert=system`: the public web's roots.
    System,
}

/// A parsed `postgres://` address.
#[derive(Clone)]
pub struct Target {
    pub config: postgres::Config,
    pub ssl: SslMode,
    pub roots: Option<Roots>,
    /// The address without its password, for messages.
    shown: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// Whether `text` names a PostgreSQL server rather than a file.
pub fn is_server_address(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// What the environment gives: `PGPASSWORD`, `PGPASSFILE`, `HOME`.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

impl Target {
    /// Reads `address` (`postgres://user@host:port/dbname?sslmode=…`).
    pub fn parse(address: &str, env: Env) -> AppResult<Target> {
        if !is_server_address(address) {
            return Err(AppError::input(
                "a PostgreSQL address starts with postgres:// or postgresql://",
            ));
        }
        let (base, query) = address.split_once('?').unwrap_or((address, ""));
        let mut ssl = SslMode::Prefer;
        let mut rootcert: Option<String> = None;
        let mut passed = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => ssl = SslMode::parse(value)?,
                "sslrootcert" => rootcert = Some(value.to_string()),
                "password" => {
                    return Err(AppError::input(
                        "put the password in PGPASSWORD or ~/.pgpass, not in the address's query",
                    ));
                }
                _ => passed.push(pair),
            }
        }
        let rebuilt = if passed.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", passed.join("&"))
        };
        let mut config: postgres::Config = rebuilt.parse().map_err(|e: postgres::Error| {
            AppError::input(format!(
                "{} is not a PostgreSQL address ({})",
                shown_without_password(base),
                crate::sanitize::clean_echo(&e.to_string())
            ))
        })?;
        if config.get_user().is_none() {
            return Err(AppError::input(format!(
                "say who connects: postgres://USER@host/dbname (got {})",
                shown_without_password(base)
            )));
        }
        if config.get_dbname().is_none() {
            return Err(AppError::input(format!(
                "say which database: postgres://user@host/DBNAME (got {})",
                shown_without_password(base)
            )));
        }
        config.ssl_mode(match ssl {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Allow | SslMode::Prefer => postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                postgres::config::SslMode::Require
            }
        });
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        config.application_name("ptclinic");
        if config.get_password().is_none()
            && let Some(password) = password_for(&config, env)
        {
            config.password(password);
        }
        let roots = match rootcert.as_deref() {
            Some("system") => Some(Roots::System),
            Some(file) => Some(Roots::File(PathBuf::from(file))),
            None => env("HOME")
                .map(|home| Path::new(&home).join(".postgresql/root.crt"))
                .filter(|p| p.is_file())
                .map(Roots::File),
        };
        Ok(Target {
            config,
            ssl,
            roots,
            shown: shown_without_password(base),
        })
    }

    /// The address as messages show it: no password, no query.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The first host named (an address may list several; the driver tries them in turn).
    pub fn host(&self) -> String {
        match self.config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        }
    }

    pub fn port(&self) -> u16 {
        self.config.get_ports().first().copied().unwrap_or(5432)
    }
}

/// `postgres://user:secret@host/db` as `postgres://user@host/db`.
fn shown_without_password(base: &str) -> String {
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let rest = match rest.rsplit_once('@') {
        Some((user_part, host_part)) => {
            let user = user_part.split(':').next().unwrap_or("");
            format!("{user}@{host_part}")
        }
        None => rest.to_string(),
    };
    crate::sanitize::clean_echo(&format!("{scheme}://{rest}"))
}

/// The password as libpq finds it after the address: `PGPASSWORD`, then the password file
/// (`PGPASSFILE`, else `~/.pgpass`), which is read only when no one else may read it.
fn password_for(config: &postgres::Config, env: Env) -> Option<String> {
    if let Some(p) = env("PGPASSWORD").filter(|p| !p.is_empty()) {
        return Some(p);
    }
    let file = env("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".pgpass")))?;
    if !crate::files::is_private(&file) {
        return None;
    }
    let text = std::fs::read_to_string(&file).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(_)) | None => "localhost".into(),
        #[cfg(not(unix))]
        None => "localhost".into(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let db = config.get_dbname().unwrap_or_default();
    let user = config.get_user().unwrap_or_default();
    pgpass_lookup(&text, [&host, &port, db, user])
}

/// The first line of a `.pgpass` file matching `host:port:database:user` (`*` matches
/// anything; `\:` and `\\` are a colon and a backslash).
fn pgpass_lookup(text: &str, wanted: [&str; 4]) -> Option<String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .find_map(|line| {
            let fields = pgpass_fields(line);
            if fields.len() != 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field == "*" || field == want);
            matches.then(|| fields[4].clone())
        })
}

fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next()
                    && let Some(last) = fields.last_mut()
                {
                    last.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(last) = fields.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn an_address_keeps_libpq_s_ssl_modes_and_never_shows_the_password() {
        let t = Target::parse(
            "postgresql://desk:s3cret@db.clinic.lan:6432/ptclinic?sslmode=verify-full&sslrootcert=/etc/ca.pem",
            &no_env,
        )
        .unwrap();
        assert_eq!(t.ssl, SslMode::VerifyFull);
        assert_eq!(t.roots, Some(Roots::File("/etc/ca.pem".into())));
        assert_eq!(t.shown(), "postgresql://desk@db.clinic.lan:6432/ptclinic");
        assert!(!format!("{t:?}").contains("s3cret"));
        assert_eq!(t.host(), "db.clinic.lan");
        assert_eq!(t.port(), 6432);
        assert_eq!(t.config.get_password(), Some(&b"s3cret"[..]));
    }

    #[test]
    fn bad_addresses_get_one_sentence() {
        for (address, says) in [
            ("postgres://u@h/db?sslmode=strict", "not one of"),
            ("postgres://h/db", "say who connects"),
            ("postgres://u@h", "say which database"),
            ("postgres://u@h/db?password=x", "PGPASSWORD"),
            ("mysql://u@h/db", "starts with postgres://"),
        ] {
            let e = Target::parse(address, &no_env).unwrap_err().to_string();
            assert!(e.contains(says), "{address}: {e}");
            assert!(!e.contains('\n'));
        }
    }

    #[test]
    fn the_password_comes_from_pgpassword_before_the_password_file() {
        let env = |k: &str| (k == "PGPASSWORD").then(|| "from-env".to_string());
        let t = Target::parse("postgres://u@h/db", &env).unwrap();
        assert_eq!(t.config.get_password(), Some(&b"from-env"[..]));
    }

    #[test]
    fn a_pgpass_line_matches_with_wildcards_and_escapes() {
        let file = "# comment\nother:5432:*:u:nope\nh:5432:db:u:pa\\:ss\n*:*:*:*:fallback\n";
        assert_eq!(
            pgpass_lookup(file, ["h", "5432", "db", "u"]).as_deref(),
            Some("pa:ss")
        );
        assert_eq!(
            pgpass_lookup(file, ["x", "1", "y", "z"]).as_deref(),
            Some("fallback")
        );
        assert_eq!(
            pgpass_lookup("h:5432:db:u\n", ["h", "5432", "db", "u"]),
            None
        );
    }
}
