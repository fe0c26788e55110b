//! Payers' rules as stored.

use super::Db;
use super::sql::{Conn, OptionalExtension, Sql, SqlResult, args};
use crate::domain::billing::BillingRule;
use crate::domain::payers::PayerRules;
use crate::error::{AppError, AppResult};

/// The rules of the payer named `payer` (matched ignoring case), or those of an unlisted payer.
pub(crate) fn rules(
    conn: &Conn,
    payer: Option<&str>,
    fallback: BillingRule,
) -> SqlResult<PayerRules> {
    let Some(payer) = payer.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(PayerRules::unlisted(fallback));
    };
    let row: Option<(String, bool, bool)> = conn
        .prepare_cached(
            "SELECT billing_rule, evaluation_counts, assistant_needs_cosign FROM payers
             WHERE name = ?1",
        )?
        .query_row(args![payer], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(match row {
        Some((rule, evaluation_counts, assistant_needs_cosign)) => PayerRules {
            billing_rule: if rule == "ama" {
                BillingRule::Ama
            } else {
                BillingRule::Medicare
            },
            evaluation_counts,
            assistant_needs_cosign,
        },
        None => PayerRules::unlisted(fallback),
    })
}

impl Db {
    /// The billing rule of the payer of a visit's patient, when the record lists that payer.
    pub fn visit_payer_rule(&self, appointment_id: i64) -> AppResult<Option<BillingRule>> {
        let read = || -> SqlResult<Option<BillingRule>> {
            let payer: Option<String> = self
                .sql()
                .query_row(
                    "SELECT p.payer FROM appointments a JOIN patients p ON p.id = a.patient_id
                     WHERE a.id = ?1",
                    args![appointment_id],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            let Some(payer) = payer
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
            else {
                return Ok(None);
            };
            Ok(listed(&self.sql())?
                .into_iter()
                .find(|p| p.name.eq_ignore_ascii_case(&payer))
                .map(|p| p.rules.billing_rule))
        };
        read().map_err(|e| self.fail(e))
    }

    /// The rules of a patient's payer; `fallback` is the terminal's billing rule for a payer the
    /// record does not list.
    pub fn payer_rules(&self, payer: Option<&str>, fallback: BillingRule) -> AppResult<PayerRules> {
        rules(&self.sql(), payer, fallback).map_err(|e| self.fail(e))
    }
}

/// A payer the record lists, with its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payer {
    pub name: String,
    pub rules: PayerRules,
}

/// What `payer set` changes; what is None keeps its value (a new payer's: the defaults).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PayerChange {
    pub billing_rule: Option<BillingRule>,
    pub evaluation_counts: Option<bool>,
    pub assistant_needs_cosign: Option<bool>,
}

fn listed(conn: &Conn) -> SqlResult<Vec<Payer>> {
    conn.prepare_cached(
        "SELECT name, billing_rule, evaluation_counts, assistant_needs_cosign FROM payers
         ORDER BY name",
    )?
    .query_map(&[], |r| {
        Ok(Payer {
            name: r.get(0)?,
            rules: PayerRules {
                billing_rule: stored_rule(&r.get::<String>(1)?),
                evaluation_counts: r.get(2)?,
                assistant_needs_cosign: r.get(3)?,
            },
        })
    })?
    .collect()
}

fn stored_rule(word: &str) -> BillingRule {
    BillingRule::parse(word).unwrap_or(BillingRule::Medicare)
}

impl Db {
    /// The payers the record lists, by name.
    pub fn payers(&self) -> AppResult<Vec<Payer>> {
        listed(&self.sql()).map_err(|e| self.fail(e))
    }

    /// Sets a payer's rules (an admin's change, audited with the rules before and after). A
    /// payer not listed yet is added: Medicare's rule, the evaluation counted and an
    /// assistant's note co-signed, unless the change says otherwise.
    pub fn set_payer(
        &mut self,
        name: &str,
        change: PayerChange,
        who: super::Who,
    ) -> AppResult<Payer> {
        use super::audit::{self, AuditEntry};
        use crate::domain::roles::Duty;
        let name = crate::domain::staff::checked_identity("the payer's name", name)
            .map_err(AppError::input)?
            .to_string();
        if change == PayerChange::default() {
            return Err(AppError::input(
                "payer set needs --billing-rule, --evaluation-counts or --assistant-cosign",
            ));
        }
        self.write_as(&who, Duty::Payers, |tx, _| {
            let was = listed(tx)?
                .into_iter()
                .find(|p| p.name.eq_ignore_ascii_case(&name));
            let base = was
                .as_ref()
                .map_or(PayerRules::unlisted(BillingRule::Medicare), |p| p.rules);
            let now = PayerRules {
                billing_rule: change.billing_rule.unwrap_or(base.billing_rule),
                evaluation_counts: change.evaluation_counts.unwrap_or(base.evaluation_counts),
                assistant_needs_cosign: change
                    .assistant_needs_cosign
                    .unwrap_or(base.assistant_needs_cosign),
            };
            // The name keeps the spelling it was first listed with.
            let stored_name = was.as_ref().map_or(name.clone(), |p| p.name.clone());
            tx.execute(
                "INSERT INTO payers (name, billing_rule, evaluation_counts, assistant_needs_cosign)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (name) DO UPDATE SET billing_rule = excluded.billing_rule,
                    evaluation_counts = excluded.evaluation_counts,
                    assistant_needs_cosign = excluded.assistant_needs_cosign,
                    version = version + 1",
                args![
                    stored_name,
                    now.billing_rule.as_str(),
                    now.evaluation_counts,
                    now.assistant_needs_cosign
                ],
            )?;
            let rules_json = |r: &PayerRules| {
                serde_json::json!({
                    "billing_rule": r.billing_rule.as_str(),
                    "evaluation_counts": r.evaluation_counts,
                    "assistant_needs_cosign": r.assistant_needs_cosign,
                })
            };
            audit::record(
                tx,
                &AuditEntry {
                    at: who.at,
                    user: who.user,
                    action: "payer.set",
                    entity: "payer",
                    entity_id: None,
                    detail: serde_json::json!({
                        "name": stored_name,
                        "was": was.as_ref().map(|p| rules_json(&p.rules)),
                        "now": rules_json(&now),
                    }),
                },
            )?;
            Ok(Payer {
                name: stored_name.clone(),
                rules: now,
            })
        })
    }
}
