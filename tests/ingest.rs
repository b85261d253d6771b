//! Every input format, read from the fixtures in `tests/fixtures/` (see its README for sources).
#![cfg(not(target_arch = "wasm32"))] // reads files and runs the CLI: native only

use crate::common::*;
use flowlab::ingest::{ColumnData, Format, IngestOptions, Role, Taxonomy, MISSING};

#[test]
fn iot23_zeek_log_with_three_space_labels() {
    let d = load_one("iot23-34-1.conn.log.labeled");
    let s = d.summary();
    assert_eq!(s.rows, 400);
    assert_eq!(s.files[0].format, Format::Zeek);
    assert_eq!(s.files[0].label_column.as_deref(), Some("detailed-label"));
    assert_eq!(d.columns.len(), 23);
    assert_eq!(
        counts(&d, Taxonomy::Raw),
        pairs(&[
            ("Benign", 120),
            ("C&C", 120),
            ("DDoS", 120),
            ("PartOfAHorizontalPortScan", 40)
        ])
    );
    assert_eq!(
        counts(&d, Taxonomy::Binary),
        pairs(&[("Benign", 120), ("Malicious", 280)])
    );
    // First data row: 1545403816.962094 CrDn63WjJEmrWGjqf 192.168.1.195 41040 ... 3.139211 0 0 S0
    let ts = d.column("ts").unwrap().as_numeric().unwrap();
    assert_eq!(ts[0], 1545403816.962094);
    assert_eq!(
        d.column("uid").unwrap().as_text().unwrap().get(0),
        Some("CrDn63WjJEmrWGjqf")
    );
    assert_eq!(
        d.column("duration").unwrap().as_numeric().unwrap()[0],
        3.139211
    );
    assert_eq!(
        d.column("conn_state").unwrap().as_text().unwrap().get(0),
        Some("S0")
    );
    assert_eq!(d.column("id.orig_h").unwrap().role, Role::Identifier);
    assert_eq!(d.column("id.resp_p").unwrap().role, Role::Port);
    assert_eq!(d.column("label").unwrap().role, Role::Label);
    assert_eq!(
        d.lines[0], 9,
        "first data row is on line 9, after 8 header lines"
    );
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn unset_fields_are_missing_not_zero() {
    let d = load_one("iot23-34-1.conn.log.labeled");
    let text = std::fs::read_to_string(fixture("iot23-34-1.conn.log.labeled")).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 400);
    for (name, idx) in [("duration", 8), ("orig_bytes", 9), ("resp_bytes", 10)] {
        let unset: Vec<bool> = rows.iter().map(|r| r[idx] == "-").collect();
        let nan: Vec<bool> = d
            .column(name)
            .unwrap()
            .as_numeric()
            .unwrap()
            .iter()
            .map(|v| v.is_nan())
            .collect();
        assert!(unset.iter().any(|&u| u), "the fixture has unset {name}");
        assert_eq!(nan, unset, "{name}: '-' ⇔ missing");
    }
    let service = d.column("service").unwrap().as_text().unwrap();
    let unset = rows.iter().filter(|r| r[7] == "-").count();
    assert_eq!(
        service.codes.iter().filter(|&&c| c == MISSING).count(),
        unset
    );
}

#[test]
fn every_chunk_size_gives_the_same_data() {
    let whole = load_one("iot23-34-1.conn.log.labeled");
    for chunk in [1, 7, 4096, 65_537] {
        let d = load_chunked(
            &[fixture("iot23-34-1.conn.log.labeled")],
            IngestOptions::default(),
            chunk,
        )
        .unwrap();
        same_columns(&d.columns, &whole.columns).unwrap_or_else(|e| panic!("chunk {chunk}: {e}"));
        assert_eq!(d.lines, whole.lines);
    }
    let d = load_chunked(&[fixture("iot23-mix.csv")], IngestOptions::default(), 3).unwrap();
    same_columns(&d.columns, &load_one("iot23-mix.csv").columns).unwrap();
}

/// Loads `bytes` as one file, cut into chunks whose sizes come from `sizes` (cycled).
fn load_in_chunks(name: &str, bytes: &[u8], sizes: &[usize]) -> flowlab::ingest::Dataset {
    let mut loader = flowlab::ingest::Loader::new(IngestOptions::default());
    loader.start_file(name);
    let (mut at, mut i) = (0, 0);
    while at < bytes.len() {
        let end = (at + sizes[i % sizes.len()]).min(bytes.len());
        loader.feed(&bytes[at..end]).expect("feed");
        at = end;
        i += 1;
    }
    loader.end_file().expect("end");
    loader.finish().expect("finish")
}

