//! `ptclinic report no-shows [--from D] [--to D] [--json]`: no-show and late-cancellation rates
//! over a period by therapist, weekday, hour and lead time, and how well the no-show model does
//! on the months it was not fitted on. Names no patient, so only the model's refit (when due)
//! writes an audit row.
//!
//! `ptclinic report call-list [--date D] [--json]`: the day's (default tomorrow) high-risk
//! scheduled visits the patient has not confirmed, with phone numbers and the reasons. It names
//! patients, so showing it writes one audit row ("report.call_list") with their ids.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use serde_json::{Value, json};

use crate::config::{self, Settings};
use crate::db::Who;
use crate::db::no_show::CallListVisit;
use crate::domain::messages::Confirmation;
use crate::domain::no_show::history::WEEKDAYS;
use crate::domain::no_show::model::{LEVEL_FEATURES, TOP_SHARE};
use crate::domain::no_show::rates::{Rates, Tally, rates};
use crate::domain::no_show::{NoShowModel, VisitRisk};
use crate::error::{AppError, AppResult};
use crate::sanitize::clean_line;

/// A rate as JSON carries it: four decimals.
fn share(r: Option<f64>) -> Value {
    crate::export::outcomes::json_rounded(r, 4)
}

fn percent(r: Option<f64>) -> String {
    r.map_or_else(|| "—".into(), |r| format!("{:.1}%", r * 100.0))
}

/// The period: `--from` and `--to` (days, inclusive), by default the 12 months up to
/// `default_to`.
pub(super) fn period(
    settings: &Settings,
    from: Option<&str>,
    to: Option<&str>,
    default_to: NaiveDate,
) -> AppResult<(NaiveDate, NaiveDate)> {
    let today = settings.clock.today();
    let to_day = match to {
        Some(d) => config::parse_typed_day(d, "--to", today)?,
        None => default_to,
    };
    let from_day = match from {
        Some(d) => config::parse_typed_day(d, "--from", today)?,
        None => to_day
            .succ_opt()
            .and_then(|d| d.checked_sub_months(Months::new(12)))
            .unwrap_or(to_day),
    };
    if from_day > to_day {
        return Err(AppError::input(match to {
            Some(_) => format!("--from {from_day} is after --to {to_day}"),
            None => format!(
                "--from {from_day} is after {to_day}, the last day of the report unless --to says otherwise"
            ),
        }));
    }
    Ok((from_day, to_day))
}

pub fn report(
    settings: &Settings,
    from: Option<&str>,
    to: Option<&str>,
    json_out: bool,
) -> AppResult<()> {
    let today = settings.clock.today();
    let (from, to) = period(settings, from, to, today.pred_opt().unwrap_or(today))?;
    let mut db = super::open_clinic(settings)?;
    let at = crate::clock::stamp(settings.clock.now());
    let model = db.no_show_model(Who {
        user: &settings.user,
        at: &at,
    })?;
    let (sites, view) = super::site_view(&db, settings)?;
    let site = match view {
        crate::domain::sites::SiteView::One(id) => Some(id),
        crate::domain::sites::SiteView::All => None,
    };
    let r = rates(&db.attendance_between(from, to, site)?);
    let at = sites.heading(view);
    let staff: HashMap<i64, (String, String)> = db
        .staff()?
        .into_iter()
        .map(|s| (s.id, (s.name, s.initials)))
        .collect();
    let text = if json_out {
        let mut out = report_json(from, to, &r, &staff, &model);
        out["site"] = json!(at.as_deref().map(clean_line));
        format!("{out:#}\n")
    } else {
        report_text(from, to, &r, &staff, &model, at.as_deref())
    };
    super::emit(&text)
}

fn tally_json(t: &Tally) -> Value {
    json!({
        "visits": t.visits,
        "no_shows": t.no_shows,
        "late_cancellations": t.late_cancellations,
        "no_show_rate": share(t.no_show_rate()),
        "late_cancel_rate": share(t.late_cancel_rate()),
    })
}

fn with(mut head: Value, t: &Tally) -> Value {
    if let (Some(h), Value::Object(rest)) = (head.as_object_mut(), tally_json(t)) {
        h.extend(rest);
    }
    head
}

fn therapist_of(staff: &HashMap<i64, (String, String)>, id: i64) -> (String, String) {
    staff
        .get(&id)
        .map(|(n, i)| (clean_line(n), clean_line(i)))
        .unwrap_or_else(|| (format!("staff #{id}"), String::new()))
}

