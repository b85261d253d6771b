//! Exact deduplication of rows before a tree ensemble predicts them.
//!
//! Every split of a tree model tests `x[f] <= t` (missing values follow the node's
//! `missing_left`; +inf counts as `f32::MAX`). Collect, per feature, the sorted distinct
//! thresholds `t_0 < … < t_{n-1}` of every split of every tree. A finite or infinite value `v`
//! falls in interval `i` = the number of thresholds below `v.min(f32::MAX)`; then `v <= t_j`
//! holds exactly for `j >= i`, so every test on that feature, in every tree, answers the same
//! for every value of the interval. A missing value gets code `n + 1` of its own. Two rows with
//! the same code on every feature the model tests — the same *cell* — thus reach the same leaf
//! in every tree, and (each row's probabilities depending on its leaves only) get the same
//! probabilities bit for bit.
//!
//! [`by_cells`] computes every row's cell key (codes packed into `u64` words), groups rows by
//! key in a hash map, lets the model predict one representative row per cell and copies the
//! result to the other rows of the cell. Network logs repeat themselves (scans, beacons, the
//! same DNS query every minute), so a batch has far fewer cells than rows. When most rows are
//! distinct, or the batch is small, the plain prediction runs instead.
//!
//! Measured with `cargo run --release --example cell_ratio -- MODEL LOG` (batches of 64 Ki
//! rows, the models `bench/predict.sh` trains on the IoT-23 pair): distinct cells are 13.2 % and
//! 12.2 % of the rows of the two IoT-23 conn.logs and 13.3 % of the bench's jittered 7.9 M-row
//! file for the 100-tree forest (gradient boosting, 600 trees: 12.1 %, 11.1 %, 11.1 %); one
//! thread's `predict_proba` then ran 2.6–4× (forest) and 3.8–6.2× (boosting) faster than walking
//! every row, on a loaded 2-core machine.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use rustc_hash::FxBuildHasher;

use crate::data::Matrix;

/// Below this many rows the plain prediction runs (keys and hashing would not pay).
pub(crate) const MIN_ROWS: usize = 1024;
/// Rows grouped at a time (`flowlab predict`'s batch size).
pub(crate) const CHUNK: usize = 64 * 1024;

/// The intervals between consecutive thresholds of every tested feature, and where each
/// feature's interval code sits in a row's key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cells {
    feats: Vec<CellFeature>,
    /// `u64` words per key (at least 1).
    words: usize,
}

/// One tested feature.
#[derive(Debug, Clone, PartialEq)]
struct CellFeature {
    feature: usize,
    /// Sorted distinct thresholds.
    thresholds: Vec<f32>,
    /// Word of the key holding the code, and the code's bit offset in it.
    word: usize,
    shift: u32,
}

/// The distinct thresholds each feature is split at, sorted (`by_feature[f]` is empty for a
/// feature no split uses); `None` when a threshold is NaN (no split of a fitted model has one,
/// but a hand-edited file might). Shared by the cell cache and the coded forest layout.
pub(crate) fn thresholds_by_feature(
    splits: impl IntoIterator<Item = (u32, f32)>,
) -> Option<Vec<Vec<f32>>> {
    let mut by_feature: Vec<Vec<f32>> = Vec::new();
    for (f, t) in splits {
        if t.is_nan() {
            return None;
        }
        let f = f as usize;
        if by_feature.len() <= f {
            by_feature.resize_with(f + 1, Vec::new);
        }
        by_feature[f].push(t);
    }
    for thresholds in &mut by_feature {
        // `total_cmp` puts -0 next to +0; `==` then merges them (they test alike).
        thresholds.sort_by(f32::total_cmp);
        thresholds.dedup_by(|a, b| a == b);
    }
    Some(by_feature)
}

impl Cells {
    /// The cells of a model whose splits are `(feature, threshold)`; `None` when a threshold is
    /// NaN (no split of a fitted model has one, but a hand-edited file might).
    pub(crate) fn new(splits: impl IntoIterator<Item = (u32, f32)>) -> Option<Cells> {
        let by_feature = thresholds_by_feature(splits)?;
        let (mut word, mut shift) = (0usize, 0u32);
        let mut feats = Vec::new();
        for (feature, thresholds) in by_feature.into_iter().enumerate() {
            if thresholds.is_empty() {
                continue;
            }
            // Codes 0 ..= n for the intervals, n + 1 for missing.
            let bits = 64 - (thresholds.len() as u64 + 1).leading_zeros();
            if shift + bits > 64 {
                word += 1;
                shift = 0;
            }
            feats.push(CellFeature {
                feature,
                thresholds,
                word,
                shift,
            });
            shift += bits;
        }
        Some(Cells {
            feats,
            words: word + 1,
        })
    }

