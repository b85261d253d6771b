//! Streaming: `Loader::take_batch` batches, predicted by a `PredictionStream`, give exactly what
//! the whole data set in memory gives (CSV bytes, predictions row for row, the metrics report).
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use crate::common::*;
use flowlab::eval::split::SplitKind;
use flowlab::features::{FeatureOptions, FeatureSpec};
use flowlab::ingest::{Dataset, IngestOptions, Loader, SummaryBuilder, Taxonomy};
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
fn past_the_score_cap_the_aucs_are_close_and_the_rest_exact() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = inputs(dir.path());
    let m = model("gbdt");
    let whole = load(&inputs, opts()).unwrap();
    let (exact, _) = m.evaluate(&whole).unwrap();
    let mut stream = PredictionStream::new(&m).with_score_cap(50);
    for b in batches(&inputs, 700) {
        stream.push(&b).unwrap();
    }
    let s = stream.finish();
    let (r, _) = s.metrics.unwrap();
    assert_eq!(r.confusion, exact.confusion);
    assert_eq!(r.macro_f1, exact.macro_f1);
    assert_eq!(r.mcc, exact.mcc);
    let (a, b) = (r.roc_auc.unwrap(), exact.roc_auc.unwrap());
    assert!((a - b).abs() < 0.01, "{a} vs {b}");
    let (a, b) = (r.pr_auc.unwrap(), exact.pr_auc.unwrap());
    assert!((a - b).abs() < 0.02, "{a} vs {b}");
    assert!(s
        .warnings
        .iter()
        .any(|w| w.message.contains("rounded to 1/65536")));
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

/// The summary of `paths` built from batches of about `batch` rows.
fn summary_in_batches(
    paths: &[PathBuf],
    batch: usize,
    taxonomy: Taxonomy,
) -> flowlab::ingest::Summary {
    let mut loader = Loader::new(IngestOptions {
        taxonomy,
        ..IngestOptions::default()
    });
    let mut builder = SummaryBuilder::new(taxonomy);
    for p in paths {
        let bytes = std::fs::read(p).unwrap();
        loader.start_file(&p.file_name().unwrap().to_string_lossy());
        for c in bytes.chunks(4096) {
            if loader.feed(c).is_err() {
                break;
            }
            while loader.pending_rows() >= batch {
                builder.add(&loader.take_batch().unwrap());
            }
        }
        let _ = loader.end_file();
    }
    if let Some(b) = loader.take_batch() {
        builder.add(&b);
    }
    builder.add(&loader.finish().unwrap());
    builder.finish()
}

