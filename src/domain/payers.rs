//! A payer's rules, kept in the record so that every terminal bills and counts alike.

use super::billing::BillingRule;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayerRules {
    /// How a day's timed minutes become units on each code.
    pub billing_rule: BillingRule,
    /// The evaluation counts as one of the authorised visits.
    pub evaluation_counts: bool,
    /// An assistant's signed note waits for a therapist's co-signature.
    pub assistant_needs_cosign: bool,
}

impl PayerRules {
    /// A payer the record has no rules for: the terminal's billing rule, the evaluation
    /// counted, and the co-signature asked for (the stricter reading, so nothing is billed
    /// that a payer could refuse).
    pub fn unlisted(billing_rule: BillingRule) -> Self {
        PayerRules {
            billing_rule,
            evaluation_counts: true,
            assistant_needs_cosign: true,
        }
    }
}
