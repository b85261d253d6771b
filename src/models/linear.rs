//! Multinomial logistic regression (softmax) with an L2 penalty, fitted by full-batch L-BFGS.
//!
//! The objective is scikit-learn's `LogisticRegression(multi_class="multinomial", solver="lbfgs")`
//! scaled by `1 / n`:
//! `mean cross-entropy + ‖W‖² / (2 · c · n)` (intercepts are not penalised), minimised in `f64`
//! until the largest gradient component is at most `tol`, the relative decrease of the objective
//! falls below `64 · f64::EPSILON` (scipy's `ftol` as scikit-learn sets it), or `max_iter`
//! iterations have run. Inputs go through the model's own [`Standardizer`] (median imputation of
//! `NaN`, mean/std scaling), so the saved model carries its preprocessing.
//!
//! Everything is deterministic (no randomness at all) and bit-identical natively and in wasm.
//!
//! ```
//! use flowlab::data::Matrix;
//! use flowlab::models::linear::{LogisticParams, LogisticRegression};
//! use flowlab::models::{no_progress, Classifier};
//! let x = Matrix { rows: 6, cols: 1, data: vec![0.0, 1.0, 2.0, 10.0, 11.0, 12.0] };
//! let y = [0, 0, 0, 1, 1, 1];
//! let model = LogisticRegression::fit(&LogisticParams::default(), &x, &y, 2, &mut no_progress()).unwrap();
//! assert_eq!(model.predict(&x).unwrap(), vec![0, 0, 0, 1, 1, 1]);
//! let p = model.predict_proba(&Matrix { rows: 1, cols: 1, data: vec![6.0] }).unwrap();
//! assert!((p[0] - 0.5).abs() < 1e-3 && (p[0] + p[1] - 1.0).abs() < 1e-6);
//! ```

use serde::{Deserialize, Serialize};

use super::num;
use super::params::{above, at_least, int_in, log, Param, Params, Search};
use super::standardize::Standardizer;
use super::{check_data, check_width, ModelError, Progress, Step};
use crate::data::Matrix;

/// Hyper-parameters of [`LogisticRegression`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticParams {
    /// Inverse L2 strength, as scikit-learn's `C` (larger: weaker penalty).
    pub c: f64,
    /// Most L-BFGS iterations.
    pub max_iter: usize,
    /// Stop when every gradient component is at most this (scikit-learn's `tol`, scipy's `gtol`).
    pub tol: f64,
    /// L-BFGS history length (scipy's `maxcor`).
    pub memory: usize,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            c: 1.0,
            max_iter: 200,
            tol: 1e-4,
            memory: 10,
        }
    }
}

impl Params for LogisticParams {
    const TABLE: &'static [Param] = &[
        Param {
            name: "c",
            range: above(0.0),
            help: "inverse L2 strength, as scikit-learn's C (larger: weaker penalty)",
            search: log(1e-3, 1e3),
        },
        Param {
            name: "max_iter",
            range: int_in(1, 1_000_000),
            help: "most L-BFGS iterations",
            search: Search::Fixed,
        },
        Param {
            name: "tol",
            range: at_least(0.0),
            help: "stop when every gradient component is at most this",
            search: Search::Fixed,
        },
        Param {
            name: "memory",
            range: int_in(1, 100),
            help: "L-BFGS history length",
            search: Search::Fixed,
        },
    ];

    /// L-BFGS iterations, as about 20 trees' worth.
    fn work(&self) -> f64 {
        20.0
    }
}

/// A fitted multinomial logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticRegression {
    /// The hyper-parameters it was fitted with.
    pub params: LogisticParams,
    /// Imputation and scaling applied to every input.
    pub standardizer: Standardizer,
    /// `n_features × n_classes`, row-major, on standardized inputs.
    pub coef: Vec<f64>,
    /// One per class.
    pub intercept: Vec<f64>,
    n_classes: usize,
    /// Objective after each iteration (the first entry is at the zero start).
    pub loss_curve: Vec<f64>,
    /// L-BFGS iterations run.
    pub n_iter: usize,
    /// Whether a stopping rule other than `max_iter` ended the fit.
    pub converged: bool,
}

/// Rows per block when streaming the data through the kernels.
const BLOCK: usize = 256;

/// Padded class count (the kernel's register width) so the matrix products take the fast path.
fn padded(k: usize) -> usize {
    k.div_ceil(8) * 8
}

/// The objective and its gradient over standardized data, parameters `[W (d × kp); b (kp)]`.
struct Objective<'a> {
    /// Standardized inputs, `n × d` row-major.
    x: &'a [f64],
    d: usize,
    y: &'a [u32],
    k: usize,
    kp: usize,
    l2: f64,
    z: Vec<f64>,
}

