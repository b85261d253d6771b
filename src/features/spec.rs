//! One model input: how it is computed from a data set's columns.

use serde::{Deserialize, Serialize};

use std::borrow::Cow;
use std::collections::HashMap;

use crate::ingest::{parse_number, Column, ColumnData, Dataset, TextColumn, MISSING};

use super::FeatureError;

/// How one feature is computed. Column references are by name, so the same pipeline applies to
/// any file with those columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureSpec {
    /// A numeric column as it is (missing → NaN).
    Number { column: String },
    /// `ln(1 + x)` of a non-negative numeric column (missing or negative → NaN).
    Log1p { column: String },
    /// 1 when a text column equals `category` (`None`: when it is missing), else 0.
    OneHot {
        column: String,
        category: Option<String>,
    },
    /// 1 when a text column is set and not one of `known` (categories unseen or rare in training).
    Other { column: String, known: Vec<String> },
    /// How often `letter` occurs in a Zeek `history` string (case matters: upper = responder).
    LetterCount { column: String, letter: char },
    /// Length of a text value (Zeek `history`).
    TextLength { column: String },
    /// 1 when a CIDDS-style flag string (`.AP.SF`) holds `letter`.
    FlagSet { column: String, letter: char },
    /// `num / den`, NaN when `den` is 0 or missing.
    Divide { num: Vec<String>, den: Vec<String> },
    /// `a / (a + b)`, NaN when both are 0 or missing.
    Share { a: String, b: String },
    /// `ln(1 + num / den)` with the same rules as `Divide` (rates per second).
    LogDivide { num: Vec<String>, den: Vec<String> },
    /// Hour of day (UTC, 0–23) of a timestamp column in seconds since 1970.
    HourOfDay { column: String },
    /// A sequence-context column (see [`super::context`]): host ids, order and time per file,
    /// from the originating and responding host columns and the time column found when fitted.
    Sequence {
        part: super::SeqPart,
        orig: Option<String>,
        resp: Option<String>,
        time: Option<String>,
    },
}

fn col<'a>(data: &'a Dataset, name: &str) -> Result<&'a Column, FeatureError> {
    data.column(name)
        .ok_or_else(|| FeatureError::MissingColumn(name.to_string()))
}

/// A numeric column. A text column is read value by value (a value that is not a number is
/// missing): a batch of a streamed file may have inferred as text a column that the whole file
/// holds as numbers (see `ingest::Loader::take_batch`), and an all-missing text column (a column
/// that is empty in one file has no type of its own) reads as all missing.
pub(super) fn numeric<'a>(data: &'a Dataset, name: &str) -> Result<Cow<'a, [f64]>, FeatureError> {
    match &col(data, name)?.data {
        ColumnData::Numeric(v) => Ok(Cow::Borrowed(v)),
        ColumnData::Text(t) => {
            let table: Vec<f64> = t
                .values
                .iter()
                .map(|v| parse_number(v).unwrap_or(f64::NAN))
                .collect();
            Ok(Cow::Owned(
                t.codes
                    .iter()
                    .map(|&c| {
                        if c == MISSING {
                            f64::NAN
                        } else {
                            table[c as usize]
                        }
                    })
                    .collect(),
            ))
        }
    }
}

/// A text column. A numeric column is read as text, each number written as the column builder
/// writes the numbers of a text column (`format!("{x}")`), for the same reason as [`numeric`].
pub(super) fn text<'a>(data: &'a Dataset, name: &str) -> Result<Cow<'a, TextColumn>, FeatureError> {
    match &col(data, name)?.data {
        ColumnData::Text(t) => Ok(Cow::Borrowed(t)),
        ColumnData::Numeric(v) => {
            let mut index: HashMap<u64, u32> = HashMap::new();
            let mut values = Vec::new();
            let codes = v
                .iter()
                .map(|x| {
                    if x.is_nan() {
                        return MISSING;
                    }
                    *index.entry(x.to_bits()).or_insert_with(|| {
                        values.push(format!("{x}"));
                        (values.len() - 1) as u32
                    })
                })
                .collect();
            Ok(Cow::Owned(TextColumn { codes, values }))
        }
    }
}

/// Sum of several numeric columns (NaN only when all are missing).
fn sum_of(data: &Dataset, names: &[String]) -> Result<Vec<f64>, FeatureError> {
    let cols = names
        .iter()
        .map(|n| numeric(data, n))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((0..data.n_rows())
        .map(|r| {
            let vals = cols.iter().map(|c| c[r]).filter(|v| !v.is_nan());
            if vals.clone().next().is_none() {
                f64::NAN
            } else {
                vals.sum()
            }
        })
        .collect())
}

