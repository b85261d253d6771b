//! Property tests (proptest) of the invariants the code relies on: any chunking of a file parses
//! to the same data set; a model file round-trips byte-identically; a forest grown in any number
//! of parts merges to the forest grown whole; metrics stay in range on any labels. Native only
//! (proptest is a native dev-dependency); few cases each, so the debug test run stays short.
#![cfg(not(target_arch = "wasm32"))]

use flowlab::data::Matrix;
use flowlab::eval::metrics::Report;
use flowlab::ingest::{Dataset, IngestOptions, Loader};
use flowlab::job::TrainedModel;
use flowlab::model_file;
use flowlab::models::forest::{RandomForest, RandomForestParams};
use flowlab::models::naive_bayes::{GaussianNb, GaussianNbParams};
use flowlab::models::tree::{DecisionTree, DecisionTreeParams};
use proptest::prelude::*;

use crate::common::fixture;

/// Small files of different kinds: Zeek TSV, CIDDS CSV, UTF-16 text, gzip, zip, Zeek JSON (cut).
const FILES: [&str; 6] = [
    "stratosphere-008.conn.log.labeled",
    "cidds-001.csv",
    "formats/unicode-text-be.txt",
    "iot23-34-1.conn.log.labeled.gz",
    "two-captures.zip",
    "formats/latin1.csv",
];

/// `bytes` read as one file named `name`, fed in chunks of the given sizes (cycled).
fn load(name: &str, bytes: &[u8], sizes: &[usize]) -> Dataset {
    let mut loader = Loader::new(IngestOptions::default());
    loader.start_file(name);
    let (mut at, mut i) = (0, 0);
    while at < bytes.len() {
        let end = bytes.len().min(at + sizes[i % sizes.len()]);
        loader.feed(&bytes[at..end]).unwrap();
        (at, i) = (end, i + 1);
    }
    loader.end_file().unwrap();
    loader.finish().unwrap()
}

