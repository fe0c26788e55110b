//! ptclinic: a keyboard-driven terminal app for physical-therapy clinics.

pub mod cli;
pub mod clinic;
pub mod clock;
pub mod commands;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod export;
pub mod files;
pub mod import;
pub mod messaging;
pub mod sanitize;
pub mod search;
pub mod text;
pub mod tui;