impl Objective<'_> {
    fn eval(&mut self, theta: &[f64], grad: &mut [f64]) -> f64 {
        let (d, k, kp, n) = (self.d, self.k, self.kp, self.y.len());
        let (w, b) = theta.split_at(d * kp);
        grad.fill(0.0);
        let mut loss = 0.0;
        for start in (0..n).step_by(BLOCK) {
            let bs = BLOCK.min(n - start);
            let xb = &self.x[start * d..(start + bs) * d];
            let z = &mut self.z[..bs * kp];
            for row in z.chunks_mut(kp) {
                row.copy_from_slice(b);
            }
            num::gemm_f64(bs, kp, d, xb, d, 1, w, kp, z, kp, true);
            for (i, row) in z.chunks_mut(kp).enumerate() {
                let t = self.y[start + i] as usize;
                let zt = row[t];
                let lse = num::softmax64_in_place(&mut row[..k]);
                loss += if zt.is_finite() { lse - zt } else { 0.0 };
                row[t] -= 1.0;
                row[k..].fill(0.0);
            }
            let (gw, gb) = grad.split_at_mut(d * kp);
            num::gemm_f64(d, kp, bs, xb, 1, d, z, kp, gw, kp, true);
            for row in z.chunks(kp) {
                for (g, &v) in gb.iter_mut().zip(row) {
                    *g += v;
                }
            }
        }
        let inv = 1.0 / n as f64;
        let (gw, gb) = grad.split_at_mut(d * kp);
        let mut sq = 0.0;
        for (g, &wv) in gw.iter_mut().zip(w) {
            *g = *g * inv + self.l2 * wv;
            sq += wv * wv;
        }
        for g in gb.iter_mut() {
            *g *= inv;
        }
        loss * inv + 0.5 * self.l2 * sq
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// L-BFGS's two-loop recursion: `dir = -H · grad`, where `H` approximates the inverse Hessian
/// from the stored pairs `(s_i, y_i)` (step and gradient change) with `rho_i = 1 / (s_i · y_i)`,
/// oldest first. The first loop runs newest to oldest and keeps the `alpha_i`; the middle scales
/// by `gamma = s·y / y·y` of the newest pair (1 with no pairs); the second loop runs oldest to
/// newest.
fn two_loop(
    dir: &mut [f64],
    grad: &[f64],
    (ss, ys, rho): (&[Vec<f64>], &[Vec<f64>], &[f64]),
    alpha_hist: &mut [f64],
) {
    for (o, &g) in dir.iter_mut().zip(grad) {
        *o = -g;
    }
    let h = ss.len();
    for i in (0..h).rev() {
        alpha_hist[i] = rho[i] * dot(&ss[i], dir);
        for (o, &yv) in dir.iter_mut().zip(&ys[i]) {
            *o -= alpha_hist[i] * yv;
        }
    }
    let gamma = if h > 0 {
        1.0 / (rho[h - 1] * dot(&ys[h - 1], &ys[h - 1]))
    } else {
        1.0
    };
    for o in dir.iter_mut() {
        *o *= gamma;
    }
    for i in 0..h {
        let beta = rho[i] * dot(&ys[i], dir);
        for (o, &sv) in dir.iter_mut().zip(&ss[i]) {
            *o += (alpha_hist[i] - beta) * sv;
        }
    }
}

impl LogisticRegression {
    /// Fits by L-BFGS; one [`Step`] per iteration.
    pub fn fit(
        params: &LogisticParams,
        x: &Matrix,
        y: &[u32],
        n_classes: usize,
        progress: Progress,
    ) -> Result<Self, ModelError> {
        let params = &params.check()?;
        check_data(x, y, n_classes)?;
        let all: Vec<usize> = (0..x.rows).collect();
        let standardizer = Standardizer::fit(x, &all);
        let xs = standardizer.transform_f64(x)?;
        let (d, k) = (x.cols, n_classes);
        let kp = padded(k);
        let mut obj = Objective {
            x: &xs,
            d,
            y,
            k,
            kp,
            l2: 1.0 / (params.c * x.rows as f64),
            z: vec![0.0; BLOCK * kp],
        };
        let dim = d * kp + kp;
        let mut theta = vec![0.0; dim];
        let mut grad = vec![0.0; dim];
        let mut f = obj.eval(&theta, &mut grad);
        let mut loss_curve = vec![f];
        let (mut ss, mut ys, mut rho): (Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<f64>) =
            (Vec::new(), Vec::new(), Vec::new());
        let mut dir = vec![0.0; dim];
        let mut trial = vec![0.0; dim];
        let mut grad_new = vec![0.0; dim];
        let mut alpha_hist = vec![0.0; params.memory];
        let (mut n_iter, mut converged) = (0, false);
        for iter in 1..=params.max_iter {
            if grad.iter().fold(0.0f64, |m, g| m.max(g.abs())) <= params.tol {
                converged = true;
                break;
            }
            two_loop(&mut dir, &grad, (&ss, &ys, &rho), &mut alpha_hist);
            let h = ss.len();
            let mut slope = dot(&grad, &dir);
            if slope.is_nan() || slope >= 0.0 {
                // Not a descent direction (rounding): restart from steepest descent.
                ss.clear();
                ys.clear();
                rho.clear();
                for (o, &g) in dir.iter_mut().zip(&grad) {
                    *o = -g;
                }
                slope = dot(&grad, &dir);
            }
            // Backtracking line search (Armijo), first step scaled like scipy's first iteration.
            let mut t = if h == 0 {
                1.0f64.min(1.0 / dot(&grad, &grad).sqrt())
            } else {
                1.0
            };
            let mut f_new = f64::INFINITY;
            let mut accepted = false;
            for _ in 0..60 {
                for ((o, &th), &dv) in trial.iter_mut().zip(&theta).zip(&dir) {
                    *o = th + t * dv;
                }
                f_new = obj.eval(&trial, &mut grad_new);
                if f_new.is_finite() && f_new <= f + 1e-4 * t * slope {
                    accepted = true;
                    break;
                }
                // Quadratic interpolation of the step, kept within [0.1 t, 0.5 t].
                let q = -slope * t * t / (2.0 * (f_new - f - slope * t));
                t = if q.is_finite() {
                    q.clamp(0.1 * t, 0.5 * t)
                } else {
                    0.5 * t
                };
            }
            n_iter = iter;
            if !accepted {
                converged = true; // no decrease possible at this precision
                break;
            }
            let s: Vec<f64> = trial.iter().zip(&theta).map(|(a, b)| a - b).collect();
            let yv: Vec<f64> = grad_new.iter().zip(&grad).map(|(a, b)| a - b).collect();
            let sy = dot(&s, &yv);
            if sy > 1e-10 * dot(&yv, &yv).max(f64::MIN_POSITIVE) {
                if ss.len() == params.memory {
                    ss.remove(0);
                    ys.remove(0);
                    rho.remove(0);
                }
                ss.push(s);
                ys.push(yv);
                rho.push(1.0 / sy);
            }
            std::mem::swap(&mut theta, &mut trial);
            std::mem::swap(&mut grad, &mut grad_new);
            let decrease = (f - f_new) / f.abs().max(f_new.abs()).max(1.0);
            f = f_new;
            loss_curve.push(f);
            if !progress(Step {
                done: iter,
                total: params.max_iter,
                loss: Some(f),
                val_loss: None,
            }) {
                return Err(ModelError::Cancelled);
            }
            if decrease <= 64.0 * f64::EPSILON {
                converged = true;
                break;
            }
        }
        let mut coef = vec![0.0; d * k];
        for j in 0..d {
            coef[j * k..(j + 1) * k].copy_from_slice(&theta[j * kp..j * kp + k]);
        }
        let intercept = theta[d * kp..d * kp + k].to_vec();
        Ok(LogisticRegression {
            params: LogisticParams::clone(params),
            standardizer,
            coef,
            intercept,
            n_classes,
            loss_curve,
            n_iter,
            converged,
        })
    }

    /// Class probabilities, `rows × n_classes` row-major (each row sums to 1).
    pub fn predict_proba(&self, x: &Matrix) -> Result<Vec<f32>, ModelError> {
        let s = &self.standardizer;
        check_width(s.n_features(), x)?;
        let (d, k) = (x.cols, self.n_classes);
        let kp = padded(k);
        let mut w = vec![0.0; d * kp];
        for j in 0..d {
            w[j * kp..j * kp + k].copy_from_slice(&self.coef[j * k..(j + 1) * k]);
        }
        let mut b = vec![0.0; kp];
        b[..k].copy_from_slice(&self.intercept);
        let mut xb = vec![0.0; BLOCK * d];
        let mut z = vec![0.0; BLOCK * kp];
        let mut out = Vec::with_capacity(x.rows * k);
        for start in (0..x.rows).step_by(BLOCK) {
            let bs = BLOCK.min(x.rows - start);
            for (i, (o, &v)) in xb
                .iter_mut()
                .zip(&x.data[start * d..(start + bs) * d])
                .enumerate()
            {
                *o = s.scale_f64(i % d, v);
            }
            for row in z[..bs * kp].chunks_mut(kp) {
                row.copy_from_slice(&b);
            }
            num::gemm_f64(
                bs,
                kp,
                d,
                &xb[..bs * d],
                d,
                1,
                &w,
                kp,
                &mut z[..bs * kp],
                kp,
                true,
            );
            for row in z[..bs * kp].chunks_mut(kp) {
                num::softmax64_in_place(&mut row[..k]);
                out.extend(row[..k].iter().map(|&p| p as f32));
            }
        }
        Ok(out)
    }

    /// Number of classes (columns of [`Self::predict_proba`]).
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of input features the model expects.
    pub fn n_features(&self) -> usize {
        self.standardizer.n_features()
    }

    /// Checks a decoded model before use (a damaged or hand-made model file): at least one
    /// class, one coefficient per feature and class, one intercept per class.
    pub fn check(&self) -> Result<(), ModelError> {
        const MODEL: &str = "logistic regression";
        self.standardizer.check(MODEL)?;
        let (d, k) = (self.n_features(), self.n_classes);
        if k == 0 || self.intercept.len() != k || Some(self.coef.len()) != d.checked_mul(k) {
            return Err(ModelError::Malformed {
                model: MODEL,
                what: "coefficients or intercepts do not match the features and classes",
            });
        }
        Ok(())
    }
}
