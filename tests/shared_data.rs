//! The full files in ../shared/data (skipped with a message when that folder is absent): row and
//! label counts as published in its SOURCES.md.
#![cfg(not(target_arch = "wasm32"))] // reads files and runs the CLI: native only

use crate::common::*;
use flowlab::ingest::{Format, IngestOptions, Taxonomy};

fn check(rel: &str, format: Format, rows: u64, t: Taxonomy, expect: &[(&str, u64)]) {
    let Some(p) = shared(rel) else { return };
    let d = load(&[p], IngestOptions::default()).unwrap();
    let s = d.summary_as(t);
    assert_eq!(s.files[0].format, format, "{rel}");
    assert_eq!(s.rows, rows, "{rel}");
    assert_eq!(s.files[0].skipped, 0, "{rel}");
    for (label, n) in expect {
        assert_eq!(s.label_counts.get(*label), Some(n), "{rel}: {label}");
    }
}

#[test]
fn ctu_34_1() {
    let e = [
        ("Benign", 1923),
        ("DDoS", 14394),
        ("C&C", 6706),
        ("PartOfAHorizontalPortScan", 122),
    ];
    check(
        "iot23/CTU-IoT-Malware-Capture-34-1.conn.log.labeled",
        Format::Zeek,
        23_145,
        Taxonomy::Raw,
        &e,
    );
}

#[test]
fn iot23_mix_as_zeek_and_as_csv_agree() {
    let e = [
        ("Benign", 39768 + 582),
        ("C&C", 12523 + 53 + 30),
        ("Attack", 1925),
        ("Okiru", 847),
        ("DDoS", 572),
        ("PortScan", 315),
    ];
    check(
        "iot23/iot23_mix_shared.conn.log.labeled",
        Format::Zeek,
        56_615,
        Taxonomy::Attack,
        &e,
    );
    check(
        "iot23/iot23_mix_shared.csv",
        Format::Csv,
        56_615,
        Taxonomy::Attack,
        &e,
    );
}

#[test]
fn balanced_reduced() {
    let e = [
        ("Benign", 15000),
        ("C&C", 15000),
        ("DDoS", 15000),
        ("Okiru", 15000),
        ("PortScan", 15000),
        ("FileDownload", 1),
    ];
    check(
        "iot23/iot23_balanced_multiclass_reduced.csv",
        Format::Csv,
        75_001,
        Taxonomy::Raw,
        &e,
    );
}

#[test]
fn stratosphere() {
    let e = [("Malicious", 4201), ("Benign", 1402), ("Background", 60)];
    check(
        "stratosphere-zeek/008-zeek-mixed.conn.log.labeled",
        Format::Zeek,
        5_663,
        Taxonomy::Binary,
        &e,
    );
    let e = [("Background", 739), ("Malicious", 244), ("Benign", 9)];
    check(
        "stratosphere-zeek/001-zeek-scenario-malicious.labeled-conn.log",
        Format::Zeek,
        992,
        Taxonomy::Binary,
        &e,
    );
}

#[test]
fn nsl_kdd_20_percent() {
    let e = [
        ("normal", 13449),
        ("neptune", 8282),
        ("ipsweep", 710),
        ("spy", 1),
    ];
    check(
        "nsl-kdd/KDDTrain+_20Percent.txt",
        Format::NslKdd,
        25_192,
        Taxonomy::Raw,
        &e,
    );
}
