//! Sequence models through the whole job: windows of flows per host built from the sequence
//! context (`features::context`), a GRU fitted beside a tree on the same splits (through bytes,
//! as the page's pool runs it), scored by capture, saved, read back and predicting the same.
#![cfg(not(target_arch = "wasm32"))]

use crate::common::*;
use flowlab::data::Matrix;
use flowlab::features::{FeatureOptions, Pipeline, CONTEXT};
use flowlab::ingest::{Dataset, IngestOptions, Taxonomy};
use flowlab::job::{self, FitData, JobRequest, TaskOutput};
use flowlab::model_file;
use flowlab::models::seq::{Cnn1d, Cnn1dParams, Gru, GruParams, Lstm, LstmParams};
use flowlab::models::{no_progress, ModelError, ModelSpec};

fn two_captures() -> Dataset {
    load(
        &[
            fixture("iot23-mix.csv"),
            fixture("iot23-34-1.conn.log.labeled"),
        ],
        IngestOptions::default(),
    )
    .unwrap()
}

/// A small, fast GRU (tests run in seconds).
fn small_gru() -> ModelSpec {
    ModelSpec::with_values(
        "gru",
        &[
            ("hidden", "8"),
            ("window", "4"),
            ("max_epochs", "3"),
            ("batch_size", "64"),
            ("learning_rate", "0.01"),
        ],
    )
    .unwrap()
}

