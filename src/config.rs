//! Where the clinic record is, who is using it, and what day it is: command-line flags first,
//! then environment variables, then `$XDG_CONFIG_HOME/ptclinic/config.toml`, then defaults.

pub mod transports;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::clock::Clock;
use crate::error::{AppError, AppResult};

/// The settings file. Unknown keys are refused so that a typo does not silently do nothing.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub db: Option<PathBuf>,
    pub user: Option<String>,
    /// The site this terminal is at (in a clinic group): the schedule shows it, and a visit
    /// booked here is booked there.
    pub site: Option<String>,
    pub theme: Option<String>,
    /// Where backups go; with it set, the first terminal started on a day makes that day's.
    pub backup_dir: Option<PathBuf>,
    /// How many backups to keep (default 30).
    pub backup_keep: Option<usize>,
    /// How "your patient has arrived" reaches you: desktop, terminal or off.
    pub notify: Option<Notify>,
    /// Minutes without a key before the screen locks (0: never).
    pub idle_lock_minutes: Option<u32>,
    /// ASCII symbols only, for fonts without block and arrow characters.
    pub ascii: Option<bool>,
    /// How timed minutes become units: "medicare" (the 8-minute rule over the day's total,
    /// the default) or "ama" (the AMA rule of eights, each code on its own).
    pub billing_rule: Option<crate::domain::billing::BillingRule>,
    /// Rebinding: action name = "key" or ["key", …].
    pub keys: Option<std::collections::BTreeMap<String, KeyList>>,
    /// Partial theme override: role = { fg = "…", bg = "…", bold = true, … }.
    pub colors: Option<toml::Table>,
    /// This machine's mail server, for the outbox's email.
    pub smtp: Option<crate::config::transports::SmtpFile>,
    /// This machine's text-message gateway, for the outbox's texts.
    pub sms: Option<crate::config::transports::SmsFile>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            KeyList::One(k) => vec![k.as_str()],
            KeyList::Many(ks) => ks.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Notify {
    /// A desktop notification where a session bus exists, else the terminal's.
    #[default]
    Desktop,
    /// The terminal's own notification (OSC 777/9) or its bell.
    Terminal,
    Off,
}

/// Which database the app opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbChoice {
    /// A clinic record named by the user (flag, environment or config).
    Named(PathBuf),
    /// Nothing configured: the built-in demo clinic, created on first use.
    Demo(PathBuf),
}

impl DbChoice {
    pub fn path(&self) -> &Path {
        match self {
            DbChoice::Named(p) | DbChoice::Demo(p) => p,
        }
    }

    pub fn is_demo(&self) -> bool {
        matches!(self, DbChoice::Demo(_))
    }
}

/// Values given on the command line, before resolution.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub db: Option<PathBuf>,
    pub user: Option<String>,
    pub site: Option<String>,
    pub theme: Option<String>,
    pub idle_lock_minutes: Option<u32>,
    pub ascii: bool,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub db: DbChoice,
    pub user: String,
    /// The site named for this terminal or command (`--site`, PTCLINIC_SITE, `site` in the
    /// config), if any: the record's sites say what it means (`domain::sites::Sites::pick`).
    pub site: Option<String>,
    pub theme: String,
    pub clock: Clock,
    pub config_path: Option<PathBuf>,
    /// Configured backup folder (the `backup` command falls back to the data folder).
    pub backup_dir: Option<PathBuf>,
    pub backup_keep: usize,
    pub notify: Notify,
    /// Where backups go when no folder is configured.
    pub default_backup_dir: PathBuf,
    pub idle_lock_minutes: u32,
    pub ascii: bool,
    /// The payer rule the note editor and `report billing` count units by.
    pub billing_rule: crate::domain::billing::BillingRule,
    pub keys: Vec<(String, Vec<String>)>,
    pub colors: toml::Table,
    /// How this machine sends the outbox's messages (never from the shared record).
    pub transports: crate::config::transports::TransportSettings,
}

impl Settings {
    pub fn backup_dir(&self) -> PathBuf {
        self.backup_dir
            .clone()
            .unwrap_or_else(|| self.default_backup_dir.clone())
    }
}

/// The process environment, behind a function so resolution can be tested without touching it.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

pub fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

fn home(env: EnvLookup) -> PathBuf {
    env("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

pub fn config_dir(env: EnvLookup) -> PathBuf {
    env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home(env).join(".config"))
        .join("ptclinic")
}

pub fn data_dir(env: EnvLookup) -> PathBuf {
    env("XDG_DATA_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home(env).join(".local/share"))
        .join("ptclinic")
}

pub fn demo_path(env: EnvLookup) -> PathBuf {
    data_dir(env).join("demo.db")
}

fn load_file_config(path: &Path) -> AppResult<FileConfig> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).map_err(|e| {
            let reason = e
                .message()
                .lines()
                .next()
                .unwrap_or("not valid TOML")
                .to_string();
            AppError::input(format!(
                "config file {}: {reason}",
                crate::sanitize::path_for_message(path)
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileConfig::default()),
        Err(e) => Err(AppError::input(format!(
            "cannot read config file {}: {e}",
            crate::sanitize::path_for_message(path)
        ))),
    }
}

/// A date typed on the command line or in the environment: a real day in the clinic's years.
pub fn parse_day(text: &str, what: &str) -> AppResult<NaiveDate> {
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::input(format!(
            "{what} must be a real date like 2026-11-27, not \"{}\"",
            crate::sanitize::clean_echo(text)
        ))
    })?;
    if !crate::domain::in_clinic_years(day) {
        return Err(AppError::input(format!(
            "{what} {day} is outside the years {}",
            crate::domain::clinic_years()
        )));
    }
    Ok(day)
}

