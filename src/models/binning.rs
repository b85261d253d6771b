//! Feature binning for the histogram tree models (decision tree, random forest, boosting).
//!
//! [`BinMapper::fit`] learns, per feature, at most `max_bins` value bins from the training rows
//! (quantile edges from at most [`MAX_SAMPLE_ROWS`] sampled rows; one bin per distinct value when
//! a feature has few values). Bin `0` ([`MISSING_BIN`]) holds missing values (`NaN`); value bins
//! count from 1. [`BinnedMatrix`] is the training matrix as column-major `u8` bin codes, built once
//! and shared by every tree a model grows.
//!
//! A split "bin `<= b`" is the same test as "value `<= edge[b - 1]`" on the raw value, so trees
//! store real-valued thresholds and predict on raw rows without binning.
//!
//! ```
//! use flowlab::data::Matrix;
//! use flowlab::models::binning::{BinMapper, MISSING_BIN};
//! let x = Matrix { rows: 4, cols: 1, data: vec![1.0, 2.0, f32::NAN, 2.0] };
//! let mapper = BinMapper::fit(&x, 255, 0).unwrap();
//! let binned = mapper.transform(&x).unwrap();
//! assert_eq!(binned.col(0), &[1, 2, MISSING_BIN, 2]);
//! // Bin 1 holds the values up to the midpoint between 1 and 2.
//! assert_eq!(mapper.threshold(0, 1), 1.5);
//! ```

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{check_width, ModelError};
use crate::data::rng::FlowRng;
use crate::data::Matrix;

/// The bin of missing values (`NaN`) in every feature.
pub const MISSING_BIN: u8 = 0;

/// At most this many rows are looked at to place the bin edges.
pub const MAX_SAMPLE_ROWS: usize = 200_000;

/// Rows binned together by [`BinMapper::transform`].
const TRANSFORM_BLOCK: usize = 512;

/// Columns read together when fitting the mapper.
const GROUP: usize = 16;

/// Sort key of missing values.
const NAN_KEY: u32 = u32::MAX;

/// Order-preserving integer key of a value (`NaN` → [`NAN_KEY`]; infinities count as
/// `±f32::MAX`, `-0.0` as `0.0`).
fn sort_key(v: f32) -> u32 {
    if v.is_nan() {
        return NAN_KEY;
    }
    let b = (v.clamp(-f32::MAX, f32::MAX) + 0.0).to_bits();
    if b >> 31 == 1 {
        !b
    } else {
        b | 0x8000_0000
    }
}

/// The value of a sort key.
fn key_value(k: u32) -> f32 {
    f32::from_bits(if k >> 31 == 1 { k & 0x7fff_ffff } else { !k })
}

/// LSD radix sort, 11-bit digits; passes where every key shares the digit are skipped.
fn radix_sort(v: &mut Vec<u32>, tmp: &mut Vec<u32>) {
    if v.len() < 256 {
        v.sort_unstable();
        return;
    }
    tmp.clear();
    tmp.resize(v.len(), 0);
    for shift in [0, 11, 22] {
        let mut counts = [0usize; 2048];
        for &k in v.iter() {
            counts[(k >> shift) as usize & 2047] += 1;
        }
        if counts.contains(&v.len()) {
            continue;
        }
        let mut sum = 0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = sum;
            sum += n;
        }
        for &k in v.iter() {
            let d = (k >> shift) as usize & 2047;
            tmp[counts[d]] = k;
            counts[d] += 1;
        }
        std::mem::swap(v, tmp);
    }
}

/// RNG stream of the row sample used to place bin edges.
const SAMPLE_STREAM: u64 = 0xB1A5_0000_0000_0001;

/// Per-feature bin edges, learnt from training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinMapper {
    /// `edges[f]` are the increasing upper edges of value bins `1..` of feature `f`: a value `v`
    /// falls in bin `1 + (number of edges < v)`, so feature `f` has `edges[f].len() + 1` value bins.
    pub edges: Vec<Vec<f32>>,
    /// The `max_bins` the mapper was fitted with.
    pub max_bins: usize,
}

/// Column-major `u8` bin codes of a matrix, with the mapper that made them.
#[derive(Debug, Clone, PartialEq)]
pub struct BinnedMatrix {
    /// Number of rows.
    pub rows: usize,
    /// Number of features.
    pub cols: usize,
    /// `cols` columns of `rows` bin codes each.
    pub data: Vec<u8>,
    /// The mapper that produced the codes (for thresholds).
    pub mapper: BinMapper,
    /// The most frequent code of each column (histogram builders skip it and recover its count
    /// from the node total, which makes sparse and one-hot columns cheap).
    pub most_frequent: Vec<u8>,
    /// The share of rows holding the most frequent code, per column.
    pub most_frequent_share: Vec<f32>,
}