/// Chunk sizes drawn uniformly from 1..=64 KiB (xorshift, seeded), and some tiny ones.
fn random_sizes(seed: u64, n: usize) -> Vec<usize> {
    let mut x = seed;
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let max = if i % 3 == 0 { 16 } else { 64 * 1024 };
            1 + (x % max) as usize
        })
        .collect()
}

/// Any cutting of a file into chunks gives the same data set as one chunk: every column (values,
/// codes, dictionaries, missing), labels, sources, lines, warnings.
#[test]
fn random_chunk_sizes_give_the_same_dataset() {
    let zeek = std::fs::read(fixture("iot23-34-1.conn.log.labeled")).unwrap();
    // A CSV with quoted delimiters, doubled quotes, quoted newlines, CRLF, a missing value, a word
    // in a number column and non-ASCII text, so cuts fall inside every kind of field.
    let mut csv = String::from("ts,proto,\"note, free\",bytes,label\r\n");
    for i in 0..2000 {
        let note = match i % 5 {
            0 => "\"a, b\"".to_string(),
            1 => "\"say \"\"hi\"\"\"".to_string(),
            2 => "\"two\nlines\"".to_string(),
            3 => "Zürich".to_string(),
            _ => String::new(),
        };
        let bytes = if i == 77 {
            "lots".to_string()
        } else {
            format!("{}.{}", i * 37, i % 10)
        };
        let label = ["Benign", "DDoS", "C&C"][i % 3];
        csv.push_str(&format!(
            "{}.25,tcp,{note},{bytes},{label}\r\n",
            1_500_000_000 + i
        ));
    }
    for (name, bytes) in [
        ("iot23.conn.log.labeled", &zeek[..]),
        ("quoted.csv", csv.as_bytes()),
    ] {
        let whole = load_in_chunks(name, bytes, &[bytes.len()]);
        assert!(whole.n_rows() >= 400, "{name}: {} rows", whole.n_rows());
        let one = format!("{whole:?}");
        for seed in 1..=6u64 {
            let sizes = random_sizes(seed * 0x9e37_79b9, 64);
            let d = load_in_chunks(name, bytes, &sizes);
            assert!(
                format!("{d:?}") == one,
                "{name}: chunks {:?}… differ",
                &sizes[..4]
            );
        }
    }
    let quoted = load_in_chunks("quoted.csv", csv.as_bytes(), &[csv.len()]);
    let note = quoted.column("note, free").unwrap().as_text().unwrap();
    assert_eq!(note.get(0), Some("a, b"));
    assert_eq!(note.get(1), Some("say \"hi\""));
    assert_eq!(note.get(2), Some("two\nlines"));
    assert_eq!(note.get(3), Some("Zürich"));
    assert_eq!(note.get(4), None);
    let bytes = quoted.column("bytes").unwrap().as_numeric().unwrap();
    assert_eq!(bytes[1], 37.1);
    assert!(bytes[77].is_nan());
    assert_eq!(
        quoted.lines[2..4],
        [4, 6],
        "row 3 starts after the quoted newline of row 2"
    );
}

#[test]
fn stratosphere_tab_separated_labels() {
    let d = load_one("stratosphere-008.conn.log.labeled");
    assert_eq!(
        d.summary().files[0].label_column.as_deref(),
        Some("detailedlabel")
    );
    assert_eq!(
        counts(&d, Taxonomy::Raw),
        pairs(&[
            ("Background", 50),
            ("Benign", 50),
            ("External-Attack-to-Device", 50)
        ])
    );
    assert_eq!(
        counts(&d, Taxonomy::Binary),
        pairs(&[("Background", 50), ("Benign", 50), ("Malicious", 50)])
    );
}