/// `{from, to, total, by_therapist, by_weekday, by_hour, by_lead_time, model}`.
pub fn report_json(
    from: NaiveDate,
    to: NaiveDate,
    r: &Rates,
    staff: &HashMap<i64, (String, String)>,
    model: &NoShowModel,
) -> Value {
    json!({
        "from": from.to_string(),
        "to": to.to_string(),
        "total": tally_json(&r.total),
        "by_therapist": r.by_therapist.iter().map(|(id, t)| {
            let (name, initials) = therapist_of(staff, *id);
            with(json!({ "therapist": name, "initials": initials }), t)
        }).collect::<Vec<_>>(),
        "by_weekday": r.by_weekday.iter()
            .map(|(d, t)| with(json!({ "weekday": WEEKDAYS[*d] }), t))
            .collect::<Vec<_>>(),
        "by_hour": r.by_hour.iter()
            .map(|(h, t)| with(json!({ "hour": h }), t))
            .collect::<Vec<_>>(),
        "by_lead_time": r.by_lead.iter().map(|(band, t)| {
            let (min, max) = band.days();
            with(json!({ "lead_time": band.label(), "min_days": min, "max_days": max }), t)
        }).collect::<Vec<_>>(),
        "model": model_json(model),
    })
}

/// The model as the report shows it: `{available, reason, fitted_at, history_from,
/// history_through, counts, threshold, threshold_rule, top_share, coefficients, quality,
/// quality_note}`.
pub fn model_json(m: &NoShowModel) -> Value {
    let fit = m.fit.as_ref();
    json!({
        "available": fit.is_some(),
        "reason": m.no_model,
        "fitted_at": m.fitted_at,
        "history_from": m.history_from,
        "history_through": m.history_through,
        "counts": {
            "finished_visits": m.counts.finished_visits,
            "attended": m.counts.attended,
            "no_shows": m.counts.no_shows,
            "late_cancellations": m.counts.late_cancellations,
        },
        "threshold": fit.map(|f| f.threshold),
        "threshold_rule": fit.map(|f| f.threshold_rule.clone()),
        "top_share": TOP_SHARE,
        "coefficients": fit.map(|f| {
            std::iter::once(json!({ "feature": "intercept", "level": null, "coefficient": f.intercept }))
                .chain(f.numbers.iter().map(|n| json!({
                    "feature": n.feature, "level": null, "coefficient": n.coefficient,
                })))
                .chain(f.levels.iter().map(|l| json!({
                    "feature": l.feature,
                    "level": if l.feature == LEVEL_FEATURES[3] { clean_line(&l.level) } else { l.level.clone() },
                    "coefficient": l.coefficient,
                })))
                .collect::<Vec<_>>()
        }),
        "quality": m.quality.as_ref().map(|q| json!({
            "holdout_from": q.holdout_from,
            "holdout_to": q.holdout_to,
            "fit_visits": q.fit_visits,
            "fit_missed": q.fit_missed,
            "visits": q.visits,
            "missed": q.missed,
            "auc": q.auc,
            "top_band_observed": q.top_band_observed,
            "calibration": q.calibration.iter().map(|b| json!({
                "count": b.count,
                "predicted": b.predicted,
                "observed": b.observed,
            })).collect::<Vec<_>>(),
        })),
        "quality_note": if m.quality.is_none() { m.no_quality.clone() } else { None },
    })
}

fn tally_cells(t: &Tally) -> Vec<String> {
    vec![
        t.visits.to_string(),
        format!("{} ({})", t.no_shows, percent(t.no_show_rate())),
        format!(
            "{} ({})",
            t.late_cancellations,
            percent(t.late_cancel_rate())
        ),
    ]
}

fn section(s: &mut String, title: &str, first: &str, rows: Vec<(String, &Tally)>) {
    s.push('\n');
    s.push_str(title);
    s.push('\n');
    let cells: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(name, t)| {
            let mut row = vec![name];
            row.extend(tally_cells(t));
            row
        })
        .collect();
    s.push_str(&crate::text::table(
        &[first, "Visits", "No-shows", "Late cancellations"],
        &cells,
    ));
}