    /// Writes the cell key of `row` to `key` (`words` long).
    #[inline]
    fn key(&self, row: &[f32], key: &mut [u64]) {
        key.fill(0);
        for f in &self.feats {
            let v = row[f.feature];
            let code = if v.is_nan() {
                f.thresholds.len() + 1
            } else {
                let v = v.min(f32::MAX);
                f.thresholds.partition_point(|&t| t < v)
            };
            key[f.word] |= (code as u64) << f.shift;
        }
    }

    /// Groups rows `rows` of `x` by cell: the first row of every cell (in row order), and for
    /// every row of the range the index of its cell among them.
    pub(crate) fn group(&self, x: &Matrix, rows: Range<usize>) -> (Vec<usize>, Vec<u32>) {
        let w = self.words;
        let mut keys = vec![0u64; rows.len() * w];
        for (r, key) in rows.clone().zip(keys.chunks_exact_mut(w)) {
            self.key(x.row(r), key);
        }
        let mut map: HashMap<&[u64], u32, FxBuildHasher> =
            HashMap::with_capacity_and_hasher(rows.len() / 4, FxBuildHasher);
        let mut reps = Vec::new();
        let mut of = Vec::with_capacity(rows.len());
        for (r, key) in rows.zip(keys.chunks_exact(w)) {
            let id = *map.entry(key).or_insert_with(|| {
                reps.push(r);
                (reps.len() - 1) as u32
            });
            of.push(id);
        }
        (reps, of)
    }
}

/// [`Cells`] (or another layout derived from a model, such as [`super::coded::Coded`]) built on
/// first use and kept with the model (derived, never saved; two models are equal whatever their
/// caches hold).
#[derive(Debug, Clone)]
pub(crate) struct LazyCells<T = Cells>(OnceLock<Option<T>>);

impl<T> Default for LazyCells<T> {
    fn default() -> Self {
        LazyCells(OnceLock::new())
    }
}

impl<T> PartialEq for LazyCells<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> LazyCells<T> {
    /// The layout, built by `make` the first time.
    pub(crate) fn get(&self, make: impl FnOnce() -> Option<T>) -> Option<&T> {
        self.0.get_or_init(make).as_ref()
    }
}

/// Predicts `x` (`width` values per row) through `predict`, once per cell: `predict` sees the
/// first row of every cell and its results are copied to the cell's other rows. Identical to
/// `predict(x)` for any `predict` whose rows depend only on the leaves they reach. Rows go in
/// chunks of [`CHUNK`] (the extra memory stays a few MB whatever `x` holds); plain `predict`
/// without cells or below [`MIN_ROWS`] rows, and for a chunk whose rows are more than half
/// distinct cells.
pub(crate) fn by_cells<T: Copy, E>(
    cells: Option<&Cells>,
    x: &Matrix,
    width: usize,
    predict: impl Fn(&Matrix) -> Result<Vec<T>, E>,
) -> Result<Vec<T>, E> {
    let Some(cells) = cells.filter(|_| x.rows >= MIN_ROWS && width > 0) else {
        return predict(x);
    };
    let mut out = Vec::with_capacity(x.rows * width);
    for start in (0..x.rows).step_by(CHUNK) {
        let rows = start..(start + CHUNK).min(x.rows);
        let (reps, of) = cells.group(x, rows.clone());
        let pick = |rows: &mut dyn Iterator<Item = usize>| {
            let mut data = Vec::new();
            let mut n = 0;
            for r in rows {
                data.extend_from_slice(x.row(r));
                n += 1;
            }
            Matrix {
                rows: n,
                cols: x.cols,
                data,
            }
        };
        if reps.len() * 2 > rows.len() {
            if rows.len() == x.rows {
                return predict(x);
            }
            out.extend(predict(&pick(&mut rows.into_iter()))?);
            continue;
        }
        let p = predict(&pick(&mut reps.into_iter()))?;
        for &id in &of {
            out.extend_from_slice(&p[id as usize * width..(id as usize + 1) * width]);
        }
    }
    Ok(out)
}

/// Fraction of distinct cells among the rows of `x`, counted per chunk of [`CHUNK`] rows as
/// [`by_cells`] counts them (1 without cells): how much deduplication saves on these rows.
pub(crate) fn distinct_ratio(cells: Option<&Cells>, x: &Matrix) -> f64 {
    match cells {
        Some(c) if x.rows > 0 => {
            let cells: usize = (0..x.rows)
                .step_by(CHUNK)
                .map(|s| c.group(x, s..(s + CHUNK).min(x.rows)).0.len())
                .sum();
            cells as f64 / x.rows as f64
        }
        _ => 1.0,
    }
}