#[test]
fn iot23_csv_conversion_matches_its_zeek_twin_labels() {
    let d = load_one("iot23-mix.csv");
    assert_eq!(d.summary().files[0].format, Format::Csv);
    assert_eq!(d.columns.len(), 23);
    assert_eq!(
        counts(&d, Taxonomy::Raw),
        pairs(&[
            ("Attack", 40),
            ("Benign", 40),
            ("C&C", 40),
            ("C&C-FileDownload", 40),
            ("C&C-Torii", 30),
            ("DDoS", 40),
            ("Okiru", 40),
            ("PartOfAHorizontalPortScan", 40),
            ("benign", 40)
        ])
    );
    assert_eq!(
        counts(&d, Taxonomy::Attack),
        pairs(&[
            ("Attack", 40),
            ("Benign", 80),
            ("C&C", 110),
            ("DDoS", 40),
            ("Okiru", 40),
            ("PortScan", 40)
        ])
    );
    assert!(matches!(
        d.column("orig_bytes").unwrap().data,
        ColumnData::Numeric(_)
    ));
}

#[test]
fn reduced_balanced_csv() {
    let d = load_one("iot23-reduced.csv");
    assert_eq!(d.n_rows(), 251);
    let names: Vec<&str> = d.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "src_port",
            "dst_port",
            "proto",
            "duration",
            "src_bytes",
            "dst_bytes",
            "src_pkts",
            "dst_pkts",
            "state",
            "label"
        ]
    );
    assert_eq!(d.column("src_port").unwrap().role, Role::Port);
    assert_eq!(counts(&d, Taxonomy::Raw)[0], ("Benign".to_string(), 50));
}

#[test]
fn nsl_kdd_is_recognised_by_shape() {
    let d = load_one("nsl-kdd.txt");
    let s = d.summary();
    assert_eq!(s.files[0].format, Format::NslKdd);
    assert_eq!(s.rows, 300);
    assert_eq!(d.columns.len(), 43);
    assert_eq!(d.column("difficulty").unwrap().role, Role::Meta);
    assert_eq!(
        d.column("protocol_type").unwrap().as_text().unwrap().get(0),
        Some("udp")
    );
    assert_eq!(
        d.column("src_bytes").unwrap().as_numeric().unwrap()[0],
        28.0
    );
    assert_eq!(
        counts(&d, Taxonomy::Attack),
        pairs(&[("DoS", 110), ("Probe", 25), ("R2L", 5), ("normal", 160)])
    );
    assert_eq!(
        d.labels_as(Taxonomy::Raw).1[d.labels_as(Taxonomy::Raw).0[0] as usize],
        "teardrop"
    );
}

#[test]
fn cidds_flows_with_scaled_bytes_and_attack_types() {
    let d = load_one("cidds-001.csv");
    let s = d.summary();
    assert_eq!(s.files[0].format, Format::Cidds);
    assert_eq!(s.rows, 50);
    let bytes = d.column("Bytes").unwrap().as_numeric().unwrap();
    assert_eq!(bytes[0], 3400.0, "'   3.4 K' is 3400 bytes");
    assert!(bytes.contains(&1_200_000.0), "'1.2 M' is 1.2 million bytes");
    assert_eq!(
        d.column("Proto").unwrap().as_text().unwrap().get(0),
        Some("TCP"),
        "padding is trimmed"
    );
    let t = d.column("Date first seen").unwrap().as_numeric().unwrap();
    assert_eq!(t[0], 1_489_536_016.0, "2017-03-15 00:00:16.000 UTC");
    for c in ["class", "attackType", "attackID", "attackDescription"] {
        assert_eq!(
            d.column(c).unwrap().role,
            Role::Label,
            "{c} must never be a feature"
        );
    }
    assert_eq!(
        counts(&d, Taxonomy::Raw),
        pairs(&[
            ("bruteForce", 6),
            ("dos", 16),
            ("normal", 16),
            ("pingScan", 4),
            ("portScan", 6),
            ("suspicious", 2)
        ])
    );
    assert_eq!(
        counts(&d, Taxonomy::Attack),
        pairs(&[
            ("Background", 2),
            ("BruteForce", 6),
            ("DoS", 16),
            ("PingScan", 4),
            ("PortScan", 6),
            ("normal", 16)
        ])
    );
}

