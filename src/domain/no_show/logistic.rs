//! An L2-regularised logistic regression fitted by Newton's method (IRLS), over rows that
//! hold a few numbers and one level of each categorical feature. Every sum runs in row order
//! and the system is solved by Cholesky, so the same rows give the same coefficients, bit
//! for bit.

/// The numbers of a row (already standardised).
pub const NUMBERS: usize = 5;
/// The categorical features of a row: one column each (weekday, time of day, age, payer).
pub const LEVELS: usize = 4;

/// One visit as the fit sees it. Column 0 is the intercept, columns 1..=NUMBERS the numbers,
/// and `levels` name the one-hot columns that are 1 (four different columns, one from each
/// categorical feature's own range).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    pub numbers: [f64; NUMBERS],
    pub levels: [u16; LEVELS],
}

/// The penalty on every coefficient but the intercept: ½·λ·Σβ². On standardised numbers and
/// 0/1 levels it keeps one-hot groups identifiable and rare levels near zero, and is small
/// beside the data of any record the model fits on (at least 200 visits).
pub const LAMBDA: f64 = 1.0;

const MAX_ITERATIONS: usize = 50;
const TOLERANCE: f64 = 1e-9;

/// The fitted coefficients (column order) and the Newton steps taken.
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficients {
    pub beta: Vec<f64>,
    pub iterations: usize,
}

pub fn sigmoid(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        let e = eta.exp();
        e / (1.0 + e)
    }
}

/// The row's log-odds under `beta`.
pub fn eta(beta: &[f64], row: &Row) -> f64 {
    let mut eta = beta[0];
    for (k, x) in row.numbers.iter().enumerate() {
        eta += beta[1 + k] * x;
    }
    for &c in &row.levels {
        eta += beta[usize::from(c)];
    }
    eta
}

/// The columns a row touches and their values: the intercept, the numbers, its levels.
fn entries(row: &Row) -> [(usize, f64); 1 + NUMBERS + LEVELS] {
    let mut out = [(0, 1.0); 1 + NUMBERS + LEVELS];
    for (k, x) in row.numbers.iter().enumerate() {
        out[1 + k] = (1 + k, *x);
    }
    for (k, &c) in row.levels.iter().enumerate() {
        out[1 + NUMBERS + k] = (usize::from(c), 1.0);
    }
    out
}

/// The penalised log-likelihood, its gradient and its negative Hessian (lower triangle) at
/// `beta`.
fn pass(rows: &[Row], missed: &[bool], beta: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let p = beta.len();
    let mut ll = 0.0;
    let mut grad = vec![0.0; p];
    let mut hess = vec![0.0; p * p];
    for (row, &y) in rows.iter().zip(missed) {
        let e = eta(beta, row);
        let mu = sigmoid(e);
        // log(1 + e^eta) without overflow.
        let softplus = if e > 0.0 {
            e + (-e).exp().ln_1p()
        } else {
            e.exp().ln_1p()
        };
        ll += if y { e - softplus } else { -softplus };
        let r = f64::from(u8::from(y)) - mu;
        let w = mu * (1.0 - mu);
        let cols = entries(row);
        for (a, &(ca, va)) in cols.iter().enumerate() {
            grad[ca] += r * va;
            for &(cb, vb) in &cols[..=a] {
                let (i, j) = if ca >= cb { (ca, cb) } else { (cb, ca) };
                hess[i * p + j] += w * va * vb;
            }
        }
    }
    for k in 1..p {
        ll -= 0.5 * LAMBDA * beta[k] * beta[k];
        grad[k] -= LAMBDA * beta[k];
        hess[k * p + k] += LAMBDA;
    }
    (ll, grad, hess)
}

/// Solves H·x = g for a symmetric positive-definite H given by its lower triangle; None when
/// it is not positive definite.
fn cholesky_solve(p: usize, hess: &[f64], g: &[f64]) -> Option<Vec<f64>> {
    let mut l = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let mut s = hess[i * p + j];
            for k in 0..j {
                s -= l[i * p + k] * l[j * p + k];
            }
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * p + i] = s.sqrt();
            } else {
                l[i * p + j] = s / l[j * p + j];
            }
        }
    }
    let mut y = vec![0.0; p];
    for i in 0..p {
        let mut s = g[i];
        for k in 0..i {
            s -= l[i * p + k] * y[k];
        }
        y[i] = s / l[i * p + i];
    }
    let mut x = vec![0.0; p];
    for i in (0..p).rev() {
        let mut s = y[i];
        for k in i + 1..p {
            s -= l[k * p + i] * x[k];
        }
        x[i] = s / l[i * p + i];
    }
    Some(x)
}

