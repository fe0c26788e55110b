//! The command line: the TUI by default, and stable commands for scripts, kiosks and IT.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::demo::{MAX_PATIENTS, MAX_THERAPISTS, MAX_WEEKS_AHEAD, MAX_WEEKS_BACK};

/// The most exercises `--limit` lists and the most backups `--keep` keeps.
const MAX_COUNT: u64 = 100_000;
/// The longest idle lock, in minutes: a working day.
const MAX_IDLE_LOCK_MINUTES: u64 = 24 * 60;

/// A whole-number flag's parser that says which numbers it takes, so that `--limit -3` is
/// answered with the range rather than "invalid digit" or "unexpected argument".
fn whole<T: TryFrom<u64>>(min: u64, max: u64) -> impl Fn(&str) -> Result<T, String> + Clone {
    move |text| {
        text.trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| format!("takes a whole number from {min} to {max}"))
    }
}

/// Parses the command line. A value refused by a flag's parser is one `ptclinic: ` sentence
/// (exit 2) that repeats at most a bounded part of what was typed; help, version and the other
/// usage errors are clap's own.
pub fn parse() -> Cli {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let err = match Cli::try_parse() {
        Ok(cli) => return cli,
        Err(err) => err,
    };
    if !matches!(
        err.kind(),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue
    ) {
        err.exit();
    }
    let context = |kind| match err.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let flag = context(ContextKind::InvalidArg).unwrap_or_else(|| "a flag".into());
    let flag = flag
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let value =
        crate::sanitize::clean_echo(&context(ContextKind::InvalidValue).unwrap_or_default());
    let valid = match err.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(valid)) if !valid.is_empty() => Some(valid.join(", ")),
        _ => None,
    };
    let sentence = match (std::error::Error::source(&err), valid) {
        (Some(why), _) if err.kind() == ErrorKind::ValueValidation => {
            format!("{flag} {why}, not \"{value}\"")
        }
        (_, Some(valid)) => format!("{flag} takes one of {valid}, not \"{value}\""),
        _ if value.is_empty() => format!("{flag} needs a value"),
        _ => format!("{flag} does not take \"{value}\""),
    };
    eprintln!("ptclinic: {sentence}");
    std::process::exit(2);
}

