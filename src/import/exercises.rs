//! The exercise library by name (ignoring case). With `--update` an existing name changes
//! that exercise: the columns in the file are set, and an empty cell keeps the stored value.

use std::collections::HashMap;

use super::fields::{self, shown};
use super::table::{Column, Problem, Row, Table, col};
use super::{Claims, Options, Progress, finish, settle, tick};
use crate::domain::bulk::{Known, NewExercise, Planned};
use crate::domain::hep::{self, Limit};

/// A dosage count within its limit, or the problem naming the column.
fn count(column: &str, raw: Option<&str>, limit: Limit) -> fields::Check<Option<i64>> {
    fields::integer(column, raw, limit.min, limit.max)
}

pub const COLUMNS: &[Column] = &[
    col("name", true),
    col("region", true),
    col("category", true),
    col("equipment", true),
    col("instructions", true),
    col("aliases", false),
    col("position", false),
    col("sets", false),
    col("reps", false),
    col("hold_seconds", false),
    col("times_per_day", false),
    col("days_per_week", false),
];

/// Exercise regions: the body regions, and the library's "core" and "balance".
fn regions() -> Vec<&'static str> {
    let mut all = fields::body_regions();
    all.extend(["core", "balance"]);
    all
}

fn check_row(table: &Table, row: &Row) -> Result<NewExercise, String> {
    let regions = regions();
    let mut reasons: Vec<String> = Vec::new();
    let mut e = NewExercise {
        name: String::new(),
        aliases: String::new(),
        region: String::new(),
        category: String::new(),
        equipment: String::new(),
        position: None,
        instructions: String::new(),
        sets: None,
        reps: None,
        hold_seconds: None,
        times_per_day: None,
        days_per_week: None,
    };
    macro_rules! take {
        ($field:expr, $e:expr) => {
            match $e {
                Ok(v) => $field = v,
                Err(r) => reasons.push(r),
            }
        };
    }
    for c in COLUMNS.iter().filter(|c| table.has(c.name)) {
        let raw = table.get(row, c.name);
        let required = |max: usize| {
            fields::required_text(c.name, raw).and_then(|s| {
                if s.chars().count() > max {
                    Err(format!("{} is longer than {max} characters", c.name))
                } else {
                    Ok(s)
                }
            })
        };
        match c.name {
            "name" => take!(e.name, required(100)),
            "equipment" => take!(e.equipment, required(100)),
            "category" => take!(e.category, required(60).map(|s| fields::word(&s))),
            "instructions" => take!(e.instructions, required(2000)),
            "region" => take!(
                e.region,
                fields::one_of("region", raw, &regions).and_then(|w| {
                    w.map(str::to_string)
                        .ok_or_else(|| "region is empty".to_string())
                })
            ),
            // Clinicians' shorthand, `;`-separated; stored the same way, never NULL.
            "aliases" => {
                e.aliases = raw
                    .unwrap_or_default()
                    .split(';')
                    .map(crate::sanitize::clean_line)
                    .filter(|a| !a.is_empty())
                    .collect::<Vec<_>>()
                    .join(";")
            }
            "position" => take!(e.position, fields::limited("position", raw, 60)),
            "sets" => take!(e.sets, count(c.name, raw, hep::SETS)),
            "reps" => take!(e.reps, count(c.name, raw, hep::REPS)),
            "hold_seconds" => take!(e.hold_seconds, count(c.name, raw, hep::HOLD_SECONDS)),
            "times_per_day" => take!(e.times_per_day, count(c.name, raw, hep::TIMES_PER_DAY)),
            "days_per_week" => take!(e.days_per_week, count(c.name, raw, hep::DAYS_PER_WEEK)),
            _ => {}
        }
    }
    if reasons.is_empty() {
        Ok(e)
    } else {
        Err(reasons.join("; "))
    }
}

/// The library's names are unique ignoring (ASCII) case, as SQLite's NOCASE compares them.
fn key(name: &str) -> String {
    crate::sanitize::clean_line(name).to_ascii_lowercase()
}

/// Checks every row against the library; the plan, or every bad line.
pub fn check(
    known: &Known,
    table: &Table,
    mut problems: Vec<Problem>,
    opts: &Options,
    progress: &mut Progress,
) -> Result<Vec<Planned<NewExercise>>, Vec<Problem>> {
    let existing: HashMap<String, i64> = known
        .exercises
        .iter()
        .map(|(name, id)| (key(name), *id))
        .collect();
    let mut claims = Claims::new(&existing, opts.update);
    let mut plan = Vec::with_capacity(table.rows.len());
    let total = table.rows.len();
    for (i, row) in table.rows.iter().enumerate() {
        tick(progress, "checking", i + 1, total);
        let mut reasons = Vec::new();
        let values = check_row(table, row).map_err(|r| reasons.push(r)).ok();
        let found = table
            .get(row, "name")
            .filter(|n| !n.is_empty())
            .and_then(|name| {
                claims.claim(
                    key(name),
                    row.line,
                    &mut reasons,
                    |first| format!("name {} is already on line {first}", shown(name)),
                    || {
                        format!(
                            "the library already has {} (use --update to change it)",
                            shown(name)
                        )
                    },
                )
            });
        settle(&mut plan, &mut problems, row.line, values, reasons, found);
    }
    finish(problems)?;
    Ok(plan)
}
