//! A clinic group's sites: where a visit is, who works there, its rooms, the weekdays whose
//! hours differ from the clinic's, and which site a terminal or a command works at.

use super::clinic_hours::{ClinicCalendar, DayHours};

/// One site as the record holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub id: i64,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub version: i64,
    /// The site's rooms, in name order (none: rooms are not checked at booking).
    pub rooms: Vec<String>,
    /// A weekday's own hours at this site (indexed from Monday): `Some(None)` closed there,
    /// `None` the clinic's hours.
    pub hours: [Option<Option<DayHours>>; 7],
    /// The staff who work here (`staff.id`).
    pub staff: Vec<i64>,
}

impl Site {
    /// The clinic's calendar with this site's own weekday hours; closed dates are the clinic's.
    pub fn calendar(&self, clinic: &ClinicCalendar) -> ClinicCalendar {
        let mut calendar = clinic.clone();
        for (day, own) in calendar.week.iter_mut().zip(self.hours) {
            if let Some(own) = own {
                *day = own;
            }
        }
        calendar
    }

    pub fn works_here(&self, staff_id: i64) -> bool {
        self.staff.contains(&staff_id)
    }

    /// The room as the site spells it, when the site lists rooms; any room when it lists none.
    pub fn room(&self, wanted: &str) -> Result<String, String> {
        let wanted = wanted.trim();
        if self.rooms.is_empty() {
            return Ok(wanted.to_string());
        }
        self.rooms
            .iter()
            .find(|r| r.eq_ignore_ascii_case(wanted))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "{} has no room {wanted:?}; its rooms are {}",
                    self.name,
                    self.rooms.join(", ")
                )
            })
    }
}

/// Which visits a view shows: one site's, or every site's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteView {
    One(i64),
    All,
}

impl SiteView {
    pub fn shows(self, site_id: i64) -> bool {
        match self {
            SiteView::One(id) => id == site_id,
            SiteView::All => true,
        }
    }
}

/// The word that asks for every site where a site is named (`--site all`).
pub const ALL_SITES: &str = "all";

/// The record's sites, in name order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sites(pub Vec<Site>);

impl Sites {
    pub fn by_id(&self, id: i64) -> Option<&Site> {
        self.0.iter().find(|s| s.id == id)
    }

    fn active(&self) -> impl Iterator<Item = &Site> {
        self.0.iter().filter(|s| s.active)
    }

