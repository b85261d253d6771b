//! The Explore tab's numbers on real fixtures, checked against values computed from the files
//! independently (Python over the raw text).
#![cfg(not(target_arch = "wasm32"))]

use crate::common::*;
use flowlab::explore::{explore, ColumnStats, Exploration, HISTOGRAM_BINS, UNLABELLED};
use flowlab::ingest::{IngestOptions, Loader, Taxonomy};

fn col<'a>(e: &'a Exploration, name: &str) -> &'a ColumnStats {
    e.columns
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn close(a: Option<f64>, b: f64, tol: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() <= tol * b.abs().max(1.0))
}

fn load_text(name: &str, text: &str) -> flowlab::ingest::Dataset {
    let mut loader = Loader::new(IngestOptions::default());
    loader.start_file(name);
    loader.feed(text.as_bytes()).unwrap();
    loader.end_file().unwrap();
    loader.finish().unwrap()
}

#[test]
fn iot23_classes_and_column_statistics_match_the_file() {
    let d = load_one("iot23-34-1.conn.log.labeled");
    let e = explore(&d, Taxonomy::Raw);
    assert_eq!(e.rows, 400);
    assert_eq!(e.unlabelled, 0);
    let classes: Vec<(&str, u64)> = e
        .classes
        .iter()
        .map(|c| (c.name.as_str(), c.rows))
        .collect();
    assert_eq!(
        classes,
        vec![
            ("Benign", 120),
            ("C&C", 120),
            ("DDoS", 120),
            ("PartOfAHorizontalPortScan", 40)
        ]
    );
    assert!((e.classes[3].share - 0.1).abs() < 1e-12);

    // Python: 254 missing, min 0.000499, max 10.001552, mean 2.341894561643836,
    // stdev 1.9444791167108604, 145 distinct.
    let duration = col(&e, "duration");
    assert_eq!(
        (duration.kind.as_str(), duration.role.as_str()),
        ("numeric", "feature")
    );
    assert_eq!(
        (duration.present, duration.missing, duration.unique),
        (146, 254, 145)
    );
    assert_eq!(
        (duration.min, duration.max),
        (Some(0.000499), Some(10.001552))
    );
    assert!(
        close(duration.mean, 2.341894561643836, 1e-12),
        "{duration:?}"
    );
    assert!(
        close(duration.std, 1.9444791167108604, 1e-12),
        "{duration:?}"
    );

    let resp_bytes = col(&e, "resp_bytes");
    assert_eq!((resp_bytes.missing, resp_bytes.unique), (254, 11));
    assert_eq!((resp_bytes.min, resp_bytes.max), (Some(0.0), Some(99303.0)));
    assert!(close(resp_bytes.std, 8212.268909931752, 1e-12));

    let orig_pkts = col(&e, "orig_pkts");
    assert_eq!((orig_pkts.missing, orig_pkts.unique), (0, 18));
    assert!(close(orig_pkts.mean, 63.1325, 1e-12));

    // Text column: 342 missing, irc 37, dns 20, http 1.
    let service = col(&e, "service");
    assert_eq!(
        (service.kind.as_str(), service.missing, service.unique),
        ("text", 342, 3)
    );
    let top: Vec<(&str, u64)> = service
        .top
        .iter()
        .map(|v| (v.value.as_str(), v.rows))
        .collect();
    assert_eq!(top, vec![("irc", 37), ("dns", 20), ("http", 1)]);
    assert_eq!(service.min, None);
    let state = col(&e, "conn_state");
    assert_eq!(state.unique, 5);
    assert_eq!(
        (state.top[0].value.as_str(), state.top[0].rows),
        ("S0", 196)
    );
    assert_eq!(state.top.len(), 5);
}

