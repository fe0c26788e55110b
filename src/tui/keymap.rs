//! The one table of keys: it drives key handling and generates the `?` help screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    NextPane,
    PrevPane,
    ShowSchedule,
    ShowProgress,
    ShowProgram,
    ShowClinic,
    /// Pane 4: the next kind of period (month, quarter, year, 12 months).
    ClinicPeriod,
    ClinicEarlier,
    ClinicLater,
    /// Pane 4: the next grouping (therapist, region, measure, ...).
    ClinicGroup,
    /// Pane 4: type a period (from … to …).
    ClinicCustom,
    /// Pane 4: a group's episodes; on an episode, the patient's record.
    ClinicOpen,
    ClinicBack,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    PrevDay,
    NextDay,
    Today,
    Filter,
    ClearFilter,
    ToggleMine,
    /// The schedule's next site (each site in turn, then all of them).
    SwitchSite,
    CheckIn,
    NoShow,
    Cancel,
    Undo,
    Book,
    Reschedule,
    NewPatient,
    /// The waitlist entries that fit the slot a cancellation or a no-show freed.
    Waitlist,
    WeekToggle,
    WeekLayout,
    WeekTherapist,
    GoToDate,
    CheckOut,
    OpenChart,
    RecordMeasure,
    EditNote,
    /// Pane 2: what to expect from the clinic's similar episodes.
    ShowExpected,
    HepSearch,
    HepRegion,
    HepEdit,
    HepRemove,
    HepMoveUp,
    HepMoveDown,
    HepNote,
    HepSave,
    HepVersions,
    HepTemplates,
    HepPrint,
    /// Email the saved program's handout to the patient, with their consent.
    HepEmail,
    HepAdherence,
    QuitYes,
    HelpClose,
    CancelYes,
    CancelNo,
    CancelForPatient,
    CancelByClinic,
    CancelLate,
    CancelBack,
    NoteSave,
    NoteProgressReport,
    NoteNextPart,
    NotePrevPart,
    NoteClose,
    NoteSign,
    NoteCoSign,
    NoteAddendum,
    ListUp,
    ListDown,
    ListPick,
    ListClose,
    VersionUse,
    ChartClose,
    FormSave,
    FormSaveNow,
    FormNext,
    FormPrev,
    FormClose,
    FormChoicePrev,
    FormChoiceNext,
    PickPrev,
    PickNext,
    FilterKeep,
    SearchAdd,
    SearchDone,
    ItemNoteDone,
    LockUnlock,
    LockClear,
    HelpUp,
    HelpDown,
    HelpPageUp,
    HelpPageDown,
    FindPatient,
    ShowUnscheduled,
    FinderUp,
    FinderDown,
    FinderOpen,
    FinderClose,
    CallsUp,
    CallsDown,
    CallsOpen,
    CallsBook,
    CallsClose,
    RecordUp,
    RecordDown,
    RecordEdit,
    RecordAddAuth,
    RecordAddWaitlist,
    RecordBook,
    RecordClose,
    FormOpenMatch,
    /// The booking form: fill in the therapist's next free slot.
    NextFreeSlot,
    /// The booking form: book it as a series (weekdays, a count or an end).
    BookSeries,
    /// Cancelling a visit of a series: this one and the following ones.
    CancelFollowing,
    /// The patient confirmed the selected visit (on the phone, by a reply the desk read).
    Confirm,
    /// The patient can't come to the selected visit; it stays booked until cancelled or moved.
    CantCome,
}

