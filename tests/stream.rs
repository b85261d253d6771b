//! Streaming: `Loader::take_batch` batches, predicted by a `PredictionStream`, give exactly what
//! the whole data set in memory gives (CSV bytes, predictions row for row, the metrics report).
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use crate::common::*;
use flowlab::eval::split::SplitKind;
use flowlab::features::{FeatureOptions, FeatureSpec};
use flowlab::ingest::{Dataset, IngestOptions, Loader, Taxonomy};
use flowlab::job::{train, TrainRequest, TrainedModel};
use flowlab::models::ModelSpec;
use flowlab::predictions::{write_csv, PredictionStream};

fn model(name: &str) -> TrainedModel {
    let d = load_one("iot23-mix.csv");
    let req = TrainRequest {
        spec: ModelSpec::default_for(name).unwrap(),
        taxonomy: Taxonomy::Attack,
        split: SplitKind::Random { test_size: 0.3 },
        seed: 7,
        features: FeatureOptions::default(),
    };
    train(&d, &req, &mut |_| true).unwrap()
}

fn opts() -> IngestOptions {
    IngestOptions {
        taxonomy: Taxonomy::Attack,
        ..IngestOptions::default()
    }
}

/// Loads `paths` in 4 KiB chunks, taking a batch whenever `batch` rows are pending.
fn batches(paths: &[PathBuf], batch: usize) -> Vec<Dataset> {
    let mut loader = Loader::new(opts());
    let mut out = Vec::new();
    for p in paths {
        let bytes = std::fs::read(p).unwrap();
        loader.start_file(&p.file_name().unwrap().to_string_lossy());
        for c in bytes.chunks(4096) {
            loader.feed(c).unwrap();
            while loader.pending_rows() >= batch {
                out.push(loader.take_batch().unwrap());
            }
        }
        loader.end_file().unwrap();
    }
    out.extend(loader.take_batch());
    assert!(
        loader.take_batch().is_none(),
        "nothing pending after a take"
    );
    out.push(loader.finish().unwrap());
    out
}

/// A copy of a Zeek fixture with its rows repeated `times` (past the 64 KiB the format sniffer
/// reads first, so that rows arrive while the file is fed).
fn repeated(dir: &std::path::Path, name: &str, times: usize) -> PathBuf {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let (head, rows): (Vec<&str>, Vec<&str>) = text.lines().partition(|l| l.starts_with('#'));
    let head: Vec<&str> = head
        .into_iter()
        .filter(|l| !l.starts_with("#close"))
        .collect();
    let mut out = head.join("\n") + "\n";
    for _ in 0..times {
        out.push_str(&rows.join("\n"));
        out.push('\n');
    }
    let path = dir.join(name);
    std::fs::write(&path, out).unwrap();
    path
}

fn inputs(dir: &std::path::Path) -> Vec<PathBuf> {
    vec![
        repeated(dir, "iot23-34-1.conn.log.labeled", 6),
        repeated(dir, "stratosphere-008.conn.log.labeled", 4),
    ]
}

#[test]
fn streamed_predictions_equal_the_whole_file_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = inputs(dir.path());
    for name in ["rf", "gbdt"] {
        let m = model(name);
        let whole = load(&inputs, opts()).unwrap();
        let p = m.predict(&whole).unwrap();
        let mut expected = Vec::new();
        write_csv(&whole, m.taxonomy, &p, &mut expected).unwrap();
        let (report, classes) = m.evaluate(&whole).unwrap();
        assert!(
            classes.len() > m.classes.len(),
            "the second file has labels the model never saw: {classes:?}"
        );
        for size in [1, 700, 1_000_000] {
            let parts = batches(&inputs, size);
            if size == 700 {
                assert!(parts.len() > 4, "{} batches", parts.len());
            }
            let mut stream = PredictionStream::new(&m);
            let mut csv = Vec::new();
            let mut predicted = Vec::new();
            let mut proba = Vec::new();
            for (i, b) in parts.iter().enumerate() {
                let out = stream.push(b).unwrap();
                if i == 0 {
                    csv.extend(stream.header());
                }
                csv.extend(&out.csv);
                predicted.extend(out.predictions.predicted);
                proba.extend(out.predictions.proba);
            }
            assert_eq!(predicted, p.predicted, "{name} batches of {size}");
            assert_eq!(proba, p.proba, "{name} batches of {size}");
            assert!(
                csv == expected,
                "{name} batches of {size}: CSV differs:\n{}\nvs\n{}",
                String::from_utf8_lossy(&csv[..300.min(csv.len())]),
                String::from_utf8_lossy(&expected[..300])
            );
            let s = stream.finish();
            assert_eq!(s.rows, whole.n_rows() as u64);
            let mut dist = vec![0u64; m.classes.len()];
            p.predicted.iter().for_each(|&c| dist[c as usize] += 1);
            assert_eq!(s.distribution, dist);
            let (r, c) = s.metrics.unwrap();
            assert_eq!(c, classes, "{name} batches of {size}");
            assert_eq!(r, report, "{name} batches of {size}");
            assert!(r.roc_auc.is_some());
            assert_eq!(s.files.len(), 2);
            for (f, g) in s.files.iter().zip(&whole.files) {
                assert_eq!(f, g, "file report, batches of {size}");
            }
        }
    }
}

