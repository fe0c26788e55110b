//! Render-only pieces the panes share. They draw what they are given and keep no state.

pub mod ascii;
pub mod dialog;
pub mod form;
pub mod marked_list;
pub mod patient_summary;