fn per_code<F: Fn(Option<&str>) -> f32>(t: &TextColumn, f: F) -> Vec<f32> {
    let table: Vec<f32> = t.values.iter().map(|v| f(Some(v))).collect();
    let missing = f(None);
    t.codes
        .iter()
        .map(|&c| {
            if c == MISSING {
                missing
            } else {
                table[c as usize]
            }
        })
        .collect()
}

impl FeatureSpec {
    /// The column(s) this feature reads.
    pub fn columns(&self) -> Vec<&str> {
        match self {
            FeatureSpec::Number { column }
            | FeatureSpec::Log1p { column }
            | FeatureSpec::OneHot { column, .. }
            | FeatureSpec::Other { column, .. }
            | FeatureSpec::LetterCount { column, .. }
            | FeatureSpec::TextLength { column }
            | FeatureSpec::FlagSet { column, .. }
            | FeatureSpec::HourOfDay { column } => vec![column],
            FeatureSpec::Divide { num, den } | FeatureSpec::LogDivide { num, den } => {
                num.iter().chain(den).map(String::as_str).collect()
            }
            FeatureSpec::Share { a, b } => vec![a, b],
            FeatureSpec::Sequence {
                orig, resp, time, ..
            } => [orig, resp, time]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect(),
        }
    }

    /// The feature's values for every row of `data`.
    pub fn compute(&self, data: &Dataset) -> Result<Vec<f32>, FeatureError> {
        Ok(match self {
            FeatureSpec::Number { column } => {
                numeric(data, column)?.iter().map(|&v| v as f32).collect()
            }
            FeatureSpec::Log1p { column } => numeric(data, column)?
                .iter()
                .map(|&v| if v >= 0.0 { v.ln_1p() as f32 } else { f32::NAN })
                .collect(),
            FeatureSpec::OneHot { column, category } => per_code(&*text(data, column)?, |v| {
                (v == category.as_deref()) as u8 as f32
            }),
            FeatureSpec::Other { column, known } => per_code(&*text(data, column)?, |v| {
                v.is_some_and(|v| !known.iter().any(|k| k == v)) as u8 as f32
            }),
            FeatureSpec::LetterCount { column, letter } => per_code(&*text(data, column)?, |v| {
                v.map_or(0.0, |v| v.chars().filter(|c| c == letter).count() as f32)
            }),
            FeatureSpec::TextLength { column } => per_code(&*text(data, column)?, |v| {
                v.map_or(0.0, |v| v.chars().count() as f32)
            }),
            FeatureSpec::FlagSet { column, letter } => per_code(&*text(data, column)?, |v| {
                v.is_some_and(|v| v.contains(*letter)) as u8 as f32
            }),
            FeatureSpec::Divide { num, den } | FeatureSpec::LogDivide { num, den } => {
                let n = sum_of(data, num)?;
                let d = sum_of(data, den)?;
                let log = matches!(self, FeatureSpec::LogDivide { .. });
                n.iter()
                    .zip(&d)
                    .map(|(&n, &d)| {
                        if d.is_nan() || d <= 0.0 || n.is_nan() {
                            f32::NAN
                        } else if log {
                            (n / d).max(0.0).ln_1p() as f32
                        } else {
                            (n / d) as f32
                        }
                    })
                    .collect()
            }
            FeatureSpec::Share { a, b } => {
                let a = &*numeric(data, a)?;
                let b = &*numeric(data, b)?;
                a.iter()
                    .zip(b)
                    .map(|(&a, &b)| {
                        let (a, b) = (
                            if a.is_nan() { 0.0 } else { a },
                            if b.is_nan() { 0.0 } else { b },
                        );
                        if a + b > 0.0 {
                            (a / (a + b)) as f32
                        } else {
                            f32::NAN
                        }
                    })
                    .collect()
            }
            FeatureSpec::HourOfDay { column } => numeric(data, column)?
                .iter()
                .map(|&t| {
                    if t.is_nan() {
                        f32::NAN
                    } else {
                        (t.rem_euclid(86_400.0) / 3600.0).floor() as f32
                    }
                })
                .collect(),
            FeatureSpec::Sequence {
                part,
                orig,
                resp,
                time,
            } => super::context::compute(
                data,
                *part,
                orig.as_deref(),
                resp.as_deref(),
                time.as_deref(),
            )?,
        })
    }
}
