//! The predictions CSV (`predictions::write_csv`, the page's download and `flowlab predict`'s
//! output) is byte for byte what the `csv` crate writes for the rows, each probability as
//! `format!("{:.6}")`: the reference below is the writer the rows had before they were written
//! as bytes. Text cells that need quoting or formula protection, unlabelled rows, and
//! probabilities on rounding ties, ±0, NaN, ±inf and huge values.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use flowlab::ingest::export::formula_safe;
use flowlab::ingest::{Dataset, IngestOptions, Loader, Taxonomy, MISSING};
use flowlab::job::Predictions;
use flowlab::predictions::write_csv;

/// The rows as the `csv` crate writes them (the header, then one record per row).
fn reference(data: &Dataset, taxonomy: Taxonomy, p: &Predictions) -> Vec<u8> {
    let labelled = data.has_labels();
    let (codes, names) = data.labels_as(taxonomy);
    let k = p.classes.len();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["file".to_string(), "line".into(), "predicted".into()];
    header.push("confidence".into());
    header.extend(p.classes.iter().map(|c| format!("p_{c}")));
    if labelled {
        header.push("true_label".into());
    }
    w.write_record(header.iter().map(|h| formula_safe(h)))
        .unwrap();
    for r in 0..data.n_rows() {
        let mut row = vec![
            formula_safe(&data.files[data.sources[r] as usize].path),
            data.lines[r].to_string(),
            formula_safe(&p.classes[p.predicted[r] as usize]),
            format!("{:.6}", p.confidence[r]),
        ];
        row.extend((0..k).map(|c| format!("{:.6}", p.proba[r * k + c])));
        if labelled {
            row.push(if codes[r] == MISSING {
                String::new()
            } else {
                formula_safe(&names[codes[r] as usize])
            });
        }
        w.write_record(&row).unwrap();
    }
    w.into_inner().unwrap()
}

fn load(files: &[(&str, &str)]) -> Dataset {
    let mut loader = Loader::new(IngestOptions::default());
    for (name, text) in files {
        loader.start_file(name);
        loader.feed(text.as_bytes()).unwrap();
        loader.end_file().unwrap();
    }
    loader.finish().unwrap()
}

/// Predictions of `rows` rows with awkward values: ties of the sixth decimal, neighbours of
/// ties, ±0, NaN, ±inf, huge and tiny values, and ordinary probabilities.
fn predictions(rows: usize, classes: &[&str]) -> Predictions {
    let special = [
        0.0,
        -0.0,
        1.0,
        1.0 / 128.0,
        f32::from_bits((1.0f32 / 128.0).to_bits() + 1),
        0.5e-6,
        2.5e-6,
        0.999_999_5,
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        -1e-9,
        3e12,
        f32::MAX,
        1e-45,
        0.123_456_79,
        1.0 / 3.0,
        2.0 / 3.0,
    ];
    let k = classes.len();
    let mut proba = Vec::new();
    for r in 0..rows {
        for c in 0..k {
            let i = r * k + c;
            proba.push(if i.is_multiple_of(3) {
                special[(i / 3) % special.len()]
            } else {
                f32::from_bits(0x3c00_0000 + (i as u32).wrapping_mul(2_654_435_761) % 0x0380_0000)
            });
        }
    }
    Predictions {
        classes: classes.iter().map(|c| c.to_string()).collect(),
        predicted: (0..rows).map(|r| (r % k) as u32).collect(),
        confidence: (0..rows).map(|r| proba[r * k + r % k]).collect(),
        proba,
    }
}

#[test]
fn csv_rows_are_the_csv_crates_bytes() {
    let labelled =
        "proto,orig_bytes,label\ntcp,1,Benign\nudp,2,\"Malicious, DDoS\"\ntcp,3,\nicmp,4,=cmd\n";
    let plain = "proto,orig_bytes\ntcp,5\nudp,6\n";
    let data = load(&[("a,b \"quoted\".csv", labelled), ("=formula.csv", plain)]);
    assert!(data.has_labels());
    let p = predictions(
        data.n_rows(),
        &["Benign", "Malicious, DDoS", "-x", "say \"hi\""],
    );
    for taxonomy in [Taxonomy::Raw, Taxonomy::Binary, Taxonomy::Attack] {
        let mut got = Vec::new();
        write_csv(&data, taxonomy, &p, &mut got).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&reference(&data, taxonomy, &p))
        );
    }
    let unlabelled = load(&[("plain.csv", plain)]);
    assert!(!unlabelled.has_labels());
    let p = predictions(unlabelled.n_rows(), &["a", "b"]);
    let mut got = Vec::new();
    write_csv(&unlabelled, Taxonomy::Attack, &p, &mut got).unwrap();
    assert_eq!(got, reference(&unlabelled, Taxonomy::Attack, &p));
}

#[test]
fn many_rows_in_parts_are_the_csv_crates_bytes() {
    // More rows than one part of the writer (65,536), every probability a different float.
    let mut text = String::from("proto,orig_bytes,label\n");
    for i in 0..70_000 {
        text.push_str(&format!("tcp,{i},{}\n", ["Benign", "Malicious"][i % 2]));
    }
    let data = load(&[("big.csv", &text)]);
    let p = predictions(data.n_rows(), &["Benign", "Malicious"]);
    let mut got = Vec::new();
    write_csv(&data, Taxonomy::Binary, &p, &mut got).unwrap();
    assert!(got == reference(&data, Taxonomy::Binary, &p));
}
