//! The demo clinic: a deterministic, believable clinic built around "today" from the seed data
//! in `demo_db/`. It is built into a temporary file and renamed into place, all or nothing.

mod attendance;
mod clinical;
mod contact;
pub mod seed;
mod waitlist;

use std::collections::HashMap;
use std::path::Path;

use crate::db::audit::AuditEntry;
use crate::db::demo_build::DemoWriter;
use crate::db::staff::NewStaff;
use crate::db::{Db, Existing, TxResult, Who, build_new_file};
use crate::domain::bulk::{
    DemoAuthorization, DemoPatient, DemoPlan, DemoVisit, NewExercise, PatientDetails,
};
use crate::domain::measures::BodyRegion;
use crate::domain::plan_of_care::{MAX_PLAN_DAYS, MAX_WEEKS};
use crate::domain::{AppointmentStatus, Role, VisitKind};
use crate::error::{AppError, AppResult};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    pub seed: u64,
    pub therapists: u32,
    pub patients: u32,
    pub weeks_back: u32,
    pub weeks_ahead: u32,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            therapists: 6,
            patients: 400,
            weeks_back: 12,
            weeks_ahead: 4,
        }
    }
}

/// The sizes a demo clinic can have (the command line's flags take the same ranges).
pub const MAX_THERAPISTS: u32 = 200;

/// What the demo's therapists sign with.
const THERAPIST_CREDENTIALS: &str = "PT, DPT";

/// The demo's admin and assistant: (first name, last name, role, username, credentials).
pub const FIXED_STAFF: &[(&str, &str, Role, &str, Option<&str>)] = &[
    ("Robin", "Achebe", Role::Admin, "admin", None),
    ("Casey", "Lindqvist", Role::Assistant, "pta", Some("PTA")),
];
pub const MAX_PATIENTS: u32 = 200_000;
pub const MAX_WEEKS_BACK: u32 = 1040;
pub const MAX_WEEKS_AHEAD: u32 = 104;

impl DemoOptions {
    pub fn check(&self) -> AppResult<()> {
        if !(1..=MAX_THERAPISTS).contains(&self.therapists) {
            return Err(AppError::input(format!(
                "--therapists must be 1 to {MAX_THERAPISTS}"
            )));
        }
        if !(1..=MAX_PATIENTS).contains(&self.patients) {
            return Err(AppError::input(format!(
                "--patients must be 1 to {MAX_PATIENTS}"
            )));
        }
        if self.weeks_back > MAX_WEEKS_BACK || self.weeks_ahead > MAX_WEEKS_AHEAD {
            return Err(AppError::input(format!(
                "--weeks-back is at most {MAX_WEEKS_BACK} and --weeks-ahead at most {MAX_WEEKS_AHEAD}"
            )));
        }
        Ok(())
    }
}

/// What a build made, for the message after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub therapists: u32,
    pub patients: u32,
    pub visits: u64,
}

/// Meta keys that mark a demo clinic and when it was built.
pub const META_DEMO_BUILT_ON: &str = "demo_built_on";

/// A demo clinic built more than this many days before today is rebuilt on start.
pub const DEMO_MAX_AGE_DAYS: i64 = 7;

/// Builds the demo clinic at `path`; `force` replaces a demo clinic already there (and
/// nothing else: a file that is not a demo is refused either way).
pub fn build(
    path: &Path,
    force: bool,
    opts: &DemoOptions,
    today: NaiveDate,
) -> AppResult<DemoSummary> {
    let at = format!("{today}T07:00:00");
    let who = Who {
        user: "ptclinic demo",
        at: &at,
    };
    build_as(path, force, opts, today, who)
}

