//! Home exercise programs: the exercise library's entries, dosage and how it reads to a
//! patient, program versions, templates and patient-reported adherence.

use chrono::NaiveDate;

/// Past this many exercises the builder warns: adherence falls as programs grow (CLINICAL.md).
pub const WARN_ABOVE: usize = 8;

/// The exercise library's regions, in the order the region filter cycles through them.
pub const REGIONS: &[(&str, &str)] = &[
    ("cervical", "Cervical"),
    ("thoracic", "Thoracic"),
    ("lumbar", "Lumbar"),
    ("core", "Core"),
    ("shoulder", "Shoulder"),
    ("elbow", "Elbow"),
    ("wrist_hand", "Wrist/hand"),
    ("hip", "Hip"),
    ("knee", "Knee"),
    ("ankle_foot", "Ankle/foot"),
    ("balance", "Balance"),
];

/// A region's label ("wrist_hand" → "Wrist/hand"); unknown regions read as stored.
pub fn region_label(region: &str) -> &str {
    REGIONS
        .iter()
        .find(|(code, _)| *code == region)
        .map(|(_, label)| *label)
        .unwrap_or(region)
}

/// A region as typed on the command line: its code or label, any case, spaces for `_`.
pub fn parse_region(text: &str) -> Option<&'static str> {
    let t = text.trim().to_lowercase().replace([' ', '-'], "_");
    REGIONS
        .iter()
        .find(|(code, label)| *code == t || label.to_lowercase() == text.trim().to_lowercase())
        .map(|(code, _)| *code)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
    Both,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
            Side::Both => "both",
        }
    }

    /// "left", "l", "R", "both", "b", "bilateral", "B/L".
    pub fn parse(text: &str) -> Option<Side> {
        match text.trim().to_lowercase().as_str() {
            "l" | "left" | "lt" => Some(Side::Left),
            "r" | "right" | "rt" => Some(Side::Right),
            "b" | "both" | "bilateral" | "b/l" | "bl" => Some(Side::Both),
            _ => None,
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Side::Left => "L",
            Side::Right => "R",
            Side::Both => "B/L",
        }
    }
}

/// The whole numbers a dosage count may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub min: i64,
    pub max: i64,
}

/// A dosage's limits, for the program's dosage form and the exercise library's import alike: a
/// library exercise's default dose is a dose (up to 200 reps, as for ankle pumps).
pub const SETS: Limit = Limit { min: 1, max: 20 };
pub const REPS: Limit = Limit { min: 1, max: 200 };
pub const HOLD_SECONDS: Limit = Limit { min: 0, max: 600 };
pub const TIMES_PER_DAY: Limit = Limit { min: 1, max: 12 };
pub const DAYS_PER_WEEK: Limit = Limit { min: 1, max: 7 };

/// How much of an exercise: every field may be left open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dosage {
    pub sets: Option<i64>,
    pub reps: Option<i64>,
    pub hold_seconds: Option<i64>,
    pub times_per_day: Option<i64>,
    pub days_per_week: Option<i64>,
    pub side: Option<Side>,
    /// A weight or a band colour: "2 kg", "red band".
    pub load: Option<String>,
}

fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

impl Dosage {
    /// The dosage as a patient reads it: "3 sets of 10, hold 5 seconds, twice a day,
    /// 5 days a week"; "as instructed" when nothing is set.
    pub fn plain(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        match (self.sets.filter(|n| *n > 0), self.reps.filter(|n| *n > 0)) {
            (Some(s), Some(r)) => parts.push(format!("{} of {r}", plural(s, "set", "sets"))),
            (Some(s), None) => parts.push(plural(s, "set", "sets")),
            (None, Some(r)) => parts.push(format!("{r} times")),
            (None, None) => {}
        }
        if let Some(h) = self.hold_seconds.filter(|n| *n > 0) {
            parts.push(format!("hold {}", plural(h, "second", "seconds")));
        }
        match self.times_per_day.filter(|n| *n > 0) {
            Some(1) => parts.push("once a day".into()),
            Some(2) => parts.push("twice a day".into()),
            Some(n) => parts.push(format!("{n} times a day")),
            None => {}
        }
        match self.days_per_week.filter(|n| *n > 0) {
            Some(7) => parts.push("every day".into()),
            Some(n) => parts.push(format!("{} a week", plural(n, "day", "days"))),
            None => {}
        }
        match self.side {
            Some(Side::Both) => parts.push("both sides".into()),
            Some(s) => parts.push(format!("{} side", s.as_str())),
            None => {}
        }
        if let Some(load) = self
            .load
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            parts.push(format!("with {}", crate::sanitize::clean_line(load)));
        }
        if parts.is_empty() {
            return "as instructed".into();
        }
        parts.join(", ")
    }

    /// The dosage as a clinician scans it in a list: "3x10 5s 2/d 5/wk L red band".
    pub fn short(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        match (self.sets, self.reps) {
            (Some(s), Some(r)) => parts.push(format!("{s}x{r}")),
            (Some(s), None) => parts.push(format!("{s} sets")),
            (None, Some(r)) => parts.push(format!("x{r}")),
            (None, None) => {}
        }
        if let Some(h) = self.hold_seconds.filter(|n| *n > 0) {
            parts.push(format!("{h}s"));
        }
        if let Some(t) = self.times_per_day {
            parts.push(format!("{t}/d"));
        }
        if let Some(d) = self.days_per_week {
            parts.push(format!("{d}/wk"));
        }
        if let Some(s) = self.side {
            parts.push(s.short().into());
        }
        if let Some(l) = self.load.as_deref().filter(|l| !l.trim().is_empty()) {
            parts.push(crate::sanitize::clean_line(l));
        }
        if parts.is_empty() {
            "as instructed".into()
        } else {
            parts.join(" ")
        }
    }

    /// Sessions a week this dosage asks for (times a day × days a week; 1 and 7 when open).
    pub fn sessions_per_week(&self) -> i64 {
        self.times_per_day.unwrap_or(1).max(1) * self.days_per_week.unwrap_or(7).clamp(1, 7)
    }
}