#[test]
fn unsw_nb15_uses_attack_cat_trimmed() {
    let d = load_one("unsw-nb15.csv");
    let s = d.summary();
    assert_eq!(s.files[0].format, Format::UnswNb15);
    assert_eq!(d.column("id").unwrap().role, Role::Identifier);
    assert_eq!(d.column("label").unwrap().role, Role::Label);
    assert_eq!(
        counts(&d, Taxonomy::Raw),
        pairs(&[
            ("DoS", 3),
            ("Exploits", 4),
            ("Fuzzers", 3),
            ("Generic", 4),
            ("Normal", 8),
            ("Reconnaissance", 2)
        ])
    );
    assert_eq!(
        counts(&d, Taxonomy::Binary),
        pairs(&[("Benign", 8), ("Malicious", 16)])
    );
}

#[test]
fn gzip_and_zip_inputs() {
    let plain = load_one("iot23-34-1.conn.log.labeled");
    let gz = load_one("iot23-34-1.conn.log.labeled.gz");
    same_columns(&gz.columns, &plain.columns).unwrap();
    let z = load_one("two-captures.zip");
    let s = z.summary();
    let paths: Vec<&str> = s.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "two-captures.zip/captures/iot23-reduced.csv",
            "two-captures.zip/captures/stratosphere-008.conn.log.labeled"
        ]
    );
    assert_eq!(s.rows, 401);
    // Rows remember their member file: the first 251 come from the first member.
    assert_eq!(z.sources.iter().filter(|&&f| f == 0).count(), 251);
    assert_eq!(z.sources.iter().filter(|&&f| f == 1).count(), 150);
    assert!(s
        .warnings
        .iter()
        .any(|w| w.message.contains("have no value in this file")));
}

#[test]
fn several_files_keep_their_source() {
    let d = load(
        &[
            fixture("iot23-34-1.conn.log.labeled"),
            fixture("iot23-mix.csv"),
        ],
        IngestOptions::default(),
    )
    .unwrap();
    assert_eq!(d.n_rows(), 750);
    assert_eq!(d.columns.len(), 23, "same 23 columns matched by name");
    assert_eq!(d.sources[0], 0);
    assert_eq!(d.sources[749], 1);
    assert_eq!(d.summary().files[1].kept, 350);
}

#[test]
fn per_class_sampling_is_balanced_and_seeded() {
    let opts = |seed| IngestOptions {
        taxonomy: Taxonomy::Attack,
        per_class: Some(30),
        seed,
        ..Default::default()
    };
    let d = load(&[fixture("iot23-mix.csv")], opts(1)).unwrap();
    assert_eq!(
        counts(&d, Taxonomy::Attack),
        pairs(&[
            ("Attack", 30),
            ("Benign", 30),
            ("C&C", 30),
            ("DDoS", 30),
            ("Okiru", 30),
            ("PortScan", 30)
        ])
    );
    let again = load(&[fixture("iot23-mix.csv")], opts(1)).unwrap();
    assert_eq!(again.lines, d.lines, "same seed, same sample");
    let other = load(&[fixture("iot23-mix.csv")], opts(2)).unwrap();
    assert_ne!(other.lines, d.lines, "another seed, another sample");
    assert!(
        d.lines.windows(2).all(|w| w[0] < w[1]),
        "rows stay in file order"
    );
}

#[test]
fn per_file_cap_then_per_class() {
    let opts = IngestOptions {
        max_rows_per_file: Some(100),
        ..Default::default()
    };
    let d = load(
        &[
            fixture("iot23-34-1.conn.log.labeled"),
            fixture("iot23-mix.csv"),
        ],
        opts,
    )
    .unwrap();
    let s = d.summary();
    assert_eq!(s.rows, 200);
    assert_eq!((s.files[0].rows, s.files[0].kept), (400, 100));
    let opts = IngestOptions {
        max_rows_per_file: Some(100),
        per_class: Some(10),
        ..Default::default()
    };
    let d = load(&[fixture("iot23-34-1.conn.log.labeled")], opts).unwrap();
    assert!(counts(&d, Taxonomy::Raw).iter().all(|(_, n)| *n <= 10));
}

#[test]
fn chosen_label_column_wins_and_a_wrong_one_is_an_error() {
    let opts = IngestOptions {
        label_column: Some("proto".into()),
        ..Default::default()
    };
    let d = load(&[fixture("iot23-reduced.csv")], opts).unwrap();
    assert_eq!(
        counts(&d, Taxonomy::Raw)
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>(),
        ["tcp", "udp"]
    );
    let opts = IngestOptions {
        label_column: Some("verdict".into()),
        ..Default::default()
    };
    let err = load(&[fixture("iot23-reduced.csv")], opts)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("iot23-reduced.csv: the chosen label column \"verdict\" is not in the file"),
        "{err}"
    );
}