#[derive(Debug, Parser)]
#[command(
    name = "ptclinic",
    version,
    about = "A keyboard-driven terminal app for physical-therapy clinics"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Global {
    /// The clinic database (else PTCLINIC_DB, the config file, or the demo clinic)
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Who is using the app (else PTCLINIC_USER, the config file, or $USER)
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,
    /// The site this terminal works at, or `all` for views of every site (else PTCLINIC_SITE,
    /// the config file, or the record's only site)
    #[arg(long, global = true, value_name = "SITE")]
    pub site: Option<String>,
    /// Colour theme: default, light, high-contrast or mono
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
    /// Lock the screen after this many idle minutes (0: never)
    #[arg(long = "idle-lock", global = true, value_name = "MIN", allow_negative_numbers = true,
        value_parser = whole::<u32>(0, MAX_IDLE_LOCK_MINUTES))]
    pub idle_lock: Option<u32>,
    /// ASCII symbols only (for fonts without block or arrow characters)
    #[arg(long, global = true)]
    pub ascii: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a day's visits (a day sheet, or JSON with --json)
    Schedule {
        /// The day, YYYY-MM-DD (default: today)
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        /// Only this therapist's visits (name, initials or username)
        #[arg(long, value_name = "NAME")]
        therapist: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Book a visit, or a series of visits ("mon,thu at 10:00, 12 visits"), each occurrence
    /// checked first (therapist busy, clinic closed or shut, beyond the authorisation or the plan
    /// of care); the plan of care's frequency fills in the weekdays and the count
    Book(BookArgs),
    /// The therapist's next free times for a visit's length, within the clinic's hours
    Slots {
        /// The therapist (name, initials or username)
        #[arg(long, value_name = "NAME")]
        therapist: String,
        /// The visit's length in minutes
        #[arg(long, value_name = "N", default_value_t = 45, allow_negative_numbers = true,
            value_parser = whole::<i64>(5, 480))]
        minutes: i64,
        /// From this day on (default: now), e.g. 2026-12-08, 12/8, tomorrow, +7, mon
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Cancel a visit, or with --following this one and the later ones of its series
    Cancel {
        /// The appointment's id
        #[arg(long, value_name = "ID", allow_negative_numbers = true,
            value_parser = whole::<i64>(1, i64::MAX as u64))]
        appointment: i64,
        #[arg(long, value_enum)]
        reason: CancelReasonArg,
        /// Also the scheduled visits of its series after it
        #[arg(long)]
        following: bool,
    },
    /// Move a scheduled visit, or with --following this one and the later ones of its series
    /// by the same shift
    Move {
        /// The appointment's id
        #[arg(long, value_name = "ID", allow_negative_numbers = true,
            value_parser = whole::<i64>(1, i64::MAX as u64))]
        appointment: i64,
        /// The new day (default: the visit's), e.g. 2026-12-08, 12/8, tomorrow, +7, mon
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// The new time, e.g. 10:30, 230, 2pm
        #[arg(long, value_name = "TIME")]
        time: String,
        /// Also the scheduled visits of its series after it
        #[arg(long)]
        following: bool,
    },
    /// Check a patient in (for kiosks and scripts)
    #[command(name = "check-in")]
    CheckIn {
        /// The appointment's id
        #[arg(
            long,
            value_name = "ID",
            conflicts_with = "patient",
            required_unless_present = "patient",
            allow_negative_numbers = true,
            value_parser = whole::<i64>(1, i64::MAX as u64)
        )]
        appointment: Option<i64>,
        /// The patient's name (or part of it) or MRN
        #[arg(long, value_name = "NAME-OR-MRN")]
        patient: Option<String>,
        /// The day of the visit, YYYY-MM-DD (default: today)
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
    /// Check a patient out: their attended (checked-in) visit completed
    #[command(name = "check-out")]
    CheckOut {
        /// The appointment's id
        #[arg(
            long,
            value_name = "ID",
            conflicts_with = "patient",
            required_unless_present = "patient",
            allow_negative_numbers = true,
            value_parser = whole::<i64>(1, i64::MAX as u64)
        )]
        appointment: Option<i64>,
        /// The patient's name (or part of it) or MRN
        #[arg(long, value_name = "NAME-OR-MRN")]
        patient: Option<String>,
        /// The day of the visit, YYYY-MM-DD (default: today)
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
    /// Set how a patient is reached: their email and phone, consent to emails or texts (given
    /// today), an opt-out (a reply of STOP); prints their contact as it now is
    Contact {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        /// The email address ("" clears it)
        #[arg(long, value_name = "ADDR")]
        email: Option<String>,
        /// The phone number ("" clears it)
        #[arg(long, value_name = "P")]
        phone: Option<String>,
        /// Consent given today to emails, texts (sms) or both; none takes both consents off
        #[arg(long, value_enum)]
        consent: Option<ConsentArg>,
        /// The patient opted out of a channel today (a reply of STOP)
        #[arg(long = "opt-out", value_enum, value_name = "CHANNEL")]
        opt_out: Option<ChannelArg>,
    },
    /// Record the patient's answer about a visit still to come, as a reply to its reminder
    /// said it (for an integration that reads the gateway's replies): confirmed, or can't come
    Confirm {
        /// The appointment's id
        #[arg(long, value_name = "ID", allow_negative_numbers = true,
            value_parser = whole::<i64>(1, i64::MAX as u64))]
        appointment: i64,
        /// The patient can't come (the visit stays booked until it is cancelled or moved)
        #[arg(long)]
        declined: bool,
    },
    /// Build the demo clinic around today
    Demo(DemoArgs),
    /// Create a clinic record for real use: the exercise library, the starter program
    /// templates and the default clinic hours (`--empty`: no library, no templates)
    Init {
        /// Leave out the exercise library and the program templates
        #[arg(long)]
        empty: bool,
    },
    /// Set up the people who use the app
    #[command(subcommand)]
    Staff(StaffCommand),
    /// The outcome measures and their thresholds as this clinic's record holds them
    #[command(subcommand)]
    Measures(MeasuresCommand),
    /// A patient's plans of care: each certification, its frequency and signature
    #[command(subcommand)]
    Plan(PlanCommand),
    /// A patient's authorisations of visits, with the visits used and left
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Print a report (a patient's progress, a day's billing)
    #[command(subcommand)]
    Report(ReportCommand),
    /// Record an outcome measure (a total, or item by item)
    Record(RecordArgs),
    /// Set, list and assess the goals of a patient's plan of care
    #[command(subcommand)]
    Goal(GoalCommand),
    /// Record a patient's discharge: the end of the episode of care, with its reason
    Discharge(DischargeArgs),
    /// Sign a visit note, co-sign an assistant's, or add an addendum to a signed one
    #[command(subcommand)]
    Note(NoteCommand),
    /// Payers' rules: billing rule, whether the evaluation counts, co-signature of an assistant's note
    #[command(subcommand)]
    Payer(PayerCommand),
    /// Send the messages due now: each visit's reminders (2 days and 2 hours before, never in
    /// quiet hours), retries, and anything queued; run it from cron or leave it to a terminal
    /// with a mail server or SMS gateway configured
    Remind {
        /// Show what would go now and to whom, and the visits that get no reminder; send nothing
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
        /// Act as if it were this local time (a rehearsal)
        #[arg(long, value_name = "YYYY-MM-DD HH:MM")]
        now: Option<String>,
    },
    /// Messages to patients: the clinic's name and phone as they give them, when reminders
    /// go, quiet hours, and the templates
    #[command(subcommand)]
    Messaging(MessagingCommand),
    /// Email a patient their home exercise program or a letter on their progress, with their
    /// consent, through the outbox (audited)
    #[command(subcommand)]
    Send(SendCommand),
    /// The clinic's opening hours per weekday, the same at every terminal
    #[command(subcommand)]
    Hours(HoursCommand),
    /// A clinic group's sites: their address and phone, who works where, rooms, and the
    /// weekdays a site keeps its own hours
    #[command(subcommand)]
    Site(SiteCommand),
    /// The dates the clinic is closed (holidays), whatever the weekday's hours
    #[command(subcommand)]
    Closed(ClosedCommand),
    /// Bring patients, appointments or exercises in from a CSV file, all or nothing
    Import(ImportArgs),
    /// Write FHIR R4, iCalendar or a patient's exercise handout
    #[command(subcommand)]
    Export(ExportCommand),
    /// Patients waiting for an earlier or another time, offered when a visit is cancelled or
    /// missed (priority 1 is the most urgent)
    #[command(subcommand)]
    Waitlist(WaitlistCommand),
    /// Find a patient by name, MRN, phone number or date of birth (every patient without --search)
    Patients {
        /// A name (fuzzy), an MRN, phone digits (555-0134) or a date of birth (1961-03-02)
        #[arg(long, value_name = "Q")]
        search: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List or search the exercise library (clinical shorthand works: slr, tke)
    Exercises {
        /// Words, a name or shorthand; best matches first
        #[arg(long, value_name = "Q")]
        search: Option<String>,
        /// Only this body region (knee, shoulder, wrist_hand, core, balance, ...)
        #[arg(long, value_name = "R")]
        region: Option<String>,
        /// At most this many
        #[arg(long, value_name = "N", allow_negative_numbers = true,
            value_parser = whole::<usize>(1, MAX_COUNT))]
        limit: Option<usize>,
        #[arg(long)]
        json: bool,
    },
    /// Move a clinic's SQLite record onto an empty PostgreSQL database, in one transaction
    Migrate {
        /// The SQLite record to copy
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The empty database: postgres://user@host:port/dbname?sslmode=verify-full
        #[arg(long, value_name = "URL")]
        to: String,
        /// Copy and check everything, then keep nothing
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Copy the clinic record with SQLite's online backup, check it, rotate old copies
    Backup {
        /// The backup folder (else backup_dir in the config, else the data folder)
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        /// How many backups to keep
        #[arg(long, value_name = "N", allow_negative_numbers = true,
            value_parser = whole::<usize>(1, MAX_COUNT))]
        keep: Option<usize>,
    },
    /// Check the clinic record's health: file, schema, integrity, journal, drive, locks, audit
    Doctor {
        /// Also read every page (quick_check), check every reference and walk the whole audit chain
        #[arg(long, conflicts_with = "full")]
        quick: bool,
        /// Also run the full integrity_check of every page and index, with a progress line
        #[arg(long)]
        full: bool,
        #[arg(long)]
        json: bool,
    },
    /// Who changed what, and who opened which patient's record
    Audit {
        /// From this day on (UTC), YYYY-MM-DD
        #[arg(long, value_name = "YYYY-MM-DD")]
        since: Option<String>,
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
        /// Only rows about this patient
        #[arg(long, value_name = "MRN")]
        patient: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct BookArgs {
    /// The patient's MRN
    #[arg(long, value_name = "MRN")]
    pub patient: String,
    /// The therapist (name, initials or username)
    #[arg(long, value_name = "NAME")]
    pub therapist: String,
    /// The first day, e.g. 2026-12-08, 12/8, 8 dec, tomorrow, +7, mon
    #[arg(long, value_name = "DATE")]
    pub start: String,
    /// The time of each visit, e.g. 10:00, 930, 2pm
    #[arg(long, value_name = "HH:MM")]
    pub time: String,
    /// The visit's length in minutes
    #[arg(long, value_name = "N", allow_negative_numbers = true,
        value_parser = whole::<i64>(0, 100_000))]
    pub minutes: i64,
    /// The weekdays of a series, e.g. mon,thu (default: from the plan of care, else one visit)
    #[arg(long, value_name = "DAYS")]
    pub weekdays: Option<String>,
    /// How many visits the series holds
    #[arg(long, value_name = "N", conflicts_with = "until", allow_negative_numbers = true,
        value_parser = whole::<i64>(0, 100_000))]
    pub count: Option<i64>,
    /// The series' last day
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// evaluation, treatment, re_evaluation, progress or discharge (default: treatment)
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// What to do with an occurrence that clashes (default: book nothing and list the clashes)
    #[arg(long, value_enum, value_name = "WHAT")]
    pub on_clash: Option<OnClashArg>,
    /// Check and list the occurrences; book nothing
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnClashArg {
    Skip,
    Move,
    Book,
}