/// One entry of the exercise library.
#[derive(Debug, Clone, PartialEq)]
pub struct Exercise {
    pub id: i64,
    pub name: String,
    /// Clinicians' shorthand and other names ("SLR", "quad sets").
    pub aliases: Vec<String>,
    pub region: String,
    pub category: String,
    pub equipment: String,
    pub position: Option<String>,
    pub instructions: String,
    pub default: Dosage,
}

/// One line of a program: an exercise and its dosage for this patient.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramItem {
    pub exercise_id: i64,
    pub name: String,
    pub region: String,
    pub equipment: String,
    pub dosage: Dosage,
    pub note: Option<String>,
}

impl ProgramItem {
    /// An exercise with its library dosage.
    pub fn from_exercise(e: &Exercise) -> Self {
        Self {
            exercise_id: e.id,
            name: e.name.clone(),
            region: e.region.clone(),
            equipment: e.equipment.clone(),
            dosage: e.default.clone(),
            note: None,
        }
    }
}

/// One saved version of a patient's program.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionInfo {
    pub version_no: i64,
    pub created_by: String,
    /// Local time, `YYYY-MM-DDTHH:MM:SS`.
    pub created_at: String,
    pub exercises: usize,
}

/// A patient's program as saved: `version_no` 0 means none saved yet.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Program {
    pub patient_id: i64,
    pub version_no: i64,
    pub items: Vec<ProgramItem>,
}

/// A named starting point ("ACL reconstruction phase 1").
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub id: i64,
    pub name: String,
    pub items: Vec<ProgramItem>,
}

/// Sessions a week a program asks for: its most demanding exercise (the patient does the
/// program as one session); 7 for an empty program.
pub fn sessions_prescribed(items: &[ProgramItem]) -> i64 {
    items
        .iter()
        .map(|i| i.dosage.sessions_per_week())
        .max()
        .unwrap_or(7)
}

/// Checks a dosage field as typed: a whole number in range, or empty.
pub fn parse_count(text: &str, what: &str, min: i64, max: i64) -> Result<Option<i64>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(format!("{what} is a whole number from {min} to {max}")),
    }
}

/// Everything a patient handout needs, read from the record.
#[derive(Debug, Clone, PartialEq)]
pub struct HandoutData {
    pub patient_name: String,
    pub mrn: String,
    pub date: NaiveDate,
    pub therapist: String,
    pub version_no: i64,
    pub items: Vec<HandoutItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HandoutItem {
    pub name: String,
    pub instructions: String,
    pub dosage: Dosage,
    pub note: Option<String>,
    pub equipment: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(
        sets: Option<i64>,
        reps: Option<i64>,
        hold: Option<i64>,
        tpd: Option<i64>,
        dpw: Option<i64>,
    ) -> Dosage {
        Dosage {
            sets,
            reps,
            hold_seconds: hold,
            times_per_day: tpd,
            days_per_week: dpw,
            side: None,
            load: None,
        }
    }

    #[test]
    fn dosage_reads_as_a_patient_would_say_it() {
        assert_eq!(
            d(Some(3), Some(10), Some(5), Some(2), Some(5)).plain(),
            "3 sets of 10, hold 5 seconds, twice a day, 5 days a week"
        );
        assert_eq!(
            d(Some(1), Some(15), Some(1), Some(1), Some(7)).plain(),
            "1 set of 15, hold 1 second, once a day, every day"
        );
        assert_eq!(
            d(None, Some(10), Some(0), Some(3), Some(1)).plain(),
            "10 times, 3 times a day, 1 day a week"
        );
        assert_eq!(d(None, None, None, None, None).plain(), "as instructed");
        let mut both = d(Some(2), Some(12), None, None, None);
        both.side = Some(Side::Left);
        both.load = Some("red band".into());
        assert_eq!(both.plain(), "2 sets of 12, left side, with red band");
        both.side = Some(Side::Both);
        assert_eq!(both.short(), "2x12 B/L red band");
    }

    #[test]
    fn short_dosage_and_sessions() {
        let x = d(Some(3), Some(10), Some(5), Some(2), Some(5));
        assert_eq!(x.short(), "3x10 5s 2/d 5/wk");
        assert_eq!(x.sessions_per_week(), 10);
        assert_eq!(d(None, None, None, None, None).sessions_per_week(), 7);
        assert_eq!(sessions_prescribed(&[]), 7);
    }

    #[test]
    fn sides_regions_and_counts_parse() {
        assert_eq!(Side::parse("B/L"), Some(Side::Both));
        assert_eq!(Side::parse("r"), Some(Side::Right));
        assert_eq!(Side::parse("up"), None);
        assert_eq!(parse_region("Wrist/hand"), Some("wrist_hand"));
        assert_eq!(parse_region("ankle foot"), Some("ankle_foot"));
        assert_eq!(parse_region("KNEE"), Some("knee"));
        assert_eq!(parse_region("toe"), None);
        assert_eq!(parse_count(" 3 ", "sets", 1, 20), Ok(Some(3)));
        assert_eq!(parse_count("", "sets", 1, 20), Ok(None));
        assert!(parse_count("30", "sets", 1, 20).is_err());
        assert!(parse_count("x", "sets", 1, 20).is_err());
    }
}