/// A CSV past the sniffer's 64 KiB whose columns change kind along the file: `x` numbers for
/// 3000 rows then mostly words (text overall), `y` numbers with 3 % words (numeric overall,
/// with a warning), `z` empty in the first half.
fn shifting_csv(dir: &std::path::Path) -> PathBuf {
    let mut text = "x,y,z,label\n".to_string();
    for i in 0..6000 {
        let x = if i < 3000 || i % 3 == 0 {
            format!("{}", i % 40)
        } else {
            format!("w{}", i % 70)
        };
        let y = if i % 33 == 5 {
            format!("bad{i}")
        } else {
            format!("{}.5", i % 90)
        };
        let z = if i < 3000 {
            "-".to_string()
        } else {
            format!("z{}", i % 7)
        };
        let label = ["Benign", "Malicious   PartOfAHorizontalPortScan", "DDoS"][i % 3];
        text.push_str(&format!("{x},{y},{z},{label}\n"));
    }
    let path = dir.join("shifting.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn summaries_from_batches_equal_the_whole_load() {
    let dir = tempfile::tempdir().unwrap();
    let sets: Vec<Vec<PathBuf>> = vec![
        vec![shifting_csv(dir.path())],
        vec![fixture("iot23-34-1.conn.log.labeled")],
        vec![fixture("bad/bad-text-in-number.csv")],
        vec![fixture("cidds-001.csv"), fixture("unsw-nb15.csv")],
        vec![
            fixture("iot23-mix.csv"),
            fixture("iot23-34-1.conn.log.labeled"),
        ],
        vec![fixture("two-captures.zip"), fixture("nsl-kdd.txt")],
        inputs(dir.path()),
    ];
    // The shifting file does what it says: batches disagree with the whole file on kinds.
    let shifting = summary_in_batches(&sets[0], 1_000_000, Taxonomy::Raw);
    let kind = |s: &flowlab::ingest::Summary, c: &str| {
        let col = s.columns.iter().find(|x| x.name == c).unwrap();
        (col.kind.clone(), col.missing, col.distinct)
    };
    assert_eq!(kind(&shifting, "x"), ("text".into(), 0, Some(110)));
    assert_eq!(kind(&shifting, "y"), ("numeric".into(), 182, None));
    assert_eq!(kind(&shifting, "z"), ("text".into(), 3000, Some(7)));
    assert_eq!(shifting.warnings[0].count, 182);
    let mut loader = Loader::new(IngestOptions::default());
    loader.start_file("shifting.csv");
    loader
        .feed(&std::fs::read(&sets[0][0]).unwrap()[..70_000])
        .unwrap();
    let first = loader.take_batch().unwrap();
    assert!(first.column("x").unwrap().as_numeric().is_some());
    assert!(
        first.column("z").unwrap().as_numeric().is_some(),
        "{} rows: {:?}",
        first.n_rows(),
        first.column("z").unwrap().as_text().map(|t| &t.values)
    );
    for paths in &sets {
        for taxonomy in [Taxonomy::Raw, Taxonomy::Attack] {
            let whole = load(
                paths,
                IngestOptions {
                    taxonomy,
                    ..IngestOptions::default()
                },
            )
            .unwrap()
            .summary();
            for batch in [1, 500, 1_000_000] {
                let s = summary_in_batches(paths, batch, taxonomy);
                let name = format!("{paths:?} {taxonomy:?} batches of {batch}");
                assert_eq!(s.rows, whole.rows, "{name}");
                assert_eq!(s.files, whole.files, "{name}");
                assert_eq!(s.label_counts, whole.label_counts, "{name}");
                assert_eq!(s.columns, whole.columns, "{name}");
                assert_eq!(s.warnings, whole.warnings, "{name}");
                assert_eq!(s, whole, "{name}");
            }
        }
    }
}

fn flowlab_cli(args: &[&str], stdin: Option<&std::path::Path>) -> (i32, Vec<u8>, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_flowlab"));
    cmd.args(args);
    if let Some(p) = stdin {
        cmd.stdin(std::fs::File::open(p).unwrap());
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// Loads `paths` named as the CLI names them (`-`: `stdin`), whole.
fn load_as_cli(paths: &[PathBuf], names: &[&str], taxonomy: Taxonomy) -> Dataset {
    let mut loader = Loader::new(IngestOptions {
        taxonomy,
        ..IngestOptions::default()
    });
    for (p, name) in paths.iter().zip(names) {
        loader.start_file(name);
        loader.feed(&std::fs::read(p).unwrap()).unwrap();
        loader.end_file().unwrap();
    }
    loader.finish().unwrap()
}

#[test]
fn cli_predict_streams_through_a_pipe_and_equals_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let m = model("rf");
    let model_path = dir.path().join("m.flowlab");
    std::fs::write(&model_path, flowlab::model_file::write(&m).unwrap()).unwrap();
    let inputs = inputs(dir.path());
    let second = inputs[1].display().to_string();
    let whole = load_as_cli(&inputs, &["stdin", &second], m.taxonomy);
    let mut expected = Vec::new();
    write_csv(
        &whole,
        m.taxonomy,
        &m.predict(&whole).unwrap(),
        &mut expected,
    )
    .unwrap();
    let model_arg = model_path.to_str().unwrap();
    // `-` reads standard input; no --out (or `--out -`) writes standard output.
    for out in [None, Some("-")] {
        let mut args = vec!["predict", model_arg, "-", &second, "--threads", "3"];
        if let Some(o) = out {
            args.extend(["--out", o]);
        }
        let (code, stdout, err) = flowlab_cli(&args, Some(&inputs[0]));
        assert_eq!(code, 0, "{err}");
        assert!(
            stdout == expected,
            "{out:?}: the CSV differs from the in-memory one"
        );
        assert!(
            err.contains(&format!("{} rows → stdout", whole.n_rows())),
            "{err}"
        );
    }
    // eval streams too: the same report as in memory.
    let (code, stdout, err) = flowlab_cli(&["eval", model_arg, "-", &second], Some(&inputs[0]));
    assert_eq!(code, 0, "{err}");
    let (report, classes) = m.evaluate(&whole).unwrap();
    let text = String::from_utf8(stdout).unwrap();
    assert_eq!(
        text,
        format!(
            "rows {}\n{}",
            whole.n_rows(),
            flowlab::report::export::metrics_text(&report, &classes)
        )
    );
}

#[test]
fn cli_inspect_streams_and_prints_the_whole_load_summary() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = inputs(dir.path());
    paths.push(shifting_csv(dir.path()));
    paths.push(fixture("iot23-mix.csv"));
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let whole = load_as_cli(&paths, &names, Taxonomy::Attack).summary();
    let mut args = vec!["inspect", "--json", "--taxonomy", "attack"];
    args.extend(&names);
    let (code, stdout, err) = flowlab_cli(&args, None);
    assert_eq!(code, 0, "{err}");
    let got: flowlab::ingest::Summary = serde_json::from_slice(&stdout).unwrap();
    assert!(!got.warnings.is_empty());
    assert_eq!(got, whole);
}

/// Run by [`predict_memory_stays_bounded`] in a child process: `flowlab predict` in this process,
/// then its peak resident memory (`VmHWM`) on stdout.
#[test]
#[ignore = "run as a child process by predict_memory_stays_bounded"]
fn predict_rss_child() {
    let Ok(args) = std::env::var("FLOWLAB_RSS_ARGS") else {
        return;
    };
    let args: Vec<&str> = args.split('\t').collect();
    assert_eq!(
        flowlab::cli::main(args.iter().map(std::ffi::OsString::from)),
        0
    );
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let hwm = status.lines().find(|l| l.starts_with("VmHWM")).unwrap();
    println!("PEAK {}", hwm.split_whitespace().nth(1).unwrap());
}

/// Peak memory (KiB) of `flowlab predict model input` run in a child process.
fn predict_peak_kib(
    model: &std::path::Path,
    input: &std::path::Path,
    out: &std::path::Path,
) -> u64 {
    let args = [
        "flowlab",
        "predict",
        model.to_str().unwrap(),
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--batch-rows",
        "8192",
    ]
    .join("\t");
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "stream::predict_rss_child",
            "--ignored",
            "--nocapture",
        ])
        .env("FLOWLAB_RSS_ARGS", args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&child.stdout);
    assert!(
        child.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&child.stderr)
    );
    text.lines()
        .find_map(|l| l.strip_prefix("PEAK "))
        .unwrap_or_else(|| panic!("no PEAK line in {text}"))
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn predict_memory_stays_bounded() {
    // ~50 MB of conn.log (400,000 rows), in batches of 8 Ki rows: the peak is reached after a
    // few batches and stays there, so a quarter of the file peaks about as high.
    let dir = tempfile::tempdir().unwrap();
    let big = repeated(dir.path(), "iot23-34-1.conn.log.labeled", 1000);
    let small_dir = tempfile::tempdir().unwrap();
    let small = repeated(small_dir.path(), "iot23-34-1.conn.log.labeled", 250);
    let size = std::fs::metadata(&big).unwrap().len();
    assert!(size > 50_000_000, "{size} bytes");
    let m = model("dt");
    let model_path = dir.path().join("m.flowlab");
    std::fs::write(&model_path, flowlab::model_file::write(&m).unwrap()).unwrap();
    let out = dir.path().join("p.csv");
    let peak_small = predict_peak_kib(&model_path, &small, &out);
    let peak_big = predict_peak_kib(&model_path, &big, &out);
    let rows = std::fs::read_to_string(&out).unwrap().lines().count() - 1;
    assert_eq!(rows, 400_000);
    let whole = load(std::slice::from_ref(&big), opts()).unwrap();
    let held: usize = whole.columns.iter().map(|c| c.len() * 8).sum();
    eprintln!(
        "peak RSS: {peak_small} KiB on {} rows, {peak_big} KiB on {rows} rows (the rows' columns alone: {} KiB)",
        rows / 4,
        held / 1024
    );
    assert!(
        (peak_big as usize) < held / 1024,
        "{peak_big} KiB: more than the rows' columns take in memory"
    );
    // Holding the extra 300,000 rows would add three quarters of `held`; streaming adds only
    // noise (allocator arenas of the scoring threads vary by a few MB from run to run: measured
    // 45–48 MB at 100k rows and 48–52 MB at 400k on 2 cores; under a load of ~8 a run went
    // 54 → 69 MB, as the reader ran ahead of the busy scoring threads). Allow half the extra
    // rows: a predict that held them would still be caught.
    let extra_rows_kib = (held * 3 / 4 / 1024) as u64;
    assert!(
        peak_big < peak_small + extra_rows_kib / 2,
        "memory grows with the input: {peak_small} KiB → {peak_big} KiB \
         (the extra rows' columns: {extra_rows_kib} KiB)"
    );
}