/// [`build`], with who built it and when in the audit row that records the build.
pub fn build_as(
    path: &Path,
    force: bool,
    opts: &DemoOptions,
    today: NaiveDate,
    who: Who,
) -> AppResult<DemoSummary> {
    opts.check()?;
    let mut summary = None;
    build_new_file(path, Existing::ReplaceDemo { force }, |db| {
        summary = Some(fill(db, opts, today, &who)?);
        // The no-show model fitted on the finished history, so that the first start shows
        // the risks (a terminal refits it once it is a week old).
        db.no_show_model(Who {
            user: who.user,
            at: who.at,
        })?;
        Ok(())
    })?;
    summary.ok_or_else(|| AppError::failure("the demo clinic was not built"))
}

/// The project's exercise library, as the demo and `ptclinic init` load it.
pub fn starter_library() -> AppResult<Vec<NewExercise>> {
    Ok(seed::exercises()?
        .iter()
        .map(clinical::library_entry)
        .collect())
}

/// When the demo clinic at `db` was built (None for a real clinic record).
pub fn built_on(db: &Db) -> AppResult<Option<NaiveDate>> {
    Ok(db
        .meta(META_DEMO_BUILT_ON)?
        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
}

fn fill(db: &mut Db, opts: &DemoOptions, today: NaiveDate, who: &Who) -> AppResult<DemoSummary> {
    let exercises = starter_library()?;
    let names = seed::names()?;
    let diagnoses = seed::diagnoses()?;
    let opts = opts.clone();
    db.build_demo(|w| {
        let mut g = Generator::new(&mut *w, &opts, today, &names, &diagnoses);
        g.w.exercises(&exercises)?;
        g.w.seed_templates("demo", &format!("{today}T07:30:00"))?;
        g.staff()?;
        for payer in demo_payers() {
            g.w.payer(&payer)?;
        }
        g.patients()?;
        answers(g.w, today)?;
        let mrns = g.w.active_patient_mrns(opts.patients as usize)?;
        let therapists: Vec<i64> = g.therapist_ids.iter().map(|(id, _)| *id).collect();
        for (mrn, entry, added) in waitlist::entries(today, &therapists, &mrns) {
            g.w.waitlist_entry(&mrn, entry, added, "ptclinic demo")?;
        }
        g.w.meta("app", "ptclinic")?;
        g.w.meta("demo", "1")?;
        g.w.meta(META_DEMO_BUILT_ON, &today.format("%Y-%m-%d").to_string())?;
        g.w.meta("demo_seed", &opts.seed.to_string())?;
        let visits = g.visits;
        w.audit(&AuditEntry {
            at: who.at,
            user: who.user,
            action: "demo.build",
            entity: "clinic",
            entity_id: None,
            detail: serde_json::json!({
                "seed": opts.seed,
                "therapists": opts.therapists,
                "patients": opts.patients,
                "weeks_back": opts.weeks_back,
                "weeks_ahead": opts.weeks_ahead,
                "visits": visits,
            }),
        })?;
        Ok(DemoSummary {
            therapists: opts.therapists,
            patients: opts.patients,
            visits,
        })
    })
}

const DAY_START: u32 = 8 * 60;
const SLOT: u32 = 15;

/// Opening hours in minutes after midnight: full weekdays, Saturday mornings. The day the demo
/// is built on is always open, so there is a full day to check in whatever the weekday.
fn opening(day: NaiveDate, today: NaiveDate) -> Option<(u32, u32)> {
    match day.weekday() {
        _ if day == today => Some((DAY_START, 17 * 60)),
        Weekday::Sun => None,
        Weekday::Sat => Some((DAY_START, 12 * 60)),
        _ => Some((DAY_START, 17 * 60)),
    }
}

const PAYERS: &[&str] = &[
    "Medicare",
    "Medicare",
    "Blue Cross Blue Shield",
    "Aetna",
    "UnitedHealthcare",
    "Cigna",
    "Medicaid",
    "Workers' Compensation",
    "Humana",
    "Self-pay",
];

/// The demo's payers' rules: Medicare and Medicaid bill by the 8-minute rule and want an
/// assistant's notes co-signed; the commercial payers and workers' compensation count units by
/// the AMA's rule of eights. Every payer counts the evaluation.
fn demo_payers() -> Vec<crate::domain::bulk::DemoPayer<'static>> {
    use crate::domain::billing::BillingRule;
    let mut names: Vec<&str> = PAYERS.iter().copied().filter(|p| *p != SELF_PAY).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let federal = name == "Medicare" || name == "Medicaid";
            crate::domain::bulk::DemoPayer {
                name,
                rules: crate::domain::payers::PayerRules {
                    billing_rule: if federal {
                        BillingRule::Medicare
                    } else {
                        BillingRule::Ama
                    },
                    evaluation_counts: true,
                    assistant_needs_cosign: federal,
                },
            }
        })
        .collect()
}