#[test]
fn label_text_is_never_lost_with_mixed_case() {
    let d = load_one("iot23-mix.csv");
    let (codes, names) = d.labels_as(Taxonomy::Binary);
    assert_eq!(names, ["Benign", "Malicious"]);
    assert!(codes.iter().all(|&c| c != MISSING));
}

/// Typing a block's columns on all cores gives the same data set, bit for bit, as one column
/// after the other: files of different layouts (so columns are padded for the files that lack
/// them), blocks that end mid-file and files shorter than a block.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn columns_filled_in_parallel_equal_one_thread() {
    use flowlab::ingest::Loader;
    let names = [
        "iot23-34-1.conn.log.labeled",
        "iot23-mix.csv",
        "iot23-34-1.conn.log.labeled",
        "stratosphere-008.conn.log.labeled",
        "cidds-001.csv",
        "iot23-34-1.conn.log.labeled",
    ];
    // One long Zeek file (its rows 40 times: blocks end mid-file), then the small ones.
    let zeek = std::fs::read_to_string(fixture(names[0])).unwrap();
    let (head, rows): (Vec<&str>, Vec<&str>) = zeek.lines().partition(|l| l.starts_with('#'));
    let long = head.join("\n") + "\n" + &(rows.join("\n") + "\n").repeat(40);
    let mut files = vec![("long".to_string(), long.into_bytes())];
    for (i, name) in names.iter().enumerate() {
        files.push((format!("{i}-{name}"), std::fs::read(fixture(name)).unwrap()));
    }
    let load = |parallel: bool| {
        let mut loader = Loader::new(IngestOptions::default());
        if parallel {
            loader.fill_columns_in_parallel();
        }
        for (name, bytes) in &files {
            loader.start_file(name);
            for c in bytes.chunks(3000) {
                loader.feed(c).unwrap();
            }
            loader.end_file().unwrap();
        }
        loader.finish().unwrap()
    };
    let (one, all) = (load(false), load(true));
    assert!(one.n_rows() > 2 * 8192, "{} rows", one.n_rows());
    assert!(one.columns.len() > 30, "{} columns", one.columns.len());
    // Compared as text: `NaN != NaN`, but the missing values must sit in the same places.
    assert_eq!(format!("{one:?}"), format!("{all:?}"));
    let has_nan =
        |c: &flowlab::ingest::Column| c.as_numeric().is_some_and(|v| v.iter().any(|x| x.is_nan()));
    assert!(
        one.columns.iter().any(has_nan),
        "missing numbers are part of the check"
    );
}

/// A load that types only some columns (a model's inputs) gives exactly those columns, equal to
/// the full load's, in the same rows, lines and labels; a name is matched ignoring ASCII case,
/// and per-file sampling still sees every column it needs.
#[test]
fn only_the_asked_columns_are_typed() {
    let files = [
        fixture("iot23-34-1.conn.log.labeled"),
        fixture("iot23-mix.csv"),
    ];
    let full = load(&files, IngestOptions::default()).unwrap();
    let only = IngestOptions {
        only_columns: Some(vec!["DURATION".into(), "proto".into(), "history".into()]),
        ..Default::default()
    };
    let part = load(&files, only.clone()).unwrap();
    let names: Vec<&str> = part.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["proto", "duration", "history"]);
    let same: Vec<_> = names
        .iter()
        .map(|n| full.column(n).unwrap().clone())
        .collect();
    same_columns(&part.columns, &same).unwrap();
    assert_eq!((part.n_rows(), &part.lines), (full.n_rows(), &full.lines));
    assert_eq!(
        counts(&part, Taxonomy::Attack),
        counts(&full, Taxonomy::Attack)
    );
    let capped = |o: IngestOptions| IngestOptions {
        max_rows_per_file: Some(50),
        seed: 3,
        ..o
    };
    let full = load(&files, capped(IngestOptions::default())).unwrap();
    let part = load(&files, capped(only)).unwrap();
    assert_eq!(part.lines, full.lines);
    let duration = |d: &flowlab::ingest::Dataset| d.column("duration").unwrap().clone();
    same_columns(&[duration(&part)], &[duration(&full)]).unwrap();
}