#[test]
fn context_ids_never_cross_files() {
    let d = two_captures();
    let all: Vec<usize> = (0..d.n_rows()).collect();
    let p = Pipeline::fit(&d, &all, &FeatureOptions::default()).with_context(&d);
    assert!(p.has_context());
    let x = p.transform(&d).unwrap();
    let host = p.width() - CONTEXT;
    // Every host id belongs to one file only; order restarts at 0 in each file.
    let mut file_of = std::collections::HashMap::new();
    for r in 0..x.rows {
        let id = x.get(r, host) as u32;
        assert_eq!(*file_of.entry(id).or_insert(d.sources[r]), d.sources[r]);
    }
    for f in 0..2u32 {
        let orders: Vec<f32> = (0..x.rows)
            .filter(|&r| d.sources[r] == f)
            .map(|r| x.get(r, host + 3))
            .collect();
        let mut sorted = orders.clone();
        sorted.sort_by(f32::total_cmp);
        assert_eq!(
            sorted,
            (0..orders.len()).map(|i| i as f32).collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_gru_trains_beside_a_tree_and_is_scored_by_capture() {
    let d = two_captures();
    let mut req = JobRequest::new(vec![ModelSpec::default_for("dt").unwrap(), small_gru()]);
    req.taxonomy = Taxonomy::Attack;
    req.seed = 7;
    req.learning_curve = false;
    let prepared = job::prepare(&d, &req, 2).unwrap();
    // Three fits for the tree (hold-out, two captures), the same three with context for the GRU.
    assert_eq!(prepared.fits.len(), 6);
    let context: Vec<bool> = prepared
        .fits
        .iter()
        .map(|f| f.pipeline.has_context())
        .collect();
    assert_eq!(context, [false, false, false, true, true, true]);
    for t in &prepared.plan.tasks {
        assert_eq!(t.fit >= 3, t.model == 1, "task {t:?}");
    }
    // Through bytes, as the pool runs it.
    let mut outputs: Vec<Vec<TaskOutput>> = vec![Vec::new(); 2];
    let mut epochs = Vec::new();
    for task in &prepared.plan.tasks {
        let bytes = model_file::write(&prepared.fit_data(&d, task.fit).unwrap()).unwrap();
        let fd: FitData = model_file::read(&bytes).unwrap();
        let mut progress = |s: flowlab::models::Step| {
            if task.model == 1 {
                epochs.push((s.done, s.loss.is_some()));
            }
            true
        };
        outputs[task.model]
            .push(job::run_task(&fd, &req.models[task.model], task, &mut progress).unwrap());
    }
    assert_eq!(
        epochs.iter().filter(|e| e.0 == 1 && e.1).count(),
        3,
        "{epochs:?}"
    );
    let gru_outputs = outputs.pop().unwrap();
    let (trained, diag) = job::assemble(&d, &prepared, 1, gru_outputs, &mut no_progress()).unwrap();
    assert!(trained.pipeline.has_context());
    let f1 = trained.meta.metrics.macro_f1;
    let by_capture = diag.by_capture.as_ref().unwrap().macro_f1;
    eprintln!("gru: random split macro-F1 {f1:.4}, by capture {by_capture:.4}");
    assert!(f1 > 0.5, "{f1}");
    assert!(by_capture > 0.0 && by_capture <= 1.0);
    let loss = diag.loss.as_ref().unwrap();
    assert_eq!((loss.step.as_str(), loss.train.len()), ("epoch", 3));
    assert_eq!(loss.val.len(), 3);
    assert!(diag
        .size
        .as_ref()
        .unwrap()
        .starts_with("1 GRU layer × 8 units over windows of 4"));
    // The model file keeps it exactly: the same probabilities on the files.
    let back: job::TrainedModel = model_file::read(&model_file::write(&trained).unwrap()).unwrap();
    let x = trained.pipeline.transform(&d).unwrap();
    assert_eq!(
        back.model.predict_proba(&x).unwrap(),
        trained.model.predict_proba(&x).unwrap()
    );
}

#[test]
fn a_gru_without_context_columns_says_so() {
    let x = Matrix {
        rows: 2,
        cols: 3,
        data: vec![0.0; 6],
    };
    let e = Gru::fit(&GruParams::default(), &x, &[0, 1], 2, &mut no_progress()).unwrap_err();
    assert_eq!(e, ModelError::NoContext { model: "gru" });
    assert_eq!(
        e.to_string(),
        "gru reads windows of flows per host, but the data has no sequence context columns"
    );
    let e = ModelSpec::with_values("gru", &[("grouping", "subnet")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "hyper-parameter grouping = subnet: expected one of host, pair, responder"
    );
    let e = ModelSpec::with_values("gru", &[("layers", "3")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "hyper-parameter layers = 3: expected an integer in 1 ..= 2"
    );
}

#[test]
fn the_cli_trains_a_gru_and_predict_says_when_a_file_is_too_short_per_host() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("gru.flowlab");
    let (mix, zeek) = (
        fixture("iot23-mix.csv"),
        fixture("iot23-34-1.conn.log.labeled"),
    );
    let (code, out, err) = flowlab(&[
        "train",
        "--model",
        "gru",
        "--set",
        "hidden=8",
        "--set",
        "max_epochs=2",
        "--by-capture",
        "--out",
        model.to_str().unwrap(),
        mix.to_str().unwrap(),
        zeek.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("model gru "), "{out}");
    assert!(
        out.contains("by capture (group k-fold over the files): macro-F1"),
        "{out}"
    );
    let model = model.to_str().unwrap();
    // Whole file: most flows have history, no warning.
    let (code, _, err) = flowlab(&["predict", model, zeek.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("earlier flow"), "{err}");
    // A file where every flow comes from a host of its own: windows of one flow, and it says so.
    let text = std::fs::read_to_string(&mix).unwrap();
    let mut lines = text.lines();
    let mut one_each = format!("{}\n", lines.next().unwrap());
    for (i, line) in lines.enumerate() {
        let mut cells: Vec<&str> = line.split(',').collect();
        let host = format!("10.0.{}.{}", i / 256, i % 256);
        cells[2] = &host;
        one_each.push_str(&cells.join(","));
        one_each.push('\n');
    }
    let short = dir.path().join("one-flow-per-host.csv");
    std::fs::write(&short, one_each).unwrap();
    let (code, _, err) = flowlab(&["predict", model, short.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("flows have no earlier flow of their host in the file: the model reads windows of 16 flows per host"),
        "{err}"
    );
}

/// `flowlab train --model lstm|cnn1d` writes a model file; `eval` scores it on a file with the
/// same numbers its predictions give, and `predict` writes one row per flow with probabilities.
#[test]
fn the_cli_trains_evaluates_and_predicts_with_an_lstm_and_a_cnn() {
    let dir = tempfile::tempdir().unwrap();
    let (mix, zeek) = (
        fixture("iot23-mix.csv"),
        fixture("iot23-34-1.conn.log.labeled"),
    );
    for (kind, sets, size) in [
        ("lstm", ["hidden=8", "window=4"], "1 LSTM layer × 8 units over windows of 4 flows"),
        (
            "cnn1d",
            ["channels=8", "window=4"],
            "2 convolutions × 8 channels (kernel 3, dilation ×2 per layer, causal padding, max pooling) over windows of 4 flows",
        ),
    ] {
        let model = dir.path().join(format!("{kind}.flowlab"));
        let model_s = model.to_str().unwrap();
        let (code, out, err) = flowlab(&[
            "train",
            "--model",
            kind,
            "--set",
            sets[0],
            "--set",
            sets[1],
            "--set",
            "max_epochs=10",
            "--set",
            "learning_rate=0.02",
            "--json",
            "--out",
            model_s,
            mix.to_str().unwrap(),
            zeek.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{kind}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["model"], kind);
        let f1 = v["metrics"]["macro_f1"].as_f64().unwrap();
        // Nine classes, 562 training rows: a floor for the plumbing (measured 0.28–0.34).
        assert!(f1 > 0.2 && f1 <= 1.0, "{kind}: macro-F1 {f1}");
        let saved: job::TrainedModel =
            model_file::read(&std::fs::read(&model).unwrap()).unwrap();
        let described = saved.model.size().unwrap();
        assert!(described.starts_with(size), "{described}");
        assert_eq!(saved.model.loss_curve().unwrap().step, "epoch");
        let (code, out, err) = flowlab(&["eval", "--json", model_s, zeek.to_str().unwrap()]);
        assert_eq!(code, 0, "{kind}: {err}");
        let e: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(e["rows"], 400);
        let accuracy = e["metrics"]["accuracy"].as_f64().unwrap();
        let csv = dir.path().join(format!("{kind}.csv"));
        let (code, _, err) = flowlab(&[
            "predict",
            model_s,
            zeek.to_str().unwrap(),
            "--out",
            csv.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{kind}: {err}");
        let text = std::fs::read_to_string(&csv).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(header[..4], ["file", "line", "predicted", "confidence"]);
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert_eq!(rows.len(), 400);
        // The predictions' accuracy is the one eval reported.
        let truth = header.len() - 1;
        let right = rows.iter().filter(|r| r[2] == r[truth]).count();
        assert_eq!(right as f64 / 400.0, accuracy, "{kind}");
        for r in &rows {
            let c: f64 = r[3].parse().unwrap();
            assert!(c > 0.0 && c <= 1.0, "{kind}: {r:?}");
        }
        // Not exported to ONNX, with a clear message.
        let (code, _, err) = flowlab(&["export", "--format", "onnx", model_s, "--out", "/dev/null"]);
        assert_ne!(code, 0);
        assert!(err.contains(&format!("{kind} models cannot be exported to ONNX")), "{err}");
    }
}

#[test]
fn an_lstm_and_a_cnn_without_context_columns_say_so() {
    let x = Matrix {
        rows: 2,
        cols: 3,
        data: vec![0.0; 6],
    };
    let e = Lstm::fit(&LstmParams::default(), &x, &[0, 1], 2, &mut no_progress()).unwrap_err();
    assert_eq!(e, ModelError::NoContext { model: "lstm" });
    let e = Cnn1d::fit(&Cnn1dParams::default(), &x, &[0, 1], 2, &mut no_progress()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cnn1d reads windows of flows per host, but the data has no sequence context columns"
    );
    for (setting, message) in [
        (
            "padding=left",
            "hyper-parameter padding = left: expected one of causal, same",
        ),
        (
            "pooling=sum",
            "hyper-parameter pooling = sum: expected one of mean, max",
        ),
        (
            "layers=5",
            "hyper-parameter layers = 5: expected an integer in 1 ..= 4",
        ),
        (
            "kernel=0",
            "hyper-parameter kernel = 0: expected an integer in 1 ..= 16",
        ),
    ] {
        let (k, v) = setting.split_once('=').unwrap();
        let e = ModelSpec::with_values("cnn1d", &[(k, v)]).unwrap_err();
        assert_eq!(e.to_string(), message);
    }
    let e = ModelSpec::with_values("lstm", &[("hidden", "0")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "hyper-parameter hidden = 0: expected an integer in 1 ..= 1024"
    );
}

/// The standardiser is fitted on the training rows only, not on the validation rows that early
/// stopping watches: with the validation rows of a feature moved far away, the model's means
/// are those of the training rows.
#[test]
fn the_standardiser_sees_only_the_training_rows() {
    use flowlab::data::rng::FlowRng;
    use flowlab::data::sampling::stratified_validation;
    use flowlab::models::standardize::Standardizer;
    let (n, cols) = (200usize, 2 + CONTEXT);
    let y: Vec<u32> = (0..n).map(|i| (i % 3 == 0) as u32).collect();
    let (train, val) = stratified_validation(&y, 0.25, &mut FlowRng::new(4, 1));
    let mut data = Vec::with_capacity(n * cols);
    for (i, &c) in y.iter().enumerate() {
        let far = if val.contains(&i) { 1e4 } else { 0.0 };
        let (host, step) = ((i % 5) as f32, (i / 5) as f32);
        data.extend([
            i as f32 * 0.01 + far,
            c as f32,
            host,
            host,
            host,
            step,
            step,
        ]);
    }
    let x = Matrix {
        rows: n,
        cols,
        data,
    };
    let base = Matrix {
        rows: n,
        cols: 2,
        data: (0..n).flat_map(|r| x.row(r)[..2].to_vec()).collect(),
    };
    let expected = Standardizer::fit(&base, &train);
    for (kind, size) in [("gru", "hidden"), ("lstm", "hidden"), ("cnn1d", "channels")] {
        let settings = [
            (size, "4"),
            ("max_epochs", "1"),
            ("validation_fraction", "0.25"),
            ("seed", "4"),
        ];
        let spec = ModelSpec::with_values(kind, &settings).unwrap();
        let m = spec.fit(&x, &y, 2, &mut no_progress()).unwrap();
        let st = match &m {
            flowlab::models::Model::Gru(g) => &g.standardizer,
            flowlab::models::Model::Lstm(g) => &g.standardizer,
            flowlab::models::Model::Cnn1d(g) => &g.standardizer,
            _ => unreachable!(),
        };
        assert_eq!(st, &expected, "{}", spec.name());
        assert!(st.mean[0] < 10.0, "{}: mean {}", spec.name(), st.mean[0]);
    }
}