impl Action {
    /// The name used for rebinding in the config file's `[keys]` table.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::NextPane => "next_pane",
            Action::PrevPane => "prev_pane",
            Action::ShowSchedule => "schedule",
            Action::ShowProgress => "progress",
            Action::ShowProgram => "program",
            Action::ShowClinic => "clinic",
            Action::ClinicPeriod => "clinic_period",
            Action::ClinicEarlier => "clinic_earlier",
            Action::ClinicLater => "clinic_later",
            Action::ClinicGroup => "clinic_group",
            Action::ClinicCustom => "clinic_custom_period",
            Action::ClinicOpen => "clinic_open",
            Action::ClinicBack => "clinic_back",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::First => "first",
            Action::Last => "last",
            Action::PrevDay => "prev_day",
            Action::NextDay => "next_day",
            Action::Today => "today",
            Action::Filter => "filter",
            Action::ClearFilter => "clear_filter",
            Action::ToggleMine => "toggle_mine",
            Action::SwitchSite => "switch_site",
            Action::CheckIn => "check_in",
            Action::NoShow => "no_show",
            Action::Cancel => "cancel",
            Action::Undo => "undo",
            Action::Book => "book",
            Action::Reschedule => "reschedule",
            Action::NewPatient => "new_patient",
            Action::Waitlist => "waitlist",
            Action::WeekToggle => "week",
            Action::WeekLayout => "week_layout",
            Action::WeekTherapist => "week_therapist",
            Action::GoToDate => "go_to_date",
            Action::CheckOut => "check_out",
            Action::OpenChart => "chart",
            Action::RecordMeasure => "record_measure",
            Action::EditNote => "edit_note",
            Action::ShowExpected => "expected",
            Action::HepSearch => "hep_search",
            Action::HepRegion => "hep_region",
            Action::HepEdit => "hep_edit_dosage",
            Action::HepRemove => "hep_remove",
            Action::HepMoveUp => "hep_move_up",
            Action::HepMoveDown => "hep_move_down",
            Action::HepNote => "hep_note",
            Action::HepSave => "hep_save",
            Action::HepVersions => "hep_versions",
            Action::HepTemplates => "hep_templates",
            Action::HepPrint => "hep_print",
            Action::HepEmail => "hep_email",
            Action::HepAdherence => "hep_adherence",
            Action::QuitYes => "quit_yes",
            Action::HelpClose => "help_close",
            Action::CancelYes => "cancel_yes",
            Action::CancelNo => "cancel_no",
            Action::CancelForPatient => "cancel_reason_patient",
            Action::CancelByClinic => "cancel_reason_clinic",
            Action::CancelLate => "cancel_reason_late",
            Action::CancelBack => "cancel_back",
            Action::NoteSave => "note_save",
            Action::NoteProgressReport => "note_progress_report",
            Action::NoteNextPart => "note_next_part",
            Action::NotePrevPart => "note_prev_part",
            Action::NoteClose => "note_close",
            Action::NoteSign => "note_sign",
            Action::NoteCoSign => "note_cosign",
            Action::NoteAddendum => "note_addendum",
            Action::ListUp => "list_up",
            Action::ListDown => "list_down",
            Action::ListPick => "list_pick",
            Action::ListClose => "list_close",
            Action::VersionUse => "version_use",
            Action::ChartClose => "chart_close",
            Action::FormSave => "form_save",
            Action::FormSaveNow => "form_save_now",
            Action::FormNext => "form_next_field",
            Action::FormPrev => "form_prev_field",
            Action::FormClose => "form_close",
            Action::FormChoicePrev => "form_choice_prev",
            Action::FormChoiceNext => "form_choice_next",
            Action::PickPrev => "pick_prev_patient",
            Action::PickNext => "pick_next_patient",
            Action::FilterKeep => "filter_keep",
            Action::SearchAdd => "search_add",
            Action::SearchDone => "search_done",
            Action::ItemNoteDone => "hep_note_done",
            Action::LockUnlock => "lock_unlock",
            Action::LockClear => "lock_clear",
            Action::HelpUp => "help_up",
            Action::HelpDown => "help_down",
            Action::HelpPageUp => "help_page_up",
            Action::HelpPageDown => "help_page_down",
            Action::FindPatient => "find_patient",
            Action::ShowUnscheduled => "unscheduled",
            Action::FinderUp => "finder_up",
            Action::FinderDown => "finder_down",
            Action::FinderOpen => "finder_open",
            Action::FinderClose => "finder_close",
            Action::CallsUp => "calls_up",
            Action::CallsDown => "calls_down",
            Action::CallsOpen => "calls_open",
            Action::CallsBook => "calls_book",
            Action::CallsClose => "calls_close",
            Action::RecordUp => "record_up",
            Action::RecordDown => "record_down",
            Action::RecordEdit => "record_edit",
            Action::RecordAddAuth => "record_add_auth",
            Action::RecordAddWaitlist => "record_add_waitlist",
            Action::RecordBook => "record_book",
            Action::RecordClose => "record_close",
            Action::FormOpenMatch => "form_open_match",
            Action::NextFreeSlot => "form_next_free_slot",
            Action::BookSeries => "form_book_series",
            Action::CancelFollowing => "cancel_following",
            Action::Confirm => "confirm",
            Action::CantCome => "cant_come",
        }
    }

    /// Whether the action's row in the table has this scope (pane 3's own actions, pane 4's).
    pub fn in_scope(self, scope: Scope) -> bool {
        DEFAULTS
            .iter()
            .any(|(a, _, s, _)| *a == self && *s == scope)
    }
}

/// Where a binding applies: everywhere, in a pane, or in a dialog that takes every key while
/// it is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Schedule,
    Progress,
    Program,
    /// Pane 4, the clinic's outcomes.
    Clinic,
    QuitConfirm,
    HelpScreen,
    CancelConfirm,
    CancelReason,
    NoteEditor,
    /// Pane 3's lists over the program: its saved versions and the templates.
    List,
    Versions,
    Chart,
    /// The forms' keys that are not typing: booking, registering, recording a measure.
    Form,
    /// The booking's patient field while it lists patients found; the form's keys behind.
    PatientPick,
    /// Typing the schedule's patient filter: characters and the field's editing keys go into
    /// it, the other keys reach the schedule.
    FilterTyping,
    /// Typing pane 3's search, likewise.
    SearchTyping,
    /// An exercise's note for the patient, being written.
    ItemNote,
    /// The idle lock's PIN.
    Lock,
    /// The patient finder: typing goes into its search.
    Finder,
    /// The patients falling through the cracks.
    Calls,
    /// A patient's record.
    Record,
}