#[test]
fn iot23_quality_panel() {
    let d = load_one("iot23-34-1.conn.log.labeled");
    let e = explore(&d, Taxonomy::Raw);
    let q = &e.quality;
    // Every row has its own uid and timestamp: no row repeats in full.
    assert_eq!(q.duplicate_rows, 0);
    // local_orig, local_resp and tunnel_parents are unset ("-") on every row: constant (empty).
    let constant: Vec<(&str, Option<&str>)> = q
        .constant_columns
        .iter()
        .map(|c| (c.column.as_str(), c.value.as_deref()))
        .collect();
    for name in ["local_orig", "local_resp", "tunnel_parents"] {
        assert!(constant.contains(&(name, None)), "{name} in {constant:?}");
    }
    assert!(q
        .constant_columns
        .iter()
        .all(|c| c.column != "missed_bytes"));
    // Most missing first; the three empty columns have all 400 rows missing.
    assert_eq!(q.missing[0].missing, 400);
    let duration = q.missing.iter().find(|m| m.column == "duration").unwrap();
    assert_eq!(duration.missing, 254);
    assert!((duration.share - 254.0 / 400.0).abs() < 1e-12);
    assert!(q.missing.iter().all(|m| m.column != "orig_pkts"));
    // Identifiers and labels are not features.
    assert!(q.feature_columns.iter().any(|c| c == "duration"));
    assert!(q.feature_columns.iter().all(|c| ![
        "uid",
        "ts",
        "id.orig_h",
        "label",
        "detailed-label"
    ]
    .contains(&c.as_str())));
    // Python over the file, rows keyed by the 15 feature columns: 250 repeat an earlier row, and 46
    // rows share their features with a row of another class.
    assert_eq!(q.feature_columns.len(), 15);
    assert_eq!(q.duplicate_feature_rows, 250);
    assert_eq!(q.conflicting_rows, 46);
}

#[test]
fn duplicates_conflicts_and_constants_on_a_small_table() {
    let text = "a,b,kind,flag,label\n\
                1,2,x,7,Benign\n\
                1,2,x,7,Benign\n\
                1,2,x,7,DDoS\n\
                3,-,y,7,DDoS\n\
                3,-,y,7,DDoS\n\
                4,5,x,7,Benign\n";
    let d = load_text("t.csv", text);
    let e = explore(&d, Taxonomy::Raw);
    let q = &e.quality;
    // Rows 2 and 5 repeat rows 1 and 4 exactly (missing equals missing).
    assert_eq!(q.duplicate_rows, 2);
    // On the features alone, row 3 repeats row 1 as well.
    assert_eq!(q.duplicate_feature_rows, 3);
    // Rows 1–3 share features but not the class.
    assert_eq!(q.conflicting_rows, 3);
    assert_eq!(q.constant_columns.len(), 1);
    assert_eq!(q.constant_columns[0].column, "flag");
    assert_eq!(q.constant_columns[0].value.as_deref(), Some("7"));
    assert_eq!(q.missing.len(), 1);
    assert_eq!(
        (q.missing[0].column.as_str(), q.missing[0].missing),
        ("b", 2)
    );
}

#[test]
fn histograms_split_by_class_and_count_every_row() {
    let d = load_one("iot23-34-1.conn.log.labeled");
    let e = explore(&d, Taxonomy::Raw);
    let h = &e.histograms;
    assert_eq!(
        h.series,
        vec!["Benign", "C&C", "DDoS", "PartOfAHorizontalPortScan"]
    );
    assert!(!h.features.is_empty());
    for f in &h.features {
        let total: u64 = f.counts.iter().flatten().sum::<u64>() + f.missing.iter().sum::<u64>();
        assert_eq!(total, 400, "{}", f.column);
        assert_eq!(f.edges.len(), f.counts[0].len() + 1);
        assert!(f.edges.windows(2).all(|w| w[0] < w[1]), "{}", f.column);
    }
    for w in h.features.windows(2) {
        assert!(w[0].mutual_information >= w[1].mutual_information);
    }
    // resp_bytes spans 0..99303: log bins; per class, missing as in the file.
    let rb = h
        .features
        .iter()
        .find(|f| f.column == "resp_bytes")
        .unwrap();
    assert!(rb.log);
    assert_eq!(rb.counts[0].len(), HISTOGRAM_BINS);
    assert_eq!(rb.missing.iter().sum::<u64>(), 254);
    assert_eq!((rb.edges[0], *rb.edges.last().unwrap()), (0.0, 99303.0));
    // The one 99303-byte response is a Benign row, in the last bin.
    assert_eq!(rb.counts[0][HISTOGRAM_BINS - 1], 1);
    // missed_bytes is 0 or 5792: three orders of magnitude, log bins too.
    let mb = h
        .features
        .iter()
        .find(|f| f.column == "missed_bytes")
        .unwrap();
    assert!(mb.log);
    // duration spans 0.0005..10: linear.
    let du = h.features.iter().find(|f| f.column == "duration").unwrap();
    assert!(!du.log);
    assert!(h.note.is_none());
}

