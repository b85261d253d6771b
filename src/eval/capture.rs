//! The capture detector ("adversarial validation"): how well each input feature, and the whole
//! feature set, predicts *which capture (source file) a flow came from*.
//!
//! The leakage scan ([`super::leakage`]) asks whether a column predicts the label; this asks
//! whether it predicts the capture. A feature that tells the captures apart describes the
//! recording (its clock, its network, its hosts) as much as the traffic, and a model that leans
//! on it learns the capture: its random-split score is high and its score on a new capture low.
//!
//! **Method.** Rows (at most [`MAX_ROWS`], a seeded sample) are split 70/30, stratified by
//! capture. For one feature, its values are cut into up to 32 quantile bins of the training rows
//! (plus one bin for missing); each bin predicts the capture most of its training rows came from
//! (the same single-column predictor as the leakage scan). For the whole set, a decision tree
//! (depth ≤ 8, ≥ 5 rows per leaf, Gini) predicts the capture from every feature. Both are scored
//! by **balanced accuracy** on the held-out rows (the mean over captures of the share of its rows
//! recognised), so a large capture does not dominate. Always guessing one capture scores
//! `chance = 1 / captures`; the **lift** rescales the score so 0 is chance and 1 is perfect:
//! `lift = (balanced_accuracy − chance) / (1 − chance)`.
//!
//! **Threshold.** A feature is flagged "names the capture" when its lift alone is at least
//! [`FLAG_LIFT`] (0.5: it recognises the capture of a flow at least halfway from chance to
//! always). Captures really do differ in their traffic, so many features have some lift; the
//! flag marks the ones that, alone, are closer to an identifier of the recording than not.

use serde::{Deserialize, Serialize};

use super::metrics::Report;
use crate::data::rng::FlowRng;
use crate::data::sampling::stratified_holdout;
use crate::data::Matrix;
use crate::features::{FeatureOptions, Pipeline};
use crate::ingest::Dataset;
use crate::models::tree::{DecisionTree, DecisionTreeParams};

/// Lift (0 = chance, 1 = perfect) at or above which a feature is flagged "names the capture".
pub const FLAG_LIFT: f64 = 0.5;
/// Rows scanned at most (a seeded sample of them beyond this).
pub const MAX_ROWS: usize = 20_000;
/// Share of the scanned rows held out to score the predictors.
const TEST_SHARE: f64 = 0.3;

/// One feature's finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureFinding {
    /// The input feature (as the pipeline names it).
    pub feature: String,
    /// Balanced accuracy of predicting the capture from this feature alone (held-out rows).
    pub balanced_accuracy: f64,
    /// `(balanced_accuracy − chance) / (1 − chance)`: 0 = chance, 1 = names every capture.
    pub lift: f64,
    /// Lift at least [`FLAG_LIFT`].
    pub names_capture: bool,
    /// One sentence for the page and the CLI.
    pub message: String,
}

/// The scan of one data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureScan {
    /// Captures (source files) among the scanned rows.
    pub captures: usize,
    /// Rows scanned (training + held-out).
    pub rows: usize,
    /// Balanced accuracy of always guessing one capture: `1 / captures`.
    pub chance: f64,
    /// Balanced accuracy of a decision tree on every feature.
    pub all_features: f64,
    /// Lift of the whole feature set.
    pub all_lift: f64,
    /// Every feature, highest lift first.
    pub findings: Vec<CaptureFinding>,
}

impl CaptureScan {
    /// The flagged features, highest lift first.
    pub fn flagged(&self) -> impl Iterator<Item = &CaptureFinding> {
        self.findings.iter().filter(|f| f.names_capture)
    }

    /// One sentence about the whole feature set.
    pub fn summary(&self) -> String {
        format!(
            "every feature together tells the {} captures apart with balanced accuracy {:.2} (chance {:.2}, lift {:.2}); {} of {} features alone name the capture (lift ≥ {FLAG_LIFT})",
            self.captures,
            self.all_features,
            self.chance,
            self.all_lift,
            self.flagged().count(),
            self.findings.len()
        )
    }
}

/// Scans the features `x` (every row of the data set, columns named by `names`) over the rows
/// `rows`, whose capture is `sources[row]`. `None` when those rows come from fewer than two
/// captures (there is nothing to tell apart).
pub fn detect(
    x: &Matrix,
    names: &[String],
    sources: &[u32],
    rows: &[usize],
    seed: u64,
) -> Option<CaptureScan> {
    let mut rows = rows.to_vec();
    if rows.len() > MAX_ROWS {
        let mut rng = FlowRng::new(seed, 0xca97);
        rng.shuffle(&mut rows);
        rows.truncate(MAX_ROWS);
        rows.sort_unstable();
    }
    // Captures renumbered 0..k in order of first appearance among the sorted source ids.
    let mut ids: Vec<u32> = rows.iter().map(|&r| sources[r]).collect();
    ids.sort_unstable();
    ids.dedup();
    let k = ids.len();
    if k < 2 {
        return None;
    }
    let g: Vec<u32> = rows
        .iter()
        .map(|&r| ids.partition_point(|&s| s < sources[r]) as u32)
        .collect();
    let split = stratified_holdout(&g, TEST_SHARE, seed);
    if split.train.is_empty() || split.test.is_empty() {
        return None;
    }
    let g_test: Vec<u32> = split.test.iter().map(|&i| g[i]).collect();
    let score = |pred: &[u32]| Report::new(&g_test, pred, None, k).balanced_accuracy;
    let present = {
        let mut p = g_test.clone();
        p.sort_unstable();
        p.dedup();
        p.len()
    };
    let chance = 1.0 / present as f64;
    let lift = |ba: f64| ((ba - chance) / (1.0 - chance)).max(0.0);
    let xs = x.select_rows(&rows);
    let mut findings: Vec<CaptureFinding> = (0..xs.cols.min(names.len()))
        .map(|c| {
            let ba = score(&alone(&xs, c, &g, k, &split.train, &split.test));
            let l = lift(ba);
            // The tolerance keeps a feature that isolates exactly one of three captures (lift
            // (2/3 − 1/3) / (2/3) = 0.5, rounded just below in floating point) flagged.
            let names_capture = l >= FLAG_LIFT - 1e-9;
            let message = if names_capture {
                format!("names the capture: alone it tells the {k} captures apart with balanced accuracy {ba:.2} (chance {chance:.2}, lift {l:.2})")
            } else {
                format!("alone: balanced accuracy {ba:.2} over {k} captures (chance {chance:.2}, lift {l:.2})")
            };
            CaptureFinding {
                feature: names[c].clone(),
                balanced_accuracy: ba,
                lift: l,
                names_capture,
                message,
            }
        })
        .collect();
    findings.sort_by(|a, b| b.lift.total_cmp(&a.lift).then(a.feature.cmp(&b.feature)));
    let all_features =
        whole(&xs, &g, k, &split.train, &split.test, seed).map_or(chance, |p| score(&p));
    Some(CaptureScan {
        captures: k,
        rows: rows.len(),
        chance,
        all_features,
        all_lift: lift(all_features),
        findings,
    })
}

