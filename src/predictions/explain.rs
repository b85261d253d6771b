//! Explanations of a saved model's predictions on the user's columns: per row, the predicted
//! class's expected value, output and one contribution per column (all classes on request),
//! from [`crate::models::shap`] mapped back by [`crate::features::Attribution`]; and the global
//! importance (mean |contribution| per column, overall and per class) the Results tab draws.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::data::Matrix;
use crate::features::Attribution;
use crate::ingest::Dataset;
use crate::job::{TrainError, TrainedModel};
use crate::models::argmax_rows;
use crate::models::shap::{Explainer, OutputSpace};

/// One class's explanation of one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassExplanation {
    pub class: String,
    /// The model's output with no column known (the training mean output).
    pub expected_value: f64,
    /// `expected_value` + the contributions: the model's output for this class.
    pub output: f64,
    /// One per column of [`Explanations::columns`], in that order.
    pub contributions: Vec<f64>,
}

/// One row's explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowExplanation {
    /// Index in the data set.
    pub row: usize,
    pub file: String,
    pub line: u64,
    pub predicted: String,
    /// The predicted class's explanation.
    pub explained: ClassExplanation,
    /// Every class's, when asked for (else empty).
    pub per_class: Vec<ClassExplanation>,
}

/// Explanations of some rows of a data set by one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanations {
    pub classes: Vec<String>,
    /// The user's columns the contributions are on.
    pub columns: Vec<String>,
    /// What the numbers add up to (probability or raw score).
    pub output: OutputSpace,
    pub rows: Vec<RowExplanation>,
}

/// Explains rows `rows` of `data` with `m` (every class's explanation too with `all_classes`).
/// Rows past the end of `data` are left out.
pub fn explain(
    m: &TrainedModel,
    data: &Dataset,
    rows: &[usize],
    all_classes: bool,
) -> Result<Explanations, TrainError> {
    let x = m.pipeline.transform(data)?;
    // Laid out once for every chunk.
    let explainer = Explainer::new(&m.model)?;
    let attribution = Attribution::new(&m.pipeline);
    let rows: Vec<usize> = rows.iter().copied().filter(|&r| r < x.rows).collect();
    // The raw contributions take features × classes × 8 bytes a row: explained a chunk at a
    // time, they stay within CHUNK_BYTES however wide the model.
    let per_row = x.cols.max(1) * m.classes.len().max(1) * 8;
    let chunk = (CHUNK_BYTES / per_row).max(1);
    let mut all: Option<Explanations> = None;
    for part in rows.chunks(chunk) {
        let x = x.select_rows(part);
        let e = explain_with(
            m,
            &explainer,
            &attribution,
            &x,
            &rows_at(data, part),
            all_classes,
        )?;
        match &mut all {
            Some(all) => all.rows.extend(e.rows),
            None => all = Some(e),
        }
    }
    match all {
        Some(all) => Ok(all),
        None => explain_features(m, &x.select_rows(&[]), &[], all_classes),
    }
}

/// Memory the raw contributions of one chunk of [`explain`] may take.
const CHUNK_BYTES: usize = 32 << 20;

/// Where an explained row comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct RowAt {
    /// Its index (in the data set, or among the predicted rows).
    pub row: usize,
    pub file: String,
    pub line: u64,
}

/// Where rows `rows` of `data` come from.
pub fn rows_at(data: &Dataset, rows: &[usize]) -> Vec<RowAt> {
    rows.iter()
        .map(|&r| RowAt {
            row: r,
            file: data.files[data.sources[r] as usize].path.clone(),
            line: data.lines[r],
        })
        .collect()
}

/// Explains the rows of `x` (already transformed by `m`'s pipeline, as a prediction keeps them;
/// row `i` is `at[i]`), each on the class `m` predicts for it.
pub fn explain_features(
    m: &TrainedModel,
    x: &Matrix,
    at: &[RowAt],
    all_classes: bool,
) -> Result<Explanations, TrainError> {
    let explainer = Explainer::new(&m.model)?;
    let attribution = Attribution::new(&m.pipeline);
    explain_with(m, &explainer, &attribution, x, at, all_classes)
}

/// [`explain_features`] with `m`'s explainer and attribution already made.
fn explain_with(
    m: &TrainedModel,
    explainer: &Explainer,
    attribution: &Attribution,
    x: &Matrix,
    at: &[RowAt],
    all_classes: bool,
) -> Result<Explanations, TrainError> {
    let phi = explainer.explain(x)?;
    let on_columns = super::explain_parts::on_columns(explainer, attribution, &phi);
    assemble(
        m,
        explainer,
        &attribution.columns,
        x,
        at,
        &on_columns,
        all_classes,
    )
}

