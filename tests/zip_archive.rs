//! Zip archives read by slices (`ingest::ZipSource`, `Loader::read_zip`): archives are written
//! here at test time from the fixtures, so each test knows exactly what the members hold.
#![cfg(not(target_arch = "wasm32"))] // writes files: native only

use std::io::{Cursor, Write};

use flowlab::ingest::{Dataset, IngestOptions, Loader, ZipSource};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::common::*;

const CONN: &str = "iot23-34-1.conn.log.labeled";
const CSV: &str = "iot23-mix.csv";

fn stored() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
}

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

/// An archive of `members` (path, bytes, options), with optional Zip64 end records.
fn archive(members: &[(&str, Vec<u8>, SimpleFileOptions)], zip64: bool) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    w.add_directory("captures/", stored()).unwrap();
    for (name, bytes, opts) in members {
        w.start_file(*name, *opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    if zip64 {
        // Forces the Zip64 end-of-central-directory record and its locator.
        w.set_raw_zip64_extensible_data_sector(Box::new([]));
    }
    w.finish().unwrap().into_inner()
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

/// Overwrites the compressed data of member `member` with 0xFF bytes (an invalid deflate block).
fn corrupt(bytes: &mut [u8], member: &str) {
    let mut zip = ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let f = zip.by_name(member).unwrap();
    let (start, len) = (
        f.data_start().unwrap() as usize,
        f.compressed_size() as usize,
    );
    drop(f);
    bytes[start..start + len].fill(0xff);
}

/// The archive read by slices through `Loader::read_zip`.
fn load_zip(bytes: &[u8], opts: IngestOptions) -> Dataset {
    let mut loader = Loader::new(opts);
    let _ = loader.read_zip("a.zip", Cursor::new(bytes.to_vec()));
    loader.finish().unwrap()
}

/// The fixtures the members hold, loaded as plain files named like the members.
fn load_members(members: &[(&str, &str)]) -> Dataset {
    let mut loader = Loader::new(IngestOptions::default());
    for (path, fixture_name) in members {
        loader.start_file(&format!("a.zip/{path}"));
        loader.feed(&read(fixture_name)).unwrap();
        loader.end_file().unwrap();
    }
    loader.finish().unwrap()
}

fn mixed_archive() -> Vec<u8> {
    let mut bytes = archive(
        &[
            ("captures/one.conn.log.labeled", read(CONN), deflated()),
            (
                "README.txt",
                b"IoT-23 captures, see the web site.\n".to_vec(),
                deflated(),
            ),
            ("captures/two.csv", read(CSV), stored()),
            ("captures/broken.csv", read(CSV), deflated()),
        ],
        false,
    );
    corrupt(&mut bytes, "captures/broken.csv");
    bytes
}

#[test]
fn members_read_like_the_unzipped_files() {
    let bytes = mixed_archive();
    let zipped = load_zip(&bytes, IngestOptions::default());
    let plain = load_members(&[
        ("captures/one.conn.log.labeled", CONN),
        ("captures/two.csv", CSV),
    ]);
    assert_eq!(zipped.n_rows(), 750);
    same_columns(&zipped.columns, &plain.columns).unwrap();
    assert!(zipped.labels == plain.labels, "labels differ");
    assert_eq!(zipped.label_names, plain.label_names);
    assert!(zipped.sources == plain.sources, "sources differ");
    assert!(zipped.lines == plain.lines, "lines differ");
    assert_eq!(zipped.files, plain.files);
    let failed: Vec<(&str, &str)> = zipped
        .failed
        .iter()
        .map(|f| (f.path.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(failed[0].0, "a.zip/README.txt");
    assert_eq!(failed[1].0, "a.zip/captures/broken.csv");
    assert!(
        failed[1]
            .1
            .contains("cannot decompress: invalid deflate data after 0 bytes"),
        "{}",
        failed[1].1
    );
}

#[test]
fn pushed_bytes_read_the_same_as_slices() {
    // A zip fed through `Loader::feed` (as a member of another zip would be) is kept in memory
    // and read by the same code.
    let bytes = mixed_archive();
    let mut loader = Loader::new(IngestOptions::default());
    loader.start_file("a.zip");
    for c in bytes.chunks(4093) {
        let _ = loader.feed(c);
    }
    loader.end_file().unwrap();
    let pushed = loader.finish().unwrap();
    let sliced = load_zip(&bytes, IngestOptions::default());
    same_columns(&pushed.columns, &sliced.columns).unwrap();
    assert_eq!(pushed.files, sliced.files);
    assert_eq!(pushed.failed, sliced.failed);
}

#[test]
fn zip64_archive_reads() {
    let big = SimpleFileOptions::default().large_file(true);
    let bytes = archive(
        &[
            ("one.conn.log.labeled", read(CONN), big),
            (
                "two.csv",
                read(CSV),
                big.compression_method(CompressionMethod::Stored),
            ),
        ],
        true,
    );
    let find = |sig: &[u8]| bytes.windows(4).any(|w| w == sig);
    assert!(find(b"PK\x06\x06"), "the Zip64 end record is written");
    assert!(find(b"PK\x06\x07"), "the Zip64 locator is written");
    let data = load_zip(&bytes, IngestOptions::default());
    let plain = load_members(&[("one.conn.log.labeled", CONN), ("two.csv", CSV)]);
    same_columns(&data.columns, &plain.columns).unwrap();
    assert_eq!(data.files, plain.files);
    assert!(data.failed.is_empty(), "{:?}", data.failed);
}

#[test]
fn truncated_archive_says_so() {
    let bytes = mixed_archive();
    let cut = &bytes[..bytes.len() * 2 / 3];
    let mut loader = Loader::new(IngestOptions::default());
    let e = loader
        .read_zip("iot23.zip", Cursor::new(cut.to_vec()))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("iot23.zip: cannot decompress: not a readable zip archive"),
        "{e}"
    );
    assert!(
        e.contains("is the file truncated (an unfinished download)?"),
        "{e}"
    );
    let all = loader.finish().unwrap_err().to_string();
    assert!(
        all.starts_with("no file could be read: iot23.zip: "),
        "{all}"
    );
}

#[test]
fn max_files_takes_the_first_or_a_seeded_sample() {
    let members: Vec<(String, Vec<u8>, SimpleFileOptions)> = (0..6)
        .map(|i| (format!("captures/c{i}.csv"), read(CSV), deflated()))
        .collect();
    let refs: Vec<(&str, Vec<u8>, SimpleFileOptions)> = members
        .iter()
        .map(|(n, b, o)| (n.as_str(), b.clone(), *o))
        .collect();
    let bytes = archive(&refs, false);
    let opts = |max_files, sample_files, seed| IngestOptions {
        max_files: Some(max_files),
        sample_files,
        seed,
        max_rows_per_file: Some(10),
        ..IngestOptions::default()
    };
    let paths = |d: &Dataset| -> Vec<String> { d.files.iter().map(|f| f.path.clone()).collect() };
    let first = load_zip(&bytes, opts(2, false, 7));
    assert_eq!(
        paths(&first),
        ["a.zip/captures/c0.csv", "a.zip/captures/c1.csv"]
    );
    assert_eq!(first.n_rows(), 20, "10 rows of each of the 2 members");
    let a = paths(&load_zip(&bytes, opts(3, true, 7)));
    let b = paths(&load_zip(&bytes, opts(3, true, 7)));
    let c = paths(&load_zip(&bytes, opts(3, true, 9)));
    assert_eq!(a.len(), 3);
    assert_eq!(a, b, "same seed, same members");
    assert_ne!(a, c, "another seed, other members");
    let mut sorted = a.clone();
    sorted.sort();
    assert_eq!(a, sorted, "read in archive order");
    let source = ZipSource::open(Cursor::new(bytes), "a.zip", &opts(4, false, 0)).unwrap();
    assert_eq!((source.members().len(), source.available()), (4, 6));
}
