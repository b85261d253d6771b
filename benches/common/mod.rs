//! Helpers shared by the model benchmarks (`benches/nn.rs`, `benches/trees.rs`): the shared
//! IoT-23 mix turned into train / hold-out feature matrices, CPU time and accuracy.
#![allow(dead_code)]

use std::path::Path;
use std::time::Instant;

use flowlab::data::Matrix;
use flowlab::eval::split::Split;
use flowlab::features::{FeatureOptions, Pipeline};
use flowlab::ingest::{IngestOptions, Loader, Taxonomy};

/// The shared data file both benchmarks read.
pub const IOT23_MIX: &str = "iot23/iot23_mix_shared.conn.log.labeled";

/// The benchmark data: features of every row (fitted on the training rows) and the split.
pub struct BenchData {
    /// Rows in the file.
    pub n_rows: usize,
    /// Attack-taxonomy label codes of every row (`MISSING` for unlabelled ones).
    pub labels: Vec<u32>,
    pub classes: Vec<String>,
    pub split: Split,
    /// Features of every row.
    pub x: Matrix,
    pub xtr: Matrix,
    pub ytr: Vec<u32>,
    pub xte: Matrix,
    pub yte: Vec<u32>,
    /// Seconds spent loading the file and building features.
    pub load_seconds: f64,
}

impl BenchData {
    /// Loads `../shared/data/` + [`IOT23_MIX`] (Attack taxonomy), splits it with `split` (given
    /// the label codes) and builds the features, fitted on the training rows. `None`, with a note
    /// on stderr, when the shared data is absent.
    pub fn load(bench: &str, split: impl FnOnce(&[u32]) -> Split) -> Option<BenchData> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data")
            .join(IOT23_MIX);
        if !path.exists() {
            eprintln!(
                "SKIP: {} not found (../shared/data is absent); the {bench} benchmark needs the shared data",
                path.display()
            );
            return None;
        }
        let t = Instant::now();
        let bytes = std::fs::read(&path).expect("read data");
        let mut loader = Loader::new(IngestOptions {
            taxonomy: Taxonomy::Attack,
            ..Default::default()
        });
        loader.start_file(path.file_name()?.to_str()?);
        for chunk in bytes.chunks(1 << 20) {
            loader.feed(chunk).expect("parse");
        }
        loader.end_file().expect("end");
        let data = loader.finish().expect("finish");
        let (labels, classes) = data.labels_as(Taxonomy::Attack);
        let split = split(&labels);
        let pipe = Pipeline::fit(&data, &split.train, &FeatureOptions::default());
        let x = pipe.transform(&data).expect("transform");
        Some(BenchData::new(data.n_rows(), labels, classes, split, x, t))
    }

    fn new(
        n_rows: usize,
        labels: Vec<u32>,
        classes: Vec<String>,
        split: Split,
        x: Matrix,
        started: Instant,
    ) -> BenchData {
        let (xtr, xte) = (select(&x, &split.train), select(&x, &split.test));
        let ytr = split.train.iter().map(|&r| labels[r]).collect();
        let yte = split.test.iter().map(|&r| labels[r]).collect();
        BenchData {
            n_rows,
            labels,
            classes,
            split,
            x,
            xtr,
            ytr,
            xte,
            yte,
            load_seconds: started.elapsed().as_secs_f64(),
        }
    }

    /// Replaces the features (e.g. with an added column) and rebuilds the train / hold-out
    /// matrices.
    pub fn with_features(self, x: Matrix) -> BenchData {
        let started = Instant::now();
        let load = self.load_seconds;
        let mut d = BenchData::new(
            self.n_rows,
            self.labels,
            self.classes,
            self.split,
            x,
            started,
        );
        d.load_seconds += load;
        d
    }

    pub fn n_classes(&self) -> usize {
        self.classes.len()
    }
}

/// Rows `rows` of `x`, in that order.
pub fn select(x: &Matrix, rows: &[usize]) -> Matrix {
    x.select_rows(rows)
}

/// CPU seconds used by this process (user + system, from Linux `/proc/self/stat`; `NaN`
/// elsewhere): the machine is shared, so CPU time is the steadier number.
pub fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Runs `f`, returning its result, wall seconds and CPU seconds.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let (t, c) = (Instant::now(), cpu_seconds());
    let out = f();
    (out, t.elapsed().as_secs_f64(), cpu_seconds() - c)
}

/// Share of `pred` equal to `y`.
pub fn accuracy(pred: &[u32], y: &[u32]) -> f64 {
    pred.iter().zip(y).filter(|(p, t)| p == t).count() as f64 / y.len().max(1) as f64
}
