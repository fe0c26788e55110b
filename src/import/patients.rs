//! Patients by MRN. With `--update` an existing MRN changes that patient: the columns in the
//! file are set, and an empty cell leaves the stored value as it was.

use std::collections::HashMap;

use super::fields::{self, shown};
use super::table::{Column, Problem, Table};
use super::{Options, Progress, finish, tick};
use crate::domain::age_on;
use crate::domain::bulk::{Known, PatientDetails, Planned};

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

/// Checks one row; every problem in it, joined.
fn check_row(
    table: &Table,
    row: &super::table::Row,
    opts: &Options,
) -> Result<PatientDetails, String> {
    let get = |c: &str| table.get(row, c);
    let mut reasons: Vec<String> = Vec::new();
    let mut p = PatientDetails {
        mrn: String::new(),
        first_name: String::new(),
        last_name: String::new(),
        date_of_birth: opts.today,
        phone: None,
        email: None,
        payer: None,
        diagnosis_code: None,
        diagnosis: None,
        body_region: None,
        authorized_visits: None,
        auth_end: None,
        poc_start: None,
        poc_end: None,
    };
    macro_rules! take {
        ($field:expr, $e:expr) => {
            match $e {
                Ok(v) => $field = v,
                Err(r) => reasons.push(r),
            }
        };
    }
    let dob = fields::date("date_of_birth", get("date_of_birth"));
    let poc_start = fields::date("poc_start", get("poc_start"));
    let poc_end = fields::date("poc_end", get("poc_end"));
    let name = |column: &str, raw: Option<&str>| {
        fields::required_text(column, raw).and_then(|s| {
            if s.chars().count() > 100 {
                Err(format!("{column} is longer than 100 characters"))
            } else {
                Ok(s)
            }
        })
    };
    for c in COLUMNS.iter().filter(|c| table.has(c.name)) {
        let raw = get(c.name);
        match c.name {
            "mrn" => take!(p.mrn, fields::mrn(raw)),
            "first_name" => take!(p.first_name, name(c.name, raw)),
            "last_name" => take!(p.last_name, name(c.name, raw)),
            "date_of_birth" => take!(
                p.date_of_birth,
                match &dob {
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
                    Ok(Some(d)) => Ok(*d),
                }
            ),
            "phone" => take!(p.phone, fields::phone(raw)),
            "email" => take!(p.email, fields::email(raw)),
            "payer" => take!(p.payer, fields::limited("payer", raw, 100)),
            "diagnosis_code" => take!(p.diagnosis_code, fields::icd10(raw)),
            "diagnosis" => take!(p.diagnosis, fields::limited("diagnosis", raw, 300)),
            "body_region" => take!(
                p.body_region,
                fields::one_of("body_region", raw, &fields::body_regions())
                    .map(|w| w.map(str::to_string))
            ),
            "authorized_visits" => take!(
                p.authorized_visits,
                fields::integer("authorized_visits", raw, 0, 1000)
            ),
            "auth_end" => take!(p.auth_end, fields::date("auth_end", raw)),
            "poc_start" => take!(p.poc_start, poc_start.clone()),
            "poc_end" => take!(
                p.poc_end,
                match (&poc_start, &poc_end) {
                    (Ok(Some(s)), Ok(Some(e))) if e < s =>
                        Err(format!("poc_end {e} is before poc_start {s}")),
                    (_, other) => other.clone(),
                }
            ),
            _ => {}
        }
    }
    if reasons.is_empty() {
        Ok(p)
    } else {
        Err(reasons.join("; "))
    }
}

/// Checks every row against the record's patients; the plan, or every bad line.
pub fn check(
    known: &Known,
    table: &Table,
    mut problems: Vec<Problem>,
    opts: &Options,
    progress: &mut Progress,
) -> Result<Vec<Planned<PatientDetails>>, Vec<Problem>> {
    let existing = &known.patients;
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
            Some(row) if reasons.is_empty() => plan.push(Planned {
                row,
                existing: found,
            }),
            _ => problems.push(Problem::new(row.line, reasons.join("; "))),
        }
    }
    finish(problems)?;
    Ok(plan)
}