#[test]
fn cli_features_apply_writes_every_rows_model_features() {
    let dir = tempfile::tempdir().unwrap();
    let m = model("dt");
    let model_path = dir.path().join("m.flowlab");
    std::fs::write(&model_path, flowlab::model_file::write(&m).unwrap()).unwrap();
    let input = fixture("iot23-34-1.conn.log.labeled");
    let out = dir.path().join("apply");
    let (code, _, err) = flowlab_cli(
        &[
            "features",
            "--apply",
            model_path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(out.join("rows.csv")).unwrap();
    let mut lines = text.lines();
    let mut header = m.pipeline.names().join(",");
    header.push_str(",label");
    assert_eq!(lines.next().unwrap(), header);
    let whole = load(&[input], opts()).unwrap();
    let x = m.pipeline.transform(&whole).unwrap();
    let (codes, names) = whole.labels_as(m.taxonomy);
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), whole.n_rows());
    for (r, line) in rows.iter().enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let values: Vec<f32> = cells[..x.cols].iter().map(|c| c.parse().unwrap()).collect();
        let same = values
            .iter()
            .zip(x.row(r))
            .all(|(a, b)| a == b || (a.is_nan() && b.is_nan()));
        assert!(same, "row {r}: {line}");
        assert_eq!(cells[x.cols], names[codes[r] as usize]);
    }
}
