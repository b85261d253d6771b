//! Support vector machine: a linear SVM, or an RBF kernel approximated by random Fourier
//! features feeding the same linear solver.
//!
//! - **Loss and solver**: the squared hinge, `½‖w‖² + C Σ max(0, 1 − y w·x)²` (scikit-learn's
//!   `LinearSVC` default), the bias penalised like a weight (LIBLINEAR's bias column of 1s,
//!   `intercept_scaling=1`), solved by LIBLINEAR's dual coordinate descent ([`dcd`]).
//! - **Classes**: one-vs-rest, one binary SVM per class (as `LinearSVC`); with two classes a single
//!   SVM, class 0 scored `−s` and class 1 `s` (its two one-vs-rest problems are mirror images).
//! - **Kernel**: `linear` works on the standardised inputs. `rbf` first maps them through random
//!   Fourier features (Rahimi & Recht 2007, as scikit-learn's `RBFSampler`):
//!   `φ(x)_k = √(2/D) · cos(x·ω_k + b_k)` with `ω_k ~ N(0, 2γ I)` and `b_k ~ U[0, 2π)`, so that
//!   `φ(x)·φ(x') ≈ exp(−γ‖x − x'‖²)`; `D` = `components`. Fitting then costs rows × D per pass,
//!   not rows², which is what lets it run on 100 k+ rows (an exact kernel SVM would not).
//! - **Probabilities**: the softmax of the per-class decision values. It keeps the SVM's own
//!   decision (the most probable class is the one with the largest decision value) and is smooth
//!   and cheap; it is *not* calibrated (Platt scaling would need held-out folds), so read the
//!   numbers as a ranking, as ROC curves do.
//! - Inputs go through the model's own [`Standardizer`] (median imputation, mean/std scaling).
//!
//! Determinism: rows are visited in a seeded order ([`FlowRng`]), the Fourier weights are drawn
//! from the same seed, `ln` is flowlab's own ([`num::ln`]) and `cos` the `libm` crate's, and every
//! sum runs in a fixed order, so a seed gives the same bits natively and in wasm.
//!
//! ```
//! use flowlab::data::Matrix;
//! use flowlab::models::svm::{Svm, SvmParams};
//! use flowlab::models::{no_progress, Classifier};
//! let x = Matrix { rows: 6, cols: 1, data: vec![0.0, 1.0, 2.0, 10.0, 11.0, 12.0] };
//! let y = [0, 0, 0, 1, 1, 1];
//! let model = Svm::fit(&SvmParams::default(), &x, &y, 2, &mut no_progress()).unwrap();
//! assert_eq!(model.predict(&x).unwrap(), vec![0, 0, 0, 1, 1, 1]);
//! let d = model.decision_function(&Matrix { rows: 1, cols: 1, data: vec![6.0] }).unwrap();
//! assert_eq!(d[0], -d[1]); // two classes: one SVM, mirrored
//! ```

pub(crate) mod dcd;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::num;
use super::params::{above, int_in, log, Param, Params, Range, Search, SEED};
use super::standardize::Standardizer;
use super::{check_data, check_width, ModelError, Progress, Step};
use crate::data::rng::FlowRng;
use crate::data::Matrix;

/// The kernel: linear, or RBF through random Fourier features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kernel {
    Linear,
    Rbf,
}

/// Hyper-parameters of [`Svm`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SvmParams {
    /// `linear` or `rbf`.
    pub kernel: Kernel,
    /// Penalty on margin violations, as scikit-learn's `C` (larger: weaker regularisation).
    pub c: f64,
    /// RBF width, `exp(−γ‖x − x'‖²)` on standardised inputs; `None` = 1 / features.
    pub gamma: Option<f64>,
    /// Random Fourier features (RBF only).
    pub components: usize,
    /// Stop when the dual's projected gradients spread by at most this (LIBLINEAR's `eps`).
    pub tol: f64,
    /// Most passes over the rows per one-vs-rest SVM.
    pub max_iter: usize,
    /// Seed of the row order and the Fourier features.
    pub seed: u64,
}

impl Default for SvmParams {
    fn default() -> Self {
        SvmParams {
            kernel: Kernel::Linear,
            c: 1.0,
            gamma: None,
            components: 256,
            tol: 1e-4,
            max_iter: 1000,
            seed: 0,
        }
    }
}

fn gamma_ok(v: &Value) -> bool {
    v.is_null() || v.as_f64().is_some_and(|g| g.is_finite() && g > 0.0)
}

