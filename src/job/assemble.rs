//! Assembling a model from its tasks' outputs: forest chunks merged into exactly the forest one
//! thread grows, test folds scored, curves thinned, and the first fold's diagnostics
//! (permutation importance, learning curve).

use super::tasks::merge;
use super::*;
use crate::data::Matrix;
use crate::eval::importance::{
    permutation_importance_of, PermutationImportance, PermutationOptions,
};
use crate::eval::learning_curve::{learning_curve, LearningPoint, DEFAULT_FRACTIONS};
use crate::eval::metrics::{self, Curve, Report};
use crate::eval::split::SplitKind;
use crate::ingest::Dataset;
use crate::models::registry::{Model, ModelSpec};
use crate::models::{argmax_rows, ModelError, Progress, Step};

fn empty_curve() -> Curve {
    Curve {
        x: Vec::new(),
        y: Vec::new(),
        thresholds: Vec::new(),
    }
}

/// Keeps at most `n` points of a curve, evenly spaced, first and last kept.
fn thin(c: &Curve, n: usize) -> Curve {
    let len = c.x.len();
    if len <= n || n < 2 {
        return c.clone();
    }
    let idx: Vec<usize> = (0..n).map(|i| i * (len - 1) / (n - 1)).collect();
    Curve {
        x: idx.iter().map(|&i| c.x[i]).collect(),
        y: idx.iter().map(|&i| c.y[i]).collect(),
        thresholds: idx
            .iter()
            .map(|&i| c.thresholds.get(i).copied().unwrap_or(f32::NAN))
            .collect(),
    }
}

/// Builds the model `model` of the job from its tasks' outputs (`outputs[i]` for the `i`-th task
/// of that model in plan order), scores it and describes it. `progress` sees the scoring of each
/// fit and returns `false` to cancel.
pub fn assemble(
    data: &Dataset,
    prepared: &Prepared,
    model: usize,
    outputs: Vec<TaskOutput>,
    progress: Progress,
) -> Result<(TrainedModel, Diagnostics), TrainError> {
    let spec = prepared
        .request
        .models
        .get(model)
        .ok_or(PlanError::NoModel(model))?;
    let tasks: Vec<&Task> = prepared
        .plan
        .tasks
        .iter()
        .filter(|t| t.model == model)
        .collect();
    if tasks.len() != outputs.len() {
        return Err(PlanError::OutputCount {
            model,
            tasks: tasks.len(),
            outputs: outputs.len(),
        }
        .into());
    }
    let k = prepared.plan.classes.len();
    let mut per_fit: Vec<Vec<TaskOutput>> = vec![Vec::new(); prepared.fits.len()];
    for (t, o) in tasks.iter().zip(outputs) {
        per_fit[t.fit].push(o);
    }
    let used: Vec<usize> = prepared.fits_of(spec).map(|(f, _)| f).collect();
    let mut scored = (Vec::new(), Vec::new(), Vec::new());
    let mut capture = (Vec::new(), Vec::new(), Vec::new());
    let mut saved = None;
    let mut first: Option<(Model, FitData, Matrix)> = None;
    let total = used.len();
    for (i, (f, (fit, outs))) in prepared
        .fits
        .iter()
        .zip(per_fit)
        .enumerate()
        .filter(|(f, _)| used.contains(f))
        .enumerate()
    {
        let (fd, test_x) = prepared.fit_and_test(data, f)?;
        let m = merge(spec, &fd, outs)?;
        if !fit.split.test.is_empty() {
            let proba = m.predict_proba(&test_x)?;
            let into = if fit.role == FitRole::ByCapture {
                &mut capture
            } else {
                &mut scored
            };
            into.0.extend(fit.split.test.iter().map(|&r| prepared.y[r]));
            into.1.extend(argmax_rows(&proba, k));
            into.2.extend(proba);
        }
        let keep = match prepared.request.split {
            _ if prepared.request.tune_rows.is_some() => i == 0,
            SplitKind::Random { .. } => i == 0,
            _ => fit.role == FitRole::Final,
        };
        if i == 0 {
            first = Some((m.clone(), fd, test_x));
        }
        if keep {
            saved = Some((fit.pipeline.clone(), m, fit.split.train.len()));
        }
        if !progress(Step {
            done: i + 1,
            total,
            loss: None,
            val_loss: None,
        }) {
            return Err(ModelError::Cancelled.into());
        }
    }
    let (pipeline, m, train_rows) = saved.ok_or(PlanError::NothingToSave)?;
    let metrics = Report::new(&scored.0, &scored.1, Some(&scored.2), k);
    let by_capture =
        (!capture.0.is_empty()).then(|| Report::new(&capture.0, &capture.1, Some(&capture.2), k));
    let curves = (0..k)
        .map(|c| {
            let pos: Vec<bool> = scored.0.iter().map(|&t| t as usize == c).collect();
            let scores: Vec<f32> = scored.2.iter().skip(c).step_by(k).copied().collect();
            let has_both = pos.iter().any(|&p| p) && pos.iter().any(|&p| !p);
            let (roc, pr) = if has_both {
                (
                    thin(&metrics::roc_curve(&pos, &scores), CURVE_POINTS),
                    thin(&metrics::pr_curve(&pos, &scores), CURVE_POINTS),
                )
            } else {
                (empty_curve(), empty_curve())
            };
            ClassCurves {
                class: prepared.plan.classes[c].clone(),
                roc,
                pr,
                roc_auc: metrics.per_class.get(c).and_then(|r| r.roc_auc),
                pr_auc: metrics.per_class.get(c).and_then(|r| r.pr_auc),
            }
        })
        .collect();
    let names: Vec<String> = pipeline.names().iter().map(|s| s.to_string()).collect();
    let (permutation, learning) = match &first {
        Some((m0, fd, test_x)) => first_fold_diagnostics(prepared, spec, m0, fd, test_x)?,
        None => (None, None),
    };
    let diagnostics = Diagnostics {
        permutation,
        learning_curve: learning,
        curves,
        gain_importance: m.gain_importance(),
        feature_names: names.clone(),
        by_capture,
        capture: prepared.plan.capture.clone(),
        loss: m.loss_curve(),
        tree: m.tree_view(&names, &prepared.plan.classes, 4),
        size: m.size(),
    };
    let trained = TrainedModel {
        pipeline,
        taxonomy: prepared.request.taxonomy,
        classes: prepared.plan.classes.clone(),
        model: m,
        meta: TrainingMeta {
            flowlab_version: env!("CARGO_PKG_VERSION").to_string(),
            sources: data.files.iter().map(|f| f.path.clone()).collect(),
            request: prepared.request.train_request(model),
            split: prepared.plan.split.clone(),
            train_rows,
            test_rows: scored.0.len(),
            duplicates_removed: prepared.plan.duplicates_removed,
            metrics,
            leakage: prepared.plan.leakage.clone(),
        },
        label_map: prepared.request.label_map.clone(),
    };
    Ok((trained, diagnostics))
}

