//! `ptclinic record`: one outcome measurement, checked before anything is stored.

use crate::cli::RecordArgs;
use crate::config::Settings;
use crate::db::Who;
use crate::domain::koos_form;
use crate::domain::progress::MeasureStatus;
use crate::domain::scoring;
use crate::error::{AppError, AppResult};
use crate::sanitize::clean_line;

pub fn run(settings: &Settings, args: &RecordArgs) -> AppResult<()> {
    if args
        .measure
        .trim()
        .eq_ignore_ascii_case(koos_form::FORM_CODE)
    {
        return run_koos_form(settings, args);
    }
    // Check the measurement before opening anything: a refused value changes nothing.
    let scored = scoring::score(
        &args.measure,
        args.value.as_deref(),
        args.items.as_deref(),
        args.detail.as_deref(),
    )
    .map_err(AppError::input)?;
    let today = settings.clock.today();
    let date = super::day_arg(settings, args.date.as_deref())?;
    if date > today {
        return Err(AppError::input(format!(
            "--date {date} is in the future: a measurement is recorded on or after the day it is taken"
        )));
    }
    let mut db = super::open_clinic(settings)?;
    let patient = super::patient_with_mrn(&db, &args.patient)?;
    let at = crate::clock::stamp(settings.clock.now());
    let recorded = db.record_measurement(
        patient.id,
        date,
        &scored,
        Who {
            user: &settings.user,
            at: &at,
        },
    )?;
    let def = scored.def;
    let unit = if def.unit == "points" {
        String::new()
    } else {
        format!(" {}", def.unit)
    };
    let mut line = format!(
        "Recorded {} {}{unit}{} for MRN {} on {date}{}",
        def.code,
        scored.value,
        scored
            .detail
            .as_deref()
            .filter(|_| def.code == "ROM")
            .map(|d| format!(" ({d})"))
            .unwrap_or_default(),
        clean_line(&patient.mrn),
        recorded
            .appointment_id
            .map(|id| format!(", visit {id}"))
            .unwrap_or_else(|| ", no visit that day".to_string()),
    );
    // The change since the initial value, as the progress pane shows it. The measurement is
    // stored by now, so a failure to read it back is said, never turned into a failed exit.
    let progress = db.progress(patient.id, today).unwrap_or_else(|e| {
        super::note(&format!(
            "ptclinic: the measurement was saved, but the change since the first value could not be read: {}",
            e.message
        ));
        None
    });
    if let Some(progress) = progress
        && let Some(trend) = progress
            .measures
            .iter()
            .find(|m| m.def.code == def.code && (def.code != "ROM" || m.site == scored.detail))
        && trend.points.len() > 1
        && let Some(change) = trend.change_shown()
    {
        line.push_str(&format!(
            "; change {} since {}",
            crate::text::signed(change),
            trend.points[0].date
        ));
        if trend.status != MeasureStatus::ChangeOnly {
            line.push_str(&format!(" ({})", trend.status.label_for(&trend.def)));
        }
    }
    line.push('\n');
    super::emit_after_change(&line);
    Ok(())
}

/// `record --measure KOOS --items …`: the whole form, its 42 answers in the form's order; each
/// subscale stored as its own series, all in one transaction by a clinician.
fn run_koos_form(settings: &Settings, args: &RecordArgs) -> AppResult<()> {
    let Some(items) = args.items.as_deref() else {
        return Err(AppError::input(format!(
            "the KOOS is entered item by item: --items with its {} answers in the form's order",
            koos_form::item_count()
        )));
    };
    let form = koos_form::score_form_text(items).map_err(AppError::input)?;
    let date = super::day_arg(settings, args.date.as_deref())?;
    if date > settings.clock.today() {
        return Err(AppError::input(format!(
            "--date {date} is in the future: a measurement is recorded on or after the day it is taken"
        )));
    }
    let mut db = super::open_clinic(settings)?;
    let patient = super::patient_with_mrn(&db, &args.patient)?;
    let at = crate::clock::stamp(settings.clock.now());
    let scored = form.scored();
    let recorded = db.record_measurements(
        patient.id,
        date,
        &scored,
        Who {
            user: &settings.user,
            at: &at,
        },
    )?;
    let visit = recorded
        .first()
        .and_then(|r| r.appointment_id)
        .map(|id| format!(", visit {id}"))
        .unwrap_or_else(|| ", no visit that day".to_string());
    let mut out = format!(
        "Recorded the KOOS for MRN {} on {date}{visit}:\n",
        clean_line(&patient.mrn)
    );
    for (block, result) in &form.subscales {
        match result {
            Ok(s) => out.push_str(&format!("  {} {}\n", block.code, s.value)),
            Err(why) => out.push_str(&format!("  {} no score: {why}\n", block.code)),
        }
    }
    super::emit_after_change(&out);
    Ok(())
}