/// The explanations of the rows of `x` (row `i` is `at[i]`) from their contributions on the
/// columns, `on_columns` (`rows × classes × columns`): each row on the class `m` predicts.
pub(super) fn assemble(
    m: &TrainedModel,
    explainer: &Explainer,
    columns: &[String],
    x: &Matrix,
    at: &[RowAt],
    on_columns: &[f64],
    all_classes: bool,
) -> Result<Explanations, TrainError> {
    let proba = m.model.predict_proba(x)?;
    let k = m.classes.len();
    let predicted = argmax_rows(&proba, k);
    let kk = explainer.n_classes();
    let per_row = (kk * columns.len()).max(1);
    let class = |c: usize, row: &[f64]| {
        let contributions = row[c * columns.len()..(c + 1) * columns.len()].to_vec();
        let expected_value = explainer.expected_value()[c];
        ClassExplanation {
            class: m.classes[c].clone(),
            expected_value,
            output: expected_value + contributions.iter().sum::<f64>(),
            contributions,
        }
    };
    let mut out = Vec::with_capacity(x.rows);
    for (i, a) in at.iter().enumerate().take(x.rows) {
        let row = &on_columns[i * per_row..(i + 1) * per_row];
        let p = predicted[i] as usize;
        out.push(RowExplanation {
            row: a.row,
            file: a.file.clone(),
            line: a.line,
            predicted: m.classes[p].clone(),
            explained: class(p, row),
            per_class: if all_classes {
                (0..kk).map(|c| class(c, row)).collect()
            } else {
                Vec::new()
            },
        });
    }
    Ok(Explanations {
        classes: m.classes.clone(),
        columns: columns.to_vec(),
        output: explainer.output_space(),
        rows: out,
    })
}

/// Rows the Results tab's mean-|SHAP| panel explains at most. TreeSHAP explains each tree once
/// per split pattern of the rows ([`crate::models::shap`]), so 10,000 test rows of a 100-tree
/// forest take seconds in the data worker (the README's "Explanations" has the figures).
pub const IMPORTANCE_ROWS: usize = 10_000;

/// A seeded sample of at most `n` of `rows` (all of them, in order, when there are no more
/// than `n`; otherwise a uniform sample without replacement, returned in ascending order).
pub fn sample_rows(rows: &[usize], n: usize, seed: u64) -> Vec<usize> {
    if rows.len() <= n {
        return rows.to_vec();
    }
    let mut picked = rows.to_vec();
    crate::data::rng::FlowRng::new(seed, 0x5ba9).shuffle(&mut picked);
    picked.truncate(n);
    picked.sort_unstable();
    picked
}

/// `{column: value}` in column order.
fn contributions_json(columns: &[String], c: &ClassExplanation) -> Value {
    let mut map = Map::new();
    for (name, &v) in columns.iter().zip(&c.contributions) {
        map.insert(name.clone(), json!(v));
    }
    Value::Object(map)
}

fn class_json(columns: &[String], c: &ClassExplanation) -> Value {
    json!({
        "class": c.class,
        "expected_value": c.expected_value,
        "output": c.output,
        "contributions": contributions_json(columns, c),
    })
}

/// The CLI's JSON: `{"classes", "output", "rows": [{"file", "line", "predicted",
/// "expected_value", "output", "contributions": {column: value}}]}`, each row with
/// `"per_class": [...]` (the same fields per class) when every class was explained.
pub fn explanations_json(e: &Explanations) -> Value {
    let rows: Vec<Value> = e
        .rows
        .iter()
        .map(|r| {
            let mut v = json!({
                "file": r.file,
                "line": r.line,
                "predicted": r.predicted,
                "expected_value": r.explained.expected_value,
                "output": r.explained.output,
                "contributions": contributions_json(&e.columns, &r.explained),
            });
            if !r.per_class.is_empty() {
                v["per_class"] = r
                    .per_class
                    .iter()
                    .map(|c| class_json(&e.columns, c))
                    .collect();
            }
            v
        })
        .collect();
    json!({ "classes": e.classes, "output": e.output, "rows": rows })
}

/// Global importance from explained rows: mean |contribution| per column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapImportance {
    pub columns: Vec<String>,
    /// Over every explained row (each on its predicted class).
    pub overall: Vec<f64>,
    /// Per class: the rows predicted as it (how many, and their mean |contribution| per
    /// column); classes no row was predicted as are left out.
    pub per_class: Vec<(String, usize, Vec<f64>)>,
}

/// Mean |contribution| per column of `e`'s rows, overall and per predicted class.
pub fn importance(e: &Explanations) -> ShapImportance {
    let c = e.columns.len();
    let mut overall = vec![0.0; c];
    let mut sums = vec![(0usize, vec![0.0; c]); e.classes.len()];
    for r in &e.rows {
        let k = e
            .classes
            .iter()
            .position(|n| *n == r.predicted)
            .unwrap_or(0);
        let Some((n, s)) = sums.get_mut(k) else {
            continue;
        };
        *n += 1;
        for ((o, s), v) in overall
            .iter_mut()
            .zip(s.iter_mut())
            .zip(&r.explained.contributions)
        {
            *o += v.abs();
            *s += v.abs();
        }
    }
    let mean = |v: &mut Vec<f64>, n: usize| v.iter_mut().for_each(|x| *x /= n.max(1) as f64);
    mean(&mut overall, e.rows.len());
    let per_class = e
        .classes
        .iter()
        .zip(sums)
        .filter(|(_, (n, _))| *n > 0)
        .map(|(name, (n, mut s))| {
            mean(&mut s, n);
            (name.clone(), n, s)
        })
        .collect();
    ShapImportance {
        columns: e.columns.clone(),
        overall,
        per_class,
    }
}