impl Scope {
    pub fn title(self) -> &'static str {
        match self {
            Scope::Everywhere => "Everywhere",
            Scope::Schedule => "Schedule",
            Scope::Progress => "Progress",
            Scope::Program => "Exercise program",
            Scope::Clinic => "Clinic outcomes",
            Scope::QuitConfirm => "Quit with unsaved work",
            Scope::HelpScreen => "This help",
            Scope::CancelConfirm => "Cancel visit: sure?",
            Scope::CancelReason => "Cancel visit: reason",
            Scope::NoteEditor => "Visit note",
            Scope::List => "Lists (the waitlist, templates)",
            Scope::Versions => "Versions",
            Scope::Chart => "Chart",
            Scope::Form => "Forms",
            Scope::PatientPick => "Booking: patients found",
            Scope::FilterTyping => "Typing the filter",
            Scope::SearchTyping => "Typing a search",
            Scope::ItemNote => "Exercise note",
            Scope::Lock => "Locked",
            Scope::Finder => "Find a patient",
            Scope::Calls => "Patients to call",
            Scope::Record => "Patient record",
        }
    }

    const ALL: [Scope; 22] = [
        Scope::Everywhere,
        Scope::Schedule,
        Scope::Progress,
        Scope::Program,
        Scope::Clinic,
        Scope::QuitConfirm,
        Scope::HelpScreen,
        Scope::CancelConfirm,
        Scope::CancelReason,
        Scope::NoteEditor,
        Scope::List,
        Scope::Versions,
        Scope::Chart,
        Scope::Form,
        Scope::PatientPick,
        Scope::FilterTyping,
        Scope::SearchTyping,
        Scope::ItemNote,
        Scope::Lock,
        Scope::Finder,
        Scope::Calls,
        Scope::Record,
    ];

    /// Whether keys of the two scopes can be in force at once: some context has both in its
    /// chain. A dialog takes every key while it is open, so its keys meet only its own (and
    /// those it shares, as the versions do the lists'); a global key meets every pane's.
    pub fn meets(self, other: Scope) -> bool {
        Scope::ALL
            .iter()
            .any(|c| c.chain().contains(&self) && c.chain().contains(&other))
    }

    /// Whether this scope's keys are meant to stand in front of the other's: the patients
    /// found take ↑/↓ from the form's fields while there are some.
    fn shadows(self, other: Scope) -> bool {
        matches!((self, other), (Scope::PatientPick, Scope::Form))
    }

    /// The scopes in force in this one, innermost first: a pane falls back to the global
    /// keys, a dialog to nothing.
    pub fn chain(self) -> &'static [Scope] {
        match self {
            Scope::Everywhere => &[Scope::Everywhere],
            Scope::Schedule => &[Scope::Schedule, Scope::Everywhere],
            Scope::Progress => &[Scope::Progress, Scope::Everywhere],
            Scope::Program => &[Scope::Program, Scope::Everywhere],
            Scope::Clinic => &[Scope::Clinic, Scope::Everywhere],
            Scope::QuitConfirm => &[Scope::QuitConfirm],
            Scope::HelpScreen => &[Scope::HelpScreen],
            Scope::CancelConfirm => &[Scope::CancelConfirm],
            Scope::CancelReason => &[Scope::CancelReason],
            Scope::NoteEditor => &[Scope::NoteEditor],
            Scope::List => &[Scope::List],
            Scope::Versions => &[Scope::Versions, Scope::List],
            // The chart's keys are tried before the pane's (Enter closes it there rather than
            // opening it again); the others still reach the pane, so it can shadow them.
            Scope::Chart => &[Scope::Chart],
            Scope::Form => &[Scope::Form],
            Scope::PatientPick => &[Scope::PatientPick, Scope::Form],
            Scope::FilterTyping => &[Scope::FilterTyping],
            Scope::SearchTyping => &[Scope::SearchTyping],
            Scope::ItemNote => &[Scope::ItemNote],
            Scope::Lock => &[Scope::Lock],
            Scope::Finder => &[Scope::Finder],
            Scope::Calls => &[Scope::Calls],
            Scope::Record => &[Scope::Record],
        }
    }

    /// The dialogs a pane opens, listed under its keys in `?`.
    pub fn dialogs(self) -> &'static [Scope] {
        match self {
            Scope::Everywhere => &[
                Scope::QuitConfirm,
                Scope::HelpScreen,
                Scope::Lock,
                Scope::Finder,
                Scope::Calls,
                Scope::Record,
            ],
            Scope::Schedule => &[
                Scope::FilterTyping,
                Scope::CancelConfirm,
                Scope::CancelReason,
                Scope::List,
            ],
            // The forms are the schedule's and pane 2's; the schedule's column is full at 24
            // rows, so they are listed under pane 2.
            Scope::Progress => &[
                Scope::Chart,
                Scope::NoteEditor,
                Scope::Form,
                Scope::PatientPick,
            ],
            Scope::Program => &[
                Scope::SearchTyping,
                Scope::ItemNote,
                Scope::List,
                Scope::Versions,
            ],
            _ => &[],
        }
    }
}

/// A key as written in the table: a code plus whether Ctrl is held. Shift is part of the
/// character itself (`G`, `N`), so it is ignored for character keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

const fn ctrl_code(code: KeyCode) -> Key {
    Key { code, ctrl: true }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

impl Key {
    /// A character without Ctrl: in a text field it is typed, never a command.
    pub fn types_text(&self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && !self.ctrl
    }

    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let ev_code = match ev.code {
            // Terminals report Shift-Tab as BackTab, with or without the Shift flag.
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            c => c,
        };
        ev_code == self.code && ctrl == self.ctrl
    }

    /// Reads a key as written in the config file: "c", "G", "ctrl-q", "tab", "shift-tab",
    /// "esc", "enter", "space", "up", "pgdn", "home", "f2", ….
    pub fn parse(text: &str) -> Option<Key> {
        let t = text.trim();
        let (ctrl, rest) = match t.to_ascii_lowercase().strip_prefix("ctrl-") {
            Some(_) => (true, &t[5..]),
            None => (false, t),
        };
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            // The arrows as help and messages print them, so that what `?` shows can be
            // copied into `[keys]`.
            (Some('↑'), None) => KeyCode::Up,
            (Some('↓'), None) => KeyCode::Down,
            (Some('←'), None) => KeyCode::Left,
            (Some('→'), None) => KeyCode::Right,
            (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            _ => match rest.to_ascii_lowercase().as_str() {
                "tab" => KeyCode::Tab,
                "shift-tab" | "backtab" => KeyCode::BackTab,
                "esc" | "escape" => KeyCode::Esc,
                "enter" | "return" => KeyCode::Enter,
                "space" => KeyCode::Char(' '),
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdn" | "pagedown" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                f if f.starts_with('f') => {
                    KeyCode::F(f[1..].parse().ok().filter(|n| (1..=12).contains(n))?)
                }
                _ => return None,
            },
        };
        Some(Key { code, ctrl })
    }

    /// The key as hints, help and messages name it (Ctrl-S, as sentences write it), in a
    /// form that `[keys]` reads back.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub action: Action,
    pub keys: Vec<Key>,
    pub scope: Scope,
    pub help: &'static str,
}

