//! Pane 1: the day's schedule.

pub mod view;
