//! Contributions mapped back from the model's features to the user's columns.
//!
//! Each feature of a [`Pipeline`] is read from one column or several ([`FeatureSpec::columns`]):
//! - a numeric column, its `ln(1 + x)`, a one-hot category, the `other` indicator, a history
//!   letter count or length, a flag, the hour of day: one column, which gets the whole
//!   contribution (so a one-hot group sums to its column);
//! - a ratio, share or rate (`orig_bytes / orig_pkts`, `orig_bytes / (orig_bytes +
//!   resp_bytes)`, bytes per second): several columns, which share its contribution equally.
//!
//! Either way every feature's contribution lands on columns whole, so the columns'
//! contributions add up to exactly what the features' did.

use super::Pipeline;

/// How the features of a pipeline map onto its columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    /// The columns, in order of their first feature.
    pub columns: Vec<String>,
    /// Per feature: `(column index, share)`, the shares summing to 1.
    parts: Vec<Vec<(usize, f64)>>,
}

impl Attribution {
    /// The mapping of `pipeline`'s features.
    pub fn new(pipeline: &Pipeline) -> Attribution {
        let mut columns: Vec<String> = Vec::new();
        let parts = pipeline
            .features
            .iter()
            .map(|f| {
                let mut own: Vec<&str> = f.spec.columns();
                own.sort_unstable();
                own.dedup();
                let share = 1.0 / own.len().max(1) as f64;
                own.iter()
                    .map(|c| {
                        let i = match columns.iter().position(|k| k == c) {
                            Some(i) => i,
                            None => {
                                columns.push(c.to_string());
                                columns.len() - 1
                            }
                        };
                        (i, share)
                    })
                    .collect()
            })
            .collect();
        Attribution { columns, parts }
    }

    /// Per-column contributions from per-feature ones (`phi[f * stride + offset]`, one per
    /// feature): each feature's value added to its columns by their shares.
    pub fn to_columns(&self, phi: &[f64], stride: usize, offset: usize) -> Vec<f64> {
        let mut out = vec![0.0; self.columns.len()];
        for (f, parts) in self.parts.iter().enumerate() {
            let v = phi[f * stride + offset];
            for &(c, share) in parts {
                out[c] += v * share;
            }
        }
        out
    }
}