impl Params for SvmParams {
    const TABLE: &'static [Param] = &[
        Param {
            name: "kernel",
            range: Range::Choice(&["linear", "rbf"]),
            help: "linear, or rbf (a Gaussian kernel through random Fourier features)",
            search: Search::OneOf(&["\"linear\"", "\"rbf\""]),
        },
        Param {
            name: "c",
            range: above(0.0),
            help: "penalty on margin violations, as scikit-learn's C (larger: weaker penalty)",
            search: log(1e-3, 100.0),
        },
        Param {
            name: "gamma",
            range: Range::Custom {
                expected: "a number > 0, or null for 1 / features",
                accepts: gamma_ok,
            },
            help: "RBF width on standardised inputs, exp(−gamma · distance²)",
            search: log(1e-3, 10.0),
        },
        Param {
            name: "components",
            range: int_in(1, 4096),
            help: "random Fourier features approximating the RBF kernel (rbf only)",
            search: log(64.0, 1024.0),
        },
        Param {
            name: "tol",
            range: above(0.0),
            help: "stop when the dual's projected gradients spread by at most this",
            search: Search::Fixed,
        },
        Param {
            name: "max_iter",
            range: int_in(1, 1_000_000),
            help: "most passes over the rows per one-vs-rest SVM",
            search: Search::Fixed,
        },
        Param {
            name: "seed",
            range: SEED,
            help: "seed of the row order and the random Fourier features",
            search: Search::Fixed,
        },
    ];

    /// A few tens of passes over the rows per class; the Fourier map multiplies the width.
    fn work(&self) -> f64 {
        match self.kernel {
            Kernel::Linear => 10.0,
            Kernel::Rbf => 10.0 + self.components as f64 / 4.0,
        }
    }
}

/// The random Fourier map `φ(z)_k = scale · cos(z·ω_k + offset_k)` of the RBF kernel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FourierFeatures {
    /// `ω`, `n_features × components`, row-major.
    pub weights: Vec<f64>,
    /// `b`, one per component.
    pub offset: Vec<f64>,
    /// `√(2 / components)`.
    pub scale: f64,
}

impl FourierFeatures {
    /// Draws `ω_jk = √(2γ) · N(0, 1)` (Box–Muller) and `b_k = 2π · U[0, 1)` from `rng`.
    fn draw(d: usize, components: usize, gamma: f64, rng: &mut FlowRng) -> Self {
        let tau = 2.0 * std::f64::consts::PI;
        let sd = (2.0 * gamma).sqrt();
        let mut weights = Vec::with_capacity(d * components);
        while weights.len() < d * components {
            // Box–Muller: two independent normals from two uniforms (1 − u keeps ln finite).
            let r = (-2.0 * num::ln(1.0 - rng.unit())).sqrt();
            let t = tau * rng.unit();
            weights.push(sd * r * libm::cos(t));
            weights.push(sd * r * libm::sin(t));
        }
        weights.truncate(d * components);
        let offset = (0..components).map(|_| tau * rng.unit()).collect();
        FourierFeatures {
            weights,
            offset,
            scale: (2.0 / components as f64).sqrt(),
        }
    }

    fn components(&self) -> usize {
        self.offset.len()
    }

    /// Maps `rows` standardised rows (`rows × d`) to `rows × components`.
    fn map(&self, z: &[f64], rows: usize, d: usize) -> Vec<f64> {
        let m = self.components();
        let mut out = Vec::with_capacity(rows * m);
        for _ in 0..rows {
            out.extend_from_slice(&self.offset);
        }
        num::gemm_f64(rows, m, d, z, d, 1, &self.weights, m, &mut out, m, true);
        for v in &mut out {
            *v = self.scale * libm::cos(*v);
        }
        out
    }
}

/// A fitted SVM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Svm {
    /// The hyper-parameters it was fitted with.
    pub params: SvmParams,
    /// Imputation and scaling applied to every input.
    pub standardizer: Standardizer,
    /// The Fourier map (RBF kernel only).
    pub fourier: Option<FourierFeatures>,
    /// `inputs × n_classes`, row-major, where the inputs are the standardised features (linear)
    /// or the Fourier features (RBF).
    pub coef: Vec<f64>,
    /// One per class.
    pub intercept: Vec<f64>,
    n_classes: usize,
    /// Passes over the rows of each binary SVM.
    pub passes: Vec<usize>,
    /// Support vectors (rows with a non-zero dual weight) of each binary SVM.
    pub support: Vec<usize>,
    /// Whether every binary SVM met `tol` before `max_iter` passes.
    pub converged: bool,
}

/// Rows per block when predicting.
const BLOCK: usize = 256;