#[test]
fn correlation_is_symmetric_with_a_unit_diagonal() {
    let d = load_one("iot23-34-1.conn.log.labeled");
    let e = explore(&d, Taxonomy::Raw);
    let c = &e.correlation;
    assert_eq!(c.rows_used, 400);
    let k = c.columns.len();
    assert!(k >= 5, "{:?}", c.columns);
    let at = |a: &str, b: &str| {
        let i = c.columns.iter().position(|x| x == a).unwrap();
        let j = c.columns.iter().position(|x| x == b).unwrap();
        c.values[i][j]
    };
    for i in 0..k {
        for j in 0..k {
            assert_eq!(c.values[i][j], c.values[j][i]);
        }
    }
    assert!(close(at("duration", "duration"), 1.0, 1e-12));
    // Packets and IP bytes of the originator move together.
    assert!(at("orig_pkts", "orig_ip_bytes").unwrap() > 0.99);
    // Empty columns have no correlation and are left out.
    assert!(!c.columns.iter().any(|x| x == "local_orig"));
}

#[test]
fn leakage_warnings_carry_their_numbers() {
    let d = load_one("iot23-mix.csv");
    let e = explore(&d, Taxonomy::Attack);
    let l = &e.leakage;
    assert!(
        l.split.starts_with("stratified 25 % hold-out (seed 42)"),
        "{}",
        l.split
    );
    let port = l.findings.iter().find(|f| f.column == "id.resp_p").unwrap();
    assert!(port.warn && port.alone_macro_f1 > 0.8, "{port:?}");
    assert!(port.baseline_macro_f1 < 0.2);
    assert!(l.findings.iter().any(|f| f.column == "uid" && f.warn));
    // Same numbers as the detector run directly on the same split.
    let (y, classes) = d.labels_as(Taxonomy::Attack);
    let s = flowlab::eval::split::stratified_holdout(&y, 0.25, 42);
    let direct = flowlab::eval::leakage::detect(&d, &y, classes.len(), &s);
    assert_eq!(direct, l.findings);
}

#[test]
fn unlabelled_rows_and_taxonomies() {
    let d = load_one("stratosphere-008.conn.log.labeled");
    let e = explore(&d, Taxonomy::Binary);
    let classes: Vec<(&str, u64)> = e
        .classes
        .iter()
        .map(|c| (c.name.as_str(), c.rows))
        .collect();
    assert_eq!(
        classes,
        vec![("Background", 50), ("Benign", 50), ("Malicious", 50)]
    );

    let text = "x,label\n1,a\n2,\n3,b\n";
    let e = explore(&load_text("u.csv", text), Taxonomy::Raw);
    assert_eq!(e.unlabelled, 1);
    assert_eq!(e.classes.len(), 2);
    assert_eq!(
        e.histograms.series.last().map(String::as_str),
        Some(UNLABELLED)
    );
    let f = &e.histograms.features[0];
    assert_eq!(f.counts[2].iter().sum::<u64>(), 1);
}

#[test]
fn no_labels_no_leakage_scan_with_a_reason() {
    let text = "x,y,label\n1,2,a\n2,4,a\n3,7,a\n";
    let e = explore(&load_text("one.csv", text), Taxonomy::Raw);
    assert!(e.leakage.findings.is_empty());
    assert!(e
        .leakage
        .note
        .as_deref()
        .unwrap()
        .contains("only one class (a)"));
    let r = e.correlation.values[0][1].unwrap();
    // Pearson of [1,2,3] and [2,4,7], by hand in Python
    assert!((r - 0.993_399_267_798_782_8).abs() < 1e-12, "{r}");
}

