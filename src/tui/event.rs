//! What reaches `update` (events) and what `update` asks of the world (effects). Panes and the
//! event loop share these types without depending on `update` itself.

use chrono::NaiveDateTime;
use crossterm::event::KeyEvent;

use crate::db::worker::{Reply, Request};

// An event is built once and moved straight into `update`: boxing the large reply would only
// add an allocation per database answer.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyEvent),
    Reply(Reply),
    /// The clock moved on (about once a second).
    Tick(NaiveDateTime),
    /// Text pasted into the terminal (bracketed paste): it is text, never keys, so a pasted
    /// "\rjjc" cannot press Enter, move and check a patient in.
    Paste(String),
    /// A frame was drawn; what its layout decided comes back as data.
    Drawn(Learned),
}

#[derive(Debug, Clone)]
pub enum Effect {
    Db(Request),
    /// Tell the user something happened elsewhere (a desktop or terminal notification).
    /// Never carries a patient's name.
    Notify(String),
}

/// What only the layout knows: how many schedule rows fit (PageDown moves by that many) and
/// which row ended up at the top. None when the frame did not show the schedule's list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Learned {
    pub page_size: Option<usize>,
    pub schedule_top: Option<usize>,
    pub help: Option<HelpFit>,
}

/// How `?` fitted: the rows it shows (a page) and the furthest line it can start at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HelpFit {
    pub page: usize,
    pub last_top: usize,
}