/// The physicians who certify the demo's plans of care.
const PHYSICIANS: &[&str] = &[
    "Dr. Ada Park",
    "Dr. Samuel Osei",
    "Dr. Lena Fischer",
    "Dr. Rosa Alvarez",
];

/// The payer whose patients need no authorisation.
const SELF_PAY: &str = "Self-pay";

/// The weeks a plan's period spans (its stated duration).
fn weeks_of(start: NaiveDate, end: NaiveDate) -> u8 {
    ((end - start).num_days() / 7 + 1).clamp(1, MAX_WEEKS) as u8
}

/// Weekly visit patterns (Monday = 0).
const PATTERNS: &[&[u32]] = &[
    &[0, 2],
    &[1, 3],
    &[0, 3],
    &[1, 4],
    &[2, 4],
    &[0, 2, 4],
    &[1, 3, 5],
    &[0, 2],
    &[1, 3],
];

/// An earlier episode of a returning patient: who treated it, where, and its visit days.
struct PastEpisode {
    therapist_id: i64,
    room: String,
    region: BodyRegion,
    days: Vec<(NaiveDate, NaiveDateTime, u32)>,
}

/// What the current episode's plan and authorisation are made from.
struct CurrentTerms<'p> {
    patient_id: i64,
    n: i64,
    therapist_id: i64,
    payer: &'p str,
    eval_day: NaiveDate,
    poc_end: NaiveDate,
    authorized: i64,
    per_week: usize,
    unsigned: bool,
    recertify: bool,
}

fn mrn_of(n: u32) -> String {
    format!("{}", 100_001 + n)
}

struct Generator<'a, 'w> {
    w: &'a mut DemoWriter<'w>,
    opts: &'a DemoOptions,
    today: NaiveDate,
    first_day: NaiveDate,
    last_day: NaiveDate,
    rng: SmallRng,
    names: &'a seed::Names,
    diagnoses: &'a [seed::DiagnosisSeed],
    therapist_ids: Vec<(i64, String)>,
    /// Each therapist's username, which their notes and measurements are signed with.
    usernames: HashMap<i64, String>,
    /// Booked 15-minute slots per (therapist, day).
    busy: HashMap<(i64, NaiveDate), Vec<bool>>,
    clinical: clinical::Clinical,
    visits: u64,
}

impl<'a, 'w> Generator<'a, 'w> {
    fn new(
        w: &'a mut DemoWriter<'w>,
        opts: &'a DemoOptions,
        today: NaiveDate,
        names: &'a seed::Names,
        diagnoses: &'a [seed::DiagnosisSeed],
    ) -> Self {
        Self {
            w,
            opts,
            today,
            first_day: today - Duration::weeks(i64::from(opts.weeks_back)),
            last_day: today + Duration::weeks(i64::from(opts.weeks_ahead)),
            rng: SmallRng::seed_from_u64(opts.seed),
            names,
            diagnoses,
            therapist_ids: Vec::new(),
            usernames: HashMap::new(),
            busy: HashMap::new(),
            clinical: clinical::Clinical::new(),
            visits: 0,
        }
    }

