//! Pane 1's state: the day asked for and its visits as loaded, the rows shown (the "mine"
//! toggle and the filter applied), the selection, and what `u` can put back.

use chrono::NaiveDate;

use crate::domain::AppointmentStatus;
use crate::domain::appointment::{StatusSnapshot, Visit};
use crate::domain::clinic_hours::ClinicCalendar;
use crate::domain::sites::{SiteView, Sites};
use crate::search::{Matcher, rank_people};
use crate::tui::forms::DirectoryEntry;
use crate::tui::input::LineInput;

/// What `u` can put back: this terminal's status changes, newest last.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoEntry {
    pub visit_id: i64,
    /// The version the change produced; undo is refused if someone changed the visit since.
    pub version: i64,
    pub previous: StatusSnapshot,
    pub now: AppointmentStatus,
    /// Set when the entry is a booking made here (at this time): undoing it takes the visit
    /// off the record, within `BOOKING_UNDO_MINUTES`.
    pub booked_at: Option<chrono::NaiveDateTime>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub input: LineInput,
    /// True while the cursor is in the filter box.
    pub typing: bool,
}

pub struct Schedule {
    /// The day asked for; `visits` belong to `visits_day` until its load arrives.
    pub day: NaiveDate,
    pub visits_day: Option<NaiveDate>,
    pub visits: Vec<Visit>,
    pub loaded_at: Option<String>,
    /// Indices into `visits` that are shown, in time order (derived: see `refresh_rows`).
    pub rows: Vec<usize>,
    pub selected: Option<i64>,
    pub mine_only: bool,
    pub filter: Option<Filter>,
    pub undo: Vec<UndoEntry>,
    /// Bookable patients, loaded when a booking form first opens.
    pub directory: Vec<DirectoryEntry>,
    /// The clinic's hours and closed dates, loaded with the directory.
    pub calendar: ClinicCalendar,
    /// Rows in a page of the list, as the last frame laid it out.
    pub page_size: usize,
    /// The row at the top of the list: the list scrolls only when the selection would leave it.
    pub top: usize,
    pub matcher: Matcher,
    /// The slot this terminal's last cancellation or no-show freed, and who on the waitlist
    /// fits it (see `schedule::waitlist`).
    pub waitlist: Option<WaitlistOffer>,
    /// The patient registered last at this terminal: the next booking is their evaluation.
    pub just_registered: Option<(i64, String)>,
    /// The week view, while it is shown (`w`); its selection is then the selected visit.
    pub week: Option<super::week::Week>,
    /// The clinic's sites, read at start.
    pub sites: Sites,
    /// Whose visits the day shows: this terminal's site by default, `S` steps through them.
    pub site_view: SiteView,
    /// The terminal's own site (its config's, or the record's only one): where a visit booked
    /// while all sites are shown goes.
    pub home_site: Option<i64>,
}

impl Schedule {
    pub fn new(day: NaiveDate, mine_only: bool) -> Self {
        Self {
            day,
            visits_day: None,
            visits: Vec::new(),
            loaded_at: None,
            rows: Vec::new(),
            selected: None,
            mine_only,
            filter: None,
            undo: Vec::new(),
            directory: Vec::new(),
            calendar: ClinicCalendar::default(),
            page_size: 10,
            top: 0,
            matcher: Matcher::default(),
            waitlist: None,
            just_registered: None,
            week: None,
            sites: Sites::default(),
            site_view: SiteView::All,
            home_site: None,
        }
    }

    /// The clinic's calendar as it holds at `site`: with the site's own weekday hours.
    pub fn site_calendar(&self, clinic: &ClinicCalendar, site: Option<i64>) -> ClinicCalendar {
        site.and_then(|id| self.sites.by_id(id))
            .map_or_else(|| clinic.clone(), |s| s.calendar(clinic))
    }

    /// The calendar a booking form reads typed times in: its site's (`form_site`, else the
    /// schedule's booking site).
    pub fn form_calendar(&self, form_site: Option<i64>) -> ClinicCalendar {
        self.site_calendar(&self.calendar, form_site.or(self.booking_site()))
    }

