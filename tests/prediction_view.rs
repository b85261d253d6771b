//! The Predict tab's bounded rows (`predictions::PredictionView`): while every row fits, its
//! pages equal those of the in-memory `PredictionSet` for every sort and filter; past its budget
//! it keeps the least confident rows and a uniform sample, and says so.
#![cfg(not(target_arch = "wasm32"))]

use crate::common::*;
use flowlab::eval::split::SplitKind;
use flowlab::features::FeatureOptions;
use flowlab::ingest::{Dataset, IngestOptions, Loader, Taxonomy};
use flowlab::job::{train, TrainRequest, TrainedModel};
use flowlab::models::ModelSpec;
use flowlab::predictions::{PredictionSet, PredictionStream, PredictionView, RowQuery, SortKey};

fn model() -> TrainedModel {
    let d = load_one("iot23-mix.csv");
    let req = TrainRequest {
        spec: ModelSpec::default_for("dt").unwrap(),
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

const FILES: [&str; 2] = [
    "iot23-34-1.conn.log.labeled",
    "stratosphere-008.conn.log.labeled",
];

/// The two fixtures in batches of `batch` rows, and loaded whole.
fn batches(batch: usize) -> (Vec<Dataset>, Dataset) {
    let mut loader = Loader::new(opts());
    let mut out = Vec::new();
    for name in FILES {
        loader.start_file(name);
        for c in std::fs::read(fixture(name)).unwrap().chunks(512) {
            loader.feed(c).unwrap();
            while loader.pending_rows() >= batch {
                out.push(loader.take_batch().unwrap());
            }
        }
        loader.end_file().unwrap();
    }
    out.extend(loader.take_batch());
    let rest = loader.finish().unwrap();
    if rest.n_rows() > 0 {
        out.push(rest);
    }
    let whole = load(&FILES.map(fixture), opts()).unwrap();
    (out, whole)
}

fn view_of(m: &TrainedModel, batches: &[Dataset], budget: usize) -> (PredictionView, u64) {
    let mut view = PredictionView::new(m.classes.clone(), m.taxonomy, budget);
    let mut stream = PredictionStream::new(m);
    for b in batches {
        let p = stream.push(b).unwrap();
        view.push(b, &p.predictions);
    }
    (view, stream.finish().rows)
}

fn queries(classes: &[String]) -> Vec<RowQuery> {
    let mut out = Vec::new();
    for sort in [SortKey::Row, SortKey::Confidence, SortKey::Predicted] {
        for descending in [false, true] {
            for (offset, limit) in [(0, 50), (37, 25), (500, 250), (2000, 10)] {
                out.push(RowQuery {
                    offset,
                    limit,
                    sort,
                    descending,
                    ..RowQuery::default()
                });
            }
        }
    }
    let base = RowQuery {
        limit: 1000,
        ..RowQuery::default()
    };
    for c in classes.iter().chain(std::iter::once(&"nope".to_string())) {
        out.push(RowQuery {
            class: Some(c.clone()),
            ..base.clone()
        });
    }
    out.push(RowQuery {
        max_confidence: Some(0.9),
        sort: SortKey::Confidence,
        ..base.clone()
    });
    out.push(RowQuery {
        errors_only: true,
        sort: SortKey::Predicted,
        descending: true,
        ..base
    });
    out
}

#[test]
fn pages_equal_the_in_memory_set_when_every_row_fits() {
    let m = model();
    let (batches, whole) = batches(97);
    assert!(batches.len() >= 2, "{} batches", batches.len());
    let set = PredictionSet::new(1, &m, whole).unwrap();
    let (view, rows) = view_of(&m, &batches, 10_000);
    assert_eq!((view.total(), view.kept(), rows as usize), (550, 550, 550));
    assert_eq!(set.len(), 550);
    assert!(view.note().is_none());
    let mut errors = 0;
    for q in queries(&m.classes) {
        let (a, b) = (view.page(&q), set.page(&q));
        assert_eq!(a, b, "query {q:?}");
        if q.errors_only {
            errors = a.matching;
        }
    }
    assert!(errors > 0, "the errors filter is exercised");
}

#[test]
fn past_the_budget_it_keeps_the_least_confident_and_a_sample() {
    let m = model();
    let (batches, whole) = batches(64);
    let set = PredictionSet::new(1, &m, whole).unwrap();
    let (view, rows) = view_of(&m, &batches, 100);
    assert_eq!((view.total(), rows), (550, 550));
    let kept = view.kept();
    assert!((51..=100).contains(&kept), "kept {kept}");
    let note = view.note().unwrap();
    assert!(
        note.starts_with(&format!("The table keeps {kept} of the 550 rows (memory budget): the 50 least confident and a uniform sample of 50")),
        "{note}"
    );
    // The 50 least confident rows of the whole file are all there (ties broken by row order).
    let all = RowQuery {
        sort: SortKey::Confidence,
        limit: 50,
        ..RowQuery::default()
    };
    let lowest: Vec<usize> = set.page(&all).rows.iter().map(|r| r.row).collect();
    let page = view.page(&RowQuery {
        limit: 1000,
        ..all.clone()
    });
    assert_eq!(page.matching, kept);
    let in_view: Vec<usize> = page.rows.iter().map(|r| r.row).collect();
    assert_eq!(
        &in_view[..50],
        &lowest[..],
        "the least confident rows come first"
    );
    // Each kept row is the same row as in the whole set (file, line, prediction, truth).
    let everything = set.page(&RowQuery {
        limit: 1000,
        ..RowQuery::default()
    });
    for r in &page.rows {
        assert_eq!(r, &everything.rows[r.row]);
    }
    // The sample half spreads over the file: rows from both files are kept.
    let files: std::collections::BTreeSet<&str> =
        page.rows.iter().map(|r| r.file.as_str()).collect();
    assert_eq!(files.len(), 2, "{files:?}");
}

#[test]
fn kept_rows_explain_as_the_whole_file_does() {
    use flowlab::predictions::explain::{explain, explain_features, RowAt};
    let m = model();
    let (batches, whole) = batches(64);
    let mut view = PredictionView::new(m.classes.clone(), m.taxonomy, 100);
    let mut stream = PredictionStream::new(&m);
    for b in &batches {
        let p = stream.push(b).unwrap();
        view.push_explainable(b, &p.predictions, &p.features);
    }
    let page = view.page(&RowQuery {
        limit: 1000,
        ..RowQuery::default()
    });
    assert!(page.rows.len() > 50, "{} kept", page.rows.len());
    for r in page.rows.iter().step_by(7) {
        let (f, file, line) = view.features(r.row).unwrap();
        assert_eq!((file, line), (r.file.as_str(), r.line));
        let x = flowlab::data::Matrix {
            rows: 1,
            cols: f.len(),
            data: f.to_vec(),
        };
        let at = RowAt {
            row: r.row,
            file: file.to_string(),
            line,
        };
        let kept = explain_features(&m, &x, &[at], true).unwrap();
        let from_file = explain(&m, &whole, &[r.row], true).unwrap();
        assert_eq!(kept, from_file, "row {}", r.row);
        // The waterfall's end is the probability the table shows for the predicted class.
        let e = &kept.rows[0];
        assert_eq!(e.predicted, r.predicted);
        assert!(
            (e.explained.output - r.confidence as f64).abs() < 1e-5,
            "{} vs {}",
            e.explained.output,
            r.confidence
        );
        assert_eq!(e.per_class.len(), m.classes.len());
    }
    // A row the view does not keep has no features to explain.
    let kept: std::collections::BTreeSet<usize> = page.rows.iter().map(|r| r.row).collect();
    let dropped = (0..550).find(|i| !kept.contains(i)).unwrap();
    assert!(view.features(dropped).is_none());
    // Rows pushed without features keep none.
    let mut plain = PredictionView::new(m.classes.clone(), m.taxonomy, 1000);
    let p = PredictionStream::new(&m).push(&batches[0]).unwrap();
    plain.push(&batches[0], &p.predictions);
    assert_eq!(plain.features(0).unwrap().0.len(), 0);
}

#[test]
fn importance_sample_is_seeded_bounded_and_sorted() {
    use flowlab::predictions::explain::sample_rows;
    let rows: Vec<usize> = (0..1000).map(|i| i * 3).collect();
    let a = sample_rows(&rows, 200, 7);
    assert_eq!(a.len(), 200);
    assert_eq!(
        a,
        sample_rows(&rows, 200, 7),
        "the same seed, the same rows"
    );
    assert_ne!(a, sample_rows(&rows, 200, 8));
    assert!(a.windows(2).all(|w| w[0] < w[1]), "ascending, no repeats");
    assert!(a.iter().all(|r| r % 3 == 0), "only rows that were offered");
    assert_eq!(sample_rows(&rows[..50], 200, 7), rows[..50].to_vec());
}