    fn pick<'b, T>(&mut self, items: &'b [T]) -> &'b T {
        &items[self.rng.random_range(0..items.len())]
    }

    fn person(&mut self) -> (String, String) {
        let names = self.names;
        let first = self.pick(&names.first_names).clone();
        let last = self.pick(&names.last_names).clone();
        (first, last)
    }

    /// The therapists and the front-desk person, named from the seed (usernames: first initial
    /// and last name, "jsmith"), then the admin and the assistant under fixed names and
    /// usernames (`admin`, `pta`) that the README gives: they are the same in every demo.
    fn staff(&mut self) -> TxResult<()> {
        let mut used_initials: Vec<String> = Vec::new();
        let mut used_usernames: Vec<String> = Vec::new();
        let mut unique = |first: &str, last: &str, username: String| {
            let mut initials: String = [first, last]
                .iter()
                .filter_map(|n| n.chars().next())
                .collect::<String>()
                .to_uppercase();
            if used_initials.contains(&initials) {
                let base = initials.clone();
                let mut n = 2;
                while used_initials.contains(&initials) {
                    initials = format!("{base}{n}");
                    n += 1;
                }
            }
            used_initials.push(initials.clone());
            let mut username = username;
            while used_usernames.contains(&username) {
                username.push('2');
            }
            used_usernames.push(username.clone());
            (initials, username)
        };
        let mut people = Vec::new();
        for i in 0..=self.opts.therapists {
            let (first, last) = self.person();
            let username: String = format!("{}{}", first.chars().next().unwrap_or('x'), last)
                .to_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            let (initials, username) = unique(&first, &last, username);
            let (role, credentials) = if i == self.opts.therapists {
                (Role::FrontDesk, None)
            } else {
                (Role::Therapist, Some(THERAPIST_CREDENTIALS))
            };
            people.push((
                format!("{first} {last}"),
                initials,
                role,
                username,
                credentials,
            ));
        }
        // Drawn from no random numbers, so every other value of the demo stays as it was.
        for (first, last, role, username, credentials) in FIXED_STAFF {
            let (initials, username) = unique(first, last, (*username).to_string());
            people.push((
                format!("{first} {last}"),
                initials,
                *role,
                username,
                *credentials,
            ));
        }
        for (name, initials, role, username, credentials) in people {
            let id = self.w.staff(&NewStaff {
                name,
                initials,
                role,
                username: Some(username.clone()),
                credentials: credentials.map(str::to_string),
            })?;
            self.usernames.insert(id, username);
            if role == Role::Therapist {
                self.therapist_ids
                    .push((id, format!("{}", self.therapist_ids.len() + 1)));
            }
        }
        Ok(())
    }

    /// Episodes per patient. A clinic record spanning a year or more has returning patients:
    /// each patient comes back for a new episode (a new complaint, a new evaluation) often
    /// enough that the therapists' weeks are as full as in the default demo, which starts
    /// about 4.2 episodes per therapist a week. Shorter windows have one episode each.
    fn episodes_per_patient(&self) -> i64 {
        let weeks = f64::from(self.opts.weeks_back + self.opts.weeks_ahead);
        if weeks < 52.0 {
            return 1;
        }
        let per_patient =
            weeks * f64::from(self.opts.therapists) * 4.2 / f64::from(self.opts.patients);
        (per_patient.round() as i64).clamp(1, 12)
    }

    fn patients(&mut self) -> TxResult<()> {
        let span = (self.last_day - self.first_day).num_days().max(1);
        let episodes = self.episodes_per_patient();
        // The window is cut into one segment per episode; the latest episode falls in the last.
        let segment = span / episodes;
        let latest_from = segment * (episodes - 1);
        let mut recertified = false;
        for n in 0..self.opts.patients {
            let (first, last) = self.person();
            let age = self.rng.random_range(18..=88);
            let dob = self.today - Duration::days(age * 365 + self.rng.random_range(0..365));
            let diagnosis = self.pick(self.diagnoses).clone();
            let region = BodyRegion::parse(&diagnosis.region).unwrap_or(BodyRegion::Lumbar);
            let (therapist_id, room) =
                self.therapist_ids[self.rng.random_range(0..self.therapist_ids.len())].clone();
            // Evaluations spread over the whole window, a little denser in the recent past so
            // that today is a full day.
            let offset = latest_from + self.rng.random_range(0..(span - latest_from - 6).max(1));
            let eval_day = self.first_day + Duration::days(offset);
            let pattern = *self.pick(PATTERNS);
            let planned = self.rng.random_range(8..=24) as usize;
            let start_slot = self.rng.random_range(0..32) as u32;
            let days = self.visit_days(
                therapist_id,
                eval_day,
                pattern,
                planned,
                start_slot,
                self.last_day,
            );
            // The episode's terms run from the evaluation as it took place (a closed day moves
            // it on).
            let eval_day = days.first().map_or(eval_day, |(d, _, _)| *d);
            let last_visit = days.last().map(|(d, _, _)| *d).unwrap_or(eval_day);
            let active = last_visit >= self.today - Duration::days(7);
            let mrn = mrn_of(n);
            // Drawn as before, so that every later value of the demo stays as it was.
            let _ = (
                self.rng.random_range(100..999),
                self.rng.random_range(0..10_000),
            );
            let phone = contact::phone(n);
            let email = (self.rng.random_range(0..3) > 0).then(|| {
                format!(
                    "{}.{}@example.com",
                    first.to_lowercase(),
                    last.to_lowercase()
                )
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "@.".contains(*c))
                .collect::<String>()
            });
            let has_email = email.is_some();
            let payer = *self.pick(PAYERS);
            // Plans of care and authorisations, shaped so that some visits carry flags.
            let poc_days = match self.rng.random_range(0..10) {
                0 => (self.today - eval_day).num_days() + self.rng.random_range(1..=6),
                1 => (self.today - eval_day).num_days() - self.rng.random_range(1..=5),
                _ => self.rng.random_range(60..=90),
            }
            .clamp(14, MAX_PLAN_DAYS - 1);
            let poc_end = eval_day + Duration::days(poc_days);
            let authorized = match self.rng.random_range(0..10) {
                0 => days.len() as i64 - self.rng.random_range(0..=3),
                1 => days.len() as i64 - self.rng.random_range(4..=8),
                _ => days.len() as i64 + self.rng.random_range(2..=6),
            }
            .max(4);
            // Earlier, finished episodes of a returning patient, one per earlier segment.
            let earlier: Vec<PastEpisode> = (0..episodes - 1)
                .map(|k| self.past_episode(k * segment, segment))
                .collect();
            let created_on = earlier
                .first()
                .and_then(|e| e.days.first())
                .map_or(eval_day, |(d, _, _)| *d);
            let patient_id = self.w.patient(&DemoPatient {
                details: PatientDetails {
                    mrn,
                    first_name: first,
                    last_name: last,
                    date_of_birth: dob,
                    phone: Some(phone),
                    email,
                    payer: Some(payer.to_string()),
                    diagnosis_code: Some(diagnosis.code.clone()),
                    diagnosis: Some(diagnosis.description.clone()),
                    body_region: Some(region.as_str().to_string()),
                    plan: None,
                    authorization: None,
                },
                active,
                created_at: at_eight(created_on),
            })?;
            let consent = contact::consent(n, has_email, created_on, self.today);
            self.w.consent(patient_id, &consent)?;
            // Most plans are certified within days; a few are left unsigned past the timely 30
            // days, and one patient treated past their plan's end is recertified.
            let unsigned = n % 10 == 7 && (self.today - eval_day).num_days() >= 30;
            let recertify = !recertified && !unsigned && last_visit > poc_end;
            recertified |= recertify;
            self.current_terms(
                CurrentTerms {
                    patient_id,
                    n: i64::from(n),
                    therapist_id,
                    payer,
                    eval_day,
                    poc_end,
                    authorized,
                    per_week: pattern.len(),
                    unsigned,
                    recertify,
                },
                &mrn_of(n),
            )?;
            // Each finished episode keeps the program the patient was given then; the current
            // one, while active, is the latest version.
            let mut programs = 0;
            let mut attendee = attendance::Attendee::new(age, payer, &mut self.rng);
            for past in &earlier {
                let episode = self.appointments(
                    patient_id,
                    past.therapist_id,
                    &past.room,
                    &past.days,
                    false,
                    &mut attendee,
                )?;
                self.past_terms(patient_id, i64::from(n), past, payer)?;
                let therapist = self.usernames[&past.therapist_id].clone();
                if self.clinical.episode(
                    self.w,
                    &mut self.rng,
                    &therapist,
                    patient_id,
                    past.region,
                    &episode,
                    false,
                    Some(programs + 1),
                    self.today,
                )? {
                    programs += 1;
                }
            }
            let episode = self.appointments(
                patient_id,
                therapist_id,
                &room,
                &days,
                active,
                &mut attendee,
            )?;
            let therapist = self.usernames[&therapist_id].clone();
            self.clinical.episode(
                self.w,
                &mut self.rng,
                &therapist,
                patient_id,
                region,
                &episode,
                active,
                active.then_some(programs + 1),
                self.today,
            )?;
        }
        Ok(())
    }

    /// The current episode's plan of care and authorisation (a recertification with its own
    /// authorisation for the patient picked for one).
    fn current_terms(&mut self, c: CurrentTerms, mrn: &str) -> TxResult<()> {
        let by = self.usernames[&c.therapist_id].clone();
        let physician = PHYSICIANS[c.n as usize % PHYSICIANS.len()];
        let signed = c.eval_day + Duration::days(2 + c.n % 9);
        let plan_id = self.w.plan(&DemoPlan {
            patient_id: c.patient_id,
            starts_on: c.eval_day,
            ends_on: c.poc_end,
            visits_per_week: c.per_week.clamp(1, 7) as u8,
            weeks: weeks_of(c.eval_day, c.poc_end),
            physician: Some(physician),
            certified_on: (!c.unsigned && signed <= self.today).then_some(signed),
            recertifies: None,
            region: None,
            created_by: &by,
            created_at: at_eight(c.eval_day),
        })?;
        let paid = c.payer != SELF_PAY;
        if paid {
            self.w.authorization(&DemoAuthorization {
                patient_id: c.patient_id,
                payer: c.payer,
                reference: Some(format!("PA-{mrn}-1")),
                starts_on: c.eval_day,
                ends_on: c.poc_end,
                visits: c.authorized,
                created_by: &by,
                created_at: at_eight(c.eval_day),
            })?;
        }
        if c.recertify {
            let starts_on = c.poc_end + Duration::days(1);
            let ends_on = starts_on + Duration::days(27);
            let signed = starts_on + Duration::days(3);
            self.w.plan(&DemoPlan {
                patient_id: c.patient_id,
                starts_on,
                ends_on,
                visits_per_week: 2,
                weeks: 4,
                physician: Some(physician),
                certified_on: (signed <= self.today).then_some(signed),
                recertifies: Some(plan_id),
                region: None,
                created_by: &by,
                created_at: at_eight(starts_on.min(self.today)),
            })?;
            if paid {
                self.w.authorization(&DemoAuthorization {
                    patient_id: c.patient_id,
                    payer: c.payer,
                    reference: Some(format!("PA-{mrn}-2")),
                    starts_on,
                    ends_on,
                    visits: 8,
                    created_by: &by,
                    created_at: at_eight(starts_on.min(self.today)),
                })?;
            }
        }
        Ok(())
    }

    /// A finished episode's certified plan of care and its authorisation.
    fn past_terms(
        &mut self,
        patient_id: i64,
        n: i64,
        past: &PastEpisode,
        payer: &str,
    ) -> TxResult<()> {
        let (Some((first, _, _)), Some((last, _, _))) = (past.days.first(), past.days.last())
        else {
            return Ok(());
        };
        let by = self.usernames[&past.therapist_id].clone();
        let ends_on =
            *first + Duration::days(((*last - *first).num_days() + 7).min(MAX_PLAN_DAYS - 1));
        self.w.plan(&DemoPlan {
            patient_id,
            starts_on: *first,
            ends_on,
            visits_per_week: 2,
            weeks: weeks_of(*first, ends_on),
            physician: Some(PHYSICIANS[n as usize % PHYSICIANS.len()]),
            certified_on: Some(*first + Duration::days(3)),
            recertifies: None,
            region: Some(past.region),
            created_by: &by,
            created_at: at_eight(*first),
        })?;
        if payer != SELF_PAY {
            self.w.authorization(&DemoAuthorization {
                patient_id,
                payer,
                reference: None,
                starts_on: *first,
                ends_on,
                visits: past.days.len() as i64 + 2,
                created_by: &by,
                created_at: at_eight(*first),
            })?;
        }
        Ok(())
    }

    /// A finished episode evaluated in the segment of the window starting `from` days after its
    /// first day and `length` days long; its visits end before the segment does.
    fn past_episode(&mut self, from: i64, length: i64) -> PastEpisode {
        let diagnosis = self.pick(self.diagnoses);
        let region = BodyRegion::parse(&diagnosis.region).unwrap_or(BodyRegion::Lumbar);
        let (therapist_id, room) =
            self.therapist_ids[self.rng.random_range(0..self.therapist_ids.len())].clone();
        let offset = from + self.rng.random_range(0..(length * 3 / 4).max(1));
        let eval_day = self.first_day + Duration::days(offset);
        let pattern = *self.pick(PATTERNS);
        let planned = self.rng.random_range(8..=24) as usize;
        let start_slot = self.rng.random_range(0..32) as u32;
        let until = (self.first_day + Duration::days(from + length - 1))
            .min(self.today - Duration::days(1));
        let days = self.visit_days(therapist_id, eval_day, pattern, planned, start_slot, until);
        PastEpisode {
            therapist_id,
            room,
            region,
            days,
        }
    }

    /// Days and times of an episode's visits, following a weekly pattern and fitted into the
    /// therapist's free slots. Returns (day, start, minutes).
    fn visit_days(
        &mut self,
        therapist_id: i64,
        eval_day: NaiveDate,
        pattern: &[u32],
        planned: usize,
        preferred_slot: u32,
        until: NaiveDate,
    ) -> Vec<(NaiveDate, NaiveDateTime, u32)> {
        let mut out = Vec::with_capacity(planned);
        let mut day = eval_day;
        while out.len() < planned && day <= until {
            let is_pattern_day =
                out.is_empty() || pattern.contains(&day.weekday().num_days_from_monday());
            if is_pattern_day && let Some((open, close)) = opening(day, self.today) {
                let minutes = if out.is_empty() {
                    60
                } else {
                    *self.pick(&[30u32, 45, 45, 45, 60])
                };
                if let Some(at) =
                    self.book_slot(therapist_id, day, open, close, minutes, preferred_slot)
                {
                    out.push((
                        day,
                        day.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(at)),
                        minutes,
                    ));
                }
            }
            day += Duration::days(1);
        }
        out
    }

    /// Finds the free slot nearest the patient's usual time; marks it busy.
    fn book_slot(
        &mut self,
        therapist_id: i64,
        day: NaiveDate,
        open: u32,
        close: u32,
        minutes: u32,
        preferred: u32,
    ) -> Option<u32> {
        let slots = ((close - open) / SLOT) as usize;
        let need = minutes.div_ceil(SLOT) as usize;
        if need > slots {
            return None;
        }
        let busy = self
            .busy
            .entry((therapist_id, day))
            .or_insert_with(|| vec![false; slots]);
        let last_start = slots - need;
        let want = (preferred as usize).min(last_start);
        for distance in 0..=last_start {
            for start in [want.checked_sub(distance), Some(want + distance)]
                .into_iter()
                .flatten()
            {
                if start <= last_start && busy[start..start + need].iter().all(|b| !b) {
                    busy[start..start + need].iter_mut().for_each(|b| *b = true);
                    return Some(open + start as u32 * SLOT);
                }
            }
        }
        None
    }

    fn appointments(
        &mut self,
        patient_id: i64,
        therapist_id: i64,
        room: &str,
        days: &[(NaiveDate, NaiveDateTime, u32)],
        active: bool,
        attendee: &mut attendance::Attendee,
    ) -> TxResult<Vec<clinical::EpisodeVisit>> {
        let mut out = Vec::with_capacity(days.len());
        let mut treatment_days_since_report = 0;
        // The evaluation is booked up to three weeks ahead; the visits after it four weeks at
        // a time, at the first visit of each four weeks (never after today).
        let eval_lead = Duration::days(self.rng.random_range(0..=21));
        for (i, (day, start, minutes)) in days.iter().enumerate() {
            let first = days[0].0;
            let booked_on = if i == 0 {
                first - eval_lead
            } else {
                first + Duration::days((*day - first).num_days() / 28 * 28)
            }
            .min(self.today);
            let past = *day < self.today;
            let (status, reason) = if !past {
                (AppointmentStatus::Scheduled, None)
            } else {
                match attendee.visit(&mut self.rng, *start, booked_on, i == 0) {
                    attendance::Outcome::Attended => (AppointmentStatus::Completed, None),
                    attendance::Outcome::NoShow => (AppointmentStatus::NoShow, None),
                    attendance::Outcome::Cancelled(r) => (AppointmentStatus::Cancelled, Some(r)),
                }
            };
            let attended =
                status != AppointmentStatus::NoShow && status != AppointmentStatus::Cancelled;
            if attended {
                treatment_days_since_report += 1;
            }
            let kind = if i == 0 {
                VisitKind::Evaluation
            } else if i + 1 == days.len() && !active {
                VisitKind::Discharge
            } else if attended && treatment_days_since_report >= 10 {
                treatment_days_since_report = 0;
                VisitKind::Progress
            } else {
                VisitKind::Treatment
            };
            let changed_at = past.then(|| *start + Duration::minutes(i64::from(*minutes)));
            let checked_in = (status == AppointmentStatus::Completed)
                .then(|| *start - Duration::minutes(self.rng.random_range(0..12)));
            let id = self.w.visit(&DemoVisit {
                patient_id,
                therapist_id,
                start: *start,
                minutes: *minutes,
                kind,
                status,
                status_changed_at: changed_at,
                checked_in_at: checked_in,
                cancel_reason: reason,
                room: Some(room),
                created_at: at_eight(booked_on),
            })?;
            self.visits += 1;
            out.push(clinical::EpisodeVisit {
                id,
                day: *day,
                kind,
                status,
            });
        }
        Ok(out)
    }
}

/// Some of the coming days' visits confirmed or declined (see `contact::answer`).
fn answers(w: &mut DemoWriter, today: NaiveDate) -> TxResult<()> {
    let from = at_eight(today) - Duration::hours(8);
    let to = from + Duration::days(contact::ANSWERED_DAYS);
    for (id, start) in w.scheduled_between(from, to)? {
        if let Some((answer, via, at)) = contact::answer(id, start, today) {
            w.confirmation(id, start, answer, via, at, "ptclinic demo")?;
        }
    }
    Ok(())
}

/// Records of the demo are made at eight in the morning of their day.
fn at_eight(day: NaiveDate) -> NaiveDateTime {
    day.and_time(NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN))
}