/// Scans a whole data set (every row, labelled or not) with the inputs `opts` would give: a
/// seeded sample of at most [`MAX_ROWS`] rows, the pipeline fitted on them, and only their rows
/// computed (memory stays `MAX_ROWS × features` whatever the data's size).
pub fn scan_dataset(data: &Dataset, opts: &FeatureOptions, seed: u64) -> Option<CaptureScan> {
    let mut rows: Vec<usize> = (0..data.n_rows()).collect();
    if rows.len() > MAX_ROWS {
        let mut rng = FlowRng::new(seed, 0xca97);
        rng.shuffle(&mut rows);
        rows.truncate(MAX_ROWS);
        rows.sort_unstable();
    }
    let pipeline = Pipeline::fit(data, &rows, opts);
    let cols = pipeline.width();
    let mut x = Matrix {
        rows: rows.len(),
        cols,
        data: vec![0f32; rows.len() * cols],
    };
    for (c, f) in pipeline.features.iter().enumerate() {
        let values = f.spec.compute(data).ok()?;
        for (i, &r) in rows.iter().enumerate() {
            x.data[i * cols + c] = values[r];
        }
    }
    let names: Vec<String> = pipeline.names().iter().map(|n| n.to_string()).collect();
    let sources: Vec<u32> = rows.iter().map(|&r| data.sources[r]).collect();
    let all: Vec<usize> = (0..rows.len()).collect();
    detect(&x, &names, &sources, &all, seed)
}

/// Predictions on `test` of the single-column predictor of column `c`: quantile bins of the
/// training values (up to 32, plus missing), each voting for its most frequent capture.
fn alone(x: &Matrix, c: usize, g: &[u32], k: usize, train: &[usize], test: &[usize]) -> Vec<u32> {
    let mut vals: Vec<f32> = train
        .iter()
        .map(|&r| x.get(r, c))
        .filter(|v| !v.is_nan())
        .collect();
    vals.sort_by(f32::total_cmp);
    vals.dedup();
    let edges: Vec<f32> = if vals.len() <= 32 {
        vals
    } else {
        (1..32).map(|i| vals[i * vals.len() / 32]).collect()
    };
    let bins = edges.len() + 2;
    let bin = |v: f32| {
        if v.is_nan() {
            bins - 1
        } else {
            edges.partition_point(|&e| e < v)
        }
    };
    let mut votes = vec![0usize; bins * k];
    let mut overall = vec![0usize; k];
    for &r in train {
        votes[bin(x.get(r, c)) * k + g[r] as usize] += 1;
        overall[g[r] as usize] += 1;
    }
    // Ties go to the lower capture number; an empty bin predicts the most frequent capture.
    let argmax = |counts: &[usize]| {
        (0..k)
            .max_by_key(|&i| (counts[i], usize::MAX - i))
            .unwrap_or(0) as u32
    };
    let majority = argmax(&overall);
    let best: Vec<u32> = (0..bins)
        .map(|b| {
            let counts = &votes[b * k..(b + 1) * k];
            if counts.iter().all(|&n| n == 0) {
                majority
            } else {
                argmax(counts)
            }
        })
        .collect();
    test.iter().map(|&r| best[bin(x.get(r, c))]).collect()
}

/// Predictions on `test` of a small decision tree on every feature (`None` if it cannot fit).
fn whole(
    x: &Matrix,
    g: &[u32],
    k: usize,
    train: &[usize],
    test: &[usize],
    seed: u64,
) -> Option<Vec<u32>> {
    if x.cols == 0 {
        return None;
    }
    let params = DecisionTreeParams {
        max_depth: Some(8),
        min_samples_leaf: 5,
        seed,
        ..Default::default()
    };
    let y: Vec<u32> = train.iter().map(|&r| g[r]).collect();
    let tree = DecisionTree::fit(&params, &x.select_rows(train), &y, k, &mut |_| true).ok()?;
    let proba = tree.predict_proba(&x.select_rows(test)).ok()?;
    Some(
        proba
            .chunks(k)
            .map(|p| {
                (0..k)
                    .max_by(|&a, &b| p[a].total_cmp(&p[b]).then(b.cmp(&a)))
                    .unwrap_or(0) as u32
            })
            .collect(),
    )
}