impl Binding {
    /// Whether this binding and another could both be in force for `key`: their scopes meet
    /// (and neither stands in front of the other by design), or one quits with a key that
    /// types nothing, which works over every form and dialog.
    pub fn meets(&self, other: &Binding, key: &Key) -> bool {
        let everywhere = |b: &Binding| b.action == Action::Quit && !key.types_text();
        (self.scope.meets(other.scope)
            && !self.scope.shadows(other.scope)
            && !other.scope.shadows(self.scope))
            || everywhere(self)
            || everywhere(other)
    }
}

/// The default bindings: (action, keys, scope, help). Rebinding replaces an action's keys.
const DEFAULTS: &[(Action, &[Key], Scope, &str)] = &[
    (
        Action::Quit,
        &[
            k('q'),
            Key {
                code: KeyCode::Char('c'),
                ctrl: true,
            },
        ],
        Scope::Everywhere,
        "quit",
    ),
    (Action::Help, &[k('?')], Scope::Everywhere, "this help"),
    (
        Action::NextPane,
        &[code(KeyCode::Tab)],
        Scope::Everywhere,
        "next pane",
    ),
    (
        Action::PrevPane,
        &[code(KeyCode::BackTab)],
        Scope::Everywhere,
        "previous pane",
    ),
    (
        Action::ShowSchedule,
        &[k('1')],
        Scope::Everywhere,
        "schedule",
    ),
    (
        Action::ShowProgress,
        &[k('2')],
        Scope::Everywhere,
        "patient progress",
    ),
    (
        Action::ShowProgram,
        &[k('3')],
        Scope::Everywhere,
        "home exercise program",
    ),
    (
        Action::ShowClinic,
        &[k('4')],
        Scope::Everywhere,
        "clinic outcomes",
    ),
    (
        Action::ClinicPeriod,
        &[k('p')],
        Scope::Clinic,
        "month, quarter or year",
    ),
    (
        Action::ClinicEarlier,
        &[k('<')],
        Scope::Clinic,
        "earlier period",
    ),
    (
        Action::ClinicLater,
        &[k('>')],
        Scope::Clinic,
        "later period",
    ),
    (
        Action::ClinicGroup,
        &[k('b')],
        Scope::Clinic,
        "group by the next",
    ),
    (
        Action::ClinicCustom,
        &[k('c')],
        Scope::Clinic,
        "a period: from … to …",
    ),
    (
        Action::ClinicOpen,
        &[code(KeyCode::Enter)],
        Scope::Clinic,
        "a group's episodes; a patient's record",
    ),
    (
        Action::ClinicBack,
        &[code(KeyCode::Esc), code(KeyCode::Backspace)],
        Scope::Clinic,
        "back to the groups",
    ),
    (
        Action::Up,
        &[code(KeyCode::Up), k('k')],
        Scope::Everywhere,
        "move up",
    ),
    (
        Action::Down,
        &[code(KeyCode::Down), k('j')],
        Scope::Everywhere,
        "move down",
    ),
    (
        Action::PageUp,
        &[code(KeyCode::PageUp)],
        Scope::Everywhere,
        "page up",
    ),
    (
        Action::PageDown,
        &[code(KeyCode::PageDown)],
        Scope::Everywhere,
        "page down",
    ),
    (
        Action::First,
        &[k('g'), code(KeyCode::Home)],
        Scope::Everywhere,
        "first visit",
    ),
    (
        Action::Last,
        &[k('G'), code(KeyCode::End)],
        Scope::Everywhere,
        "last visit",
    ),
    (
        Action::PrevDay,
        &[code(KeyCode::Left), k('[')],
        Scope::Everywhere,
        "previous day",
    ),
    (
        Action::NextDay,
        &[code(KeyCode::Right), k(']')],
        Scope::Everywhere,
        "next day",
    ),
    (Action::Today, &[k('t')], Scope::Everywhere, "today"),
    (
        Action::Filter,
        &[k('/')],
        Scope::Schedule,
        "find by name or MRN",
    ),
    (
        Action::ClearFilter,
        &[code(KeyCode::Esc)],
        Scope::Schedule,
        "clear the patient filter",
    ),
    (
        Action::ToggleMine,
        &[k('m')],
        Scope::Schedule,
        "my visits or everyone's",
    ),
    (
        Action::SwitchSite,
        &[k('S')],
        Scope::Schedule,
        "the next site, or all sites",
    ),
    (
        Action::CheckIn,
        &[k('c')],
        Scope::Schedule,
        "check the patient in",
    ),
    (Action::NoShow, &[k('n')], Scope::Schedule, "mark a no-show"),
    (
        Action::Cancel,
        &[k('x')],
        Scope::Schedule,
        "cancel (asks, then why)",
    ),
    (
        Action::Undo,
        &[k('u')],
        Scope::Schedule,
        "undo last status change",
    ),
    (Action::Book, &[k('a')], Scope::Schedule, "book a visit"),
    (
        Action::Reschedule,
        &[k('r')],
        Scope::Schedule,
        "reschedule the visit",
    ),
    (
        Action::NewPatient,
        &[k('N')],
        Scope::Schedule,
        "register a new patient",
    ),
    (
        Action::Waitlist,
        &[k('W')],
        Scope::Schedule,
        "who fits a freed slot",
    ),
    (
        Action::FindPatient,
        &[k('p')],
        Scope::Schedule,
        "find any patient",
    ),
    (
        Action::ShowUnscheduled,
        &[k('U')],
        Scope::Schedule,
        "patients to call",
    ),
    (
        Action::WeekToggle,
        &[k('w')],
        Scope::Schedule,
        "day or week",
    ),
    (
        Action::WeekLayout,
        &[k('v')],
        Scope::Schedule,
        "week: by day or by therapist",
    ),
    (
        Action::WeekTherapist,
        &[k('T')],
        Scope::Schedule,
        "week: next therapist",
    ),
    (Action::GoToDate, &[k('d')], Scope::Schedule, "go to a date"),
    (
        Action::CheckOut,
        &[k('o')],
        Scope::Schedule,
        "check out (visit completed)",
    ),
    // The patient's answer, shifted so that a stray key records none: Y they are coming, X
    // they can't (beside cancel's x; the visit stays booked).
    (
        Action::Confirm,
        &[k('Y')],
        Scope::Schedule,
        "patient confirmed the visit",
    ),
    (
        Action::CantCome,
        &[k('X')],
        Scope::Schedule,
        "patient can't come (stays booked)",
    ),
    (
        Action::OpenChart,
        &[code(KeyCode::Enter)],
        Scope::Progress,
        "chart of the measure",
    ),
    (
        Action::RecordMeasure,
        &[k('r')],
        Scope::Progress,
        "record today's measures",
    ),
    (
        Action::EditNote,
        &[k('e')],
        Scope::Progress,
        "visit note (SOAP)",
    ),
    (
        Action::ShowExpected,
        &[k('x')],
        Scope::Progress,
        "what to expect (similar episodes)",
    ),
    (
        Action::HepSearch,
        &[k('/')],
        Scope::Program,
        "search (slr, tke…)",
    ),
    (
        Action::HepRegion,
        &[
            k('f'),
            Key {
                code: KeyCode::Char('f'),
                ctrl: true,
            },
        ],
        Scope::Program,
        "filter by body region",
    ),
    (
        Action::HepEdit,
        &[code(KeyCode::Enter)],
        Scope::Program,
        "edit the dosage",
    ),
    (
        Action::HepRemove,
        &[k('d')],
        Scope::Program,
        "remove the exercise",
    ),
    (
        Action::HepMoveUp,
        &[k('K')],
        Scope::Program,
        "move the exercise up",
    ),
    (
        Action::HepMoveDown,
        &[k('J')],
        Scope::Program,
        "move the exercise down",
    ),
    (Action::HepNote, &[k('e')], Scope::Program, "edit the note"),
    (
        Action::HepSave,
        &[k('s')],
        Scope::Program,
        "save as a new version",
    ),
    (
        Action::HepVersions,
        &[k('v')],
        Scope::Program,
        "earlier versions",
    ),
    (Action::HepTemplates, &[k('T')], Scope::Program, "templates"),
    (
        Action::HepPrint,
        &[k('p')],
        Scope::Program,
        "write the handout",
    ),
    (
        Action::HepEmail,
        &[k('m')],
        Scope::Program,
        "email the handout to the patient",
    ),
    (
        Action::HepAdherence,
        &[k('A')],
        Scope::Program,
        "record adherence",
    ),
    (
        Action::QuitYes,
        &[k('y'), k('Y')],
        Scope::QuitConfirm,
        "quit and drop it",
    ),
    (
        Action::HelpClose,
        &[code(KeyCode::Esc), code(KeyCode::Enter), k('?'), k('q')],
        Scope::HelpScreen,
        "close this help",
    ),
    (
        Action::HelpUp,
        &[code(KeyCode::Up), k('k')],
        Scope::HelpScreen,
        "scroll up",
    ),
    (
        Action::HelpDown,
        &[code(KeyCode::Down), k('j')],
        Scope::HelpScreen,
        "scroll down",
    ),
    (
        Action::HelpPageUp,
        &[code(KeyCode::PageUp)],
        Scope::HelpScreen,
        "a page up",
    ),
    (
        Action::HelpPageDown,
        &[code(KeyCode::PageDown), k(' ')],
        Scope::HelpScreen,
        "a page down",
    ),
    (
        Action::CancelYes,
        &[k('y'), k('Y')],
        Scope::CancelConfirm,
        "yes, cancel it",
    ),
    (
        Action::CancelNo,
        &[k('n'), k('N'), code(KeyCode::Esc)],
        Scope::CancelConfirm,
        "no, keep it",
    ),
    (
        Action::CancelFollowing,
        &[k('f'), k('F')],
        Scope::CancelConfirm,
        "this and the later ones",
    ),
    (
        Action::CancelForPatient,
        &[k('p')],
        Scope::CancelReason,
        "by the patient",
    ),
    (
        Action::CancelByClinic,
        &[k('c')],
        Scope::CancelReason,
        "by the clinic",
    ),
    (
        Action::CancelLate,
        &[k('l')],
        Scope::CancelReason,
        "late (under 24 h)",
    ),
    (
        Action::CancelBack,
        &[code(KeyCode::Esc)],
        Scope::CancelReason,
        "keep the visit",
    ),
    (
        Action::NoteSave,
        &[ctrl('s')],
        Scope::NoteEditor,
        "save the note",
    ),
    (
        Action::NoteProgressReport,
        &[ctrl('p')],
        Scope::NoteEditor,
        "mark as progress report",
    ),
    (
        Action::NoteSign,
        &[ctrl('g')],
        Scope::NoteEditor,
        "sign the note (locks it)",
    ),
    (
        Action::NoteAddendum,
        &[ctrl('t')],
        Scope::NoteEditor,
        "addendum to a signed note",
    ),
    (
        Action::NoteCoSign,
        &[ctrl('o')],
        Scope::NoteEditor,
        "co-sign an assistant's note",
    ),
    (
        Action::NoteNextPart,
        &[code(KeyCode::Tab)],
        Scope::NoteEditor,
        "next part",
    ),
    (
        Action::NotePrevPart,
        &[code(KeyCode::BackTab)],
        Scope::NoteEditor,
        "previous part",
    ),
    (
        Action::NoteClose,
        &[code(KeyCode::Esc)],
        Scope::NoteEditor,
        "close; twice drops edits",
    ),
    (
        Action::ListUp,
        &[code(KeyCode::Up), k('k')],
        Scope::List,
        "move up",
    ),
    (
        Action::ListDown,
        &[code(KeyCode::Down), k('j')],
        Scope::List,
        "move down",
    ),
    (
        Action::ListPick,
        &[code(KeyCode::Enter)],
        Scope::List,
        "show, apply or book it",
    ),
    (
        Action::ListClose,
        &[code(KeyCode::Esc)],
        Scope::List,
        "back, or close",
    ),
    (
        Action::VersionUse,
        &[k('u')],
        Scope::Versions,
        "use the version shown",
    ),
    (
        Action::ChartClose,
        &[code(KeyCode::Esc), code(KeyCode::Enter)],
        Scope::Chart,
        "close the chart",
    ),
    (
        Action::FormSave,
        &[code(KeyCode::Enter)],
        Scope::Form,
        "save, or the next field",
    ),
    (
        Action::FormSaveNow,
        // Where a terminal sends Ctrl-Enter as its own key (most send a plain Enter).
        &[ctrl('s'), ctrl_code(KeyCode::Enter)],
        Scope::Form,
        "save from any field",
    ),
    (
        Action::FormNext,
        &[code(KeyCode::Tab), code(KeyCode::Down)],
        Scope::Form,
        "next field",
    ),
    (
        Action::FormPrev,
        &[code(KeyCode::BackTab), code(KeyCode::Up)],
        Scope::Form,
        "previous field",
    ),
    (
        Action::FormClose,
        &[code(KeyCode::Esc)],
        Scope::Form,
        "close, twice: drop",
    ),
    (
        Action::NextFreeSlot,
        &[ctrl('f')],
        Scope::Form,
        "booking: the next free slot",
    ),
    (
        Action::BookSeries,
        &[ctrl('r')],
        Scope::Form,
        "a series, or later ones too",
    ),
    (
        Action::FormChoicePrev,
        &[code(KeyCode::Left)],
        Scope::Form,
        "previous choice",
    ),
    (
        Action::FormChoiceNext,
        &[code(KeyCode::Right), k(' ')],
        Scope::Form,
        "next choice",
    ),
    (
        Action::PickPrev,
        &[code(KeyCode::Up)],
        Scope::PatientPick,
        "previous patient found",
    ),
    (
        Action::PickNext,
        &[code(KeyCode::Down)],
        Scope::PatientPick,
        "next patient found",
    ),
    (
        Action::FilterKeep,
        &[code(KeyCode::Enter)],
        Scope::FilterTyping,
        "keep it, back to the day",
    ),
    (
        Action::SearchAdd,
        &[code(KeyCode::Enter)],
        Scope::SearchTyping,
        "add the one highlighted",
    ),
    (
        Action::SearchDone,
        &[code(KeyCode::Esc)],
        Scope::SearchTyping,
        "stop searching",
    ),
    (
        Action::ItemNoteDone,
        &[code(KeyCode::Esc)],
        Scope::ItemNote,
        "done: keep the note",
    ),
    (
        Action::FormOpenMatch,
        &[ctrl('o')],
        Scope::Form,
        "open the matching patient",
    ),
    (
        Action::FinderUp,
        &[code(KeyCode::Up)],
        Scope::Finder,
        "previous patient",
    ),
    (
        Action::FinderDown,
        &[code(KeyCode::Down)],
        Scope::Finder,
        "next patient",
    ),
    (
        Action::FinderOpen,
        &[code(KeyCode::Enter)],
        Scope::Finder,
        "open the record",
    ),
    (
        Action::FinderClose,
        &[code(KeyCode::Esc)],
        Scope::Finder,
        "close the finder",
    ),
    (
        Action::CallsUp,
        &[code(KeyCode::Up), k('k')],
        Scope::Calls,
        "previous patient",
    ),
    (
        Action::CallsDown,
        &[code(KeyCode::Down), k('j')],
        Scope::Calls,
        "next patient",
    ),
    (
        Action::CallsOpen,
        &[code(KeyCode::Enter)],
        Scope::Calls,
        "open the record",
    ),
    (Action::CallsBook, &[k('a')], Scope::Calls, "book a visit"),
    (
        Action::CallsClose,
        &[code(KeyCode::Esc)],
        Scope::Calls,
        "close the list",
    ),
    (
        Action::RecordUp,
        &[code(KeyCode::Up), k('k')],
        Scope::Record,
        "previous field",
    ),
    (
        Action::RecordDown,
        &[code(KeyCode::Down), k('j')],
        Scope::Record,
        "next field",
    ),
    (
        Action::RecordEdit,
        &[code(KeyCode::Enter), k('e')],
        Scope::Record,
        "edit it",
    ),
    (
        Action::RecordAddAuth,
        &[k('n')],
        Scope::Record,
        "add an authorisation",
    ),
    (
        Action::RecordAddWaitlist,
        &[k('w')],
        Scope::Record,
        "put on the waitlist",
    ),
    (Action::RecordBook, &[k('a')], Scope::Record, "book a visit"),
    (
        Action::RecordClose,
        &[code(KeyCode::Esc)],
        Scope::Record,
        "close the record",
    ),
    (
        Action::LockUnlock,
        &[code(KeyCode::Enter)],
        Scope::Lock,
        "check the PIN, unlock",
    ),
    (
        Action::LockClear,
        &[code(KeyCode::Esc)],
        Scope::Lock,
        "clear the PIN typed",
    ),
];

