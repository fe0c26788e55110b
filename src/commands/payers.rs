//! `ptclinic payer set|list`: each payer's rules, kept in the record so that every terminal
//! bills and counts alike. A payer the record does not list is billed by the terminal's
//! `billing_rule`, its evaluation counted, and an assistant's note co-signed.

use serde_json::json;

use crate::cli::{BillingRuleArg, PayerCommand};
use crate::config::Settings;
use crate::db::Who;
use crate::db::payers::{Payer, PayerChange};
use crate::domain::billing::BillingRule;
use crate::domain::payers::PayerRules;
use crate::error::AppResult;
use crate::sanitize::clean_line;

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn as_json(p: &Payer) -> serde_json::Value {
    json!({
        "name": clean_line(&p.name),
        "billing_rule": p.rules.billing_rule.as_str(),
        "evaluation_counts": p.rules.evaluation_counts,
        "assistant_needs_cosign": p.rules.assistant_needs_cosign,
    })
}

fn line(p: &Payer) -> String {
    format!(
        "{}: {}; evaluation counts as a visit: {}; assistant's note co-signed: {}",
        clean_line(&p.name),
        p.rules.billing_rule.label(),
        yes_no(p.rules.evaluation_counts),
        yes_no(p.rules.assistant_needs_cosign)
    )
}

pub fn run(settings: &Settings, cmd: PayerCommand) -> AppResult<()> {
    let mut db = super::open_clinic(settings)?;
    match cmd {
        PayerCommand::List { json } => {
            let payers = db.payers()?;
            if json {
                let rows: Vec<_> = payers.iter().map(as_json).collect();
                super::emit(&format!("{}\n", serde_json::Value::Array(rows)))
            } else {
                let mut s = String::new();
                for p in &payers {
                    s.push_str(&line(p));
                    s.push('\n');
                }
                let others = Payer {
                    name: "Any other payer".into(),
                    rules: PayerRules::unlisted(settings.billing_rule),
                };
                s.push_str(&line(&others));
                s.push('\n');
                super::emit(&s)
            }
        }
        PayerCommand::Set {
            name,
            billing_rule,
            evaluation_counts,
            assistant_cosign,
        } => {
            let at = crate::clock::stamp(settings.clock.now());
            let change = PayerChange {
                billing_rule: billing_rule.map(|r| match r {
                    BillingRuleArg::Medicare => BillingRule::Medicare,
                    BillingRuleArg::Ama => BillingRule::Ama,
                }),
                evaluation_counts: evaluation_counts.map(|y| y.yes()),
                assistant_needs_cosign: assistant_cosign.map(|y| y.yes()),
            };
            let set = db.set_payer(
                &name,
                change,
                Who {
                    user: &settings.user,
                    at: &at,
                },
            )?;
            super::emit_after_change(&format!("{}\n", line(&set)));
            Ok(())
        }
    }
}