    /// The site a name (any case) or an id names; a clear sentence listing them when none does.
    pub fn named(&self, text: &str) -> Result<&Site, String> {
        let text = text.trim();
        self.0
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(text))
            .or_else(|| text.parse().ok().and_then(|id| self.by_id(id)))
            .ok_or_else(|| format!("no site is named {text:?}; the sites are {}", self.names()))
    }

    fn names(&self) -> String {
        let names: Vec<&str> = self.active().map(|s| s.name.as_str()).collect();
        if names.is_empty() {
            return "none active".into();
        }
        names.join(", ")
    }

    /// The site a change happens at: the one named (the terminal's, or `--site`), else the
    /// record's only active site. A record of several sites with none named is refused.
    pub fn pick(&self, named: Option<&str>) -> Result<&Site, String> {
        match named {
            Some(name) if name.eq_ignore_ascii_case(ALL_SITES) => Err(format!(
                "a visit is at one site: name it with --site ({})",
                self.names()
            )),
            Some(name) => {
                let site = self.named(name)?;
                if site.active {
                    Ok(site)
                } else {
                    Err(format!(
                        "{} is closed (no longer an active site)",
                        site.name
                    ))
                }
            }
            None => {
                let mut active = self.active();
                match (active.next(), active.next()) {
                    (Some(only), None) => Ok(only),
                    (None, _) => Err(
                        "the record has no active site: add one with ptclinic site add --name NAME"
                            .into(),
                    ),
                    (Some(_), Some(_)) => Err(format!(
                        "this clinic has several sites ({}): name one with --site NAME, PTCLINIC_SITE or site = \"NAME\" in the config",
                        self.names()
                    )),
                }
            }
        }
    }

    /// What a view shows: the site named, every site for `all`, else the terminal's only site
    /// or, with several and none named, all of them.
    pub fn view(&self, named: Option<&str>) -> Result<SiteView, String> {
        match named {
            Some(name) if name.eq_ignore_ascii_case(ALL_SITES) => Ok(SiteView::All),
            Some(name) => Ok(SiteView::One(self.named(name)?.id)),
            None => Ok(self
                .pick(None)
                .map_or(SiteView::All, |s| SiteView::One(s.id))),
        }
    }

    /// The view after `view`, as the schedule's site key steps: each active site in turn,
    /// then all of them, then the first again.
    pub fn next_view(&self, view: SiteView) -> SiteView {
        let ids: Vec<i64> = self.active().map(|s| s.id).collect();
        match view {
            SiteView::All => ids.first().map_or(SiteView::All, |&id| SiteView::One(id)),
            SiteView::One(id) => match ids.iter().position(|&i| i == id) {
                Some(at) if at + 1 < ids.len() => SiteView::One(ids[at + 1]),
                _ => SiteView::All,
            },
        }
    }

    /// How a view is named on screen and in reports.
    pub fn label(&self, view: SiteView) -> String {
        match view {
            SiteView::All => "all sites".into(),
            SiteView::One(id) => self
                .by_id(id)
                .map_or_else(|| format!("site {id}"), |s| s.name.clone()),
        }
    }

    /// What a heading says of the view: nothing in a clinic of one site, else its label.
    pub fn heading(&self, view: SiteView) -> Option<String> {
        self.several().then(|| self.label(view))
    }

    /// Why `staff` cannot have a visit at `site`: one sentence saying where they do work and
    /// how to put them there.
    pub fn not_working_at(&self, site: &Site, staff_id: i64, staff_name: &str) -> String {
        format!(
            "{}: ptclinic site staff {} --add {staff_name:?} puts them there",
            self.works_elsewhere(site, staff_id, staff_name),
            site.name
        )
    }

    /// "Ines Park does not work at North (works at Main)": what the booking form says (the
    /// desk books elsewhere; putting someone at a site is an admin's command).
    pub fn works_elsewhere(&self, site: &Site, staff_id: i64, staff_name: &str) -> String {
        let theirs: Vec<&str> = self
            .active()
            .filter(|s| s.works_here(staff_id))
            .map(|s| s.name.as_str())
            .collect();
        let elsewhere = if theirs.is_empty() {
            "no site yet".to_string()
        } else {
            theirs.join(", ")
        };
        format!(
            "{staff_name} does not work at {} (works at {elsewhere})",
            site.name
        )
    }

    /// More than one active site: views name the site of each visit.
    pub fn several(&self) -> bool {
        self.active().nth(1).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: i64, name: &str, active: bool) -> Site {
        Site {
            id,
            name: name.into(),
            address: None,
            phone: None,
            active,
            version: 1,
            rooms: Vec::new(),
            hours: [None; 7],
            staff: vec![1],
        }
    }

    #[test]
    fn one_site_is_picked_without_a_name_and_several_need_one() {
        let one = Sites(vec![site(1, "Main", true), site(2, "Old", false)]);
        assert_eq!(one.pick(None).unwrap().name, "Main");
        assert_eq!(one.view(None).unwrap(), SiteView::One(1));
        let two = Sites(vec![site(1, "Main", true), site(2, "North", true)]);
        let err = two.pick(None).unwrap_err();
        assert!(err.contains("several sites (Main, North)"), "{err}");
        assert_eq!(two.view(None).unwrap(), SiteView::All);
        assert_eq!(two.pick(Some("north")).unwrap().id, 2);
        assert_eq!(two.view(Some("ALL")).unwrap(), SiteView::All);
        assert!(two.pick(Some("all")).is_err());
        let err = two.pick(Some("South")).unwrap_err();
        assert_eq!(err, "no site is named \"South\"; the sites are Main, North");
        let err = one.pick(Some("old")).unwrap_err();
        assert!(err.contains("Old is closed"), "{err}");
    }

    #[test]
    fn the_site_key_steps_through_each_active_site_then_all() {
        let sites = Sites(vec![
            site(1, "Main", true),
            site(3, "Closed", false),
            site(2, "North", true),
        ]);
        let mut view = SiteView::One(1);
        let mut seen = vec![sites.label(view)];
        for _ in 0..3 {
            view = sites.next_view(view);
            seen.push(sites.label(view));
        }
        assert_eq!(seen, ["Main", "North", "all sites", "Main"]);
    }

    #[test]
    fn a_site_keeps_the_clinic_hours_but_for_its_own_weekdays() {
        let clinic = ClinicCalendar::default();
        let mut north = site(2, "North", true);
        let late = super::super::clinic_hours::day_hours(
            chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            chrono::NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
        )
        .unwrap();
        north.hours[0] = Some(Some(late));
        north.hours[1] = Some(None);
        let cal = north.calendar(&clinic);
        assert_eq!(cal.week[0], Some(late));
        assert_eq!(cal.week[1], None);
        assert_eq!(cal.week[2], clinic.week[2]);
    }

    #[test]
    fn a_room_is_one_of_the_sites_when_it_lists_any() {
        let mut main = site(1, "Main", true);
        assert_eq!(main.room(" Gym ").unwrap(), "Gym");
        main.rooms = vec!["Gym".into(), "Room 2".into()];
        assert_eq!(main.room("room 2").unwrap(), "Room 2");
        assert_eq!(
            main.room("Pool").unwrap_err(),
            "Main has no room \"Pool\"; its rooms are Gym, Room 2"
        );
    }
}