/// The bindings in force: the defaults with the config file's `[keys]` applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
    /// Under `--ascii` the arrows are named in words ("Up"), which `[keys]` reads back, rather
    /// than drawn as symbols the ASCII screen could only show as "^".
    ascii: bool,
}

impl Default for Keymap {
    fn default() -> Self {
        Self {
            bindings: DEFAULTS
                .iter()
                .map(|(action, keys, scope, help)| Binding {
                    action: *action,
                    keys: keys.to_vec(),
                    scope: *scope,
                    help,
                })
                .collect(),
            ascii: false,
        }
    }
}

impl Keymap {
    /// Applies `[keys]` overrides (action name → one key or a list). Unknown actions, unreadable
    /// keys and a key bound to two actions that can meet are refused with one clear sentence.
    pub fn with_overrides<'a>(
        overrides: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>,
    ) -> Result<Self, String> {
        let mut map = Self::default();
        for (name, keys) in overrides {
            let binding = map
                .bindings
                .iter_mut()
                .find(|b| b.action.name() == name)
                .ok_or_else(|| format!("[keys]: there is no action called \"{name}\""))?;
            if keys.is_empty() {
                return Err(format!("[keys]: {name} needs at least one key"));
            }
            binding.keys = keys
                .iter()
                .map(|t| {
                    Key::parse(t).ok_or_else(|| {
                        format!("[keys]: \"{t}\" (for {name}) is not a key ptclinic knows")
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        map.check_conflicts()?;
        Ok(map)
    }

    fn check_conflicts(&self) -> Result<(), String> {
        for (i, a) in self.bindings.iter().enumerate() {
            for b in &self.bindings[i + 1..] {
                if let Some(key) = a
                    .keys
                    .iter()
                    .find(|key| b.keys.contains(key) && a.meets(b, key))
                {
                    return Err(format!(
                        "[keys]: {} is bound to both {} and {}",
                        key.label(),
                        a.action.name(),
                        b.action.name()
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The action a key means in a context (a pane or a dialog): its scopes are tried from
    /// the innermost out, so every key of the app is resolved here.
    pub fn resolve(&self, ev: &KeyEvent, context: Scope) -> Option<Action> {
        context.chain().iter().find_map(|scope| {
            self.bindings
                .iter()
                .filter(|b| b.scope == *scope)
                .find(|b| b.keys.iter().any(|key| key.matches(ev)))
                .map(|b| b.action)
        })
    }

    /// The action a key means in a pane: the pane's bindings and the global ones.
    pub fn action_for(&self, ev: &KeyEvent, pane: Scope) -> Option<Action> {
        self.resolve(ev, pane)
    }

    pub fn with_ascii_labels(mut self, ascii: bool) -> Self {
        self.ascii = ascii;
        self
    }

    fn show(&self, key: &Key) -> String {
        let word = match key.code {
            KeyCode::Up => "Up",
            KeyCode::Down => "Down",
            KeyCode::Left => "Left",
            KeyCode::Right => "Right",
            _ => return key.label(),
        };
        match (self.ascii, key.ctrl) {
            (false, _) => key.label(),
            (true, false) => word.to_string(),
            (true, true) => format!("Ctrl-{word}"),
        }
    }

    /// The first key bound to an action, for hints that name one key ("y yes, cancel it").
    pub fn label(&self, action: Action) -> String {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first())
            .map(|k| self.show(k))
            .unwrap_or_default()
    }

    /// The keys bound to an action, as shown to people ("c", "↑/k").
    pub fn keys_for(&self, action: Action) -> String {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .map(|b| {
                let keys: Vec<String> = b.keys.iter().map(|k| self.show(k)).collect();
                keys.join("/")
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[test]
    fn the_defaults_have_no_conflicts() {
        Keymap::default().check_conflicts().unwrap();
    }

    #[test]
    fn shifted_letters_and_back_tab_are_recognised() {
        let m = Keymap::default();
        assert_eq!(
            m.action_for(
                &key(KeyCode::Char('G'), KeyModifiers::SHIFT),
                Scope::Schedule
            ),
            Some(Action::Last)
        );
        assert_eq!(
            m.action_for(&key(KeyCode::BackTab, KeyModifiers::SHIFT), Scope::Schedule),
            Some(Action::PrevPane)
        );
        assert_eq!(
            m.action_for(
                &key(KeyCode::Char('N'), KeyModifiers::SHIFT),
                Scope::Schedule
            ),
            Some(Action::NewPatient)
        );
        assert_eq!(
            m.action_for(
                &key(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Scope::Schedule
            ),
            Some(Action::Quit)
        );
    }

    #[test]
    fn schedule_keys_only_work_in_the_schedule() {
        let m = Keymap::default();
        let c = key(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(m.action_for(&c, Scope::Schedule), Some(Action::CheckIn));
        assert_eq!(m.action_for(&c, Scope::Progress), None);
    }

    #[test]
    fn rebinding_replaces_the_keys_and_shows_in_help_text() {
        let m = Keymap::with_overrides([("check_in", vec!["i"]), ("quit", vec!["ctrl-q", "F10"])])
            .unwrap();
        assert_eq!(
            m.action_for(
                &key(KeyCode::Char('i'), KeyModifiers::NONE),
                Scope::Schedule
            ),
            Some(Action::CheckIn)
        );
        assert_eq!(
            m.action_for(
                &key(KeyCode::Char('c'), KeyModifiers::NONE),
                Scope::Schedule
            ),
            None
        );
        assert_eq!(
            m.action_for(
                &key(KeyCode::Char('q'), KeyModifiers::CONTROL),
                Scope::Schedule
            ),
            Some(Action::Quit)
        );
        assert_eq!(m.keys_for(Action::Quit), "Ctrl-Q/F10");
    }

    #[test]
    fn conflicts_and_typos_are_refused_with_a_sentence() {
        let e = Keymap::with_overrides([("check_in", vec!["n"])]).unwrap_err();
        assert_eq!(e, "[keys]: n is bound to both check_in and no_show");
        let e = Keymap::with_overrides([("checkin", vec!["i"])]).unwrap_err();
        assert!(e.contains("no action called \"checkin\""), "{e}");
        let e = Keymap::with_overrides([("book", vec!["hyper-b"])]).unwrap_err();
        assert!(e.contains("not a key"), "{e}");
        // A global key may not shadow a schedule key.
        assert!(Keymap::with_overrides([("today", vec!["c"])]).is_err());
    }

    #[test]
    fn dialog_keys_are_resolved_in_their_dialog_only() {
        let m = Keymap::default();
        let y = key(KeyCode::Char('y'), KeyModifiers::NONE);
        let c = key(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(m.resolve(&y, Scope::CancelConfirm), Some(Action::CancelYes));
        assert_eq!(
            m.resolve(&c, Scope::CancelReason),
            Some(Action::CancelByClinic)
        );
        // A dialog does not fall back to the global keys: q there is not quit.
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(m.resolve(&q, Scope::CancelConfirm), None);
        assert_eq!(m.resolve(&y, Scope::Schedule), None);
    }

    #[test]
    fn dialog_keys_are_rebindable_and_conflict_checked() {
        let m = Keymap::with_overrides([("cancel_yes", vec!["j"])]).unwrap();
        let j = key(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(m.resolve(&j, Scope::CancelConfirm), Some(Action::CancelYes));
        assert_eq!(m.label(Action::CancelYes), "j");
        let e = Keymap::with_overrides([("cancel_reason_late", vec!["p"])]).unwrap_err();
        assert_eq!(
            e,
            "[keys]: p is bound to both cancel_reason_patient and cancel_reason_late"
        );
        // Keys of a dialog never meet a pane's: the reasons' c is not the schedule's c.
        Keymap::with_overrides([("cancel_yes", vec!["c"])]).unwrap();
    }

    #[test]
    fn a_quit_key_that_types_nothing_meets_every_scope() {
        let e = Keymap::with_overrides([("cancel_yes", vec!["ctrl-c"])]).unwrap_err();
        assert_eq!(e, "[keys]: Ctrl-C is bound to both quit and cancel_yes");
        // q is typed in a form's field, so a dialog may use it.
        Keymap::with_overrides([("cancel_yes", vec!["q"])]).unwrap();
        // The patients found stand in front of the form's ↑/↓ by design.
        let m = Keymap::default();
        let down = key(KeyCode::Down, KeyModifiers::NONE);
        assert_eq!(m.resolve(&down, Scope::PatientPick), Some(Action::PickNext));
        assert_eq!(m.resolve(&down, Scope::Form), Some(Action::FormNext));
        let tab = key(KeyCode::Tab, KeyModifiers::NONE);
        assert_eq!(m.resolve(&tab, Scope::PatientPick), Some(Action::FormNext));
    }

    #[test]
    fn under_ascii_the_arrows_are_words_that_read_back() {
        let m = Keymap::default().with_ascii_labels(true);
        assert_eq!(m.keys_for(Action::Up), "Up/k");
        assert_eq!(m.label(Action::PrevDay), "Left");
        assert_eq!(Key::parse("Up"), Some(code(KeyCode::Up)));
        assert_eq!(Keymap::default().keys_for(Action::Up), "↑/k");
    }

    #[test]
    fn keys_read_back_as_written() {
        for text in [
            "c",
            "G",
            "ctrl-q",
            "tab",
            "shift-tab",
            "esc",
            "enter",
            "space",
            "pgdn",
            "f2",
            "/",
        ] {
            assert!(Key::parse(text).is_some(), "{text}");
        }
        assert_eq!(
            Key::parse("Ctrl-Q"),
            Some(Key {
                code: KeyCode::Char('q'),
                ctrl: true
            })
        );
        assert_eq!(Key::parse("f13"), None);
    }

    #[test]
    fn every_key_parses_back_from_the_way_it_is_printed() {
        let mut keys: Vec<Key> = DEFAULTS
            .iter()
            .flat_map(|(_, keys, _, _)| keys.iter().copied())
            .collect();
        for code in [
            KeyCode::Backspace,
            KeyCode::Delete,
            KeyCode::F(1),
            KeyCode::F(12),
            KeyCode::Char(' '),
            KeyCode::Char('Z'),
        ] {
            keys.push(Key { code, ctrl: false });
            keys.push(Key { code, ctrl: true });
        }
        for key in keys {
            let printed = key.label();
            let back = Key::parse(&printed);
            // Ctrl folds letters to lower case when read, so Ctrl-Z and Ctrl-z are one key.
            let expected = match key.code {
                KeyCode::Char(c) if key.ctrl => Key {
                    code: KeyCode::Char(c.to_ascii_lowercase()),
                    ctrl: true,
                },
                _ => key,
            };
            assert_eq!(back, Some(expected), "{printed:?}");
        }
    }
}
