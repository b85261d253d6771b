//! The capture detector on fixtures where the answer is known: three captures written at test
//! time, one column constant per capture, one independent of the capture, and each capture
//! recorded at a different hour of the day.
#![cfg(not(target_arch = "wasm32"))]

use crate::common::*;
use flowlab::data::rng::FlowRng;
use flowlab::eval::capture::{self, FLAG_LIFT};
use flowlab::features::{FeatureOptions, Pipeline};
use flowlab::ingest::IngestOptions;

/// Three CSV captures of 300 rows: `site` is the capture's number (constant per file), `noise`
/// and `bytes` come from one generator whatever the file, `ts` starts at 01:00, 09:00 or 17:00
/// UTC of one day and runs for under an hour.
fn captures(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut rng = FlowRng::new(7, 0);
    (0..3u64)
        .map(|f| {
            let mut s = String::from("ts,site,noise,bytes,label\n");
            for i in 0..300u64 {
                let ts = 1_545_000_000 - 1_545_000_000 % 86_400 + 3_600 + f * 8 * 3_600 + i * 10;
                let noise = rng.below(1000);
                let bytes = rng.below(5000);
                let label = if rng.below(2) == 0 {
                    "Benign"
                } else {
                    "Malicious"
                };
                s += &format!("{ts},{},{noise},{bytes},{label}\n", 10 + f * 7);
            }
            let p = dir.join(format!("capture-{f}.csv"));
            std::fs::write(&p, s).unwrap();
            p
        })
        .collect()
}

#[test]
fn a_column_constant_per_capture_is_flagged_and_an_independent_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let d = load(&captures(dir.path()), IngestOptions::default()).unwrap();
    assert_eq!(d.files.len(), 3);
    let rows: Vec<usize> = (0..d.labels.len()).collect();
    // The time of day on (it is off by default because of what this test shows).
    let opts = FeatureOptions::default().time_of_day(true);
    let p = Pipeline::fit(&d, &rows, &opts);
    let x = p.transform(&d).unwrap();
    let names: Vec<String> = p.names().iter().map(|s| s.to_string()).collect();
    let scan = capture::detect(&x, &names, &d.sources, &rows, 42).expect("three captures");
    assert_eq!((scan.captures, scan.rows), (3, 900));
    assert!((scan.chance - 1.0 / 3.0).abs() < 1e-12);
    let get = |n: &str| {
        scan.findings
            .iter()
            .find(|f| f.feature == n)
            .unwrap_or_else(|| panic!("{n} in {:?}", scan.findings))
    };
    let site = get("site");
    assert_eq!((site.balanced_accuracy, site.lift), (1.0, 1.0), "{site:?}");
    assert!(site.names_capture && site.message.starts_with("names the capture"));
    let hour = get("hour_of_day");
    assert_eq!(hour.lift, 1.0, "the clock names the capture: {hour:?}");
    for n in ["noise", "bytes"] {
        let f = get(n);
        assert!(!f.names_capture && f.lift < 0.2, "{f:?}"); // independent of the file
        assert!(f.lift < FLAG_LIFT);
    }
    assert_eq!(scan.flagged().count(), 2, "{:?}", scan.findings);
    assert_eq!(scan.all_features, 1.0);
    let all: Vec<&str> = scan.findings.iter().map(|f| f.feature.as_str()).collect();
    let mut sorted = all.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        ["bytes", "hour_of_day", "log1p_orig_bytes", "noise", "site"]
    );
    assert!(
        scan.summary()
            .contains("2 of 5 features alone name the capture"),
        "{}",
        scan.summary()
    );
    assert!(scan.findings.windows(2).all(|w| w[0].lift >= w[1].lift));
    // One capture: nothing to tell apart.
    let first: Vec<usize> = rows
        .iter()
        .copied()
        .filter(|&r| d.sources[r] == 0)
        .collect();
    assert!(capture::detect(&x, &names, &d.sources, &first, 42).is_none());
}

#[test]
fn flowlab_train_reports_the_features_that_name_the_capture() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = captures(dir.path())
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut args = vec!["train", "--model", "nb"];
    args.extend(files.iter().map(String::as_str));
    let (code, out, err) = flowlab(&args);
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("capture detector: "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        line.contains(
            "tells the 3 captures apart with balanced accuracy 1.00 (chance 0.33, lift 1.00)"
        ),
        "{line}"
    );
    assert!(
        out.contains("\n  site                 names the capture"),
        "{out}"
    );
    // JSON: the scan, every feature with its numbers.
    args.insert(1, "--json");
    let (code, out, err) = flowlab(&args);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["capture"]["captures"], 3);
    assert_eq!(v["capture"]["findings"][0]["lift"], 1.0);
    // One capture: no scan.
    let (code, out, _) = flowlab(&["train", "--json", "--model", "nb", &files[0]]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["capture"].is_null(), "{}", v["capture"]);
}
