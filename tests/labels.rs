//! Label taxonomies on real files: the `family` taxonomy (IoT-23 malware families from the
//! capture name and the detailed label) and the user's label map — in the library, in model
//! files (old ones still load) and in the CLI (`--labels family`, `--map FILE`).
#![cfg(not(target_arch = "wasm32"))] // reads files and runs the CLI: native only

use crate::common::flowlab;
use std::collections::BTreeMap;

use crate::common::*;
use flowlab::ingest::{Dataset, IngestOptions, LabelMap, Loader, Taxonomy, MISSING};
use flowlab::job::TrainedModel;
use flowlab::model_file;

/// Loads fixture files under the names given (the name is what a capture is recognised by).
fn load_named(files: &[(&str, &str)]) -> Dataset {
    let mut loader = Loader::new(IngestOptions::default());
    for (fixture_name, as_name) in files {
        let bytes = std::fs::read(fixture(fixture_name)).unwrap();
        loader.start_file(as_name);
        loader.feed(&bytes).unwrap();
        loader.end_file().unwrap();
    }
    loader.finish().unwrap()
}

fn counts_of(data: &Dataset, t: Taxonomy, map: &LabelMap) -> BTreeMap<String, u64> {
    data.summary_with(t, map).label_counts
}

fn expect(v: &[(&str, u64)]) -> BTreeMap<String, u64> {
    v.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

const CAPTURE_34_1: &str = "CTU-IoT-Malware-Capture-34-1.conn.log.labeled";

#[test]
fn family_comes_from_the_capture_name_and_the_detailed_label() {
    // The 34-1 cut named as its capture, and the mix of many captures (no capture in its name).
    let data = load_named(&[
        ("iot23-34-1.conn.log.labeled", CAPTURE_34_1),
        ("iot23-mix.csv", "iot23-mix.csv"),
    ]);
    let family = counts_of(&data, Taxonomy::Family, &LabelMap::default());
    assert_eq!(
        family,
        expect(&[
            // 34-1's 120 + the mix's 40 `Benign` and 40 `benign`.
            ("Benign", 200),
            // 34-1's C&C 120, DDoS 120, PartOfAHorizontalPortScan 40: the capture is Mirai.
            ("Mirai", 280),
            // The mix's `C&C-Torii` and `Okiru` name their family.
            ("Torii", 30),
            ("Okiru", 40),
            // The mix's Attack, C&C, C&C-FileDownload, DDoS, PartOfAHorizontalPortScan.
            ("Unknown", 200),
        ])
    );
    // The same rows under another file name: no capture, so no family from it.
    let unnamed = load_named(&[("iot23-34-1.conn.log.labeled", "conn.log.labeled")]);
    assert_eq!(
        counts_of(&unnamed, Taxonomy::Family, &LabelMap::default()),
        expect(&[("Benign", 120), ("Unknown", 280)])
    );
}

#[test]
fn family_of_the_real_iot23_files() {
    let (Some(capture), Some(mix)) = (
        shared("iot23/CTU-IoT-Malware-Capture-34-1.conn.log.labeled"),
        shared("iot23/iot23_mix_shared.conn.log.labeled"),
    ) else {
        return;
    };
    let data = load(&[capture, mix], IngestOptions::default()).unwrap();
    let family = counts_of(&data, Taxonomy::Family, &LabelMap::default());
    // SOURCES.md: 34-1 has Benign 1923 and Malicious 21222; the mix has Benign 39768 +
    // benign 582, C&C-Torii 30, Okiru 847, and 16265 - 30 - 847 other malicious rows.
    assert_eq!(
        family,
        expect(&[
            ("Benign", 1923 + 39768 + 582),
            ("Mirai", 21222),
            ("Torii", 30),
            ("Okiru", 847),
            ("Unknown", 16265 - 30 - 847),
        ])
    );
}

#[test]
fn a_map_renames_merges_and_drops_without_reloading() {
    let data = load_one("iot23-mix.csv");
    let raw = counts_of(&data, Taxonomy::Raw, &LabelMap::default());
    assert_eq!(raw.len(), 9);
    let map = LabelMap::parse("C&C* -> C&C\nbenign -> drop\nPartOf* -> PortScan\n").unwrap();
    let mapped = counts_of(&data, Taxonomy::Raw, &map);
    assert_eq!(
        mapped,
        expect(&[
            ("Attack", 40),
            ("C&C", 110),
            ("DDoS", 40),
            ("Okiru", 40),
            ("PortScan", 40),
        ])
    );
    // `benign` matches `Benign` too (case is ignored): both are dropped, as unlabelled rows.
    let (codes, classes) = data.labels_with(Taxonomy::Raw, &map);
    assert_eq!(classes.len(), 5);
    assert_eq!(codes.iter().filter(|&&c| c == MISSING).count(), 80);
    // The map applies after the taxonomy.
    let after_family = counts_of(
        &data,
        Taxonomy::Family,
        &LabelMap::parse("Unknown -> drop").unwrap(),
    );
    assert_eq!(
        after_family,
        expect(&[("Benign", 80), ("Okiru", 40), ("Torii", 30)])
    );
}

#[test]
fn model_files_written_before_label_maps_still_load() {
    // Written by the flowlab before label maps (tests/fixtures/README.md); never rewritten.
    let bytes = std::fs::read(fixture("models/iot23-dt-before-maps.flowlab")).unwrap();
    let m: TrainedModel = model_file::read(&bytes).unwrap();
    assert!(m.label_map.is_empty());
    assert_eq!(m.classes.len(), 8);
    // A model with a map keeps it, and re-encoding the old one gives its bytes plus the empty
    // map's one byte (a zero-length rule list) at the end.
    let again = model_file::write(&m).unwrap();
    assert_eq!(again.len(), bytes.len() + 1);
    assert_eq!(again[20..again.len() - 1], bytes[20..]);
    let mut mapped = m.clone();
    mapped.label_map = LabelMap::parse("C&C* -> C&C\nBackground -> drop").unwrap();
    let back: TrainedModel = model_file::read(&model_file::write(&mapped).unwrap()).unwrap();
    assert_eq!(back.label_map, mapped.label_map);
}

#[test]
fn cli_labels_family_and_map_files() {
    let dir = tempfile::tempdir().unwrap();
    let mix = fixture("iot23-mix.csv").display().to_string();
    let (code, out, err) = flowlab(&["inspect", "--json", "--labels", "family", &mix]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["taxonomy"], "family");
    assert_eq!(v["label_counts"]["Torii"], 30);
    assert_eq!(v["label_counts"]["Unknown"], 200);

    let map = dir.path().join("classes.map");
    std::fs::write(
        &map,
        "# merge the C&C variants\nC&C* -> C&C\nbenign -> drop\n",
    )
    .unwrap();
    let map = map.display().to_string();
    let (code, out, err) = flowlab(&["inspect", "--json", "--map", &map, &mix]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["label_counts"]["C&C"], 110);
    assert_eq!(v["label_counts"].as_object().unwrap().len(), 5);

    // Train with the map: the model has the merged classes and keeps the map.
    let model = dir.path().join("m.flowlab");
    let model_s = model.display().to_string();
    let (code, _, err) = flowlab(&[
        "train", "--model", "dt", "--map", &map, "--out", &model_s, &mix,
    ]);
    assert_eq!(code, 0, "{err}");
    let m: TrainedModel = model_file::read(&std::fs::read(&model).unwrap()).unwrap();
    assert_eq!(
        m.classes,
        [
            "Attack",
            "C&C",
            "DDoS",
            "Okiru",
            "PartOfAHorizontalPortScan"
        ]
    );
    assert_eq!(
        m.label_map,
        LabelMap::parse("C&C* -> C&C\nbenign -> drop").unwrap()
    );
    // Predicting applies the model's map to the true labels: none is a class it lacks.
    let (code, csv, err) = flowlab(&["predict", &model_s, &mix]);
    assert_eq!(code, 0, "{err}");
    let mut truths: Vec<&str> = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.rsplit(',').next())
        .filter(|t| !t.is_empty())
        .collect();
    truths.sort();
    truths.dedup();
    assert_eq!(
        truths,
        [
            "Attack",
            "C&C",
            "DDoS",
            "Okiru",
            "PartOfAHorizontalPortScan"
        ]
    );
    let (code, out, err) = flowlab(&["eval", "--json", &model_s, &mix]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["confusion"]["labels"].as_array().unwrap().len(), 5);

    // A bad line: the file, the line and what was expected.
    let bad = dir.path().join("bad.map");
    std::fs::write(&bad, "C&C* -> C&C\nBackground => drop\n").unwrap();
    let bad = bad.display().to_string();
    for command in ["inspect", "train"] {
        let (code, _, err) = flowlab(&[command, "--map", &bad, &mix]);
        assert_eq!(code, 2, "{command}");
        assert!(
            err.contains(&format!(
                "{bad}: line 2: no `->` (expected `class -> new name` or `class -> drop`)"
            )),
            "{command}: {err}"
        );
    }
    let (code, _, err) = flowlab(&["eval", "--map", &bad, &model_s, &mix]);
    assert_eq!(code, 2);
    assert!(err.contains(&format!("{bad}: line 2")), "{err}");
}
