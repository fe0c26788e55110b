//! Payers' rules as stored.

use rusqlite::{Connection, OptionalExtension};

use super::Db;
use crate::domain::billing::BillingRule;
use crate::domain::payers::PayerRules;
use crate::error::AppResult;

/// The rules of the payer named `payer` (matched ignoring case), or those of an unlisted payer.
pub(crate) fn rules(
    conn: &Connection,
    payer: Option<&str>,
    fallback: BillingRule,
) -> rusqlite::Result<PayerRules> {
    let Some(payer) = payer.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(PayerRules::unlisted(fallback));
    };
    let row: Option<(String, bool, bool)> = conn
        .prepare_cached(
            "SELECT billing_rule, evaluation_counts, assistant_needs_cosign FROM payers
             WHERE name = ?1",
        )?
        .query_row([payer], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
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
    /// The rules of a patient's payer; `fallback` is the terminal's billing rule for a payer the
    /// record does not list.
    pub fn payer_rules(&self, payer: Option<&str>, fallback: BillingRule) -> AppResult<PayerRules> {
        rules(self.conn(), payer, fallback).map_err(|e| self.fail(e))
    }
}
