//! `ptclinic measures`: the outcome measures and the thresholds this clinic's record holds for
//! them. Every terminal and report reads them from the record, so a change made here is the
//! clinic's.

use serde_json::json;

use crate::cli::MeasuresCommand;
use crate::config::Settings;
use crate::db::Who;
use crate::domain::measures::{Better, MeasureDef};
use crate::error::{AppError, AppResult};
use crate::text::number;

fn threshold(v: Option<f64>) -> String {
    v.map(number).unwrap_or_else(|| "-".to_string())
}

fn as_json(m: &MeasureDef) -> serde_json::Value {
    json!({
        "code": m.code,
        "name": m.name,
        "min": m.min,
        "max": m.max,
        "better": match m.better { Better::Higher => "higher", Better::Lower => "lower" },
        "mcid": m.mcid,
        "mdc": m.mdc,
        "unit": m.unit,
        "threshold": m.threshold,
    })
}

pub fn run(settings: &Settings, cmd: MeasuresCommand) -> AppResult<()> {
    let mut db = super::open_clinic(settings)?;
    match cmd {
        MeasuresCommand::List { json } => {
            let measures = db.measures()?;
            if json {
                let rows: Vec<_> = measures.iter().map(as_json).collect();
                super::emit(&format!("{}\n", serde_json::Value::Array(rows)))?;
            } else {
                super::emit(&format!(
                    "{:<14} {:<9} {:<7} {:>6} {:>6}  {}\n",
                    "code", "range", "better", "MCID", "MDC", "name"
                ))?;
                for m in &measures {
                    let better = match m.better {
                        Better::Higher => "higher",
                        Better::Lower => "lower",
                    };
                    super::emit(&format!(
                        "{:<14} {:<9} {:<7} {:>6} {:>6}  {}\n",
                        m.code,
                        format!("{}-{}", number(m.min), number(m.max)),
                        better,
                        threshold(m.mcid),
                        threshold(m.mdc),
                        m.name
                    ))?;
                }
            }
        }
        MeasuresCommand::Set { code, mcid, mdc } => {
            if mcid.is_none() && mdc.is_none() {
                return Err(AppError::input(
                    "measures set needs --mcid or --mdc (or both)",
                ));
            }
            let at = crate::clock::stamp(settings.clock.now());
            let set = db.set_measure_thresholds(
                &code,
                mcid,
                mdc,
                Who {
                    user: &settings.user,
                    at: &at,
                },
            )?;
            super::emit_after_change(&format!(
                "{}: MCID {}, MDC {} (every terminal and report now judges by these)\n",
                set.code,
                threshold(set.mcid),
                threshold(set.mdc)
            ));
        }
    }
    Ok(())
}
