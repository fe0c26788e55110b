//! The command line, run as a separate process: exit codes, messages, JSON output, and that
//! nothing is created or changed when opening a clinic record fails.

#[path = "../common/mod.rs"]
mod common;
mod support;

mod billing;
mod check_in;
mod check_out;
mod contact;
mod cracks;
mod db_choice;
mod demo;
mod goals;
mod hours;
mod input_bounds;
mod measures;
mod opening;
mod payers;
mod plans;
mod roles;
mod schedule;
mod series;
mod signing;
mod sites;
mod staff;
mod waitlist;
