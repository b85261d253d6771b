//! flowlab's feature pipeline as ONNX nodes: raw columns in, the `f32` feature matrix out.
//!
//! Every feature is computed as [`crate::features::FeatureSpec::compute`] computes it — numbers
//! in `f64` (the graph's numeric inputs are `double`), rounded to `f32` once at the end, exactly
//! where flowlab rounds — so the matrix the model reads holds the same `f32` values flowlab's
//! does, and a tree compares the same value with the same threshold. The one operation ONNX
//! lacks is `log1p`: it is computed as `ln(u) · x / (u − 1)` with `u = 1 + x` (Goldberg's
//! formula, accurate to a few `f64` ulps; `x` itself when `u − 1 == 0`), so the `f32` result can
//! differ from flowlab's only when the `f64` value lies within a few ulps of an `f32` rounding
//! boundary (about one value in 10⁸).
//!
//! Text inputs are compared as given: pass them trimmed, as flowlab reads them. The spellings
//! flowlab reads as missing ([`MISSING_SPELLINGS`]: Zeek's `-` and `(empty)`, empty cells, `NA`,
//! …) are missing here too. A `history` length is computed with regular expressions, exactly for
//! strings shorter than [`MAX_TEXT_LENGTH`] characters (Zeek histories are a few dozen).

use std::collections::BTreeMap;

use super::builder::{Attr, Builder, ML};
use super::proto::dtype;
use super::OnnxError;
use crate::features::{FeatureSpec, Pipeline};

/// The values flowlab's reader takes for "not set" (`ingest::is_missing`; a test checks both
/// agree).
pub const MISSING_SPELLINGS: [&str; 12] = [
    "", "-", "?", "NA", "N/A", "NaN", "nan", "---", "null", "NULL", "None", "(empty)",
];

/// Text lengths are exact below this many characters (10 bits, one regular expression each).
pub const MAX_TEXT_LENGTH: usize = 1024;

/// What a raw column is fed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// `double [N, 1]`, NaN for missing.
    Number,
    /// `string [N, 1]`.
    Text,
}

/// The raw columns a pipeline reads, in order of first use, with how each is fed.
pub fn inputs(pipeline: &Pipeline) -> Result<Vec<(String, InputKind)>, OnnxError> {
    let mut out: Vec<(String, InputKind)> = Vec::new();
    for f in &pipeline.features {
        let kind = match f.spec {
            FeatureSpec::OneHot { .. }
            | FeatureSpec::Other { .. }
            | FeatureSpec::LetterCount { .. }
            | FeatureSpec::TextLength { .. }
            | FeatureSpec::FlagSet { .. } => InputKind::Text,
            _ => InputKind::Number,
        };
        for c in f.spec.columns() {
            match out.iter().find(|(n, _)| n == c) {
                Some((_, k)) if *k != kind => {
                    return Err(OnnxError::MixedColumn {
                        column: c.to_string(),
                        feature: f.name.clone(),
                    })
                }
                Some(_) => {}
                None => out.push((c.to_string(), kind)),
            }
        }
    }
    Ok(out)
}

/// Builds the feature matrix (`float [N, features]`) from the graph inputs named after the
/// columns; returns its value name.
pub fn matrix(b: &mut Builder, pipeline: &Pipeline) -> Result<String, OnnxError> {
    if pipeline.features.is_empty() {
        return Err(OnnxError::NoFeatures);
    }
    if pipeline.has_context() {
        // Windows of flows per host need the rows sorted and grouped: no ONNX operator does it.
        return Err(OnnxError::UnsupportedModel("gru"));
    }
    let mut missing: BTreeMap<String, String> = BTreeMap::new();
    let mut columns = Vec::with_capacity(pipeline.width());
    for f in &pipeline.features {
        let v = feature(b, &f.spec, &mut missing);
        columns.push(v);
    }
    let refs: Vec<&str> = columns.iter().map(String::as_str).collect();
    Ok(b.op("Concat", &refs, vec![("axis", Attr::Int(1))]))
}