/// The channels `contact --consent` gives consent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConsentArg {
    Email,
    Sms,
    Both,
    /// Takes the consent to both channels off.
    #[value(name = "none")]
    Neither,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CancelReasonArg {
    Patient,
    Clinic,
    Late,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Replace an existing file
    #[arg(long)]
    pub force: bool,
    #[arg(long, default_value_t = 1, allow_negative_numbers = true,
        value_parser = whole::<u64>(0, u64::MAX))]
    pub seed: u64,
    #[arg(long, default_value_t = 6, allow_negative_numbers = true,
        value_parser = whole::<u32>(1, MAX_THERAPISTS.into()))]
    pub therapists: u32,
    #[arg(long, default_value_t = 400, allow_negative_numbers = true,
        value_parser = whole::<u32>(1, MAX_PATIENTS.into()))]
    pub patients: u32,
    #[arg(long, default_value_t = 12, allow_negative_numbers = true,
        value_parser = whole::<u32>(0, MAX_WEEKS_BACK.into()))]
    pub weeks_back: u32,
    #[arg(long, default_value_t = 4, allow_negative_numbers = true,
        value_parser = whole::<u32>(0, MAX_WEEKS_AHEAD.into()))]
    pub weeks_ahead: u32,
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add a therapist, an assistant (PTA), a front-desk person or an admin (an admin's change;
    /// open to anyone while the record has no admin, so a new record gets its first one)
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        initials: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Their login name, so the app knows who "mine" is
        #[arg(long)]
        username: Option<String>,
        /// As their signature shows them: "PT, DPT", "PTA"
        #[arg(long, value_name = "TEXT")]
        credentials: Option<String>,
    },
    /// Change a staff member's name, role, credentials or username (an admin's change; an empty
    /// --credentials or --username clears it)
    Edit {
        /// Whose: their initials
        #[arg(long)]
        initials: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_enum)]
        role: Option<RoleArg>,
        #[arg(long, value_name = "TEXT")]
        credentials: Option<String>,
        #[arg(long)]
        username: Option<String>,
    },
    /// Take a staff member off the active staff (an admin's change; the last admin stays)
    Deactivate {
        /// Whose: their initials
        #[arg(long)]
        initials: String,
    },
    /// List the staff
    List {
        #[arg(long)]
        json: bool,
    },
    /// Set your PIN for the idle lock (4 to 12 digits), read from the terminal without echo,
    /// or as one line from standard input
    SetPin {
        /// Whose PIN: yours (the default); naming someone else is refused
        #[arg(long, value_name = "U")]
        username: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MeasuresCommand {
    /// Each measure with its range, better direction, MCID and MDC
    List {
        #[arg(long)]
        json: bool,
    },
    /// Set a measure's MCID or MDC for every terminal and report (audited)
    Set {
        #[arg(long, value_name = "CODE")]
        code: String,
        #[arg(long, value_name = "X", allow_negative_numbers = true)]
        mcid: Option<f64>,
        #[arg(long, value_name = "X", allow_negative_numbers = true)]
        mdc: Option<f64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Record the plan of care from the initial treatment (the evaluation); a therapist's duty
    Add {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        /// The initial treatment (YYYY-MM-DD)
        #[arg(long, value_name = "D")]
        start: String,
        /// Visits a week, 1 to 7
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        per_week: i64,
        /// The plan's duration in weeks
        #[arg(long, value_name = "W", allow_negative_numbers = true)]
        weeks: i64,
        /// The last day it covers (default: the duration's last day, at most the 90th day)
        #[arg(long, value_name = "D")]
        end: Option<String>,
        /// The physician or NPP it goes to for certification
        #[arg(long, value_name = "NAME")]
        physician: Option<String>,
    },
    /// Add a recertification: a new plan after the latest one, which stays as it was
    Recertify {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        /// Visits a week, 1 to 7
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        per_week: i64,
        /// The plan's duration in weeks
        #[arg(long, value_name = "W", allow_negative_numbers = true)]
        weeks: i64,
        /// The first day it covers (default: the day after the latest plan ends)
        #[arg(long, value_name = "D")]
        start: Option<String>,
        /// The last day it covers (default: the duration's last day, at most the 90th day)
        #[arg(long, value_name = "D")]
        end: Option<String>,
    },
    /// Record the physician's or NPP's signature on a plan (the latest unless --plan)
    Certify {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        /// The plan's id (`plan list`)
        #[arg(long, value_name = "ID")]
        plan: Option<i64>,
        /// The certifying physician or NPP
        #[arg(long, value_name = "NAME")]
        physician: String,
        /// The date of the signature
        #[arg(long, value_name = "D")]
        on: String,
        /// Why the signature came more than 30 days after the initial treatment
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// The patient's plans of care, oldest first
    List {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Record an authorisation of visits; the front desk's or an admin's duty
    Add {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        /// The payer, as on the patient's record
        #[arg(long, value_name = "P")]
        payer: String,
        /// The first day it covers (YYYY-MM-DD)
        #[arg(long, value_name = "D")]
        start: String,
        /// The last day it covers (YYYY-MM-DD)
        #[arg(long, value_name = "D")]
        end: String,
        /// The visits authorised, 1 to 999
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        visits: i64,
        /// The payer's authorisation number
        #[arg(long, value_name = "R")]
        reference: Option<String>,
    },
    /// The patient's authorisations, oldest first, with the visits used and left
    List {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Therapist,
    /// A physical therapist assistant (PTA)
    Assistant,
    #[value(name = "front_desk", alias = "front-desk")]
    FrontDesk,
    Admin,
}

impl From<RoleArg> for crate::domain::Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Therapist => Self::Therapist,
            RoleArg::Assistant => Self::Assistant,
            RoleArg::FrontDesk => Self::FrontDesk,
            RoleArg::Admin => Self::Admin,
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file holds
    #[arg(value_enum)]
    pub what: ImportKindArg,
    /// The CSV file: UTF-8, comma or semicolon, the header line first
    #[arg(value_name = "FILE.csv", required_unless_present = "template")]
    pub file: Option<PathBuf>,
    /// Check everything, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Change records that already exist instead of refusing them
    #[arg(long)]
    pub update: bool,
    /// Print the header line of such a file (every column, required ones first) and stop
    #[arg(long, conflicts_with_all = ["file", "dry_run", "update"])]
    pub template: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportKindArg {
    Patients,
    Appointments,
    Exercises,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// FHIR R4: one patient's Bundle, or every patient as bulk-data NDJSON
    Fhir {
        /// The patient's MRN
        #[arg(
            long,
            value_name = "MRN",
            required_unless_present = "all",
            conflicts_with = "all"
        )]
        patient: Option<String>,
        /// Every patient: one NDJSON file per resource type in the folder --out DIR
        #[arg(long, requires = "out")]
        all: bool,
        /// The file to write (the folder, with --all); default: stdout
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// iCalendar (RFC 5545): a therapist's visits, for a phone's calendar
    Ical {
        /// The therapist's name, initials or username
        #[arg(long, value_name = "NAME")]
        therapist: String,
        /// The first day, YYYY-MM-DD (default: today)
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// The last day, YYYY-MM-DD (default: 90 days after --from)
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        /// The file to write; default: stdout
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Patients' full names instead of their initials (calendars end up on phones)
        #[arg(long)]
        full_names: bool,
    },
    /// A patient's home exercise handout: each exercise, its dosage in plain words, a week of
    /// tick boxes
    Hep {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        #[arg(long, value_enum, default_value = "text")]
        format: HandoutFormat,
        /// The file to write; default: stdout
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HandoutFormat {
    Text,
    Markdown,
    Html,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// A patient's progress: episode, visits, measures with MCID status, flags, assessment;
    /// or, with --format letter, a plain-language letter to the patient
    Progress {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        #[arg(long, value_enum, default_value = "text")]
        format: ProgressFormat,
        /// Write to this file instead of stdout
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// A patient's discharge summary: the episode, visits attended and missed, measures initial
    /// to final, goals, the home program and the reason for discharge
    Discharge {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// Write to this file instead of stdout
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Patients falling through the cracks: an open plan of care and no visit booked, booked
    /// below the plan's frequency for the next two weeks, or the last two visits missed
    Unscheduled {
        #[arg(long)]
        json: bool,
    },
    /// Attended visits up to a day whose note is missing, unsigned or awaiting a co-signature
    Unsigned {
        /// The last day, YYYY-MM-DD (default: today)
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// No-show and late-cancellation rates by therapist, weekday, hour and lead time, and how
    /// well the no-show model does on the months it was not fitted on
    NoShows {
        /// The first day, YYYY-MM-DD (default: 12 months before --to)
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// The last day, YYYY-MM-DD (default: yesterday)
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A day's high-risk visits the patient has not confirmed, with phone numbers and reasons
    CallList {
        /// The day, YYYY-MM-DD (default: tomorrow)
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The clinic's outcomes over a period: the share of patients reaching the MCID with its
    /// 95% interval, changes, visits, attendance and home-program adherence, by group, and the
    /// quality measures (functional measure at intake and discharge; MIPS 182)
    Outcomes {
        /// The first day, YYYY-MM-DD (default: 12 months before --to)
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// The last day, YYYY-MM-DD (default: today)
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        /// Group by one or two of therapist, region, measure, payer, age, month (comma-separated)
        #[arg(long, value_name = "G[,G]")]
        by: Option<String>,
        /// Only this measure (NPRS, LEFS, ODI, NDI, QuickDASH, PSFS, a KOOS subscale, ...)
        #[arg(long, value_name = "CODE")]
        measure: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: OutcomeFormat,
        /// One row per finished episode and measure (with --format csv), for a statistician
        #[arg(long)]
        episodes: bool,
        /// Write to this file instead of stdout
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// A day's attended visits with their procedure codes and units (each payer's rule)
    Billing {
        /// The day, YYYY-MM-DD (default: today)
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        #[arg(long)]
        json: bool,
        /// Write to this file instead of stdout
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum GoalCommand {
    /// Add a short- or long-term goal to a plan of care: words, or a measure and the value it
    /// aims at, and the date it is to be met by
    Add {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        #[arg(long, value_enum)]
        term: GoalTermArg,
        /// The goal in words (a measured goal without words reads as its target)
        #[arg(long, value_name = "TEXT")]
        text: Option<String>,
        /// The date it is to be met by, YYYY-MM-DD
        #[arg(long, value_name = "YYYY-MM-DD")]
        by: Option<String>,
        /// The outcome measure that shows it met (NPRS, LEFS, ODI, ..., ROM)
        #[arg(long, value_name = "CODE")]
        measure: Option<String>,
        /// The value of the measure it aims at, in the measure's better direction
        #[arg(long, value_name = "X", allow_hyphen_values = true)]
        target: Option<String>,
        /// ROM: the series, "JOINT MOTION SIDE" (e.g. "knee flexion right")
        #[arg(long, value_name = "SERIES")]
        detail: Option<String>,
        /// The plan of care's id (default: the plan covering today, else the latest)
        #[arg(long, value_name = "ID", allow_negative_numbers = true,
            value_parser = whole::<i64>(1, i64::MAX as u64))]
        plan: Option<i64>,
    },
    /// A patient's goals, plan by plan, with their status today
    List {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        #[arg(long)]
        json: bool,
    },
    /// Set the status of a worded goal (a measured goal's is worked out from its measure)
    Assess {
        /// The goal's id (from goal list)
        #[arg(long, value_name = "N", allow_negative_numbers = true,
            value_parser = whole::<i64>(1, i64::MAX as u64))]
        id: i64,
        #[arg(long, value_enum)]
        status: GoalStatusArg,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GoalTermArg {
    Short,
    Long,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GoalStatusArg {
    Met,
    Progressing,
    #[value(name = "not_met", alias = "not-met")]
    NotMet,
}

#[derive(Debug, Args)]
pub struct DischargeArgs {
    /// The patient's MRN
    #[arg(long, value_name = "MRN")]
    pub patient: String,
    #[arg(long, value_enum)]
    pub reason: DischargeReasonArg,
    /// A few words more (needed with --reason other)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// The day of the discharge, YYYY-MM-DD (default: today)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub on: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DischargeReasonArg {
    #[value(name = "goals_met")]
    GoalsMet,
    Plateau,
    #[value(name = "patient_request")]
    PatientRequest,
    #[value(name = "non_attendance")]
    NonAttendance,
    Referred,
    Other,
}

#[derive(Debug, Subcommand)]
pub enum NoteCommand {
    /// Sign the visit's note as yourself; it is locked from then on (a checked-in visit is completed)
    Sign {
        /// The appointment's id
        #[arg(long, value_name = "ID", allow_negative_numbers = true,
            value_parser = whole::<i64>(1, i64::MAX as u64))]
        appointment: i64,
    },
    /// Co-sign an assistant's signed note, as a therapist, where the patient's payer asks for it
    Cosign {
        /// The appointment's id
        #[arg(long, value_name = "ID", allow_negative_numbers = true,
            value_parser = whole::<i64>(1, i64::MAX as u64))]
        appointment: i64,
    },
    /// Add a dated addendum, by you, under the visit's signed note
    Addendum {
        /// The appointment's id
        #[arg(long, value_name = "ID", allow_negative_numbers = true,
            value_parser = whole::<i64>(1, i64::MAX as u64))]
        appointment: i64,
        /// What is added or corrected
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
        text: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PayerCommand {
    /// Set a payer's rules (admin; what is not given keeps its value, or the default for a new payer)
    Set {
        /// The payer's name as patients' records have it (matched ignoring case)
        #[arg(long, value_name = "NAME")]
        name: String,
        #[arg(long, value_enum, value_name = "RULE")]
        billing_rule: Option<BillingRuleArg>,
        /// Whether the evaluation counts as one of the authorised visits
        #[arg(long, value_enum, value_name = "YES|NO")]
        evaluation_counts: Option<YesNo>,
        /// Whether an assistant's signed note waits for a therapist's co-signature
        #[arg(long, value_enum, value_name = "YES|NO")]
        assistant_cosign: Option<YesNo>,
    },
    /// The payers the record lists, with their rules
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SendCommand {
    /// The patient's home exercise program: the printable handout as the email, and its text
    /// for mail readers without HTML
    Hep {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        #[arg(long)]
        json: bool,
    },
    /// A plain-language letter on what has improved, in the patient's own words
    Progress {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MessagingCommand {
    /// Show the settings, or change what is given (admin; audited)
    Settings {
        /// The clinic's name as messages give it
        #[arg(long, value_name = "NAME")]
        clinic_name: Option<String>,
        /// The phone number messages tell patients to call
        #[arg(long, value_name = "PHONE")]
        clinic_phone: Option<String>,
        /// How long before each visit its reminders go, e.g. 2d,2h (at most four)
        #[arg(long, value_name = "TIMES")]
        reminders: Option<String>,
        /// When no message goes, local time, e.g. 21:00-08:00
        #[arg(long, value_name = "HH:MM-HH:MM")]
        quiet_hours: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show a template (the clinic's own, or the built-in one), or change it (admin; audited).
    /// It may use {{ clinic_name }}, {{ clinic_phone }}, {{ site_name }}, {{ site_address }},
    /// {{ date }}, {{ time }} and {{ therapist_first_name }}, nothing else
    Template {
        #[arg(long, value_enum)]
        purpose: PurposeArg,
        #[arg(long, value_enum)]
        channel: ChannelArg,
        /// The email's subject
        #[arg(long, value_name = "TEXT")]
        subject: Option<String>,
        /// The message's text (use \n for a new line), or @FILE to read it from a file
        #[arg(long, value_name = "TEXT")]
        body: Option<String>,
        /// Go back to the built-in words
        #[arg(long, conflicts_with_all = ["subject", "body"])]
        built_in: bool,
        #[arg(long)]
        json: bool,
    },
}

/// Why a message is sent, as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PurposeArg {
    Reminder,
    Rebooking,
    HomeProgram,
    ProgressLetter,
}

impl PurposeArg {
    pub fn purpose(self) -> crate::domain::messages::Purpose {
        use crate::domain::messages::Purpose;
        match self {
            PurposeArg::Reminder => Purpose::Reminder,
            PurposeArg::Rebooking => Purpose::Rebooking,
            PurposeArg::HomeProgram => Purpose::HomeProgram,
            PurposeArg::ProgressLetter => Purpose::ProgressLetter,
        }
    }
}

/// A channel, as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChannelArg {
    Email,
    Sms,
}

impl ChannelArg {
    pub fn channel(self) -> crate::domain::messages::Channel {
        use crate::domain::messages::Channel;
        match self {
            ChannelArg::Email => Channel::Email,
            ChannelArg::Sms => Channel::Sms,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum HoursCommand {
    /// Set one weekday's hours, or close the clinic on it (admin; audited)
    Set {
        /// The weekday: mon, tue, wed, thu, fri, sat or sun
        #[arg(long, value_name = "DAY")]
        day: String,
        /// Opening time, e.g. 07:00 or 7am
        #[arg(long, value_name = "TIME", required_unless_present = "closed")]
        open: Option<String>,
        /// Closing time, e.g. 19:00 or 7pm
        #[arg(long, value_name = "TIME", required_unless_present = "closed")]
        close: Option<String>,
        /// Closed all day, every week
        #[arg(long, conflicts_with_all = ["open", "close"])]
        closed: bool,
    },
    /// The week's hours
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Every site with its address, phone, rooms, own hours and staff
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a site (admin; audited)
    Add {
        /// Its name as staff and patients know it, e.g. "North"
        #[arg(long, value_name = "NAME")]
        name: String,
        /// Its street address, as reminders give it
        #[arg(long, value_name = "TEXT")]
        address: Option<String>,
        /// Its phone, as its patients' messages give it (else the clinic's)
        #[arg(long, value_name = "NUMBER")]
        phone: Option<String>,
    },
    /// Change a site's name, address or phone, or close or reopen it (admin; audited)
    Edit {
        /// The site (its name or id)
        #[arg(value_name = "SITE")]
        which: String,
        /// A new name
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// A new address ("" clears it)
        #[arg(long, value_name = "TEXT")]
        address: Option<String>,
        /// A new phone ("" clears it: the clinic's is given)
        #[arg(long, value_name = "NUMBER")]
        phone: Option<String>,
        /// No longer an active site (refused while visits are still to come there)
        #[arg(long, conflicts_with = "reopen")]
        close: bool,
        /// Active again
        #[arg(long)]
        reopen: bool,
    },
    /// Put staff at a site or take them off it (admin; audited)
    Staff {
        /// The site (its name or id)
        #[arg(value_name = "SITE")]
        which: String,
        /// Someone who works there (name, initials or username); repeat for more
        #[arg(long, value_name = "NAME")]
        add: Vec<String>,
        /// Someone who no longer works there; repeat for more
        #[arg(long, value_name = "NAME")]
        remove: Vec<String>,
    },
    /// Add rooms to a site or take them off its list; a site with rooms listed books only
    /// those (admin; audited)
    Rooms {
        /// The site (its name or id)
        #[arg(value_name = "SITE")]
        which: String,
        #[arg(long, value_name = "ROOM")]
        add: Vec<String>,
        #[arg(long, value_name = "ROOM")]
        remove: Vec<String>,
    },
    /// A weekday's own hours at one site, closed there, or the clinic's again (admin; audited)
    Hours {
        /// The site (its name or id)
        #[arg(value_name = "SITE")]
        which: String,
        /// The weekday: mon, tue, wed, thu, fri, sat or sun
        #[arg(long, value_name = "DAY")]
        day: String,
        #[arg(long, value_name = "TIME", requires = "close")]
        open: Option<String>,
        #[arg(long, value_name = "TIME", requires = "open")]
        close: Option<String>,
        /// Closed at this site on that weekday
        #[arg(long, conflicts_with_all = ["open", "close", "clinic"])]
        closed: bool,
        /// The clinic's hours again on that weekday
        #[arg(long, conflicts_with_all = ["open", "close"])]
        clinic: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum WaitlistCommand {
    /// Put a patient on the waitlist (audited)
    Add {
        /// The patient's MRN
        #[arg(long, value_name = "MRN")]
        patient: String,
        /// A therapist they would see (name, initials or username); repeat for more; none: anyone
        #[arg(long, value_name = "X")]
        therapist: Vec<String>,
        /// The weekdays they can come, e.g. mon,thu (default: any day)
        #[arg(long, value_name = "DAYS")]
        days: Option<String>,
        /// The times of day they can come, e.g. 09:00-12:00 or 2pm-5pm (required)
        #[arg(long, value_name = "FROM-TO")]
        times: Option<String>,
        /// The visit's length in minutes (default: 45)
        #[arg(long, value_name = "N")]
        minutes: Option<String>,
        /// 1 (most urgent) to 5 (least); default 3
        #[arg(long, value_name = "1-5")]
        priority: Option<String>,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// The open entries, best first: priority, then the longest waiting
    List {
        #[arg(long)]
        json: bool,
    },
    /// Take an entry off the waitlist (it stays in the record as removed; audited)
    Remove {
        /// The entry's id, as `waitlist list` shows it
        #[arg(value_name = "ID")]
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClosedCommand {
    /// Close the clinic on a date (admin; audited)
    Add {
        /// The date, e.g. 2026-12-25, 12/25 or 25 dec
        #[arg(long, value_name = "DATE")]
        date: String,
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Open a closed date again (admin; audited)
    Remove {
        #[arg(long, value_name = "DATE")]
        date: String,
    },
    /// The closed dates
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BillingRuleArg {
    Medicare,
    Ama,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum YesNo {
    Yes,
    No,
}

impl YesNo {
    pub fn yes(self) -> bool {
        self == YesNo::Yes
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressFormat {
    Text,
    Markdown,
    Html,
    Json,
    /// A plain-language letter to the patient: no codes, nothing from the notes
    Letter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutcomeFormat {
    Text,
    Markdown,
    Html,
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Markdown,
    Html,
    Json,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The patient's MRN
    #[arg(long, value_name = "MRN")]
    pub patient: String,
    /// NPRS, LEFS, ODI, NDI, QuickDASH, PSFS, ROM, a KOOS subscale, KOOS-JR, HOOS-JR, or KOOS
    /// (the whole 42-item form, stored as its five subscales)
    #[arg(long, value_name = "CODE")]
    pub measure: String,
    /// The total (ROM: degrees)
    #[arg(
        long,
        value_name = "V",
        allow_hyphen_values = true,
        conflicts_with = "items",
        required_unless_present = "items"
    )]
    pub value: Option<String>,
    /// Item answers in order, comma-separated, - for a skipped one (LEFS, ODI, NDI, QuickDASH,
    /// PSFS, KOOS and its subscales, KOOS-JR, HOOS-JR)
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    pub items: Option<String>,
    /// The day it was taken, YYYY-MM-DD (default: today)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// ROM: "JOINT MOTION SIDE" (e.g. "knee flexion right"); PSFS: the activities
    #[arg(long, value_name = "TEXT")]
    pub detail: Option<String>,
}
