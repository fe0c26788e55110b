//! The command line: the TUI by default, and stable commands for scripts, kiosks and IT.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// Colour theme
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
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
    /// Check a patient in (for kiosks and scripts)
    #[command(name = "check-in")]
    CheckIn {
        /// The appointment's id
        #[arg(
            long,
            value_name = "ID",
            conflicts_with = "patient",
            required_unless_present = "patient"
        )]
        appointment: Option<i64>,
        /// The patient's name (or part of it) or MRN
        #[arg(long, value_name = "NAME-OR-MRN")]
        patient: Option<String>,
        /// The day of the visit, YYYY-MM-DD (default: today)
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
    /// Build the demo clinic around today
    Demo(DemoArgs),
    /// Create an empty clinic record for real use
    Init,
    /// Set up the people who use the app
    #[command(subcommand)]
    Staff(StaffCommand),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Replace an existing file
    #[arg(long)]
    pub force: bool,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 6)]
    pub therapists: u32,
    #[arg(long, default_value_t = 400)]
    pub patients: u32,
    #[arg(long, default_value_t = 12)]
    pub weeks_back: u32,
    #[arg(long, default_value_t = 4)]
    pub weeks_ahead: u32,
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add a therapist or front-desk person
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
    },
    /// List the staff
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Therapist,
    #[value(name = "front_desk", alias = "front-desk")]
    FrontDesk,
}