/// One feature as `float [N, 1]`.
fn feature(b: &mut Builder, spec: &FeatureSpec, missing: &mut BTreeMap<String, String>) -> String {
    let double = match spec {
        FeatureSpec::Number { column } => column.clone(),
        FeatureSpec::Log1p { column } => {
            let l = log1p(b, column);
            let zero = b.double(0.0);
            let ok = b.bin("GreaterOrEqual", column, &zero);
            let nan = b.double(f64::NAN);
            b.select(&ok, &l, &nan)
        }
        FeatureSpec::Divide { num, den } | FeatureSpec::LogDivide { num, den } => {
            let n = sum_of(b, num);
            let d = sum_of(b, den);
            let zero = b.double(0.0);
            let d_nan = b.op("IsNaN", &[&d], vec![]);
            let d_low = b.bin("LessOrEqual", &d, &zero);
            let n_nan = b.op("IsNaN", &[&n], vec![]);
            let bad = b.bin("Or", &d_nan, &d_low);
            let bad = b.bin("Or", &bad, &n_nan);
            let mut q = b.bin("Div", &n, &d);
            if matches!(spec, FeatureSpec::LogDivide { .. }) {
                // `(n / d).max(0.0)`: NaN and negatives become 0, as Rust's `max` does.
                let pos = b.bin("Greater", &q, &zero);
                let clipped = b.select(&pos, &q, &zero);
                q = log1p(b, &clipped);
            }
            let nan = b.double(f64::NAN);
            b.select(&bad, &nan, &q)
        }
        FeatureSpec::Share { a, b: other } => {
            let a = zero_if_nan(b, a);
            let c = zero_if_nan(b, other);
            let t = b.bin("Add", &a, &c);
            let zero = b.double(0.0);
            let pos = b.bin("Greater", &t, &zero);
            let q = b.bin("Div", &a, &t);
            let nan = b.double(f64::NAN);
            b.select(&pos, &q, &nan)
        }
        // Refused by `matrix` before any feature is built (see there).
        FeatureSpec::Sequence { .. } => b.double(f64::NAN),
        FeatureSpec::HourOfDay { column } => {
            let day = b.double(86_400.0);
            let r = b.op("Mod", &[column, &day], vec![("fmod", Attr::Int(1))]);
            let zero = b.double(0.0);
            let neg = b.bin("Less", &r, &zero);
            let up = b.bin("Add", &r, &day);
            let r = b.select(&neg, &up, &r);
            let hour = b.double(3600.0);
            let h = b.bin("Div", &r, &hour);
            b.op("Floor", &[&h], vec![])
        }
        FeatureSpec::OneHot { column, category } => {
            let (keys, values, default) = match category {
                Some(k) => (vec![k.clone()], vec![1.0], 0.0),
                None => (Vec::new(), Vec::new(), 0.0),
            };
            let missing_value = if category.is_none() { 1.0 } else { 0.0 };
            return encode(b, column, keys, values, missing_value, default);
        }
        FeatureSpec::Other { column, known } => {
            let values = vec![0.0; known.len()];
            return encode(b, column, known.clone(), values, 0.0, 1.0);
        }
        FeatureSpec::LetterCount { column, letter } => {
            let n = occurrences(b, column, *letter);
            let f = b.cast(&n, dtype::FLOAT);
            return unless_missing(b, column, &f, missing);
        }
        FeatureSpec::FlagSet { column, letter } => {
            let n = occurrences(b, column, *letter);
            let zero = b.ints(&[], &[0]);
            let has = b.bin("Greater", &n, &zero);
            let f = b.cast(&has, dtype::FLOAT);
            return unless_missing(b, column, &f, missing);
        }
        FeatureSpec::TextLength { column } => {
            let len = text_length(b, column);
            return unless_missing(b, column, &len, missing);
        }
    };
    b.cast(&double, dtype::FLOAT)
}

/// `ln(1 + x)` in `f64` for `x >= 0` (see the module doc); `+inf` stays `+inf`.
fn log1p(b: &mut Builder, x: &str) -> String {
    let one = b.double(1.0);
    let u = b.bin("Add", &one, x);
    let d = b.bin("Sub", &u, &one);
    let l = b.op("Log", &[&u], vec![]);
    let lx = b.bin("Mul", &l, x);
    let q = b.bin("Div", &lx, &d);
    let zero = b.double(0.0);
    let tiny = b.bin("Equal", &d, &zero);
    let r = b.select(&tiny, x, &q);
    let inf = b.op("IsInf", &[x], vec![]);
    b.select(&inf, x, &r)
}