/// Fits `columns` coefficients to rows and outcomes (true: missed). Starts from the base rate
/// and takes Newton steps, halving a step that would lower the penalised likelihood.
pub fn fit(rows: &[Row], missed: &[bool], columns: usize) -> Coefficients {
    let n = rows.len().max(1) as f64;
    let positives = missed.iter().filter(|m| **m).count() as f64;
    let rate = ((positives + 0.5) / (n + 1.0)).clamp(1e-6, 1.0 - 1e-6);
    let mut beta = vec![0.0; columns];
    beta[0] = (rate / (1.0 - rate)).ln();
    let (mut ll, mut grad, mut hess) = pass(rows, missed, &beta);
    let mut iterations = 0;
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let Some(mut step) = cholesky_solve(columns, &hess, &grad) else {
            break;
        };
        let mut accepted = None;
        for _ in 0..30 {
            let trial: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + s).collect();
            let next = pass(rows, missed, &trial);
            if next.0 >= ll - 1e-12 * ll.abs() {
                accepted = Some((trial, next));
                break;
            }
            step.iter_mut().for_each(|s| *s *= 0.5);
        }
        let Some((trial, next)) = accepted else {
            break;
        };
        let moved = step.iter().fold(0.0f64, |m, s| m.max(s.abs()));
        beta = trial;
        (ll, grad, hess) = next;
        if moved < TOLERANCE {
            break;
        }
    }
    Coefficients { beta, iterations }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stream of numbers in [0, 1) for test data (no RNG dependency).
    fn uniform(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Rows whose first number raises the log-odds by `effect` and whose level column 6 (of
    /// 6 and 7) lowers it by 1; columns 8 to 10 are levels every row has.
    fn planted(n: usize, effect: f64) -> (Vec<Row>, Vec<bool>) {
        let mut s = 7;
        let mut rows = Vec::new();
        let mut missed = Vec::new();
        for _ in 0..n {
            let x = uniform(&mut s) * 2.0 - 1.0;
            let level = if uniform(&mut s) < 0.5 { 6 } else { 7 };
            let eta = -1.5 + effect * x - if level == 6 { 1.0 } else { 0.0 };
            missed.push(uniform(&mut s) < sigmoid(eta));
            rows.push(Row {
                numbers: [x, 0.0, 0.0, 0.0, 0.0],
                levels: [level, 8, 9, 10],
            });
        }
        (rows, missed)
    }

    #[test]
    fn the_fit_recovers_a_planted_effect_and_its_sign() {
        for effect in [1.5, -1.5] {
            let (rows, missed) = planted(4000, effect);
            let c = fit(&rows, &missed, 11);
            let b = c.beta[1];
            assert!(
                (b - effect).abs() < 0.3,
                "effect {effect} fitted as {b} in {} steps",
                c.iterations
            );
            // The level that lowers the odds comes out about 1 below the other.
            let gap = c.beta[7] - c.beta[6];
            assert!((gap - 1.0).abs() < 0.35, "{:?}", c.beta);
        }
    }

    #[test]
    fn the_same_rows_give_the_same_coefficients_bit_for_bit() {
        let (rows, missed) = planted(1500, 0.8);
        let a = fit(&rows, &missed, 11);
        let b = fit(&rows, &missed, 11);
        let bits = |c: &Coefficients| c.beta.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b));
        assert!(a.iterations < MAX_ITERATIONS, "converged");
    }

    #[test]
    fn the_penalty_keeps_an_unseen_level_at_zero() {
        let (rows, missed) = planted(500, 1.0);
        let c = fit(&rows, &missed, 12);
        assert_eq!(c.beta[11], 0.0);
    }

    #[test]
    fn cholesky_solves_a_small_system() {
        // [[4, 2], [2, 3]] x = [2, 1] → x = [0.5, 0].
        let x = cholesky_solve(2, &[4.0, 0.0, 2.0, 3.0], &[2.0, 1.0]).unwrap();
        assert!((x[0] - 0.5).abs() < 1e-12 && x[1].abs() < 1e-12, "{x:?}");
        assert!(cholesky_solve(1, &[-1.0], &[1.0]).is_none());
    }
}
