//! The exercise library by name (ignoring case). With `--update` an existing name changes
//! that exercise: the columns in the file are set, and an empty cell keeps the stored value.

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::fields::{self, shown};
use super::table::{Column, Problem, Row, Table};
use super::{Checked, Counts, Options, Progress, finish, tick};

const fn col(name: &'static str, required: bool) -> Column {
    Column { name, required }
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

struct Planned {
    values: Vec<Value>,
    existing: Option<i64>,
}

fn int(n: Option<i64>) -> Value {
    n.map_or(Value::Null, Value::Integer)
}

fn check_row(table: &Table, row: &Row) -> Result<Vec<Value>, String> {
    let regions = regions();
    let mut reasons: Vec<String> = Vec::new();
    let mut values = Vec::new();
    for c in COLUMNS.iter().filter(|c| table.has(c.name)) {
        let raw = table.get(row, c.name);
        let required = |max: usize| {
            fields::required_text(c.name, raw).and_then(|s| {
                if s.chars().count() > max {
                    Err(format!("{} is longer than {max} characters", c.name))
                } else {
                    Ok(Value::Text(s))
                }
            })
        };
        let v = match c.name {
            "name" | "equipment" => required(100),
            "category" => required(60).map(|v| match v {
                Value::Text(s) => Value::Text(fields::word(&s)),
                other => other,
            }),
            "instructions" => required(2000),
            "region" => fields::one_of("region", raw, &regions).and_then(|w| {
                w.map(|w| Value::Text(w.to_string()))
                    .ok_or_else(|| "region is empty".to_string())
            }),
            // Clinicians' shorthand, `;`-separated; stored the same way, never NULL.
            "aliases" => Ok(Value::Text(
                raw.unwrap_or_default()
                    .split(';')
                    .map(crate::sanitize::clean_line)
                    .filter(|a| !a.is_empty())
                    .collect::<Vec<_>>()
                    .join(";"),
            )),
            "position" => {
                fields::limited("position", raw, 60).map(|s| s.map_or(Value::Null, Value::Text))
            }
            "sets" => fields::integer("sets", raw, 1, 20).map(int),
            "reps" => fields::integer("reps", raw, 1, 100).map(int),
            "hold_seconds" => fields::integer("hold_seconds", raw, 0, 600).map(int),
            "times_per_day" => fields::integer("times_per_day", raw, 1, 12).map(int),
            "days_per_week" => fields::integer("days_per_week", raw, 1, 7).map(int),
            _ => Ok(Value::Null),
        };
        match v {
            Ok(v) => values.push(v),
            Err(r) => reasons.push(r),
        }
    }
    if reasons.is_empty() {
        Ok(values)
    } else {
        Err(reasons.join("; "))
    }
}

/// The library's names are unique ignoring (ASCII) case, as SQLite's NOCASE compares them.
fn key(name: &str) -> String {
    crate::sanitize::clean_line(name).to_ascii_lowercase()
}

pub fn run(
    conn: &Connection,
    table: &Table,
    mut problems: Vec<Problem>,
    opts: &Options,
    write: bool,
    progress: &mut Progress,
) -> Checked<Counts> {
    let existing: HashMap<String, i64> = {
        let mut stmt = conn.prepare("SELECT name, id FROM exercises")?;
        stmt.query_map([], |r| Ok((key(&r.get::<_, String>(0)?), r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut plan = Vec::with_capacity(table.rows.len());
    let total = table.rows.len();
    for (i, row) in table.rows.iter().enumerate() {
        tick(progress, "checking", i + 1, total);
        let mut reasons = Vec::new();
        let values = check_row(table, row).map_err(|r| reasons.push(r)).ok();
        let mut found = None;
        if let Some(name) = table.get(row, "name").filter(|n| !n.is_empty()) {
            let k = key(name);
            if let Some(first) = seen.get(&k) {
                reasons.push(format!("name {} is already on line {first}", shown(name)));
            } else {
                seen.insert(k.clone(), row.line);
            }
            found = existing.get(&k).copied();
            if found.is_some() && !opts.update {
                reasons.push(format!(
                    "the library already has {} (use --update to change it)",
                    shown(name)
                ));
            }
        }
        match values {
            Some(values) if reasons.is_empty() => plan.push(Planned {
                values,
                existing: found,
            }),
            _ => problems.push(Problem::new(row.line, reasons.join("; "))),
        }
    }
    if let Err(p) = finish(problems) {
        return Ok(Err(p));
    }
    let counts = Counts::of(plan.iter().map(|p| p.existing));
    if write {
        write_rows(conn, table, &plan, progress)?;
    }
    Ok(Ok(counts))
}

fn write_rows(
    conn: &Connection,
    table: &Table,
    plan: &[Planned],
    progress: &mut Progress,
) -> rusqlite::Result<()> {
    let present: Vec<&str> = COLUMNS
        .iter()
        .filter(|c| table.has(c.name))
        .map(|c| c.name)
        .collect();
    let insert_sql = format!(
        "INSERT INTO exercises ({}) VALUES ({})",
        present.join(", "),
        (1..=present.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let sets: Vec<String> = present
        .iter()
        .enumerate()
        .filter(|(_, c)| **c != "name")
        .map(|(i, c)| match *c {
            "aliases" => format!(
                "{c} = CASE WHEN ?{n} = '' THEN {c} ELSE ?{n} END",
                n = i + 1
            ),
            _ => format!("{c} = COALESCE(?{}, {c})", i + 1),
        })
        .collect();
    let update_sql = format!(
        "UPDATE exercises SET {} WHERE id = ?{}",
        sets.join(", "),
        present.len() + 1
    );
    let mut insert = conn.prepare(&insert_sql)?;
    let mut update = conn.prepare(&update_sql)?;
    let total = plan.len();
    for (i, p) in plan.iter().enumerate() {
        tick(progress, "writing", i + 1, total);
        match p.existing {
            None => {
                insert.execute(params_from_iter(p.values.iter()))?;
            }
            Some(id) => {
                update.execute(params_from_iter(
                    p.values.iter().cloned().chain([Value::Integer(id)]),
                ))?;
            }
        }
    }
    Ok(())
}
