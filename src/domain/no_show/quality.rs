//! How well a model's risks rank and match what happened: the AUC (the chance that a missed
//! visit scores above an attended one) and a calibration table.

use serde::{Deserialize, Serialize};

/// The area under the ROC curve by the Mann–Whitney statistic, a tie between a missed and an
/// attended visit counting half; None unless both outcomes occur.
pub fn auc(scores: &[f64], missed: &[bool]) -> Option<f64> {
    let positives = missed.iter().filter(|m| **m).count();
    let negatives = missed.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Ranks from 1, tied scores sharing their mean rank.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let mean_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += mean_rank * order[i..=j].iter().filter(|&&k| missed[k]).count() as f64;
        i = j + 1;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// One band of a calibration table: visits of similar predicted risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    pub count: usize,
    /// The mean predicted probability in the band.
    pub predicted: f64,
    /// The share of the band's visits that were missed.
    pub observed: f64,
}

/// Deciles of predicted risk (quintiles under 1,000 visits), lowest first, each with its mean
/// prediction and observed rate.
pub fn calibration(scores: &[f64], missed: &[bool]) -> Vec<CalibrationBin> {
    let n = scores.len();
    if n == 0 {
        return Vec::new();
    }
    let bins = if n >= 1000 { 10 } else { 5 }.min(n);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(a.cmp(&b)));
    (0..bins)
        .map(|b| {
            let part = &order[b * n / bins..(b + 1) * n / bins];
            let count = part.len();
            let predicted = part.iter().map(|&k| scores[k]).sum::<f64>() / count as f64;
            let observed = part.iter().filter(|&&k| missed[k]).count() as f64 / count as f64;
            CalibrationBin {
                count,
                predicted,
                observed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_of_known_rankings() {
        let missed = [false, false, true, true];
        assert_eq!(auc(&[0.1, 0.2, 0.3, 0.4], &missed), Some(1.0));
        assert_eq!(auc(&[0.4, 0.3, 0.2, 0.1], &missed), Some(0.0));
        assert_eq!(auc(&[0.5; 4], &missed), Some(0.5));
        // One missed visit above both attended ones, the other tied with one: (2 + 1.5) / 4.
        assert_eq!(auc(&[0.1, 0.3, 0.3, 0.9], &missed), Some(0.875));
        assert_eq!(auc(&[0.1, 0.2], &[false, false]), None);
        assert_eq!(auc(&[0.1, 0.2], &[true, true]), None);
    }

    #[test]
    fn calibration_bands_hold_every_visit_in_order_of_risk() {
        let scores: Vec<f64> = (0..20).map(|i| f64::from(i) / 20.0).collect();
        let missed: Vec<bool> = (0..20).map(|i| i >= 15).collect();
        let table = calibration(&scores, &missed);
        assert_eq!(table.len(), 5);
        assert!(table.iter().all(|b| b.count == 4));
        assert_eq!(table[0].observed, 0.0);
        assert_eq!(table[4].observed, 1.0);
        assert!((table[0].predicted - 0.075).abs() < 1e-12);
        assert!(table.windows(2).all(|w| w[0].predicted < w[1].predicted));
        let many = calibration(&vec![0.1; 1000], &vec![false; 1000]);
        assert_eq!(many.len(), 10);
    }
}