fn long_day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// `at` names the site (or "all sites") in a clinic group.
pub fn report_text(
    from: NaiveDate,
    to: NaiveDate,
    r: &Rates,
    staff: &HashMap<i64, (String, String)>,
    model: &NoShowModel,
    at: Option<&str>,
) -> String {
    let mut s = format!(
        "No-shows and late cancellations, {} to {}{}\n{} visits attended or missed: {} no-shows, {} late cancellations\n",
        long_day(from),
        long_day(to),
        at.map(|a| format!(", {}", clean_line(a)))
            .unwrap_or_default(),
        r.total.visits,
        percent(r.total.no_show_rate()),
        percent(r.total.late_cancel_rate()),
    );
    if r.total.visits > 0 {
        section(
            &mut s,
            "By therapist",
            "Therapist",
            r.by_therapist
                .iter()
                .map(|(id, t)| (therapist_of(staff, *id).0, t))
                .collect(),
        );
        section(
            &mut s,
            "By weekday",
            "Weekday",
            r.by_weekday
                .iter()
                .map(|(d, t)| (WEEKDAYS[*d].to_string(), t))
                .collect(),
        );
        section(
            &mut s,
            "By hour",
            "Hour",
            r.by_hour
                .iter()
                .map(|(h, t)| (format!("{h}:00"), t))
                .collect(),
        );
        section(
            &mut s,
            "By lead time (booking to visit)",
            "Lead time",
            r.by_lead
                .iter()
                .map(|(b, t)| (b.label().to_string(), t))
                .collect(),
        );
    }
    s.push('\n');
    s.push_str(&model_text(model));
    s
}

fn model_text(m: &NoShowModel) -> String {
    let Some(fit) = &m.fit else {
        let why = m.no_model.as_deref().unwrap_or("there is no no-show model");
        let mut w = why.to_string();
        if let Some(c) = w.get_mut(..1) {
            c.make_ascii_uppercase();
        }
        return format!("{w}.\n");
    };
    let mut s = format!(
        "The no-show model: fitted {} on {} finished visits ({} no-shows, {} late cancellations) from {} to {}.\n",
        m.fitted_at.replacen('T', " ", 1),
        m.counts.finished_visits,
        m.counts.no_shows,
        m.counts.late_cancellations,
        m.history_from.as_deref().unwrap_or("—"),
        m.history_through,
    );
    match &m.quality {
        Some(q) => {
            s.push_str(&format!(
                "Tested on {} to {} ({} visits, {} missed), fitted on the {} visits before: AUC {:.3}.\n",
                q.holdout_from, q.holdout_to, q.visits, q.missed, q.fit_visits, q.auc
            ));
            s.push_str(
                "\nCalibration on the test months (bands of predicted risk, lowest first)\n",
            );
            let rows: Vec<Vec<String>> = q
                .calibration
                .iter()
                .map(|b| {
                    vec![
                        format!("{:.1}%", b.predicted * 100.0),
                        format!("{:.1}%", b.observed * 100.0),
                        b.count.to_string(),
                    ]
                })
                .collect();
            s.push_str(&crate::text::table(
                &["Predicted", "Observed", "Visits"],
                &rows,
            ));
            s.push_str(&format!(
                "The top tenth by predicted risk missed {:.1}% of its visits, against {:.1}% overall.\n",
                q.top_band_observed * 100.0,
                q.missed as f64 * 100.0 / q.visits.max(1) as f64
            ));
        }
        None => {
            if let Some(why) = &m.no_quality {
                s.push_str(&format!("Not tested: {why}.\n"));
            }
        }
    }
    s.push_str(&format!(
        "High risk (the schedule's badge, the call list): {:.1}% or more, {}.\n",
        fit.threshold * 100.0,
        fit.threshold_rule
    ));
    s
}

/// The call list's day: `--date`, or tomorrow.
fn call_day(settings: &Settings, date: Option<&str>) -> AppResult<NaiveDate> {
    let today = settings.clock.today();
    match date {
        Some(d) => config::parse_typed_day(d, "--date", today),
        None => Ok(today.succ_opt().unwrap_or(today)),
    }
}

/// A visit on the call list: high risk, not confirmed for its present time.
pub struct CallRow<'a> {
    pub visit: &'a CallListVisit,
    pub risk: &'a VisitRisk,
}

/// The visits to call, in time order: in the top band and without a confirmation for their
/// present time (a "can't come" stays on the list, for the desk to rebook).
pub fn to_call<'a>(
    visits: &'a [CallListVisit],
    risks: &'a HashMap<i64, VisitRisk>,
) -> Vec<CallRow<'a>> {
    visits
        .iter()
        .filter(|v| v.answer != Some(Confirmation::Confirmed))
        .filter_map(|v| {
            risks
                .get(&v.appointment_id)
                .filter(|r| r.high)
                .map(|risk| CallRow { visit: v, risk })
        })
        .collect()
}

fn answer_word(v: &CallListVisit) -> &'static str {
    match v.answer {
        Some(Confirmation::Declined) => "declined",
        Some(Confirmation::Confirmed) => "confirmed",
        None if v.answered_other_time => "answered for another time",
        None => "none",
    }
}

