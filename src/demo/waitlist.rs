//! The demo clinic's waitlist: a handful of patients waiting for a time, so that cancelling or
//! missing a visit on the demo's day finds someone who fits. One waits for any therapist on
//! any day of the clinic's hours, so every freed slot of half an hour or more has a taker.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::domain::waitlist::{NewWaitlistEntry, TimeWindow};

/// One entry as the demo wants it: a therapist by their place in the staff list (None:
/// anyone), and when it was added, in days before the demo's day.
struct Wish {
    therapist: Option<usize>,
    days: &'static [Weekday],
    from: (u32, u32),
    to: (u32, u32),
    minutes: i64,
    priority: u8,
    note: Option<&'static str>,
    days_waiting: i64,
    hour_added: u32,
}

const WISHES: &[Wish] = &[
    Wish {
        therapist: Some(2),
        days: &[Weekday::Mon, Weekday::Wed, Weekday::Fri],
        from: (8, 0),
        to: (12, 0),
        minutes: 45,
        priority: 1,
        note: Some("post-op ACL, week 3: wants to come sooner"),
        days_waiting: 9,
        hour_added: 10,
    },
    Wish {
        therapist: None,
        days: &[],
        from: (8, 0),
        to: (17, 0),
        minutes: 30,
        priority: 2,
        note: Some("lives nearby, can come at an hour's notice"),
        days_waiting: 4,
        hour_added: 15,
    },
    Wish {
        therapist: None,
        days: &[],
        from: (12, 0),
        to: (17, 0),
        minutes: 45,
        priority: 3,
        note: None,
        days_waiting: 12,
        hour_added: 9,
    },
    Wish {
        therapist: Some(1),
        days: &[Weekday::Tue, Weekday::Thu],
        from: (7, 0),
        to: (10, 0),
        minutes: 60,
        priority: 3,
        note: Some("works days: early visits only"),
        days_waiting: 15,
        hour_added: 11,
    },
    Wish {
        therapist: Some(0),
        days: &[Weekday::Fri],
        from: (13, 0),
        to: (17, 0),
        minutes: 45,
        priority: 4,
        note: Some("would move to Friday afternoons"),
        days_waiting: 21,
        hour_added: 14,
    },
];

fn hm((h, m): (u32, u32)) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

/// The demo's entries, each for the `n`th of `mrns` (so many as there are patients), with the
/// therapists given by id in the demo's staff order, and when each was added.
pub(super) fn entries(
    today: NaiveDate,
    therapist_ids: &[i64],
    mrns: &[String],
) -> Vec<(String, NewWaitlistEntry, NaiveDateTime)> {
    // Patients a little way into the list: the first few are the demo's busiest charts.
    let spread = mrns.len() / (WISHES.len() + 1);
    WISHES
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            let at = if spread == 0 { i } else { spread * (i + 1) };
            let mrn = mrns.get(at)?.clone();
            let window = TimeWindow::new(hm(w.from), hm(w.to)).ok()?;
            let therapist_ids = match w.therapist {
                Some(n) => vec![*therapist_ids.get(n % therapist_ids.len().max(1))?],
                None => Vec::new(),
            };
            let added = (today - Duration::days(w.days_waiting)).and_time(hm((w.hour_added, 5)));
            let entry = NewWaitlistEntry {
                site_id: 1,
                patient_id: 0,
                therapist_ids,
                weekdays: w.days.to_vec(),
                window,
                minutes: w.minutes,
                priority: w.priority,
                note: w.note.map(str::to_string),
            };
            Some((mrn, entry, added))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wish_is_a_valid_entry_for_a_distinct_patient() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let mrns: Vec<String> = (0..60).map(|n| format!("{}", 100_001 + n)).collect();
        let all = entries(today, &[11, 12, 13], &mrns);
        assert_eq!(all.len(), WISHES.len());
        let mut patients: Vec<&String> = all.iter().map(|(m, _, _)| m).collect();
        patients.dedup();
        assert_eq!(patients.len(), WISHES.len());
        for (_, e, added) in &all {
            assert!(e.clone().checked().is_ok());
            assert!(added.date() < today);
        }
        // A clinic of one patient still builds: fewer entries, never a panic.
        assert!(entries(today, &[11], &mrns[..1]).len() <= 1);
    }
}
