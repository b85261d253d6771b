//! Per-class histograms of the numeric features that tell the classes apart best (by mutual
//! information), on integer, linear or log bins.

use super::*;
use crate::ingest::{Dataset, Role, MISSING};

/// How a column's values map to bins.
pub(super) struct Binning {
    pub(super) log: bool,
    pub(super) edges: Vec<f64>,
    /// Linear (or log10(1+x)) position of the first edge and the width of a bin.
    start: f64,
    width: f64,
    bins: usize,
}

impl Binning {
    pub(super) fn new(vals: &[f64]) -> Option<Binning> {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut integers = true;
        for &x in vals.iter().filter(|x| !x.is_nan()) {
            lo = lo.min(x);
            hi = hi.max(x);
            integers &= x == x.trunc();
        }
        if lo > hi {
            return None;
        }
        if integers && hi - lo < 30.0 {
            // One bin per integer value.
            let bins = (hi - lo) as usize + 1;
            let edges = (0..=bins).map(|i| lo - 0.5 + i as f64).collect();
            return Some(Binning {
                log: false,
                edges,
                start: lo - 0.5,
                width: 1.0,
                bins,
            });
        }
        let bins = HISTOGRAM_BINS;
        if lo >= 0.0 && skewed(vals, lo, hi) {
            let (a, b) = ((lo + 1.0).log10(), (hi + 1.0).log10());
            let width = (b - a) / bins as f64;
            let edges = (0..=bins)
                .map(|i| {
                    if i == 0 {
                        lo
                    } else if i == bins {
                        hi
                    } else {
                        10f64.powf(a + width * i as f64) - 1.0
                    }
                })
                .collect();
            return Some(Binning {
                log: true,
                edges,
                start: a,
                width,
                bins,
            });
        }
        let width = (hi - lo) / bins as f64;
        let edges = (0..=bins)
            .map(|i| if i == bins { hi } else { lo + width * i as f64 })
            .collect();
        Some(Binning {
            log: false,
            edges,
            start: lo,
            width,
            bins,
        })
    }

    pub(super) fn bin(&self, x: f64) -> usize {
        let t = if self.log { (x + 1.0).log10() } else { x };
        let i = ((t - self.start) / self.width).floor();
        if i.is_nan() || i < 0.0 {
            0
        } else {
            (i as usize).min(self.bins - 1)
        }
    }
}

/// Whether non-negative values in `lo..=hi` are better binned in log10(1 + x): the range spans
/// three orders of magnitude, or the largest value is 50 times the median or more (byte counts,
/// durations).
pub(super) fn skewed(vals: &[f64], lo: f64, hi: f64) -> bool {
    if (hi + 1.0) / (lo + 1.0) >= 1000.0 {
        return true;
    }
    let mut present: Vec<f64> = vals.iter().copied().filter(|x| !x.is_nan()).collect();
    let mid = present.len() / 2;
    let (_, median, _) = present.select_nth_unstable_by(mid, f64::total_cmp);
    (hi + 1.0) / (*median + 1.0) >= 50.0
}

/// Mutual information (bits) of the contingency table `table[class][bin]`.
pub(super) fn mutual_information(table: &[Vec<u64>]) -> f64 {
    let total: u64 = table.iter().flatten().sum();
    if total == 0 {
        return 0.0;
    }
    let bins = table.first().map_or(0, Vec::len);
    let by_bin: Vec<u64> = (0..bins)
        .map(|b| table.iter().map(|r| r[b]).sum())
        .collect();
    let t = total as f64;
    let mut mi = 0.0;
    for row in table {
        let by_class: u64 = row.iter().sum();
        for (b, &c) in row.iter().enumerate() {
            if c > 0 {
                let p = c as f64 / t;
                mi += p * (c as f64 * t / (by_class as f64 * by_bin[b] as f64)).log2();
            }
        }
    }
    mi.max(0.0)
}

pub(super) fn histograms(
    data: &Dataset,
    y: &[u32],
    class_names: &[String],
    unlabelled: bool,
) -> Histograms {
    let n_classes = class_names.len();
    let mut series: Vec<String> = class_names.to_vec();
    if unlabelled {
        series.push(UNLABELLED.to_string());
    }
    let series_of = |r: usize| {
        if y[r] == MISSING {
            n_classes
        } else {
            y[r] as usize
        }
    };
    let mut features = Vec::new();
    let mut numeric_features = 0;
    for col in data.columns.iter().filter(|c| c.role == Role::Feature) {
        let Some(v) = col.as_numeric() else { continue };
        numeric_features += 1;
        let Some(binning) = Binning::new(v) else {
            continue;
        };
        let mut counts = vec![vec![0u64; binning.bins]; series.len()];
        let mut missing = vec![0u64; series.len()];
        for (r, &x) in v.iter().enumerate() {
            let s = series_of(r);
            if x.is_nan() {
                missing[s] += 1;
            } else {
                counts[s][binning.bin(x)] += 1;
            }
        }
        // Mutual information over the labelled rows, missing as one more bin.
        let table: Vec<Vec<u64>> = (0..n_classes)
            .map(|c| {
                let mut row = counts[c].clone();
                row.push(missing[c]);
                row
            })
            .collect();
        features.push(FeatureHistogram {
            column: col.name.clone(),
            log: binning.log,
            edges: binning.edges,
            counts,
            missing,
            mutual_information: mutual_information(&table),
        });
    }
    features.sort_by(|a, b| b.mutual_information.total_cmp(&a.mutual_information));
    let with_values = features.len();
    let mut notes = Vec::new();
    if with_values > MAX_HISTOGRAMS {
        notes.push(format!(
            "showing the {MAX_HISTOGRAMS} of {with_values} numeric features that tell the classes apart best (mutual information)"
        ));
        features.truncate(MAX_HISTOGRAMS);
    }
    if with_values < numeric_features {
        notes.push(format!(
            "{} numeric features have no value in any row",
            numeric_features - with_values
        ));
    }
    Histograms {
        series,
        features,
        numeric_features,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}