/// A date option as people type it (`2026-12-08`, `12/8`, `8 dec`, `tomorrow`, `+7`, `mon`;
/// see `domain::when`), read from `today`.
pub fn parse_typed_day(text: &str, what: &str, today: NaiveDate) -> AppResult<NaiveDate> {
    use crate::domain::when::{DATE_FORMS, DateProblem, read_typed_date};
    read_typed_date(text, today).map_err(|e| {
        AppError::input(match e {
            DateProblem::NotADate(typed) => {
                format!("{what} must be a real date like {DATE_FORMS}, not \"{typed}\"")
            }
            DateProblem::OutsideYears(day) => {
                format!(
                    "{what} {day} is outside the years {}",
                    crate::domain::clinic_years()
                )
            }
        })
    })
}

pub fn resolve(cli: &Overrides, env: EnvLookup) -> AppResult<Settings> {
    let config_path = config_dir(env).join("config.toml");
    let file = load_file_config(&config_path)?;

    let db = if let Some(p) = cli.db.clone() {
        DbChoice::Named(p)
    } else if let Some(p) = env("PTCLINIC_DB") {
        DbChoice::Named(PathBuf::from(p))
    } else if let Some(p) = file.db.clone() {
        DbChoice::Named(p)
    } else {
        DbChoice::Demo(demo_path(env))
    };

    // The first source that says something decides: a bad --user is refused, not passed over
    // for the login name, since every audit row the run writes carries it.
    let named = [
        ("--user", cli.user.clone()),
        ("PTCLINIC_USER", env("PTCLINIC_USER")),
        ("user in the config file", file.user.clone()),
        ("$USER", env("USER")),
        ("$LOGNAME", env("LOGNAME")),
    ]
    .into_iter()
    .find_map(|(what, value)| value.map(|v| (what, v)));
    let user = match named {
        Some((what, value)) => crate::domain::staff::checked_identity(what, &value)
            .map_err(AppError::input)?
            .to_string(),
        None => "unknown".to_string(),
    };

    let site = cli
        .site
        .clone()
        .or_else(|| env("PTCLINIC_SITE"))
        .or_else(|| file.site.clone())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());

    let theme = cli
        .theme
        .clone()
        .or_else(|| file.theme.clone())
        .unwrap_or_else(|| "default".to_string());

    let clock = match env("PTCLINIC_TODAY") {
        Some(day) => Clock::fixed(parse_day(&day, "PTCLINIC_TODAY")?),
        None => Clock::system(),
    };

    let transports = crate::config::transports::TransportSettings::from_file(
        file.smtp.as_ref(),
        file.sms.as_ref(),
        &config_dir(env),
    )
    .map_err(|e| {
        AppError::input(format!(
            "config file {}: {}",
            crate::sanitize::path_for_message(&config_path),
            e.message
        ))
    })?;

    Ok(Settings {
        db,
        user,
        site,
        theme,
        clock,
        config_path: config_path.exists().then_some(config_path),
        backup_dir: file.backup_dir.clone(),
        backup_keep: file.backup_keep.unwrap_or(30),
        notify: file.notify.unwrap_or_default(),
        default_backup_dir: data_dir(env).join("backups"),
        idle_lock_minutes: cli
            .idle_lock_minutes
            .or(file.idle_lock_minutes)
            .unwrap_or(10),
        ascii: cli.ascii || file.ascii.unwrap_or(false),
        billing_rule: file.billing_rule.unwrap_or_default(),
        keys: file
            .keys
            .iter()
            .flatten()
            .map(|(action, keys)| {
                (
                    action.clone(),
                    keys.keys().iter().map(|k| k.to_string()).collect(),
                )
            })
            .collect(),
        colors: file.colors.clone().unwrap_or_default(),
        transports,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn flag_beats_env_beats_config_and_demo_is_the_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("ptclinic");
        std::fs::create_dir_all(&cfg).unwrap();
        std::fs::write(
            cfg.join("config.toml"),
            "db = \"/cfg.db\"\nuser = \"cfguser\"\n",
        )
        .unwrap();
        let xdg = dir.path().to_str().unwrap();

        let env = env_of(&[
            ("XDG_CONFIG_HOME", xdg),
            ("PTCLINIC_DB", "/env.db"),
            ("USER", "sys"),
        ]);
        let cli = Overrides {
            db: Some("/flag.db".into()),
            ..Default::default()
        };
        assert_eq!(
            resolve(&cli, &env).unwrap().db,
            DbChoice::Named("/flag.db".into())
        );
        let s = resolve(&Overrides::default(), &env).unwrap();
        assert_eq!(s.db, DbChoice::Named("/env.db".into()));
        assert_eq!(s.user, "cfguser");

        let env = env_of(&[("XDG_CONFIG_HOME", xdg), ("USER", "sys")]);
        assert_eq!(
            resolve(&Overrides::default(), &env).unwrap().db,
            DbChoice::Named("/cfg.db".into())
        );

        let env = env_of(&[
            ("XDG_CONFIG_HOME", "/nonexistent"),
            ("XDG_DATA_HOME", "/data"),
            ("USER", "sys"),
        ]);
        let s = resolve(&Overrides::default(), &env).unwrap();
        assert_eq!(s.db, DbChoice::Demo("/data/ptclinic/demo.db".into()));
        assert_eq!(s.user, "sys");
        assert!(!s.clock.is_fixed());
    }

    #[test]
    fn the_terminals_site_is_the_flag_the_environment_or_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("ptclinic");
        std::fs::create_dir_all(&cfg).unwrap();
        std::fs::write(cfg.join("config.toml"), "site = \"North\"\n").unwrap();
        let xdg = dir.path().to_str().unwrap();
        let file_only = env_of(&[("XDG_CONFIG_HOME", xdg), ("USER", "sys")]);
        assert_eq!(
            resolve(&Overrides::default(), &file_only)
                .unwrap()
                .site
                .as_deref(),
            Some("North")
        );
        let env = env_of(&[
            ("XDG_CONFIG_HOME", xdg),
            ("PTCLINIC_SITE", " South "),
            ("USER", "sys"),
        ]);
        assert_eq!(
            resolve(&Overrides::default(), &env)
                .unwrap()
                .site
                .as_deref(),
            Some("South")
        );
        let cli = Overrides {
            site: Some("all".into()),
            ..Default::default()
        };
        assert_eq!(resolve(&cli, &env).unwrap().site.as_deref(), Some("all"));
        let none = env_of(&[
            ("XDG_CONFIG_HOME", "/nonexistent"),
            ("PTCLINIC_SITE", "  "),
            ("USER", "sys"),
        ]);
        assert_eq!(resolve(&Overrides::default(), &none).unwrap().site, None);
    }

    #[test]
    fn user_order_is_flag_env_config_then_login() {
        let env = env_of(&[
            ("XDG_CONFIG_HOME", "/nonexistent"),
            ("PTCLINIC_USER", "envuser"),
            ("USER", "sys"),
        ]);
        let cli = Overrides {
            user: Some("flaguser".into()),
            ..Default::default()
        };
        assert_eq!(resolve(&cli, &env).unwrap().user, "flaguser");
        assert_eq!(
            resolve(&Overrides::default(), &env).unwrap().user,
            "envuser"
        );
    }

    #[test]
    fn today_override_is_validated() {
        let env = env_of(&[
            ("XDG_CONFIG_HOME", "/nonexistent"),
            ("PTCLINIC_TODAY", "2026-03-04"),
        ]);
        let s = resolve(&Overrides::default(), &env).unwrap();
        assert!(s.clock.is_fixed());
        assert_eq!(
            s.clock.today(),
            NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()
        );

        let env = env_of(&[
            ("XDG_CONFIG_HOME", "/nonexistent"),
            ("PTCLINIC_TODAY", "2026-02-30"),
        ]);
        let err = resolve(&Overrides::default(), &env).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.message.contains("PTCLINIC_TODAY"), "{}", err.message);
    }

    #[test]
    fn the_billing_rule_is_medicare_unless_the_config_says_ama() {
        use crate::domain::billing::BillingRule;
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("ptclinic");
        std::fs::create_dir_all(&cfg).unwrap();
        let env = env_of(&[("XDG_CONFIG_HOME", dir.path().to_str().unwrap())]);
        let rule = |text: &str| {
            std::fs::write(cfg.join("config.toml"), text).unwrap();
            resolve(&Overrides::default(), &env).map(|s| s.billing_rule)
        };
        assert_eq!(rule("").unwrap(), BillingRule::Medicare);
        assert_eq!(rule("billing_rule = \"ama\"\n").unwrap(), BillingRule::Ama);
        assert_eq!(
            rule("billing_rule = \"medicare\"\n").unwrap(),
            BillingRule::Medicare
        );
        let err = rule("billing_rule = \"cigna\"\n").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.message.contains("medicare"), "{}", err.message);
    }

    #[test]
    fn a_broken_config_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("ptclinic");
        std::fs::create_dir_all(&cfg).unwrap();
        std::fs::write(cfg.join("config.toml"), "colour = 3\n").unwrap();
        let env = env_of(&[("XDG_CONFIG_HOME", dir.path().to_str().unwrap())]);
        let err = resolve(&Overrides::default(), &env).unwrap_err();
        assert!(err.message.starts_with("config file "), "{}", err.message);
        assert!(err.message.contains("colour"), "{}", err.message);
    }
}
