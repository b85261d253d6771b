//! Gaussian naive Bayes, as scikit-learn's `GaussianNB`.
//!
//! Per class: the prior is its share of the training rows, and each feature a normal distribution
//! with the class mean and (population) variance. Every variance gets `var_smoothing` times the
//! largest feature variance of all training rows added (scikit-learn's `epsilon_`). Inputs first go
//! through the model's own [`Standardizer`] (median imputation of `NaN`, mean/std scaling); the
//! scaling does not change the Gaussian likelihood ratios, but it makes the smoothing relative to
//! unit variances and lets the model take the same matrices as the others. Classes without
//! training rows get probability 0. All sums run in `f64`, in a fixed order.
//!
//! ```
//! use flowlab::data::Matrix;
//! use flowlab::models::naive_bayes::{GaussianNb, GaussianNbParams};
//! use flowlab::models::{no_progress, Classifier};
//! let x = Matrix { rows: 6, cols: 2, data: vec![-1.0, -1.0, -2.0, -1.0, -3.0, -2.0, 1.0, 1.0, 2.0, 1.0, 3.0, 2.0] };
//! let y = [0, 0, 0, 1, 1, 1];
//! let nb = GaussianNb::fit(&GaussianNbParams::default(), &x, &y, 2, &mut no_progress()).unwrap();
//! assert_eq!(nb.predict(&Matrix { rows: 1, cols: 2, data: vec![-0.8, -1.0] }).unwrap(), vec![0]);
//! assert_eq!(nb.class_prior, vec![0.5, 0.5]);
//! ```

use serde::{Deserialize, Serialize};

use super::num;
use super::params::{at_least, log, Param, Params};
use super::standardize::Standardizer;
use super::{check_data, ModelError, Progress, Step};
use crate::data::Matrix;

/// Hyper-parameters of [`GaussianNb`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianNbParams {
    /// Share of the largest feature variance added to every variance (scikit-learn's default 1e-9).
    pub var_smoothing: f64,
}

impl Default for GaussianNbParams {
    fn default() -> Self {
        GaussianNbParams {
            var_smoothing: 1e-9,
        }
    }
}

impl Params for GaussianNbParams {
    const TABLE: &'static [Param] = &[Param {
        name: "var_smoothing",
        range: at_least(0.0),
        help: "share of the largest feature variance added to every variance, for stability",
        search: log(1e-12, 1e-3),
    }];

    /// One pass of means and variances.
    fn work(&self) -> f64 {
        0.05
    }
}

/// A fitted Gaussian naive Bayes classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianNb {
    /// The hyper-parameters it was fitted with.
    pub params: GaussianNbParams,
    /// Imputation and scaling applied to every input.
    pub standardizer: Standardizer,
    /// Share of training rows per class.
    pub class_prior: Vec<f64>,
    /// Per-class feature means, `n_classes × n_features` row-major (standardized scale).
    pub theta: Vec<f64>,
    /// Per-class feature variances including `epsilon`, same layout.
    pub var: Vec<f64>,
    /// The variance added to every entry of `var`.
    pub epsilon: f64,
    n_classes: usize,
}

/// Floor for a variance when every feature is constant (scikit-learn would divide by zero).
const MIN_VAR: f64 = 1e-12;

