//! A payer's authorisation of visits: its own record, several per patient over time. A visit
//! counts against the authorisation whose window holds it, the evaluation only when the payer
//! counts it (a payer setting, `evaluation_counts`).

use chrono::NaiveDate;

use super::VisitKind;

/// The most visits one authorisation can hold: beyond it a number is a typing slip.
pub const MAX_AUTHORIZED_VISITS: i64 = 999;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub id: i64,
    pub patient_id: i64,
    pub payer: String,
    /// The payer's authorisation number.
    pub reference: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub visits: i64,
    pub version: i64,
}

impl Authorization {
    /// Whether the authorisation's window holds `day`.
    pub fn holds(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }
}

/// An authorisation's visits and window, as a summary shows it or a file states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorizedVisits {
    pub visits: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Whether a visit of `kind` counts against an authorisation.
pub fn counts(kind: VisitKind, evaluation_counts: bool) -> bool {
    evaluation_counts || kind != VisitKind::Evaluation
}

/// An authorisation as typed, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub payer: String,
    pub reference: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub visits: i64,
}

/// A checked authorisation, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuthorization {
    pub payer: String,
    pub reference: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub visits: i64,
}

impl AuthorizationRequest {
    pub fn check(self) -> Result<NewAuthorization, String> {
        let payer = self.payer.trim().to_string();
        if payer.is_empty() {
            return Err("an authorisation names its payer".into());
        }
        if !(1..=MAX_AUTHORIZED_VISITS).contains(&self.visits) {
            return Err(format!(
                "an authorisation holds 1 to {MAX_AUTHORIZED_VISITS} visits, not {}",
                self.visits
            ));
        }
        if self.ends_on < self.starts_on {
            return Err(format!(
                "the authorisation's end {} is before its start {}",
                self.ends_on, self.starts_on
            ));
        }
        Ok(NewAuthorization {
            payer,
            reference: self
                .reference
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty()),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            visits: self.visits,
        })
    }
}

/// An authorisation with the visits counted against it so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationUse {
    pub authorization: Authorization,
    pub evaluation_counts: bool,
    /// Attended visits (checked in or completed) in its window, up to the day.
    pub used: i64,
}

impl AuthorizationUse {
    /// Visits left (negative when exceeded).
    pub fn left(&self) -> i64 {
        self.authorization.visits - self.used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn request(visits: i64, start: &str, end: &str) -> AuthorizationRequest {
        AuthorizationRequest {
            payer: " Medicare ".into(),
            reference: Some("  ".into()),
            starts_on: d(start),
            ends_on: d(end),
            visits,
        }
    }

    #[test]
    fn an_authorisation_needs_visits_a_payer_and_a_window() {
        let ok = request(12, "2026-10-01", "2026-12-31").check().unwrap();
        assert_eq!((ok.payer.as_str(), ok.reference), ("Medicare", None));
        let none = request(0, "2026-10-01", "2026-12-31").check().unwrap_err();
        assert!(none.contains("1 to 999 visits, not 0"), "{none}");
        let backwards = request(12, "2026-10-01", "2026-09-01").check().unwrap_err();
        assert!(backwards.contains("before its start"), "{backwards}");
        let mut nameless = request(12, "2026-10-01", "2026-12-31");
        nameless.payer = " ".into();
        assert!(nameless.check().is_err());
    }

    #[test]
    fn the_evaluation_counts_only_when_the_payer_counts_it() {
        assert!(counts(VisitKind::Evaluation, true));
        assert!(!counts(VisitKind::Evaluation, false));
        assert!(counts(VisitKind::ReEvaluation, false));
        assert!(counts(VisitKind::Treatment, false));
    }
}