    /// The site a booking made now goes to: the one shown, else the terminal's own.
    pub fn booking_site(&self) -> Option<i64> {
        match self.site_view {
            SiteView::One(id) => Some(id),
            SiteView::All => self.home_site,
        }
    }

    /// Installs a freshly loaded day, keeping the selection on the same visit when it is
    /// still shown (else the first row).
    pub fn set_day(
        &mut self,
        day: NaiveDate,
        visits: Vec<Visit>,
        loaded_at: String,
        me: Option<i64>,
    ) {
        self.day = day;
        self.visits_day = Some(day);
        self.visits = visits;
        self.loaded_at = Some(loaded_at);
        self.refresh_rows(me);
    }

    /// Replaces one visit in place after a change (the reload that follows confirms it).
    pub fn replace_visit(&mut self, v: Visit, me: Option<i64>) {
        if let Some(week) = self.week.as_mut() {
            super::week::replace_visit(week, &v);
        }
        if let Some(slot) = self.visits.iter_mut().find(|x| x.id == v.id) {
            *slot = v;
        }
        self.refresh_rows(me);
    }

    /// Recomputes the shown rows from the day, the "mine" toggle (`me`: the user's staff id)
    /// and the patient filter, and
    /// keeps a valid selection: the best filter match while filtering, else the same visit,
    /// else the first row.
    pub fn refresh_rows(&mut self, me: Option<i64>) {
        let mine = self.mine_only.then_some(me).flatten();
        let candidates: Vec<usize> = (0..self.visits.len())
            .filter(|&i| mine.is_none_or(|id| self.visits[i].therapist_id == id))
            .filter(|&i| self.site_view.shows(self.visits[i].site_id))
            .collect();
        let query = self
            .filter
            .as_ref()
            .map(|f| f.input.text().trim().to_string())
            .unwrap_or_default();
        if query.is_empty() {
            self.rows = candidates;
        } else {
            let hits = rank_people(
                &self.matcher,
                &query,
                candidates.iter().map(|&i| {
                    (
                        self.visits[i].patient_name.as_str(),
                        self.visits[i].mrn.as_str(),
                    )
                }),
            );
            let best = hits.first().map(|h| self.visits[candidates[h.index]].id);
            let mut rows: Vec<usize> = hits.iter().map(|h| candidates[h.index]).collect();
            rows.sort_unstable();
            self.rows = rows;
            if self.filter.as_ref().is_some_and(|f| f.typing) {
                self.selected = best;
            }
        }
        let still_shown = self
            .selected
            .is_some_and(|id| self.rows.iter().any(|&i| self.visits[i].id == id));
        if !still_shown {
            self.selected = self.rows.first().map(|&i| self.visits[i].id);
        }
    }

    pub fn selected_index(&self) -> Option<usize> {
        let id = self.selected?;
        self.rows.iter().position(|&i| self.visits[i].id == id)
    }

    pub fn selected_visit(&self) -> Option<&Visit> {
        if let Some(week) = &self.week {
            return week.selected_visit();
        }
        let id = self.selected?;
        self.visits.iter().find(|v| v.id == id)
    }

    pub fn select_row(&mut self, row: usize) {
        if let Some(&i) = self.rows.get(row) {
            self.selected = Some(self.visits[i].id);
        }
    }

    pub fn is_loading(&self) -> bool {
        self.visits_day != Some(self.day)
    }

    /// Counts for the header, of the visits shown (mine or everyone's).
    pub fn counts(&self, me: Option<i64>) -> crate::domain::appointment::DayCounts {
        let mine = self.mine_only.then_some(me).flatten();
        crate::domain::appointment::DayCounts::of(
            self.visits
                .iter()
                .filter(|v| mine.is_none_or(|id| v.therapist_id == id))
                .filter(|v| self.site_view.shows(v.site_id)),
        )
    }
}

/// A slot freed at this terminal and the waitlist entries that fit it, best first (empty
/// until the database has answered).
#[derive(Debug, Clone, PartialEq)]
pub struct WaitlistOffer {
    pub visit_id: i64,
    /// The patient whose visit it was: their own entry is not offered their own slot back.
    pub patient_id: i64,
    pub slot: crate::domain::waitlist::FreedSlot,
    pub therapist_initials: String,
    pub entries: Vec<crate::domain::waitlist::WaitlistEntry>,
}