#[test]
fn the_exploration_is_small_and_round_trips_as_json() {
    let d = load_one("iot23-mix.csv");
    let e = explore(&d, Taxonomy::Raw);
    let json = serde_json::to_string(&e).unwrap();
    assert!(json.len() < 200_000, "{} bytes", json.len());
    let back: Exploration = serde_json::from_str(&json).unwrap();
    // Integers and text come back exactly; floats to within the JSON text's precision.
    assert_eq!((back.rows, back.taxonomy), (e.rows, e.taxonomy));
    assert_eq!(back.quality, e.quality);
    assert_eq!(back.histograms.series, e.histograms.series);
    assert_eq!(back.leakage.findings.len(), e.leakage.findings.len());
    for (a, b) in back
        .correlation
        .values
        .iter()
        .flatten()
        .zip(e.correlation.values.iter().flatten())
    {
        assert!(match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-12,
            (None, None) => true,
            _ => false,
        });
    }
}

/// The numbers e2e/explore.test.mjs expects on the page for the embedded sample (Python over the
/// raw files: 3,437 rows; duration 2,373 missing, max 322.370929, 1,044 distinct; service top ssh
/// 583; nothing repeated in full).
#[test]
fn the_embedded_sample_as_the_explore_tab_shows_it() {
    let d = load(&sample_files(), IngestOptions::default()).unwrap();
    let e = explore(&d, Taxonomy::Raw);
    assert_eq!(e.rows, 3437);
    assert_eq!(e.classes.len(), 8);
    assert_eq!(e.columns.len(), 23);
    let duration = col(&e, "duration");
    assert_eq!((duration.missing, duration.unique), (2373, 1044));
    assert_eq!((duration.min, duration.max), (Some(4e-6), Some(322.370929)));
    assert!(close(duration.mean, 4.701786079887218, 1e-12));
    assert!(close(duration.std, 12.28739344185667, 1e-12));
    assert_eq!(flowlab::explore::format_value(322.370929), "322.371");
    let orig_bytes = col(&e, "orig_bytes");
    assert_eq!(orig_bytes.max, Some(2945024.0));
    let service = col(&e, "service");
    assert_eq!((service.missing, service.unique), (2767, 4));
    assert_eq!(
        (service.top[0].value.as_str(), service.top[0].rows),
        ("ssh", 583)
    );
    assert_eq!(e.quality.duplicate_rows, 0);
    assert!(e
        .quality
        .constant_columns
        .iter()
        .any(|c| c.column == "local_orig"));
    eprintln!(
        "sample: {} feature-duplicate rows, {} conflicting, {} constant, histograms {:?}, correlation {} columns",
        e.quality.duplicate_feature_rows,
        e.quality.conflicting_rows,
        e.quality.constant_columns.len(),
        e.histograms.features.iter().map(|f| (&f.column, f.log, (f.mutual_information * 1000.0).round() / 1000.0)).collect::<Vec<_>>(),
        e.correlation.columns.len()
    );
    for f in e.leakage.findings.iter().filter(|f| f.warn) {
        eprintln!(
            "leak: {} {} {:.4} {:.4} {}",
            f.column, f.role, f.alone_macro_f1, f.baseline_macro_f1, f.message
        );
    }
    let json = serde_json::to_string(&e).unwrap();
    eprintln!("json {} bytes", json.len());
}

/// The larger shared captures: the message stays small (histograms capped, correlation columns
/// few) whatever the row count.
#[test]
fn shared_captures_stay_small() {
    let Some(p) = shared("iot23/iot23_mix_shared.conn.log.labeled") else {
        return;
    };
    let d = load(&[p], IngestOptions::default()).unwrap();
    let started = std::time::Instant::now();
    let e = explore(&d, Taxonomy::Attack);
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let json = serde_json::to_string(&e).unwrap();
    eprintln!(
        "{} rows: explored in {ms:.0} ms (debug build), {} bytes of JSON",
        e.rows,
        json.len()
    );
    assert!(e.rows > 10_000, "{}", e.rows);
    assert!(json.len() < 300_000, "{} bytes", json.len());
    assert!(e.histograms.features.len() <= flowlab::explore::MAX_HISTOGRAMS);
    assert_eq!(
        e.correlation.rows_used,
        e.rows.min(flowlab::explore::CORRELATION_SAMPLE)
    );
}
