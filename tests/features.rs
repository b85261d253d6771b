//! Columns → matrix: what becomes an input, what is excluded, and that a saved pipeline applies
//! the same transform to a new file.
#![cfg(not(target_arch = "wasm32"))] // reads files and runs the CLI: native only

use crate::common::*;
use flowlab::features::{FeatureOptions, Pipeline};
use flowlab::ingest::IngestOptions;

fn all_rows(n: usize) -> Vec<usize> {
    (0..n).collect()
}

#[test]
fn zeek_features_exclude_identifiers_and_engineer_flow_features() {
    let d = load_one("iot23-34-1.conn.log.labeled");
    // The time of day is off by default (it names the capture) and flagged when asked for.
    let default = Pipeline::fit(&d, &all_rows(d.n_rows()), &FeatureOptions::default());
    assert!(default.index_of("hour_of_day").is_none());
    let off = default.excluded.iter().find(|e| e.column == "hour_of_day");
    assert!(
        off.is_some_and(|e| e.reason.starts_with("time of day: may leak")),
        "{off:?}"
    );
    let opts = FeatureOptions::default().time_of_day(true);
    assert!(opts.exclude_columns.is_empty());
    let p = Pipeline::fit(&d, &all_rows(d.n_rows()), &opts);
    assert_eq!(p.width(), default.width() + 1);
    assert!(p.features[p.index_of("hour_of_day").unwrap()].may_leak);
    let names = p.names();
    for gone in [
        "ts",
        "uid",
        "id.orig_h",
        "id.resp_h",
        "id.orig_p",
        "id.resp_p",
        "label",
        "detailed-label",
    ] {
        assert!(
            !names
                .iter()
                .any(|n| *n == gone || n.starts_with(&format!("{gone}="))),
            "{gone} must not be an input"
        );
        assert!(
            p.excluded.iter().any(|e| e.column == gone),
            "{gone} is listed as excluded"
        );
    }
    for want in [
        "duration",
        "orig_bytes",
        "proto=tcp",
        "proto=udp",
        "proto=other",
        "conn_state=S0",
        "service=missing",
        "orig_bytes_per_pkt",
        "resp_bytes_per_pkt",
        "orig_share_bytes",
        "log1p_bytes_per_s",
        "history_S",
        "history_len",
        "hour_of_day",
    ] {
        assert!(p.index_of(want).is_some(), "{want} missing from {names:?}");
    }
    let x = p.transform(&d).unwrap();
    assert_eq!((x.rows, x.cols), (400, p.width()));
    // Row 1 of the fixture: history "S", 3 orig packets with 180 IP bytes but 0 payload bytes,
    // conn_state S0, duration 3.139211, started 1545403816 (14:50 UTC).
    let at = |n: &str| x.get(0, p.index_of(n).unwrap());
    assert_eq!(at("history_S"), 1.0);
    assert_eq!(at("history_len"), 1.0);
    assert_eq!(at("conn_state=S0"), 1.0);
    assert_eq!(at("orig_bytes_per_pkt"), 0.0);
    assert_eq!(at("duration"), 3.139211);
    assert_eq!(at("hour_of_day"), 14.0);
    assert!(
        at("orig_share_bytes").is_nan(),
        "0 bytes both ways: share undefined"
    );
}

#[test]
fn ports_only_on_request_and_flagged() {
    let d = load_one("iot23-reduced.csv");
    let rows = all_rows(d.n_rows());
    let p = Pipeline::fit(&d, &rows, &FeatureOptions::default());
    assert!(p.index_of("dst_port").is_none());
    let with = Pipeline::fit(
        &d,
        &rows,
        &FeatureOptions {
            include_ports: true,
            ..Default::default()
        },
    );
    let f = &with.features[with.index_of("dst_port").unwrap()];
    assert!(f.may_leak);
    assert_eq!(f.kind, "port");
}

#[test]
fn categories_come_from_training_rows_only_and_unseen_ones_go_to_other() {
    let d = load_one("iot23-34-1.conn.log.labeled");
    let n = d.n_rows();
    let udp: Vec<usize> = (0..n)
        .filter(|&r| d.column("proto").unwrap().as_text().unwrap().get(r) == Some("udp"))
        .collect();
    let tcp_only: Vec<usize> = (0..n).filter(|r| !udp.contains(r)).collect();
    assert!(!udp.is_empty());
    let p = Pipeline::fit(&d, &tcp_only, &FeatureOptions::default());
    assert!(
        p.index_of("proto=udp").is_none(),
        "udp was not in the training rows"
    );
    let x = p.transform(&d).unwrap();
    let other = p.index_of("proto=other").unwrap();
    assert!(udp.iter().all(|&r| x.get(r, other) == 1.0));
    assert!(tcp_only.iter().all(|&r| x.get(r, other) == 0.0));
}

#[test]
fn pipeline_round_trips_through_json_and_applies_to_a_new_file() {
    let train = load_one("iot23-34-1.conn.log.labeled");
    let p = Pipeline::fit(
        &train,
        &all_rows(train.n_rows()),
        &FeatureOptions::default(),
    );
    let json = serde_json::to_string(&p).unwrap();
    let back: Pipeline = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    let other = load_one("iot23-mix.csv");
    let x = back.transform(&other).unwrap();
    assert_eq!((x.rows, x.cols), (350, p.width()));
    let reduced = load(&[fixture("iot23-reduced.csv")], IngestOptions::default()).unwrap();
    let err = back.transform(&reduced).unwrap_err().to_string();
    assert!(err.starts_with("the model needs column"), "{err}");
}

#[test]
fn cidds_and_nsl_kdd_features() {
    let d = load_one("cidds-001.csv");
    let opts = FeatureOptions::default().time_of_day(true);
    let p = Pipeline::fit(&d, &all_rows(d.n_rows()), &opts);
    for want in [
        "flag_S",
        "flag_A",
        "Proto=TCP",
        "log1p_orig_bytes",
        "orig_bytes_per_pkt",
        "hour_of_day",
    ] {
        assert!(
            p.index_of(want).is_some(),
            "{want} missing from {:?}",
            p.names()
        );
    }
    for leak in [
        "attackID",
        "attackDescription",
        "class",
        "attackType",
        "Src IP Addr",
    ] {
        assert!(!p.names().iter().any(|n| n.starts_with(leak)), "{leak}");
    }
    let d = load_one("nsl-kdd.txt");
    let p = Pipeline::fit(&d, &all_rows(d.n_rows()), &FeatureOptions::default());
    assert!(p.index_of("protocol_type=tcp").is_some());
    assert!(
        p.index_of("difficulty").is_none(),
        "difficulty is bookkeeping, not a feature"
    );
    assert!(p.index_of("src_bytes").is_some());
}