/// Permutation importance and the learning curve, both on the first scoring fold.
fn first_fold_diagnostics(
    prepared: &Prepared,
    spec: &ModelSpec,
    model: &Model,
    train: &FitData,
    test_x: &Matrix,
) -> Result<(Option<PermutationImportance>, Option<Vec<LearningPoint>>), TrainError> {
    let fit = &prepared.fits[0];
    if fit.split.test.is_empty() {
        return Ok((None, None));
    }
    let k = prepared.plan.classes.len();
    let test_y: Vec<u32> = fit.split.test.iter().map(|&r| prepared.y[r]).collect();
    let seed = prepared.request.seed;
    let permutation = if prepared.request.permutation {
        let opts = PermutationOptions {
            seed,
            ..PermutationOptions::default()
        };
        Some(permutation_importance_of(
            model.as_classifier(),
            test_x,
            &test_y,
            &opts,
        )?)
    } else {
        None
    };
    let learning = if prepared.request.learning_curve {
        let rows: Vec<usize> = (0..train.x.rows).collect();
        let macro_f1 = |m: &Model, x: &Matrix, y: &[u32]| -> Result<f64, TrainError> {
            let p = m.predict_proba(x)?;
            Ok(Report::new(y, &argmax_rows(&p, k), None, k).macro_f1)
        };
        let mut fit_and_score = |sub: &[usize]| -> Result<(f64, f64), TrainError> {
            if sub.len() == train.x.rows {
                // Every training row, in order (subsets are sorted): refitting would repeat the
                // model already fitted, so score that one.
                return Ok((
                    macro_f1(model, &train.x, &train.y)?,
                    macro_f1(model, test_x, &test_y)?,
                ));
            }
            let sx = train.x.select_rows(sub);
            let sy: Vec<u32> = sub.iter().map(|&r| train.y[r]).collect();
            let m = spec.fit(&sx, &sy, k, &mut |_| true)?;
            Ok((macro_f1(&m, &sx, &sy)?, macro_f1(&m, test_x, &test_y)?))
        };
        Some(learning_curve(
            &rows,
            &train.y,
            &DEFAULT_FRACTIONS,
            seed,
            &mut fit_and_score,
        )?)
    } else {
        None
    };
    Ok((permutation, learning))
}