impl GaussianNb {
    /// Fits in one pass; reports a single [`Step`].
    pub fn fit(
        params: &GaussianNbParams,
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
        let (n, d, k) = (x.rows, x.cols, n_classes);
        let mut count = vec![0usize; k];
        for &c in y {
            count[c as usize] += 1;
        }
        let mut theta = vec![0.0; k * d];
        for (row, &c) in xs.chunks(d.max(1)).zip(y) {
            for (t, &v) in theta[c as usize * d..(c as usize + 1) * d]
                .iter_mut()
                .zip(row)
            {
                *t += v;
            }
        }
        for (c, &m) in count.iter().enumerate() {
            for t in &mut theta[c * d..(c + 1) * d] {
                *t /= m.max(1) as f64;
            }
        }
        let mut var = vec![0.0; k * d];
        for (row, &c) in xs.chunks(d.max(1)).zip(y) {
            let c = c as usize;
            for ((s, &v), &m) in var[c * d..(c + 1) * d]
                .iter_mut()
                .zip(row)
                .zip(&theta[c * d..(c + 1) * d])
            {
                *s += (v - m) * (v - m);
            }
        }
        // epsilon: var_smoothing × the largest variance over all rows, as scikit-learn.
        let mut max_var = 0.0f64;
        for j in 0..d {
            let mean = xs.iter().skip(j).step_by(d).sum::<f64>() / n as f64;
            let v = xs
                .iter()
                .skip(j)
                .step_by(d)
                .map(|&v| (v - mean) * (v - mean))
                .sum::<f64>()
                / n as f64;
            max_var = max_var.max(v);
        }
        let epsilon = params.var_smoothing * max_var;
        for (c, &m) in count.iter().enumerate() {
            for s in &mut var[c * d..(c + 1) * d] {
                *s = (*s / m.max(1) as f64 + epsilon).max(MIN_VAR);
            }
        }
        let class_prior = count.iter().map(|&m| m as f64 / n as f64).collect();
        if !progress(Step {
            done: 1,
            total: 1,
            loss: None,
            val_loss: None,
        }) {
            return Err(ModelError::Cancelled);
        }
        Ok(GaussianNb {
            params: GaussianNbParams::clone(params),
            standardizer,
            class_prior,
            theta,
            var,
            epsilon,
            n_classes,
        })
    }

    /// Joint log-likelihood `ln P(c) + ln p(x | c)` per row and class, `rows × n_classes`.
    pub fn joint_log_likelihood(&self, x: &Matrix) -> Result<Vec<f64>, ModelError> {
        let xs = self.standardizer.transform_f64(x)?;
        let (d, k) = (x.cols, self.n_classes);
        let two_pi = 2.0 * std::f64::consts::PI;
        let base: Vec<f64> = (0..k)
            .map(|c| {
                if self.class_prior[c] == 0.0 {
                    return f64::NEG_INFINITY;
                }
                let log_det: f64 = self.var[c * d..(c + 1) * d]
                    .iter()
                    .map(|&v| num::ln(two_pi * v))
                    .sum();
                num::ln(self.class_prior[c]) - 0.5 * log_det
            })
            .collect();
        let mut out = Vec::with_capacity(x.rows * k);
        for r in 0..x.rows {
            let row = &xs[r * d..(r + 1) * d];
            for (c, &b) in base.iter().enumerate() {
                if b == f64::NEG_INFINITY {
                    out.push(f64::NEG_INFINITY);
                    continue;
                }
                let mut q = 0.0;
                for ((&v, &m), &var) in row
                    .iter()
                    .zip(&self.theta[c * d..(c + 1) * d])
                    .zip(&self.var[c * d..(c + 1) * d])
                {
                    q += (v - m) * (v - m) / var;
                }
                out.push(b - 0.5 * q);
            }
        }
        Ok(out)
    }

    /// Class probabilities, `rows × n_classes` row-major (each row sums to 1).
    pub fn predict_proba(&self, x: &Matrix) -> Result<Vec<f32>, ModelError> {
        let jll = self.joint_log_likelihood(x)?;
        Ok(num::softmax_rows_f32(jll, self.n_classes))
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
    /// class, one prior per class, one mean and variance per class and feature.
    pub fn check(&self) -> Result<(), ModelError> {
        const MODEL: &str = "Gaussian naive Bayes";
        self.standardizer.check(MODEL)?;
        let (d, k) = (self.n_features(), self.n_classes);
        let cells = d.checked_mul(k);
        if k == 0
            || self.class_prior.len() != k
            || Some(self.theta.len()) != cells
            || Some(self.var.len()) != cells
        {
            return Err(ModelError::Malformed {
                model: MODEL,
                what: "priors, means or variances do not match the features and classes",
            });
        }
        Ok(())
    }
}