impl BinMapper {
    /// Learns bin edges from the rows of `x` (`2 <= max_bins <= 255`; `seed` picks the row sample
    /// when `x` has more than [`MAX_SAMPLE_ROWS`] rows).
    pub fn fit(x: &Matrix, max_bins: usize, seed: u64) -> Result<BinMapper, ModelError> {
        if !(2..=255).contains(&max_bins) {
            return Err(ModelError::InvalidParam {
                name: "max_bins",
                value: max_bins.to_string(),
                expected: "2 ..= 255".into(),
            });
        }
        if x.rows == 0 {
            return Err(ModelError::Empty);
        }
        check_shape(x)?;
        let sample: Vec<usize> = if x.rows > MAX_SAMPLE_ROWS {
            let mut rng = FlowRng::new(seed, SAMPLE_STREAM);
            let mut idx: Vec<usize> = (0..x.rows).collect();
            for i in 0..MAX_SAMPLE_ROWS {
                let j = i + rng.below((x.rows - i) as u64) as usize;
                idx.swap(i, j);
            }
            idx.truncate(MAX_SAMPLE_ROWS);
            idx.sort_unstable();
            idx
        } else {
            (0..x.rows).collect()
        };
        // Columns in groups (a row-major read per group), as order-preserving integer keys,
        // radix-sorted.
        let ns = sample.len();
        let mut edges = Vec::with_capacity(x.cols);
        let mut keys = vec![0u32; ns * GROUP.min(x.cols)];
        let (mut sorted, mut tmp) = (Vec::with_capacity(ns), Vec::with_capacity(ns));
        for g in (0..x.cols).step_by(GROUP) {
            let width = GROUP.min(x.cols - g);
            for (i, &r) in sample.iter().enumerate() {
                let row = &x.data[r * x.cols + g..r * x.cols + g + width];
                for (j, &v) in row.iter().enumerate() {
                    keys[j * ns + i] = sort_key(v);
                }
            }
            for j in 0..width {
                sorted.clear();
                sorted.extend(keys[j * ns..(j + 1) * ns].iter().filter(|&&k| k != NAN_KEY));
                radix_sort(&mut sorted, &mut tmp);
                edges.push(feature_edges(&sorted, max_bins));
            }
        }
        Ok(BinMapper { edges, max_bins })
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.edges.len()
    }

    /// Number of bins of feature `f`, counting the missing bin.
    pub fn n_bins(&self, f: usize) -> usize {
        self.edges[f].len() + 2
    }

    /// Bin code of value `v` of feature `f`.
    #[inline]
    pub fn bin_value(&self, f: usize, v: f32) -> u8 {
        if v.is_nan() {
            MISSING_BIN
        } else {
            // At most 254 edges, so the code fits in a u8; +inf counts as f32::MAX.
            let v = v.min(f32::MAX);
            let e = &self.edges[f];
            let below = if e.len() <= 16 {
                e.iter().map(|&e| usize::from(e < v)).sum()
            } else {
                e.partition_point(|&e| e < v)
            };
            (1 + below) as u8
        }
    }

    /// The raw threshold equivalent to "bin `<= bin`" for feature `f` (bins count from 1):
    /// the upper edge of value bin `bin`, or `f32::MAX` for the last bin. Infinite values count as
    /// `±f32::MAX` everywhere, so thresholds stay finite (and JSON-safe).
    pub fn threshold(&self, f: usize, bin: u8) -> f32 {
        let e = &self.edges[f];
        match (bin as usize).checked_sub(1) {
            Some(i) if i < e.len() => e[i],
            Some(_) => f32::MAX,
            None => -f32::MAX,
        }
    }

