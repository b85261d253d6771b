//! The ingest core in a real browser: `cargo test --target wasm32-unknown-unknown` runs this in
//! headless Chromium (wasm-bindgen-test); natively the same test runs under `cargo test`, so both
//! targets must agree on the numbers.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use flowlab::ingest::{Format, IngestOptions, Loader, Taxonomy};

/// An IoT-23 style `conn.log.labeled`: tab-separated, the last three columns joined by three spaces.
const ZEEK: &str = "#separator \\x09\n\
#set_separator\t,\n\
#empty_field\t(empty)\n\
#unset_field\t-\n\
#path\tconn\n\
#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents   label   detailed-label\n\
#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]   string   string\n\
1545403816.962094\tC1\t192.168.1.195\t41040\t185.244.25.235\t80\ttcp\t-\t3.139211\t0\t0\tS0\t0\tS\t3\t180\t0\t0\t-   Benign   -\n\
1545403824.181240\tC2\t192.168.1.195\t41040\t185.244.25.235\t80\ttcp\t-\t-\t-\t-\tS0\t0\tS\t1\t60\t0\t0\t-   Benign   -\n\
1545403848.981338\tC3\t192.168.1.195\t41042\t185.244.25.235\t6667\ttcp\tirc\t1.477656\t149\t1282\tSF\t0\tShADadfF\t9\t525\t9\t1390\t-   Malicious   C&C\n\
1545403850.100000\tC4\t192.168.1.195\t51000\t10.0.0.7\t23\ttcp\t-\t-\t-\t-\tS0\t0\tS\t1\t40\t0\t0\t-   Malicious   PartOfAHorizontalPortScan\n\
1545403851.100000\tC5\t192.168.1.195\t51001\t10.0.0.8\t23\ttcp\t-\t-\t-\t-\tS0\t0\tS\t1\t40\t0\t0\t-   Malicious   PartOfAHorizontalPortScan\n\
#close\t2019-03-15-14-50-54\n";

#[test]
fn zeek_snippet_loads_in_small_chunks() {
    let mut loader = Loader::new(IngestOptions::default());
    loader.start_file("snippet.conn.log.labeled");
    // Odd-sized chunks split lines, fields and the header, as 1 MiB chunks of a big file would.
    for chunk in ZEEK.as_bytes().chunks(7) {
        loader.feed(chunk).expect("the snippet parses");
    }
    loader.end_file().expect("the snippet ends cleanly");
    let data = loader.finish().expect("one file loaded");
    assert_eq!(data.n_rows(), 5);

    let raw = data.summary();
    assert_eq!(raw.rows, 5);
    assert_eq!(raw.files.len(), 1);
    assert_eq!(raw.files[0].format, Format::Zeek);
    assert_eq!(raw.files[0].rows, 5);
    assert_eq!(raw.files[0].skipped, 0);
    assert!(raw.failed.is_empty());
    let counts: Vec<(&str, u64)> = raw
        .label_counts
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        counts,
        [("Benign", 2), ("C&C", 1), ("PartOfAHorizontalPortScan", 2)]
    );

    let binary = data.summary_as(Taxonomy::Binary);
    assert_eq!(binary.rows, 5);
    assert_eq!(binary.label_counts["Benign"], 2);
    assert_eq!(binary.label_counts["Malicious"], 3);
    assert_eq!(binary.label_counts.len(), 2);
}

#[test]
fn a_binary_file_fails_and_names_itself() {
    let mut loader = Loader::new(IngestOptions::default());
    loader.start_file("junk.bin");
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let _ = loader.feed(&junk);
    assert!(loader.end_file().is_err());
    let message = loader.finish().expect_err("nothing loaded").to_string();
    assert!(message.contains("junk.bin"), "{message}");
}

/// A whole training job (pool tasks, assembly, permutation importance, learning curve) gives the
/// same scores in the browser as natively.
#[test]
fn a_training_job_runs_and_scores_the_same_on_both_targets() {
    use flowlab::job::{self, JobRequest};
    use flowlab::models::ModelSpec;
    let text = include_str!("fixtures/iot23-34-1.conn.log.labeled");
    let mut loader = Loader::new(IngestOptions::default());
    loader.start_file("iot23-34-1.conn.log.labeled");
    loader.feed(text.as_bytes()).unwrap();
    loader.end_file().unwrap();
    let data = loader.finish().unwrap();
    let mut req = JobRequest::new(vec![
        ModelSpec::default_for("dt").unwrap(),
        ModelSpec::default_for("rf").unwrap(),
    ]);
    req.taxonomy = Taxonomy::Raw;
    let prepared = job::prepare(&data, &req, 2).unwrap();
    let mut outputs = vec![Vec::new(), Vec::new()];
    for t in &prepared.plan.tasks {
        let fd = prepared.fit_data(&data, t.fit).unwrap();
        outputs[t.model].push(job::run_task(&fd, &req.models[t.model], t, &mut |_| true).unwrap());
    }
    let mut f1 = Vec::new();
    for (m, outs) in outputs.into_iter().enumerate() {
        let (model, diag) = job::assemble(&data, &prepared, m, outs, &mut |_| true).unwrap();
        assert_eq!(diag.learning_curve.as_ref().unwrap().len(), 5);
        assert_eq!(
            diag.permutation.as_ref().unwrap().features.len(),
            diag.feature_names.len()
        );
        let lc = &diag.learning_curve.as_ref().unwrap()[0];
        let top = diag
            .permutation
            .as_ref()
            .unwrap()
            .features
            .iter()
            .map(|f| f.mean)
            .fold(f64::MIN, f64::max);
        let r6 = |v: f64| (v * 1e6).round() / 1e6;
        f1.push([r6(model.meta.metrics.macro_f1), r6(lc.test_score), r6(top)]);
    }
    // 0.395891: the decision tree's top permutation drop since the hour of day is off by default
    // (it was 0.532147 with hour_of_day, the top feature then).
    assert_eq!(f1, [[1.0, 0.64539, 0.395891], [1.0, 0.64539, 0.0]]);
}

/// The ingest's fast number path gives the standard parser's exact bits in the browser too (it
/// divides by exact powers of ten; wasm's f64 division rounds as x86's does).
#[test]
fn numbers_parse_bit_identically_to_the_standard_parser() {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut checked = 0;
    for i in 0..20_000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let digits = (x % 10_000_000_000_000_000) as f64;
        let text = match i % 4 {
            0 => format!("{}", x % 100_000),
            1 => format!("{:.6}", digits / 1e6),
            2 => format!("-{}.{:03}", x % 1_000_000_000, x % 1000),
            _ => format!("{}", (x >> 11) as f64 / (1u64 << 53) as f64),
        };
        let want = text.parse::<f64>().unwrap();
        let got = flowlab::ingest::parse_number(&text).unwrap();
        assert_eq!(got.to_bits(), want.to_bits(), "{text}");
        checked += 1;
    }
    assert_eq!(checked, 20_000);
    assert_eq!(
        flowlab::ingest::parse_number("1545403816.962094"),
        Some(1545403816.962094)
    );
}
