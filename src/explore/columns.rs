//! Per-column statistics and the data-quality checks (constant and missing columns, duplicate
//! rows, rows whose features repeat with different labels).

use std::collections::HashMap;

use super::*;
use crate::ingest::{Column, ColumnData, Dataset, Role, MISSING};

pub(super) fn column_stats(col: &Column) -> ColumnStats {
    let missing = col.missing();
    let present = col.len() as u64 - missing;
    let base = ColumnStats {
        name: col.name.clone(),
        kind: String::new(),
        role: col.role.name().to_string(),
        present,
        missing,
        unique: 0,
        min: None,
        max: None,
        mean: None,
        std: None,
        top: Vec::new(),
    };
    match &col.data {
        ColumnData::Numeric(v) => {
            let mut vals: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            if vals.is_empty() {
                return ColumnStats {
                    kind: "numeric".into(),
                    ..base
                };
            }
            let mean = vals.iter().sum::<f64>() / vals.len() as f64;
            let std = (vals.len() > 1).then(|| {
                let ss: f64 = vals.iter().map(|x| (x - mean) * (x - mean)).sum();
                (ss / (vals.len() - 1) as f64).sqrt()
            });
            vals.sort_unstable_by(f64::total_cmp);
            let (min, max) = (vals[0], vals[vals.len() - 1]);
            vals.dedup();
            ColumnStats {
                kind: "numeric".into(),
                unique: vals.len() as u64,
                min: Some(min),
                max: Some(max),
                mean: Some(mean),
                std,
                ..base
            }
        }
        ColumnData::Text(t) => {
            let mut counts = vec![0u64; t.values.len()];
            for &c in &t.codes {
                if c != MISSING {
                    counts[c as usize] += 1;
                }
            }
            let mut order: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] > 0).collect();
            let unique = order.len() as u64;
            order.sort_by(|&a, &b| {
                counts[b]
                    .cmp(&counts[a])
                    .then(t.values[a].cmp(&t.values[b]))
            });
            ColumnStats {
                kind: "text".into(),
                unique,
                top: order
                    .iter()
                    .take(TOP_VALUES)
                    .map(|&i| ValueCount {
                        value: t.values[i].clone(),
                        rows: counts[i],
                    })
                    .collect(),
                ..base
            }
        }
    }
}

/// Compact form of one value for hashing and equality: numbers by their bits (every NaN alike),
/// text by its code.
pub(super) fn cell(col: &Column, row: usize) -> u64 {
    match &col.data {
        ColumnData::Numeric(v) => {
            let x = v[row];
            if x.is_nan() {
                u64::MAX
            } else if x == 0.0 {
                0 // -0.0 and 0.0 alike
            } else {
                x.to_bits()
            }
        }
        ColumnData::Text(t) => t.codes[row] as u64 | 1 << 63,
    }
}

pub(super) fn hash_row(cols: &[&Column], row: usize, extra: u64) -> u64 {
    // FNV-1a over the cells' 64-bit words, then a final avalanche (splitmix64).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ extra;
    for c in cols {
        h = (h ^ cell(c, row)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Groups equal rows (on `cols`, plus `extra[row]` when given). Returns the group of each row.
pub(super) fn row_groups(n: usize, cols: &[&Column], extra: Option<&[u32]>) -> (Vec<u32>, usize) {
    let extra_of = |r: usize| extra.map_or(0, |e| e[r] as u64);
    let same = |a: usize, b: usize| {
        extra_of(a) == extra_of(b) && cols.iter().all(|c| cell(c, a) == cell(c, b))
    };
    // hash → (first row, group) of each distinct row with that hash.
    let mut seen: HashMap<u64, Vec<(u32, u32)>> = HashMap::with_capacity(n);
    let mut group = Vec::with_capacity(n);
    let mut groups = 0u32;
    for r in 0..n {
        let h = hash_row(cols, r, extra_of(r));
        let list = seen.entry(h).or_default();
        match list.iter().find(|&&(first, _)| same(first as usize, r)) {
            Some(&(_, g)) => group.push(g),
            None => {
                list.push((r as u32, groups));
                group.push(groups);
                groups += 1;
            }
        }
    }
    (group, groups as usize)
}

pub(super) fn quality(data: &Dataset, y: &[u32], stats: &[ColumnStats]) -> Quality {
    let n = data.n_rows();
    let mut missing: Vec<MissingColumn> = stats
        .iter()
        .filter(|s| s.missing > 0)
        .map(|s| MissingColumn {
            column: s.name.clone(),
            missing: s.missing,
            share: s.missing as f64 / n.max(1) as f64,
        })
        .collect();
    missing.sort_by(|a, b| b.missing.cmp(&a.missing).then(a.column.cmp(&b.column)));

    let all: Vec<&Column> = data.columns.iter().collect();
    let (_, distinct_rows) = row_groups(n, &all, Some(data.labels.as_slice()));
    let features: Vec<&Column> = data
        .columns
        .iter()
        .filter(|c| c.role == Role::Feature)
        .collect();
    let (group, distinct_features) = row_groups(n, &features, None);
    // Class of each feature group: the first class seen, or CONFLICT once a second one shows up.
    const NONE: u32 = u32::MAX;
    const CONFLICT: u32 = u32::MAX - 1;
    let mut class_of = vec![NONE; distinct_features];
    for r in 0..n {
        if y[r] == MISSING {
            continue;
        }
        let g = &mut class_of[group[r] as usize];
        if *g == NONE {
            *g = y[r];
        } else if *g != y[r] {
            *g = CONFLICT;
        }
    }
    let conflicting_rows = (0..n)
        .filter(|&r| y[r] != MISSING && class_of[group[r] as usize] == CONFLICT)
        .count() as u64;

    let constant_columns = data
        .columns
        .iter()
        .zip(stats)
        .filter(|(_, s)| s.unique <= 1)
        .map(|(c, s)| ConstantColumn {
            column: c.name.clone(),
            value: match &c.data {
                ColumnData::Numeric(_) => s.min.map(format_value),
                ColumnData::Text(_) => s.top.first().map(|v| v.value.clone()),
            },
        })
        .collect();
    Quality {
        missing,
        duplicate_rows: (n - distinct_rows) as u64,
        duplicate_feature_rows: (n - distinct_features) as u64,
        conflicting_rows,
        feature_columns: features.iter().map(|c| c.name.clone()).collect(),
        constant_columns,
        warnings: data.warnings.clone(),
        failed: data.failed.clone(),
    }
}

/// A number as the tables show it: integers without a fraction, others with up to 6 significant
/// digits.
pub fn format_value(x: f64) -> String {
    if x.is_nan() {
        return String::new();
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-4..15).contains(&magnitude) {
        return format!("{x:.3e}");
    }
    let decimals = (5 - magnitude).clamp(0, 10) as usize;
    let s = format!("{x:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}