    /// Bins every value of `x` (which must have the mapper's width).
    pub fn transform(&self, x: &Matrix) -> Result<BinnedMatrix, ModelError> {
        check_width(self.n_features(), x)?;
        check_shape(x)?;
        let mut data = vec![0u8; x.rows * x.cols];
        let mut most_frequent = vec![0u8; x.cols];
        let mut most_frequent_share = vec![0f32; x.cols];
        let mut counts = vec![[0usize; 256]; x.cols];
        // Blocks of rows stay in cache while every column is binned.
        for start in (0..x.rows).step_by(TRANSFORM_BLOCK) {
            let end = (start + TRANSFORM_BLOCK).min(x.rows);
            for (f, count) in counts.iter_mut().enumerate() {
                let out = &mut data[f * x.rows + start..f * x.rows + end];
                for (r, o) in (start..end).zip(out.iter_mut()) {
                    *o = self.bin_value(f, x.data[r * x.cols + f]);
                    count[*o as usize] += 1;
                }
            }
        }
        for (f, count) in counts.iter().enumerate() {
            let mut best = 0;
            for (b, &c) in count.iter().enumerate() {
                if c > count[best] {
                    best = b;
                }
            }
            most_frequent[f] = best as u8;
            most_frequent_share[f] = (count[best] as f64 / x.rows.max(1) as f64) as f32;
        }
        Ok(BinnedMatrix {
            rows: x.rows,
            cols: x.cols,
            data,
            mapper: self.clone(),
            most_frequent,
            most_frequent_share,
        })
    }
}

impl BinnedMatrix {
    /// Fits a [`BinMapper`] on `x` and bins `x` with it.
    pub fn new(x: &Matrix, max_bins: usize, seed: u64) -> Result<BinnedMatrix, ModelError> {
        BinMapper::fit(x, max_bins, seed)?.transform(x)
    }

    /// Bin codes of feature `f`, one per row.
    #[inline]
    pub fn col(&self, f: usize) -> &[u8] {
        &self.data[f * self.rows..(f + 1) * self.rows]
    }

    /// Bin code of row `r`, feature `f`.
    #[inline]
    pub fn get(&self, r: usize, f: usize) -> u8 {
        self.data[f * self.rows + r]
    }

    /// Number of bins of every feature, counting the missing bin.
    pub fn n_bins(&self) -> Vec<usize> {
        (0..self.cols).map(|f| self.mapper.n_bins(f)).collect()
    }

    /// Rows with identical codes in every column: the group of each row (groups numbered in
    /// order of first appearance) and the first row of each group. Flow data repeats a lot, and
    /// tree models treat a group as one row with a count. Needs no copy of the codes.
    pub fn row_groups(&self) -> RowGroups {
        let (n, d) = (self.rows, self.cols);
        // A 64-bit hash of each row, column by column, then exact comparison within a hash.
        let mut hash = vec![0x9E37_79B9_7F4A_7C15u64; n];
        for f in 0..d {
            for (h, &c) in hash.iter_mut().zip(self.col(f)) {
                *h = (*h ^ c as u64)
                    .wrapping_mul(0x100_0000_01B3)
                    .rotate_left(29);
            }
        }
        let same = |a: usize, b: usize| (0..d).all(|f| self.get(a, f) == self.get(b, f));
        let mut first: HashMap<u64, u32> = HashMap::with_capacity(n / 4);
        // Next group with the same hash (u32::MAX: none).
        let mut next_same: Vec<u32> = Vec::new();
        let mut group = Vec::with_capacity(n);
        let mut first_row: Vec<u32> = Vec::new();
        for (r, &h) in hash.iter().enumerate() {
            let new = first_row.len() as u32;
            let mut g = *first.entry(h).or_insert(new);
            if g != new {
                loop {
                    if same(first_row[g as usize] as usize, r) {
                        break;
                    }
                    let nx = next_same[g as usize];
                    if nx == u32::MAX {
                        next_same[g as usize] = new;
                        g = new;
                        break;
                    }
                    g = nx;
                }
            }
            if g == new {
                first_row.push(r as u32);
                next_same.push(u32::MAX);
            }
            group.push(g);
        }
        RowGroups { group, first_row }
    }
}

/// Rows of a [`BinnedMatrix`] grouped by identical codes (see [`BinnedMatrix::row_groups`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RowGroups {
    /// Group of each row.
    pub group: Vec<u32>,
    /// First row of each group.
    pub first_row: Vec<u32>,
}

fn check_shape(x: &Matrix) -> Result<(), ModelError> {
    if x.data.len() != x.rows * x.cols {
        return Err(ModelError::Shape {
            rows: x.rows,
            labels: x.data.len() / x.cols.max(1),
        });
    }
    Ok(())
}

/// An edge `e` with `a <= e < b`: the midpoint where it is representable, else `a`.
fn edge_between(a: f32, b: f32) -> f32 {
    let m = ((a as f64 + b as f64) / 2.0) as f32;
    if m >= a && m < b {
        m
    } else {
        a
    }
}

