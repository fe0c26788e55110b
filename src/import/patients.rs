//! Patients by MRN. With `--update` an existing MRN changes that patient: the columns in the
//! file are set, and an empty cell leaves the stored value as it was.

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::fields::{self, shown};
use super::table::{Column, Problem, Table};
use super::{Checked, Counts, Options, Progress, finish, tick};
use crate::domain::age_on;

const fn col(name: &'static str, required: bool) -> Column {
    Column { name, required }
}

pub const COLUMNS: &[Column] = &[
    col("mrn", true),
    col("first_name", true),
    col("last_name", true),
    col("date_of_birth", true),
    col("phone", false),
    col("email", false),
    col("payer", false),
    col("diagnosis_code", false),
    col("diagnosis", false),
    col("body_region", false),
    col("authorized_visits", false),
    col("auth_end", false),
    col("poc_start", false),
    col("poc_end", false),
];

/// One checked row: the stored value of each column the file has (in `COLUMNS` order), and
/// the id of the patient it changes, if any.
struct Planned {
    values: Vec<Value>,
    existing: Option<i64>,
}

fn day(d: Option<chrono::NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| {
        Value::Text(d.format("%Y-%m-%d").to_string())
    })
}

fn opt_text(s: Option<String>) -> Value {
    s.map_or(Value::Null, Value::Text)
}

/// Checks one row; every problem in it, joined.
fn check_row(table: &Table, row: &super::table::Row, opts: &Options) -> Result<Vec<Value>, String> {
    let get = |c: &str| table.get(row, c);
    let mut reasons: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    macro_rules! take {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(r) => {
                    reasons.push(r);
                    Value::Null
                }
            }
        };
    }
    let dob = fields::date("date_of_birth", get("date_of_birth"));
    let poc_start = fields::date("poc_start", get("poc_start"));
    let poc_end = fields::date("poc_end", get("poc_end"));
    for c in COLUMNS.iter().filter(|c| table.has(c.name)) {
        let raw = get(c.name);
        let v = match c.name {
            "mrn" => take!(fields::mrn(raw).map(Value::Text)),
            "first_name" | "last_name" => take!(
                fields::required_text(c.name, raw)
                    .and_then(|s| {
                        if s.chars().count() > 100 {
                            Err(format!("{} is longer than 100 characters", c.name))
                        } else {
                            Ok(s)
                        }
                    })
                    .map(Value::Text)
            ),
            "date_of_birth" => take!(match &dob {
                Err(e) => Err(e.clone()),
                Ok(None) => Err("date_of_birth is empty".to_string()),
                Ok(Some(d)) if *d >= opts.today => Err(format!(
                    "date_of_birth {} is not in the past",
                    shown(raw.unwrap_or_default())
                )),
                Ok(Some(d)) if age_on(*d, opts.today) > 120 => Err(format!(
                    "date_of_birth {} is over 120 years ago",
                    shown(raw.unwrap_or_default())
                )),
                Ok(Some(d)) => Ok(day(Some(*d))),
            }),
            "phone" => take!(fields::phone(raw).map(opt_text)),
            "email" => take!(fields::email(raw).map(opt_text)),
            "payer" => take!(fields::limited("payer", raw, 100).map(opt_text)),
            "diagnosis_code" => take!(fields::icd10(raw).map(opt_text)),
            "diagnosis" => take!(fields::limited("diagnosis", raw, 300).map(opt_text)),
            "body_region" => take!(
                fields::one_of("body_region", raw, &fields::body_regions())
                    .map(|w| opt_text(w.map(str::to_string)))
            ),
            "authorized_visits" => take!(
                fields::integer("authorized_visits", raw, 0, 1000)
                    .map(|n| n.map_or(Value::Null, Value::Integer))
            ),
            "auth_end" => take!(fields::date("auth_end", raw).map(day)),
            "poc_start" => take!(poc_start.clone().map(day)),
            "poc_end" => take!(match (&poc_start, &poc_end) {
                (Ok(Some(s)), Ok(Some(e))) if e < s =>
                    Err(format!("poc_end {e} is before poc_start {s}")),
                (_, other) => other.clone().map(day),
            }),
            _ => Value::Null,
        };
        values.push(v);
    }
    if reasons.is_empty() {
        Ok(values)
    } else {
        Err(reasons.join("; "))
    }
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
        let mut stmt = conn.prepare("SELECT mrn, id FROM patients")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut plan = Vec::with_capacity(table.rows.len());
    let total = table.rows.len();
    for (i, row) in table.rows.iter().enumerate() {
        tick(progress, "checking", i + 1, total);
        let mut reasons = Vec::new();
        let values = check_row(table, row, opts)
            .map_err(|r| reasons.push(r))
            .ok();
        let mut found = None;
        if let Some(mrn) = table.get(row, "mrn").filter(|m| !m.is_empty()) {
            if let Some(first) = seen.get(mrn) {
                reasons.push(format!("mrn {} is already on line {first}", shown(mrn)));
            } else {
                seen.insert(mrn.to_string(), row.line);
            }
            found = existing.get(mrn).copied();
            if found.is_some() && !opts.update {
                reasons.push(format!(
                    "mrn {} already exists (use --update to change existing patients)",
                    shown(mrn)
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
        write_rows(conn, table, &plan, opts, progress)?;
    }
    Ok(Ok(counts))
}

fn write_rows(
    conn: &Connection,
    table: &Table,
    plan: &[Planned],
    opts: &Options,
    progress: &mut Progress,
) -> rusqlite::Result<()> {
    let present: Vec<&str> = COLUMNS
        .iter()
        .filter(|c| table.has(c.name))
        .map(|c| c.name)
        .collect();
    let insert_sql = format!(
        "INSERT INTO patients ({}, created_at) VALUES ({})",
        present.join(", "),
        (1..=present.len() + 1)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // Every column but the MRN; an empty cell keeps what is stored.
    let sets: Vec<String> = present
        .iter()
        .enumerate()
        .filter(|(_, c)| **c != "mrn")
        .map(|(i, c)| format!("{c} = COALESCE(?{}, {c})", i + 1))
        .collect();
    let update_sql = format!(
        "UPDATE patients SET {}, version = version + 1 WHERE id = ?{}",
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
                insert.execute(params_from_iter(
                    p.values
                        .iter()
                        .cloned()
                        .chain([Value::Text(opts.at.to_string())]),
                ))?;
                super::audit_record(conn, opts, "patient", conn.last_insert_rowid(), false)?;
            }
            Some(id) => {
                update.execute(params_from_iter(
                    p.values.iter().cloned().chain([Value::Integer(id)]),
                ))?;
                super::audit_record(conn, opts, "patient", id, true)?;
            }
        }
    }
    Ok(())
}