#[test]
fn no_batches_with_sampling_and_finish_keeps_every_row() {
    let mut loader = Loader::new(IngestOptions {
        max_rows_per_file: Some(50),
        ..opts()
    });
    loader.start_file("a.conn.log.labeled");
    loader
        .feed(&std::fs::read(fixture("iot23-34-1.conn.log.labeled")).unwrap())
        .unwrap();
    assert_eq!(loader.pending_rows(), 0);
    assert!(loader.take_batch().is_none());
    loader.end_file().unwrap();
    assert_eq!(loader.finish().unwrap().n_rows(), 50);
}

#[test]
fn a_batch_lists_the_file_in_progress_and_its_own_labels() {
    let mut loader = Loader::new(opts());
    loader.start_file("first.csv");
    loader.feed(b"a,label\n1,x\n2,y\n").unwrap();
    loader.end_file().unwrap();
    loader.start_file("second.csv");
    // Past the 64 KiB the format sniffer reads first, so that rows come while the file is fed.
    let mut second = "a,b,label\n".to_string();
    for i in 0..10_000 {
        second.push_str(&format!("{i},u,z\n"));
    }
    loader.feed(second.as_bytes()).unwrap();
    let first = loader.take_batch().unwrap();
    assert!(first.n_rows() > 2, "rows of both files: {}", first.n_rows());
    assert_eq!(first.files.len(), 2);
    assert_eq!(first.files[1].path, "second.csv");
    assert_eq!(first.sources[..3], [0, 0, 1]);
    assert_eq!(first.lines[..3], [2, 3, 2]);
    assert_eq!(first.label_names, ["x", "y", "z"]);
    assert_eq!(first.files[1].kept, first.n_rows() as u64 - 2);
    loader.feed(b"10000,v,w\n").unwrap();
    loader.end_file().unwrap();
    let second = loader.take_batch().unwrap();
    let n = second.n_rows();
    assert!(n >= 1 && n + first.n_rows() == 10_003);
    assert_eq!(second.label_names.last().unwrap(), "w");
    assert!(
        !second.label_names.contains(&"x".to_string()),
        "label codes are the batch's own: {:?}",
        second.label_names
    );
    assert_eq!(second.labels[n - 1] as usize, second.label_names.len() - 1);
    assert!(second.sources.iter().all(|&s| s == 1));
    assert_eq!(
        second.column("b").unwrap().as_text().unwrap().get(n - 1),
        Some("v")
    );
    let rest = loader.finish().unwrap();
    assert_eq!(rest.n_rows(), 0);
    assert_eq!(rest.files.len(), 2);
    assert_eq!(rest.files[1].rows, 10_001);
}

#[test]
fn features_read_a_column_of_the_other_kind() {
    let load_csv = |text: &str| {
        let mut loader = Loader::new(opts());
        loader.start_file("x.csv");
        loader.feed(text.as_bytes()).unwrap();
        loader.end_file().unwrap();
        loader.finish().unwrap()
    };
    // A batch where `n` holds mostly words is text; the feature still wants numbers.
    let text = load_csv("n,p,label\nabc,6,x\n3.5,17,x\n-,tcp,x\nxyz,1,x\n");
    assert!(text.column("n").unwrap().as_text().is_some());
    let n = FeatureSpec::Number { column: "n".into() }
        .compute(&text)
        .unwrap();
    assert!(n[0].is_nan() && n[2].is_nan() && n[3].is_nan());
    assert_eq!(n[1], 3.5);
    // A batch where `p` is all numbers is numeric; the one-hot feature wants text.
    let numbers = load_csv("n,p,label\n1,6,x\n2,17,x\n3,-,x\n4,6.5,x\n");
    assert!(numbers.column("p").unwrap().as_numeric().is_some());
    let six = FeatureSpec::OneHot {
        column: "p".into(),
        category: Some("6".into()),
    };
    assert_eq!(six.compute(&numbers).unwrap(), [1.0, 0.0, 0.0, 0.0]);
    let half = FeatureSpec::OneHot {
        column: "p".into(),
        category: Some("6.5".into()),
    };
    assert_eq!(half.compute(&numbers).unwrap(), [0.0, 0.0, 0.0, 1.0]);
    let unset = FeatureSpec::OneHot {
        column: "p".into(),
        category: None,
    };
    assert_eq!(unset.compute(&numbers).unwrap(), [0.0, 0.0, 1.0, 0.0]);
    // And the same values as text give the same features.
    let as_text = load_csv("n,p,label\n1,6,x\n2,17,x\n3,-,x\n4,6.5,x\n5,tcp,x\n6,udp,x\n");
    assert!(as_text.column("p").unwrap().as_text().is_some());
    assert_eq!(six.compute(&as_text).unwrap()[..4], [1.0, 0.0, 0.0, 0.0]);
    assert_eq!(half.compute(&as_text).unwrap()[..4], [0.0, 0.0, 0.0, 1.0]);
}