/// Edges of one feature from the sorted keys of its non-missing sample values.
fn feature_edges(sorted: &[u32], max_bins: usize) -> Vec<f32> {
    // Distinct values and their counts.
    let mut distinct: Vec<(f32, usize)> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let k = sorted[i];
        let start = i;
        while i < sorted.len() && sorted[i] == k {
            i += 1;
        }
        distinct.push((key_value(k), i - start));
    }
    if distinct.len() <= max_bins {
        return distinct
            .windows(2)
            .map(|w| edge_between(w[0].0, w[1].0))
            .collect();
    }
    // Greedy quantile bins over the distinct values: close a bin once it holds its share of the
    // values not yet binned, so a heavy value gets a bin of its own and the rest share the others.
    let mut edges = Vec::with_capacity(max_bins - 1);
    let mut remaining = sorted.len() as f64;
    let mut acc = 0usize;
    for (i, &(v, n)) in distinct.iter().enumerate() {
        if i + 1 == distinct.len() || edges.len() + 1 == max_bins {
            break;
        }
        acc += n;
        let bins_left = (max_bins - edges.len()) as f64;
        let distinct_left = distinct.len() - i - 1;
        if acc as f64 >= remaining / bins_left || distinct_left < max_bins - edges.len() {
            edges.push(edge_between(v, distinct[i + 1].0));
            remaining -= acc as f64;
            acc = 0;
        }
    }
    edges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_edges_split_many_values_evenly() {
        let vals: Vec<u32> = (0..1000).map(|i| sort_key(i as f32)).collect();
        let e = feature_edges(&vals, 10);
        assert_eq!(e.len(), 9);
        assert_eq!(e[0], 99.5);
        assert_eq!(e[8], 899.5);
    }

    #[test]
    fn heavy_value_gets_its_own_bin() {
        let mut vals = vec![sort_key(0.0); 900];
        vals.extend((1..=100).map(|i| sort_key(i as f32)));
        let e = feature_edges(&vals, 4);
        assert_eq!(e[0], 0.5);
        assert_eq!(e.len(), 3);
    }

    #[test]
    fn bins_agree_with_thresholds() {
        let data: Vec<f32> = (0..500)
            .map(|i| ((i * 37) % 101) as f32 * 0.3 - 7.0)
            .collect();
        let x = Matrix {
            rows: 500,
            cols: 1,
            data,
        };
        let m = BinMapper::fit(&x, 16, 1).unwrap();
        let b = m.transform(&x).unwrap();
        for r in 0..500 {
            let v = x.data[r];
            for bin in 1..=m.n_bins(0) as u8 - 1 {
                assert_eq!(b.get(r, 0) <= bin, v <= m.threshold(0, bin));
            }
        }
    }

    #[test]
    fn keys_sort_like_values() {
        let mut rng = FlowRng::new(3, 0);
        let mut vals: Vec<f32> = (0..5000)
            .map(|i| ((rng.unit() - 0.5) * 1e6 / (1 + i % 7) as f64) as f32)
            .collect();
        vals.extend([0.0, -0.0, f32::MAX, -f32::MAX, 1e-40, -1e-40]);
        let mut keys: Vec<u32> = vals.iter().map(|&v| sort_key(v)).collect();
        radix_sort(&mut keys, &mut Vec::new());
        let back: Vec<f32> = keys.iter().map(|&k| key_value(k)).collect();
        let mut want: Vec<f32> = vals.iter().map(|&v| v + 0.0).collect();
        want.sort_by(f32::total_cmp);
        assert_eq!(back, want);
        assert_eq!(sort_key(f32::NAN), NAN_KEY);
        assert_eq!(sort_key(f32::INFINITY), sort_key(f32::MAX));
    }

    #[test]
    fn identical_rows_share_a_group() {
        let x = Matrix {
            rows: 5,
            cols: 2,
            data: vec![1.0, 2.0, 3.0, 4.0, 1.0, 2.0, f32::NAN, 4.0, 3.0, 4.0],
        };
        let g = BinnedMatrix::new(&x, 255, 0).unwrap().row_groups();
        assert_eq!(g.group, vec![0, 1, 0, 2, 1]);
        assert_eq!(g.first_row, vec![0, 1, 3]);
    }

    #[test]
    fn infinities_are_ordinary_extremes() {
        let x = Matrix {
            rows: 3,
            cols: 1,
            data: vec![f32::NEG_INFINITY, 0.0, f32::INFINITY],
        };
        let m = BinMapper::fit(&x, 255, 0).unwrap();
        assert_eq!(m.transform(&x).unwrap().col(0), &[1, 2, 3]);
        assert!(m.edges[0].iter().all(|e| e.is_finite()));
    }
}