pub fn call_list(settings: &Settings, date: Option<&str>, json_out: bool) -> AppResult<()> {
    let day = call_day(settings, date)?;
    let mut db = super::open_clinic(settings)?;
    let at = crate::clock::stamp(settings.clock.now());
    let who = || Who {
        user: &settings.user,
        at: &at,
    };
    let model = db.no_show_model(who())?;
    let risks = match &model.fit {
        Some(fit) => db.day_risks_with(fit, day)?,
        None => HashMap::new(),
    };
    let (sites, view) = super::site_view(&db, settings)?;
    let visits: Vec<CallListVisit> = db
        .call_list_visits(day)?
        .into_iter()
        .filter(|v| view.shows(v.site_id))
        .collect();
    let rows = to_call(&visits, &risks);
    let text = if json_out {
        format!("{:#}\n", call_list_json(day, &model, &rows, &sites))
    } else {
        let at = sites.heading(view);
        call_list_text(day, &model, &rows, at.as_deref())
    };
    let mut ids: Vec<i64> = rows.iter().map(|r| r.visit.patient_id).collect();
    ids.sort_unstable();
    ids.dedup();
    super::disclose(None, &text, || {
        if rows.is_empty() {
            // No patient named, nothing disclosed.
            return Ok(());
        }
        db.log_patient_list(
            "report.call_list",
            json!({
                "date": day.to_string(),
                "rows": rows.len(),
                "patients": ids,
                "format": if json_out { "json" } else { "text" },
            }),
            who(),
        )
    })
}

/// `{date, model_available, reason, threshold, visits: [{appointment, start, time, therapist,
/// patient, mrn, phone, risk, risk_percent, reasons, confirmation}]}`.
pub fn call_list_json(
    day: NaiveDate,
    model: &NoShowModel,
    rows: &[CallRow],
    sites: &crate::domain::sites::Sites,
) -> Value {
    json!({
        "date": day.to_string(),
        "model_available": model.fit.is_some(),
        "reason": model.no_model,
        "threshold": model.fit.as_ref().map(|f| f.threshold),
        "visits": rows.iter().map(|r| json!({
            "appointment": r.visit.appointment_id,
            "start": r.visit.start.format("%Y-%m-%dT%H:%M").to_string(),
            "time": r.visit.start.format("%H:%M").to_string(),
            "therapist": clean_line(&r.visit.therapist),
            "site": clean_line(&sites.label(crate::domain::sites::SiteView::One(r.visit.site_id))),
            "patient": clean_line(&r.visit.patient_name),
            "mrn": clean_line(&r.visit.mrn),
            "phone": r.visit.phone.as_deref().map(clean_line),
            "risk": r.risk.probability,
            "risk_percent": (r.risk.probability * 100.0).round() as i64,
            "reasons": r.risk.reasons,
            "confirmation": answer_word(r.visit),
        })).collect::<Vec<_>>(),
    })
}

/// `at` names the site (or "all sites") in a clinic group.
pub fn call_list_text(
    day: NaiveDate,
    model: &NoShowModel,
    rows: &[CallRow],
    at: Option<&str>,
) -> String {
    let when = format!(
        "{}{}",
        day.format("%A %-d %B %Y"),
        at.map(|a| format!(" at {}", clean_line(a)))
            .unwrap_or_default()
    );
    let Some(fit) = &model.fit else {
        return format!(
            "Call list for {when}: none, because {}.\n",
            model
                .no_model
                .as_deref()
                .unwrap_or("there is no no-show model")
        );
    };
    let mut s = format!(
        "Call list for {when}: {} high-risk visits without a confirmation (risk {:.0}% or more)\n",
        rows.len(),
        fit.threshold * 100.0
    );
    if rows.is_empty() {
        s.push_str("\nNo high-risk visit is waiting for a call.\n");
        return s;
    }
    s.push('\n');
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut why = r.risk.reasons.join("; ");
            match r.visit.answer {
                Some(Confirmation::Declined) => why = format!("declined: rebook; {why}"),
                None if r.visit.answered_other_time => {
                    why = format!("answered for another time; {why}");
                }
                _ => {}
            }
            vec![
                r.visit.start.format("%H:%M").to_string(),
                clean_line(&r.visit.therapist),
                clean_line(&r.visit.patient_name),
                clean_line(&r.visit.mrn),
                r.visit
                    .phone
                    .as_deref()
                    .map(clean_line)
                    .unwrap_or_else(|| "—".into()),
                format!("{:.0}%", r.risk.probability * 100.0),
                why,
            ]
        })
        .collect();
    s.push_str(&crate::text::table(
        &[
            "Time",
            "Therapist",
            "Patient",
            "MRN",
            "Phone",
            "Risk",
            "Why",
        ],
        &cells,
    ));
    s
}
