//! Patients by MRN. With `--update` an existing MRN changes that patient: the columns in the
//! file are set, and an empty cell leaves the stored value as it was.

use super::fields::{self, shown};
use super::table::{Column, Problem, Table, col};
use super::{Claims, Options, Progress, finish, settle, tick};
use crate::domain::authorization::{AuthorizedVisits, MAX_AUTHORIZED_VISITS};
use crate::domain::bulk::{Known, PatientDetails, Planned};
use crate::domain::patient::{self, FieldProblem, MAX_AGE_YEARS, phone_rule};
use crate::domain::plan_of_care::{PlanPeriod, check_end};

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

/// A patient field checked by the record's rule, its problem worded for the import: the
/// column, the text found and what it should be.
fn checked<T>(
    column: &str,
    raw: Option<&str>,
    rule: impl FnOnce(&str) -> Result<T, FieldProblem>,
) -> fields::Check<T> {
    rule(raw.unwrap_or_default()).map_err(|problem| {
        let found = shown(raw.unwrap_or_default());
        match problem {
            FieldProblem::Empty => fields::empty(column),
            FieldProblem::TooLong(max) => fields::too_long(column, max),
            FieldProblem::NotADate => fields::not_a_date(column, raw.unwrap_or_default()),
            FieldProblem::NotInThePast => format!("{column} {found} is not in the past"),
            FieldProblem::TooLongAgo => {
                format!("{column} {found} is over {MAX_AGE_YEARS} years ago")
            }
            FieldProblem::NotAPhone => format!("{column} {found} needs {}", phone_rule()),
            FieldProblem::NotAnEmail => format!("{column} {found} is not an email address"),
            FieldProblem::NotIcd10 => {
                format!("{column} {found} is not an ICD-10 code like M17.11")
            }
        }
    })
}

/// The plan of care and the authorisation a row's columns state: a plan from `poc_start` (to
/// `poc_end`, or the 90th day), an authorisation of `authorized_visits` from the plan's start
/// (or `today`) to `auth_end` (or the plan's end). Every problem, when there are any.
fn stated_terms<'t>(
    get: impl Fn(&str) -> Option<&'t str>,
    today: chrono::NaiveDate,
) -> Result<(Option<PlanPeriod>, Option<AuthorizedVisits>), Vec<String>> {
    fn keep<T>(reasons: &mut Vec<String>, c: fields::Check<Option<T>>) -> Option<T> {
        c.unwrap_or_else(|r| {
            reasons.push(r);
            None
        })
    }
    let mut reasons = Vec::new();
    let start = keep(&mut reasons, fields::date("poc_start", get("poc_start")));
    let end = keep(&mut reasons, fields::date("poc_end", get("poc_end")));
    let auth_end = keep(&mut reasons, fields::date("auth_end", get("auth_end")));
    let visits = keep(
        &mut reasons,
        fields::integer(
            "authorized_visits",
            get("authorized_visits"),
            1,
            MAX_AUTHORIZED_VISITS,
        ),
    );
    let plan = match (start, end) {
        (Some(s), e) => match check_end(s, e) {
            Ok(ends_on) => Some(PlanPeriod {
                starts_on: s,
                ends_on,
                certified_on: None,
            }),
            Err(why) => {
                reasons.push(format!("poc_end: {why}"));
                None
            }
        },
        (None, Some(_)) => {
            reasons.push("poc_end needs poc_start (the plan's first day)".into());
            None
        }
        (None, None) => None,
    };
    let authorization = match (visits, auth_end.or(plan.map(|p| p.ends_on))) {
        (Some(visits), Some(ends_on)) => {
            let starts_on = start.unwrap_or(today);
            if ends_on < starts_on {
                reasons.push(format!(
                    "auth_end {ends_on} is before the authorisation's start {starts_on}"
                ));
                None
            } else {
                Some(AuthorizedVisits {
                    visits,
                    starts_on,
                    ends_on,
                })
            }
        }
        (Some(_), None) => {
            reasons.push("authorized_visits needs auth_end (or a plan of care's end)".into());
            None
        }
        (None, _) if auth_end.is_some() => {
            reasons.push("auth_end needs authorized_visits".into());
            None
        }
        (None, _) => None,
    };
    if reasons.is_empty() {
        Ok((plan, authorization))
    } else {
        Err(reasons)
    }
}

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
        plan: None,
        authorization: None,
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
        let raw = get(c.name);
        match c.name {
            "mrn" => take!(p.mrn, fields::mrn(raw)),
            "first_name" => take!(p.first_name, checked(c.name, raw, patient::name)),
            "last_name" => take!(p.last_name, checked(c.name, raw, patient::name)),
            "date_of_birth" => take!(
                p.date_of_birth,
                checked(c.name, raw, |t| patient::date_of_birth(t, opts.today))
            ),
            "phone" => take!(p.phone, checked(c.name, raw, patient::phone)),
            "email" => take!(p.email, fields::email(raw)),
            "payer" => take!(p.payer, checked(c.name, raw, patient::payer)),
            "diagnosis_code" => take!(
                p.diagnosis_code,
                checked(c.name, raw, patient::diagnosis_code)
            ),
            "diagnosis" => take!(p.diagnosis, checked(c.name, raw, patient::diagnosis)),
            "body_region" => take!(
                p.body_region,
                fields::one_of("body_region", raw, &fields::body_regions())
                    .map(|w| w.map(str::to_string))
            ),
            _ => {}
        }
    }
    match stated_terms(get, opts.today) {
        Ok((plan, authorization)) => {
            p.plan = plan;
            p.authorization = authorization;
        }
        Err(mut r) => reasons.append(&mut r),
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
    let mut claims = Claims::new(existing, opts.update);
    let mut plan = Vec::with_capacity(table.rows.len());
    let total = table.rows.len();
    for (i, row) in table.rows.iter().enumerate() {
        tick(progress, "checking", i + 1, total);
        let mut reasons = Vec::new();
        let values = check_row(table, row, opts)
            .map_err(|r| reasons.push(r))
            .ok();
        let found = table
            .get(row, "mrn")
            .filter(|m| !m.is_empty())
            .and_then(|mrn| {
                claims.claim(
                    mrn.to_string(),
                    row.line,
                    &mut reasons,
                    |first| format!("mrn {} is already on line {first}", shown(mrn)),
                    || {
                        format!(
                            "mrn {} already exists (use --update to change existing patients)",
                            shown(mrn)
                        )
                    },
                )
            });
        settle(&mut plan, &mut problems, row.line, values, reasons, found);
    }
    finish(problems)?;
    Ok(plan)
}