fn zero_if_nan(b: &mut Builder, x: &str) -> String {
    let nan = b.op("IsNaN", &[x], vec![]);
    let zero = b.double(0.0);
    b.select(&nan, &zero, x)
}

/// The sum of several numeric columns, NaN only when all are missing (as `sum_of` in flowlab).
fn sum_of(b: &mut Builder, names: &[String]) -> String {
    if names.len() == 1 {
        return names[0].clone();
    }
    let mut sum: Option<String> = None;
    let mut all: Option<String> = None;
    for n in names {
        let z = zero_if_nan(b, n);
        let nan = b.op("IsNaN", &[n], vec![]);
        sum = Some(match sum {
            None => z,
            Some(s) => b.bin("Add", &s, &z),
        });
        all = Some(match all {
            None => nan,
            Some(a) => b.bin("And", &a, &nan),
        });
    }
    let (sum, all) = (sum.unwrap_or_default(), all.unwrap_or_default());
    let nan = b.double(f64::NAN);
    b.select(&all, &nan, &sum)
}

/// A text column mapped to `float` by `ai.onnx.ml.LabelEncoder`: `keys` to `values`, the
/// missing spellings to `missing`, anything else to `default`.
fn encode(
    b: &mut Builder,
    column: &str,
    mut keys: Vec<String>,
    mut values: Vec<f32>,
    missing: f32,
    default: f32,
) -> String {
    for m in MISSING_SPELLINGS {
        if !keys.iter().any(|k| k == m) {
            keys.push(m.to_string());
            values.push(missing);
        }
    }
    b.op_in(
        "LabelEncoder",
        ML,
        &[column],
        vec![
            ("keys_strings", Attr::Strs(keys)),
            ("values_floats", Attr::Floats(values)),
            ("default_float", Attr::Float(default)),
        ],
    )
}

/// `value` where the text column is set, 0 where it is missing (one mask per column).
fn unless_missing(
    b: &mut Builder,
    column: &str,
    value: &str,
    masks: &mut BTreeMap<String, String>,
) -> String {
    let mask = match masks.get(column) {
        Some(m) => m.clone(),
        None => {
            let f = encode(b, column, Vec::new(), Vec::new(), 1.0, 0.0);
            let m = b.cast(&f, dtype::BOOL);
            masks.insert(column.to_string(), m.clone());
            m
        }
    };
    let zero = b.floats(&[], &[0.0]);
    b.select(&mask, &zero, value)
}

/// How often `letter` occurs in each string (`int64 [N, 1]`): `StringSplit` on the letter gives
/// one piece more than there are occurrences (0 pieces for an empty string, which is missing).
fn occurrences(b: &mut Builder, column: &str, letter: char) -> String {
    let parts = b.fresh("split_parts");
    let count = b.fresh("split_count");
    b.node(
        "StringSplit",
        "",
        &[column],
        &[&parts, &count],
        vec![("delimiter", Attr::Str(letter.to_string()))],
    );
    let one = b.ints(&[], &[1]);
    b.bin("Sub", &count, &one)
}

/// `n` characters as a regular expression, in repeats of at most 512 (RE2 allows 1000).
fn exactly(n: usize) -> String {
    let mut s = ".{512}".repeat(n / 512);
    if !n.is_multiple_of(512) {
        s.push_str(&format!(".{{{}}}", n % 512));
    }
    s
}

/// The length in characters of each string (`float [N, 1]`), exact below
/// [`MAX_TEXT_LENGTH`]: bit `b` of the length is set when the string fully matches
/// `(.{2^(b+1)})* .{2^b} .{0, 2^b - 1}`, and the bits are summed with their weights.
fn text_length(b: &mut Builder, column: &str) -> String {
    let mut total: Option<String> = None;
    for bit in 0..MAX_TEXT_LENGTH.trailing_zeros() {
        let m = 1usize << bit;
        let pattern = format!("(?s)(?:{})*{}.{{0,{}}}", exactly(2 * m), exactly(m), m - 1);
        let hit = b.op(
            "RegexFullMatch",
            &[column],
            vec![("pattern", Attr::Str(pattern))],
        );
        let f = b.cast(&hit, dtype::FLOAT);
        let w = b.floats(&[], &[m as f32]);
        let term = b.bin("Mul", &f, &w);
        total = Some(match total {
            None => term,
            Some(t) => b.bin("Add", &t, &term),
        });
    }
    total.unwrap_or_default()
}
