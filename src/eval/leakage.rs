//! The leakage detector: how well each column *alone* predicts the label, on held-out rows, and
//! which columns look like identifiers of the capture rather than properties of the flow.
//!
//! A single-column predictor maps each value bin (numbers: up to 32 quantile bins of the training
//! rows, plus one for missing; text: each value) to the majority class of its training rows,
//! and is scored by macro-F1 on the test rows. A port or an address that scores near 1.0 alone
//! names the capture, and a model that uses it learns the capture, not the attack.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::metrics::Report;
use super::split::Split;
use crate::ingest::{ColumnData, Dataset, Role, MISSING};

/// One column's finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub column: String,
    /// The column's role (`identifier`, `port`, `timestamp`, `feature`).
    pub role: String,
    /// Macro-F1 on the test rows of predicting the label from this column alone.
    pub alone_macro_f1: f64,
    /// Macro-F1 of always predicting the most frequent training class.
    pub baseline_macro_f1: f64,
    /// Distinct values among the training rows.
    pub distinct: usize,
    /// True when this should be shown as a warning (not just information).
    pub warn: bool,
    pub message: String,
}

/// Scores every non-label column of `data` against `y` (class codes, [`MISSING`] = unlabelled)
/// on `split`, strongest first.
pub fn detect(data: &Dataset, y: &[u32], n_classes: usize, split: &Split) -> Vec<Finding> {
    let train: Vec<usize> = split
        .train
        .iter()
        .copied()
        .filter(|&r| y[r] != MISSING)
        .collect();
    let test: Vec<usize> = split
        .test
        .iter()
        .copied()
        .filter(|&r| y[r] != MISSING)
        .collect();
    if train.is_empty() || test.is_empty() {
        return Vec::new();
    }
    let majority = {
        let mut counts = vec![0usize; n_classes];
        train.iter().for_each(|&r| counts[y[r] as usize] += 1);
        (0..n_classes)
            .max_by_key(|&c| (counts[c], usize::MAX - c))
            .unwrap_or(0) as u32
    };
    let y_test: Vec<u32> = test.iter().map(|&r| y[r]).collect();
    let score = |pred: &[u32]| Report::new(&y_test, pred, None, n_classes).macro_f1;
    let baseline = score(&vec![majority; test.len()]);
    let mut out = Vec::new();
    for col in &data.columns {
        if matches!(col.role, Role::Label | Role::Meta) {
            continue;
        }
        let keys: Vec<u64> = match &col.data {
            ColumnData::Numeric(v) => bin_numeric(v, &train),
            ColumnData::Text(t) => t.codes.iter().map(|&c| c as u64).collect(),
        };
        let mut votes: HashMap<u64, Vec<usize>> = HashMap::new();
        for &r in &train {
            votes.entry(keys[r]).or_insert_with(|| vec![0; n_classes])[y[r] as usize] += 1;
        }
        let distinct = votes
            .keys()
            .filter(|&&k| k != MISSING as u64 && k != u64::MAX)
            .count();
        let best: HashMap<u64, u32> = votes
            .iter()
            .map(|(&k, c)| {
                (
                    k,
                    (0..n_classes)
                        .max_by_key(|&i| (c[i], usize::MAX - i))
                        .unwrap_or(0) as u32,
                )
            })
            .collect();
        let pred: Vec<u32> = test
            .iter()
            .map(|&r| best.get(&keys[r]).copied().unwrap_or(majority))
            .collect();
        let alone = score(&pred);
        let near_unique = distinct * 2 > train.len() && distinct > 50;
        let role = col.role;
        let strong = alone >= 0.9 && alone > baseline + 0.2;
        let warn = match role {
            Role::Identifier | Role::Timestamp | Role::Port => {
                alone > baseline + 0.2 || near_unique
            }
            _ => strong || near_unique,
        };
        let message = match (role, near_unique) {
            (_, true) => format!("{distinct} distinct values in {} training rows: identifier-like", train.len()),
            (Role::Port, _) => format!("port alone predicts the label with macro-F1 {alone:.2} (majority class: {baseline:.2}); ports often name the capture"),
            (Role::Identifier, _) => format!("identifier alone predicts the label with macro-F1 {alone:.2} (majority class: {baseline:.2}); it names hosts or flows, not behaviour"),
            (Role::Timestamp, _) => format!("time alone predicts the label with macro-F1 {alone:.2} (majority class: {baseline:.2}); captures happened at different times"),
            _ if strong => format!("this column alone predicts the label with macro-F1 {alone:.2} (majority class: {baseline:.2}): check it is a property of the traffic, not of the capture"),
            _ => format!("alone: macro-F1 {alone:.2} (majority class: {baseline:.2})"),
        };
        out.push(Finding {
            column: col.name.clone(),
            role: role.name().to_string(),
            alone_macro_f1: alone,
            baseline_macro_f1: baseline,
            distinct,
            warn,
            message,
        });
    }
    out.sort_by(|a, b| {
        b.alone_macro_f1
            .total_cmp(&a.alone_macro_f1)
            .then(a.column.cmp(&b.column))
    });
    out
}

/// Quantile bin of each value (edges from the training rows); missing → `u64::MAX`.
fn bin_numeric(v: &[f64], train: &[usize]) -> Vec<u64> {
    let mut vals: Vec<f64> = train
        .iter()
        .map(|&r| v[r])
        .filter(|x| !x.is_nan())
        .collect();
    vals.sort_by(f64::total_cmp);
    vals.dedup();
    let edges: Vec<f64> = if vals.len() <= 32 {
        vals
    } else {
        (1..32).map(|i| vals[i * vals.len() / 32]).collect()
    };
    v.iter()
        .map(|&x| {
            if x.is_nan() {
                u64::MAX
            } else {
                edges.partition_point(|&e| e < x) as u64
            }
        })
        .collect()
}
