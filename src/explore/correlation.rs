//! Feature correlations (Pearson, on a seeded row sample) and the leakage scan of a data set.

use super::*;
use crate::data::rng::FlowRng;
use crate::eval::leakage::{self};
use crate::eval::split;
use crate::ingest::{Dataset, Role};

pub(super) fn correlation(data: &Dataset) -> Correlation {
    let n = data.n_rows();
    let mut cols: Vec<(&str, &[f64])> = data
        .columns
        .iter()
        .filter(|c| c.role == Role::Feature)
        .filter_map(|c| c.as_numeric().map(|v| (c.name.as_str(), v)))
        .filter(|(_, v)| v.iter().any(|x| !x.is_nan()))
        .collect();
    let mut notes = Vec::new();
    if cols.len() > MAX_CORRELATION_FEATURES {
        notes.push(format!(
            "the first {MAX_CORRELATION_FEATURES} of {} numeric features",
            cols.len()
        ));
        cols.truncate(MAX_CORRELATION_FEATURES);
    }
    let rows: Vec<usize> = if n > CORRELATION_SAMPLE {
        let mut all: Vec<usize> = (0..n).collect();
        FlowRng::new(SEED, 0xc0).shuffle(&mut all);
        all.truncate(CORRELATION_SAMPLE);
        all.sort_unstable();
        notes.push(format!(
            "computed on a random sample of {CORRELATION_SAMPLE} of {n} rows (seed {SEED})"
        ));
        all
    } else {
        (0..n).collect()
    };
    // Centre each column on its sample mean first: the pairwise sums then lose no precision.
    let centred: Vec<Vec<f64>> = cols
        .iter()
        .map(|(_, v)| {
            let (s, k) = rows
                .iter()
                .map(|&r| v[r])
                .filter(|x| !x.is_nan())
                .fold((0.0, 0usize), |(s, k), x| (s + x, k + 1));
            let mean = if k > 0 { s / k as f64 } else { 0.0 };
            rows.iter().map(|&r| v[r] - mean).collect()
        })
        .collect();
    let k = cols.len();
    let mut values = vec![vec![None; k]; k];
    for i in 0..k {
        for j in i..k {
            let r = pearson(&centred[i], &centred[j]);
            values[i][j] = r;
            values[j][i] = r;
        }
    }
    Correlation {
        columns: cols.iter().map(|(name, _)| name.to_string()).collect(),
        values,
        rows_used: rows.len(),
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

/// Pearson's r over the positions where both have a value.
pub(super) fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let (mut n, mut sa, mut sb) = (0usize, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        if !x.is_nan() && !y.is_nan() {
            n += 1;
            sa += x;
            sb += y;
        }
    }
    if n < 2 {
        return None;
    }
    let (ma, mb) = (sa / n as f64, sb / n as f64);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        if !x.is_nan() && !y.is_nan() {
            let (dx, dy) = (x - ma, y - mb);
            sab += dx * dy;
            saa += dx * dx;
            sbb += dy * dy;
        }
    }
    if saa <= 0.0 || sbb <= 0.0 {
        return None;
    }
    Some((sab / (saa * sbb).sqrt()).clamp(-1.0, 1.0))
}

pub(super) fn leakage_scan(
    data: &Dataset,
    y: &[u32],
    n_classes: usize,
    classes: &[ClassCount],
) -> Leakage {
    let none = |note: &str| Leakage {
        findings: Vec::new(),
        split: String::new(),
        note: Some(note.to_string()),
    };
    match classes.len() {
        0 => return none("no labelled rows: the leakage scan needs labels"),
        1 => {
            return none(&format!(
                "only one class ({}): the leakage scan needs two or more",
                classes[0].name
            ))
        }
        _ => {}
    }
    let s = split::stratified_holdout(y, LEAKAGE_TEST_SIZE, SEED);
    let findings = leakage::detect(data, y, n_classes, &s);
    Leakage {
        split: format!(
            "stratified {} % hold-out (seed {SEED}): {} training / {} test rows",
            (LEAKAGE_TEST_SIZE * 100.0).round(),
            s.train.len(),
            s.test.len()
        ),
        note: findings
            .is_empty()
            .then(|| "too few labelled rows to hold any out".to_string()),
        findings,
    }
}