impl Svm {
    /// Fits one binary SVM per class (one in all with two classes); one [`Step`] per SVM.
    pub fn fit(
        params: &SvmParams,
        x: &Matrix,
        y: &[u32],
        n_classes: usize,
        progress: Progress,
    ) -> Result<Self, ModelError> {
        let params = &params.check()?;
        check_data(x, y, n_classes)?;
        let all: Vec<usize> = (0..x.rows).collect();
        let standardizer = Standardizer::fit(x, &all);
        let z = standardizer.transform_f64(x)?;
        let (n, d, k) = (x.rows, x.cols, n_classes);
        let fourier = (params.kernel == Kernel::Rbf).then(|| {
            let gamma = params.gamma.unwrap_or(1.0 / d.max(1) as f64);
            FourierFeatures::draw(
                d,
                params.components,
                gamma,
                &mut FlowRng::new(params.seed, 0),
            )
        });
        let (inputs, m) = match &fourier {
            Some(f) => (f.map(&z, n, d), f.components()),
            None => (z, d),
        };
        let mut coef = vec![0.0; m * k];
        let mut intercept = vec![0.0; k];
        let (mut passes, mut support, mut converged) = (Vec::new(), Vec::new(), true);
        // Two classes: one SVM for class 1; class 0's scores are its mirror image.
        let fitted: Vec<usize> = if k == 2 { vec![1] } else { (0..k).collect() };
        for (step, &c) in fitted.iter().enumerate() {
            let positive: Vec<bool> = y.iter().map(|&l| l as usize == c).collect();
            let mut rng = FlowRng::new(params.seed, 1 + c as u64);
            let fit = dcd::fit_binary(
                &inputs,
                m,
                &positive,
                params.c,
                params.tol,
                params.max_iter,
                &mut rng,
            );
            for j in 0..m {
                coef[j * k + c] = fit.w[j];
            }
            intercept[c] = fit.w[m];
            if k == 2 {
                for j in 0..m {
                    coef[j * k] = -fit.w[j];
                }
                intercept[0] = -fit.w[m];
            }
            passes.push(fit.passes);
            support.push(fit.support);
            converged &= fit.converged;
            if !progress(Step {
                done: step + 1,
                total: fitted.len(),
                loss: None,
                val_loss: None,
            }) {
                return Err(ModelError::Cancelled);
            }
        }
        Ok(Svm {
            params: SvmParams::clone(params),
            standardizer,
            fourier,
            coef,
            intercept,
            n_classes,
            passes,
            support,
            converged,
        })
    }

    /// Decision values (the one-vs-rest SVMs' scores), `rows × n_classes` row-major.
    pub fn decision_function(&self, x: &Matrix) -> Result<Vec<f64>, ModelError> {
        let s = &self.standardizer;
        check_width(s.n_features(), x)?;
        let (d, k) = (x.cols, self.n_classes);
        let m = self.coef.len() / k.max(1);
        let mut out = Vec::with_capacity(x.rows * k);
        let mut zb = vec![0.0; BLOCK * d];
        for start in (0..x.rows).step_by(BLOCK) {
            let bs = BLOCK.min(x.rows - start);
            for (i, (o, &v)) in zb
                .iter_mut()
                .zip(&x.data[start * d..(start + bs) * d])
                .enumerate()
            {
                *o = s.scale_f64(i % d, v);
            }
            let mapped;
            let inputs = match &self.fourier {
                Some(f) => {
                    mapped = f.map(&zb[..bs * d], bs, d);
                    &mapped[..]
                }
                None => &zb[..bs * d],
            };
            let at = out.len();
            for _ in 0..bs {
                out.extend_from_slice(&self.intercept);
            }
            num::gemm_f64(
                bs,
                k,
                m,
                inputs,
                m,
                1,
                &self.coef,
                k,
                &mut out[at..],
                k,
                true,
            );
        }
        Ok(out)
    }

    /// Class probabilities: the softmax of each row's decision values (see the module docs).
    pub fn predict_proba(&self, x: &Matrix) -> Result<Vec<f32>, ModelError> {
        let scores = self.decision_function(x)?;
        Ok(num::softmax_rows_f32(scores, self.n_classes))
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
    /// class, a Fourier map that fits the features, one coefficient per input and class, one
    /// intercept per class.
    pub fn check(&self) -> Result<(), ModelError> {
        const MODEL: &str = "SVM";
        self.standardizer.check(MODEL)?;
        let (d, k) = (self.n_features(), self.n_classes);
        let m = match &self.fourier {
            Some(f) => {
                if Some(f.weights.len()) != d.checked_mul(f.components()) {
                    return Err(ModelError::Malformed {
                        model: MODEL,
                        what: "the Fourier weights do not match the features and components",
                    });
                }
                f.components()
            }
            None => d,
        };
        if k == 0 || self.intercept.len() != k || Some(self.coef.len()) != m.checked_mul(k) {
            return Err(ModelError::Malformed {
                model: MODEL,
                what: "coefficients or intercepts do not match the inputs and classes",
            });
        }
        Ok(())
    }
}
