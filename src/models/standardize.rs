//! Preprocessing carried inside the MLP, logistic regression and naive Bayes models: median
//! imputation of missing values, then mean/std scaling, fitted on the training rows only.
//!
//! The features pipeline leaves missing values as `NaN`; tree models use them as such, but the
//! models here need numbers. [`Standardizer::fit`] learns, per feature, the median of the finite
//! training values (the imputation value), then the mean and standard deviation of the imputed
//! column (as scikit-learn's `SimpleImputer(strategy="median")` followed by `StandardScaler`).
//! A constant column gets a standard deviation of 1. [`Standardizer::transform`] replaces `NaN`
//! by the median, maps ±∞ to the far end of the scaled range and clips every scaled value to
//! ±[`CLIP`], so no input can make a model produce `NaN`.
//!
//! ```
//! use flowlab::data::Matrix;
//! use flowlab::models::standardize::Standardizer;
//! let x = Matrix { rows: 4, cols: 2, data: vec![1.0, 10.0, 2.0, f32::NAN, 3.0, 10.0, 4.0, 10.0] };
//! let s = Standardizer::fit(&x, &[0, 1, 2, 3]);
//! assert_eq!(s.median, vec![2.5, 10.0]);
//! assert_eq!(s.std[1], 1.0); // the imputed column is constant
//! let z = s.transform(&x).unwrap();
//! assert_eq!(z.get(1, 1), 0.0); // NaN → median 10 → (10 - 10) / 1
//! assert!((z.get(0, 0) + 1.3416408).abs() < 1e-6);
//! ```

use serde::{Deserialize, Serialize};

use super::{check_width, ModelError};
use crate::data::Matrix;

/// Scaled values are clipped to `±CLIP` (and `±∞` inputs land there).
pub const CLIP: f32 = 1e6;

/// Per-feature median imputation and standard scaling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    /// Imputation value per feature: median of the finite training values (0 when none).
    pub median: Vec<f64>,
    /// Mean of the imputed training column.
    pub mean: Vec<f64>,
    /// Population standard deviation of the imputed training column (1 when it is 0).
    pub std: Vec<f64>,
}

impl Standardizer {
    /// Learns medians, means and standard deviations from rows `rows` of `x`.
    pub fn fit(x: &Matrix, rows: &[usize]) -> Standardizer {
        let (n, d) = (rows.len(), x.cols);
        let mut median = vec![0f64; d];
        let mut mean = vec![0f64; d];
        let mut std = vec![1f64; d];
        // Column-major copy of the rows, so each feature is read contiguously.
        let mut cols = vec![0f32; n * d];
        for (i, &r) in rows.iter().enumerate() {
            for (j, &v) in x.row(r).iter().enumerate() {
                cols[j * n + i] = v;
            }
        }
        let mut finite: Vec<f32> = Vec::with_capacity(n);
        for (j, col) in cols.chunks_exact(n.max(1)).enumerate().take(d) {
            finite.clear();
            finite.extend(col.iter().copied().filter(|v| v.is_finite()));
            let med = median_of(&mut finite);
            median[j] = med;
            if n == 0 {
                continue;
            }
            // Mean and variance of the imputed column (±∞ counts as the median here).
            let value = |v: f32| if v.is_finite() { v as f64 } else { med };
            let m = col.iter().map(|&v| value(v)).sum::<f64>() / n as f64;
            let var = col
                .iter()
                .map(|&v| (value(v) - m) * (value(v) - m))
                .sum::<f64>()
                / n as f64;
            mean[j] = m;
            let s = var.sqrt();
            std[j] = if s > 0.0 && s.is_finite() { s } else { 1.0 };
        }
        Standardizer { median, mean, std }
    }

    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.median.len()
    }

    /// Checks a decoded standardizer: one median, mean and standard deviation per feature
    /// (scaling indexes all three by feature).
    pub fn check(&self, model: &'static str) -> Result<(), ModelError> {
        let d = self.median.len();
        if self.mean.len() != d || self.std.len() != d {
            return Err(ModelError::Malformed {
                model,
                what: "the input scaling does not have one mean and deviation per feature",
            });
        }
        Ok(())
    }

    /// Scales one value of feature `j`.
    #[inline]
    pub fn scale(&self, j: usize, v: f32) -> f32 {
        let v = if v.is_nan() { self.median[j] } else { v as f64 };
        let z = ((v - self.mean[j]) / self.std[j]) as f32;
        if z.is_nan() {
            0.0
        } else {
            z.clamp(-CLIP, CLIP)
        }
    }

    /// Imputes and scales rows `rows` of `x` into a new `rows.len() × n_features` matrix.
    pub fn transform_rows(&self, x: &Matrix, rows: &[usize]) -> Result<Matrix, ModelError> {
        check_width(self.n_features(), x)?;
        let d = x.cols;
        let mut data = Vec::with_capacity(rows.len() * d);
        for &r in rows {
            data.extend(x.row(r).iter().enumerate().map(|(j, &v)| self.scale(j, v)));
        }
        Ok(Matrix {
            rows: rows.len(),
            cols: d,
            data,
        })
    }

    /// Imputes and scales every row of `x` into `f64` (no rounding to `f32`: the linear and
    /// naive Bayes models compute in `f64` and match scikit-learn more closely this way). Scaled
    /// values are clipped to `±CLIP` as in [`Standardizer::scale`].
    pub fn transform_f64(&self, x: &Matrix) -> Result<Vec<f64>, ModelError> {
        check_width(self.n_features(), x)?;
        let d = x.cols.max(1);
        Ok(x.data
            .iter()
            .enumerate()
            .map(|(i, &v)| self.scale_f64(i % d, v))
            .collect())
    }

    /// Scales one value of feature `j`, in `f64`.
    #[inline]
    pub fn scale_f64(&self, j: usize, v: f32) -> f64 {
        let v = if v.is_nan() { self.median[j] } else { v as f64 };
        let z = (v - self.mean[j]) / self.std[j];
        if z.is_nan() {
            0.0
        } else {
            z.clamp(-CLIP as f64, CLIP as f64)
        }
    }

    /// Imputes and scales every row of `x`.
    pub fn transform(&self, x: &Matrix) -> Result<Matrix, ModelError> {
        check_width(self.n_features(), x)?;
        let d = x.cols.max(1);
        let data = x
            .data
            .iter()
            .enumerate()
            .map(|(i, &v)| self.scale(i % d, v))
            .collect();
        Ok(Matrix {
            rows: x.rows,
            cols: x.cols,
            data,
        })
    }
}

/// Median as numpy computes it (mean of the two middle values for an even count); 0 when empty.
fn median_of(v: &mut [f32]) -> f64 {
    let n = v.len();
    if n == 0 {
        return 0.0;
    }
    let (_, &mut hi, _) = v.select_nth_unstable_by(n / 2, |a, b| a.total_cmp(b));
    if n % 2 == 1 {
        return hi as f64;
    }
    let lo = v[..n / 2].iter().copied().fold(f32::NEG_INFINITY, f32::max);
    (lo as f64 + hi as f64) / 2.0
}
