//! Dual coordinate descent for one binary L2-regularised squared-hinge SVM (Hsieh, Chang, Lin,
//! Keerthi, Sathiya, "A Dual Coordinate Descent Method for Large-scale Linear SVM", ICML 2008):
//! the algorithm LIBLINEAR runs for scikit-learn's `LinearSVC(loss="squared_hinge", dual=True)`.
//!
//! The primal problem, with `y_i ∈ {−1, +1}` and each row extended by a constant 1 so that the
//! bias is a weight like the others (and penalised, as LIBLINEAR and `LinearSVC` with
//! `intercept_scaling=1` do):
//!
//! `min_w ½‖w‖² + C Σ_i max(0, 1 − y_i w·x_i)²`.
//!
//! Its dual is `min_α ½ αᵀ(Q + D)α − Σα` over `α ≥ 0`, with `Q_ij = y_i y_j x_i·x_j` and
//! `D = I / (2C)`; the primal weights are `w = Σ_i α_i y_i x_i`, kept up to date as `α` changes.
//! One coordinate at a time: the dual gradient of `α_i` is `G = y_i w·x_i − 1 + α_i / (2C)`; the
//! exact minimiser along that coordinate is `α_i − G / (Q_ii + 1/(2C))`, clipped at 0. Rows
//! are visited in a seeded random order each pass.
//!
//! Shrinking (as LIBLINEAR): a row whose `α_i` is 0 and whose gradient is above the largest
//! projected gradient of the previous pass is unlikely to move, and leaves the active set for the
//! rest of the pass sequence. The fit stops when the spread of the projected gradients
//! (`max PG − min PG`) over the active rows is at most `tol` — after re-checking every row once
//! with shrinking undone — or after `max_iter` passes.
//!
//! Why this solver: it is LIBLINEAR's, so with the same `C`, `tol` and the same objective it
//! lands on the same optimum as `LinearSVC` up to the stopping tolerance (Pegasos SGD would need
//! a step schedule and many more passes to get as close); each step is exact, there is no step
//! size to tune, and it needs one pass over the rows per iteration, so it scales to 100 k+ rows.

use crate::data::rng::FlowRng;

/// What one binary fit returns.
#[derive(Debug, Clone)]
pub struct Binary {
    /// `m` weights then the bias.
    pub w: Vec<f64>,
    /// Passes over the (active) rows.
    pub passes: usize,
    /// Whether the projected-gradient spread fell to `tol` before `max_iter` passes.
    pub converged: bool,
    /// Rows with `α_i > 0` (the support vectors).
    pub support: usize,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Fits one binary classifier on `x` (`n × m`, row-major) with labels `positive[i]` (`+1` when
/// true, `−1` otherwise).
pub fn fit_binary(
    x: &[f64],
    m: usize,
    positive: &[bool],
    c: f64,
    tol: f64,
    max_iter: usize,
    rng: &mut FlowRng,
) -> Binary {
    let n = positive.len();
    let diag = 0.5 / c;
    // Q_ii + D_ii, the bias column included (its value 1 adds 1).
    let qd: Vec<f64> = (0..n)
        .map(|i| {
            let row = &x[i * m..(i + 1) * m];
            dot(row, row) + 1.0 + diag
        })
        .collect();
    let sign = |i: usize| if positive[i] { 1.0 } else { -1.0 };
    let mut w = vec![0.0; m + 1];
    let mut alpha = vec![0.0; n];
    let mut index: Vec<usize> = (0..n).collect();
    let mut active = n;
    // α has no upper bound for the squared hinge, so only LIBLINEAR's lower-bound shrinking applies.
    let mut pg_max_old = f64::INFINITY;
    let (mut passes, mut converged) = (0, false);
    while passes < max_iter {
        let (mut pg_max, mut pg_min) = (f64::NEG_INFINITY, f64::INFINITY);
        rng.shuffle(&mut index[..active]);
        let mut s = 0;
        while s < active {
            let i = index[s];
            let yi = sign(i);
            let row = &x[i * m..(i + 1) * m];
            let g = yi * (dot(&w[..m], row) + w[m]) - 1.0 + alpha[i] * diag;
            // The projected gradient: at the bound α = 0 only a negative gradient can move α.
            let pg = if alpha[i] == 0.0 {
                if g > pg_max_old {
                    active -= 1;
                    index.swap(s, active);
                    continue;
                }
                g.min(0.0)
            } else {
                g
            };
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (old - g / qd[i]).max(0.0);
                let step = (alpha[i] - old) * yi;
                for (wj, &v) in w[..m].iter_mut().zip(row) {
                    *wj += step * v;
                }
                w[m] += step;
            }
            s += 1;
        }
        passes += 1;
        if pg_max - pg_min <= tol {
            if active == n {
                converged = true;
                break;
            }
            // Converged on the active rows: undo the shrinking and check every row once more.
            active = n;
            pg_max_old = f64::INFINITY;
            continue;
        }
        pg_max_old = if pg_max <= 0.0 { f64::INFINITY } else { pg_max };
    }
    Binary {
        w,
        passes,
        converged,
        support: alpha.iter().filter(|&&a| a > 0.0).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two points `±1` on a line: the optimum of `½(w² + b²) + C Σ (1 − y(wx + b))²₊` is
    /// symmetric (`b = 0`), and with `C = 1` minimises `½w² + 2(1 − w)²`: `w = 0.8`.
    #[test]
    fn two_points_reach_the_closed_form_optimum() {
        let x = [-1.0, 1.0];
        let fit = fit_binary(
            &x,
            1,
            &[false, true],
            1.0,
            1e-10,
            1000,
            &mut FlowRng::new(0, 0),
        );
        assert!(fit.converged);
        assert!((fit.w[0] - 0.8).abs() < 1e-8, "{:?}", fit.w);
        assert!(fit.w[1].abs() < 1e-8);
        assert_eq!(fit.support, 2);
    }
}