/// A small learnable problem from a seed: `rows × cols` values, `k` classes.
fn problem(seed: u64, rows: usize, cols: usize, k: usize) -> (Matrix, Vec<u32>) {
    let mut s = seed | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s % 1000) as f32 / 10.0
    };
    let data: Vec<f32> = (0..rows * cols).map(|_| next()).collect();
    // Every class present: the label cycles, and nudges the first feature.
    let y: Vec<u32> = (0..rows).map(|r| (r % k) as u32).collect();
    let mut x = Matrix { rows, cols, data };
    for (row, &c) in x.data.chunks_mut(cols).zip(&y) {
        row[0] += 50.0 * c as f32;
    }
    (x, y)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The number parser (an exact fast path for plain decimals, the standard parser for the
    /// rest) reads every number-like spelling as `str::parse::<f64>` does, bit for bit, and
    /// refuses what that refuses or reads as infinite or NaN: signs, `.5`, `5.`, exponents,
    /// mantissas longer than 19 digits or past 2^53, `inf`/`nan` words.
    #[test]
    fn numbers_read_as_the_standard_parser_reads_them(
        text in "[+-]?[0-9]{0,24}(\\.[0-9]{0,24})?([eE][+-]?[0-9]{1,3})?|[+-]?(inf|infinity|nan|NaN|Inf)|-",
    ) {
        let std = text.parse::<f64>().ok().filter(|x| x.is_finite());
        let ours = flowlab::ingest::parse_number(&text);
        prop_assert_eq!(ours.map(f64::to_bits), std.map(f64::to_bits), "{:?}", text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_chunking_parses_to_the_same_rows(
        file in 0..FILES.len(),
        sizes in proptest::collection::vec(1usize..700, 1..8),
    ) {
        let name = FILES[file];
        let bytes = std::fs::read(fixture(name)).unwrap();
        let whole = load(name, &bytes, &[bytes.len()]);
        let chunked = load(name, &bytes, &sizes);
        prop_assert_eq!(&whole.labels, &chunked.labels);
        // Compared as text: missing numbers are NaN, which `==` never matches.
        prop_assert_eq!(format!("{:?}", whole.columns), format!("{:?}", chunked.columns));
        prop_assert_eq!(format!("{whole:?}"), format!("{chunked:?}"));
    }

    #[test]
    fn model_files_round_trip_byte_identically(
        seed in any::<u64>(),
        rows in 6usize..40,
        cols in 1usize..5,
        k in 2usize..4,
    ) {
        let (x, y) = problem(seed, rows, cols, k);
        let tree = DecisionTree::fit(&DecisionTreeParams::default(), &x, &y, k, &mut |_| true).unwrap();
        let nb = GaussianNb::fit(&GaussianNbParams::default(), &x, &y, k, &mut |_| true).unwrap();
        let bytes = model_file::write(&(&tree, &nb)).unwrap();
        let back: (DecisionTree, GaussianNb) = model_file::read(&bytes).unwrap();
        prop_assert_eq!(model_file::write(&back).unwrap(), bytes);
        prop_assert_eq!(back.0.predict_proba(&x).unwrap(), tree.predict_proba(&x).unwrap());
    }

    #[test]
    fn a_forest_in_any_parts_merges_to_the_whole_forest(
        seed in any::<u64>(),
        n_trees in 1usize..7,
        cuts in proptest::collection::vec(0usize..7, 0..4),
    ) {
        let (x, y) = problem(seed, 30, 3, 3);
        let params = RandomForestParams { n_trees, seed, ..Default::default() };
        let whole = RandomForest::fit(&params, &x, &y, 3, &mut |_| true).unwrap();
        let binned = RandomForest::bin(&params, &x).unwrap();
        let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c % (n_trees + 1)).collect();
        bounds.extend([0, n_trees]);
        bounds.sort_unstable();
        let mut trees = Vec::new();
        for w in bounds.windows(2) {
            trees.extend(RandomForest::fit_trees(&params, &binned, &y, 3, w[0]..w[1], &mut |_| true).unwrap());
        }
        let merged = RandomForest::from_trees(&params, &binned, &y, 3, trees).unwrap();
        prop_assert_eq!(model_file::write(&merged).unwrap(), model_file::write(&whole).unwrap());
    }

    #[test]
    fn metrics_stay_in_range_on_any_labels(
        k in 1usize..6,
        pairs in proptest::collection::vec((0u32..6, 0u32..6, 0.0f32..1.0), 1..60),
    ) {
        let y_true: Vec<u32> = pairs.iter().map(|p| p.0 % k as u32).collect();
        let y_pred: Vec<u32> = pairs.iter().map(|p| p.1 % k as u32).collect();
        // Probabilities: the predicted class gets the drawn share, the rest is spread evenly.
        let proba: Vec<f32> = pairs
            .iter()
            .zip(&y_pred)
            .flat_map(|(p, &c)| {
                (0..k).map(move |j| {
                    if k == 1 { 1.0 } else if j == c as usize { p.2 } else { (1.0 - p.2) / (k - 1) as f32 }
                })
            })
            .collect();
        let r = Report::new(&y_true, &y_pred, Some(&proba), k);
        let unit = [
            r.accuracy, r.balanced_accuracy, r.macro_precision, r.macro_recall, r.macro_f1,
            r.weighted_precision, r.weighted_recall, r.weighted_f1,
        ];
        for v in unit.into_iter().chain(r.roc_auc).chain(r.pr_auc) {
            prop_assert!((0.0..=1.0 + 1e-12).contains(&v), "{} out of [0, 1]: {:?}", v, r);
        }
        prop_assert!((-1.0 - 1e-12..=1.0 + 1e-12).contains(&r.mcc), "mcc {}", r.mcc);
        let total: u64 = r.confusion.iter().flatten().sum();
        prop_assert_eq!(total, pairs.len() as u64);
        let agree = y_true.iter().zip(&y_pred).filter(|(a, b)| a == b).count();
        prop_assert!((r.accuracy - agree as f64 / pairs.len() as f64).abs() < 1e-12);
    }
}

#[test]
fn the_fixture_model_file_round_trips_byte_identically() {
    let bytes = std::fs::read(fixture("models/iot23-dt.flowlab")).unwrap();
    let m: TrainedModel = model_file::read(&bytes).unwrap();
    let again = model_file::write(&m).unwrap();
    // The fixture is format 2; written again it is format 3 (gbdt's class_weight). It holds no
    // gbdt, so the version is the only difference.
    assert_eq!(bytes[8..12], 2u32.to_le_bytes());
    assert_eq!(again[8..12], model_file::VERSION.to_le_bytes());
    assert_eq!((&again[..8], &again[12..]), (&bytes[..8], &bytes[12..]));
}
