//! The small statistics the outcome figures use: the Wilson score interval for a share, and
//! medians and quartiles by linear interpolation (the "type 7" rule of R and NumPy).

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval (without continuity correction) for `k` of `n`, 95%. None for
/// n = 0: no share, no interval.
pub fn wilson(k: usize, n: usize) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (k, n) = (k.min(n) as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let centre = p + z2 / (2.0 * n);
    let spread = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let denominator = 1.0 + z2 / n;
    Some((
        ((centre - spread) / denominator).max(0.0),
        ((centre + spread) / denominator).min(1.0),
    ))
}

/// The `q` quantile (0..=1) of `values`, interpolated between order statistics. None when
/// empty. `values` need not be sorted.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(sorted_quantile(&v, q))
}

/// [`quantile`] of values already sorted ascending (and finite).
pub fn sorted_quantile(v: &[f64], q: f64) -> f64 {
    let h = (v.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

pub fn median(values: &[f64]) -> Option<f64> {
    quantile(values, 0.5)
}

pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// `k / n`, None for n = 0 (a share of nothing is not 0%).
pub fn share(k: usize, n: usize) -> Option<f64> {
    (n > 0).then(|| k as f64 / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round4(x: f64) -> f64 {
        (x * 10_000.0).round() / 10_000.0
    }

    /// Newcombe (1998), Statistics in Medicine 17:857–872, method 3 (score, no continuity
    /// correction): the worked examples 81/263, 15/148, 0/20 and 1/29.
    #[test]
    fn wilson_matches_newcombes_worked_examples() {
        for (k, n, lo, hi) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let (l, h) = wilson(k, n).unwrap();
            assert_eq!((round4(l), round4(h)), (lo, hi), "{k}/{n}");
        }
        assert_eq!(wilson(0, 0), None);
        let (l, h) = wilson(20, 20).unwrap();
        assert_eq!(round4(h), 1.0);
        assert_eq!(round4(l), round4(1.0 - 0.1611));
    }

    #[test]
    fn quartiles_interpolate() {
        let v = [6.0, 1.0, 3.0, 10.0];
        assert_eq!(median(&v), Some(4.5));
        assert_eq!(quantile(&v, 0.25), Some(2.5));
        assert_eq!(quantile(&v, 0.75), Some(7.0));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5.0]), Some(5.0));
        assert_eq!(share(0, 0), None);
        assert_eq!(mean(&[1.0, 2.0]), Some(1.5));
    }
}
