//! The memory budget's arithmetic: rows that fit, the load plan, and the checks of training,
//! loading and predicting, on the shapes of real files (a Zeek conn.log of the IoT-23 data set).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use flowlab::data::budget::{
    round_down, size, Budget, BudgetError, RowShape, TrainShape, GIB, MIB,
};

/// A Zeek conn.log.labeled as flowlab reads it: ~136 bytes a line (1 GB for 7.9 M rows),
/// 12 numeric and 9 text columns.
const CONN_LOG: RowShape = RowShape {
    bytes_per_row: 136.0,
    numeric: 12,
    text: 9,
};

#[test]
fn round_numbers_for_sentences() {
    assert_eq!(round_down(53_718), 50_000);
    assert_eq!(round_down(199_999), 100_000);
    assert_eq!(round_down(250_000), 200_000);
    assert_eq!(round_down(7), 7);
    assert_eq!(round_down(0), 1);
    assert_eq!(size(3 * GIB / 2), "1.5 GiB");
    assert_eq!(size(300 * MIB), "300 MiB");
}

#[test]
fn row_costs_of_a_conn_log() {
    // 12 + 9 columns × 8 bytes, 9 pairs × 8, 16 of bookkeeping, ×1.5 growth, + 9/21 of the text.
    let loading = (21.0 * 8.0 + 9.0 * 8.0 + 16.0) * 1.5 + 136.0 * 9.0 / 21.0;
    assert!((CONN_LOG.loading_bytes() - loading).abs() < 1e-9);
    assert!((CONN_LOG.loaded_bytes() - (96.0 + 36.0 + 16.0 + 136.0 * 9.0 / 21.0)).abs() < 1e-9);
    assert_eq!(CONN_LOG.held_bytes(), 136.0 + 16.0 * 21.0 + 48.0);
    assert_eq!(CONN_LOG.features(), 12 + 4 * 9 + 12);
}

#[test]
fn the_reported_crash_is_refused_before_it_happens() {
    // 7.9 M rows × 60 features, 25 % hold-out: the fit's payload buffer grows past 2 GiB — the
    // `capacity overflow` the page died of. Refused, with a row count that does fit.
    let job = TrainShape {
        rows: 7_926_100,
        features: 60,
        fits: 1,
        train_rows: 5_944_575,
    };
    let cost = Budget::training(&job);
    assert!(cost.largest_block > 2 * GIB, "{cost:?}");
    let err = Budget::WASM32.check_training(&job, 0).unwrap_err();
    let BudgetError::Block { fit, .. } = err.clone() else {
        panic!("expected a block error, got {err:?}");
    };
    assert!(fit > 1_000_000 && fit < 7_926_100, "{fit}");
    assert!(err.to_string().contains("sample the data on the Data tab"));
    // The suggested size, with the data set held, passes (or names a smaller size still).
    let smaller = TrainShape {
        rows: fit,
        features: 60,
        fits: 1,
        train_rows: fit * 3 / 4,
    };
    let held = (fit as f64 * CONN_LOG.loaded_bytes()) as u64;
    assert!(Budget::WASM32.check_training(&smaller, held).is_ok());
    // Natively there is no such limit.
    assert!(Budget::NATIVE.check_training(&job, 0).is_ok());
}

#[test]
fn memory_over_the_budget_is_refused_with_a_smaller_size() {
    let job = TrainShape {
        rows: 1_000_000,
        features: 60,
        fits: 6,
        train_rows: 800_000,
    };
    let small = Budget::with_memory(GIB);
    match small.check_training(&job, 0) {
        Err(BudgetError::Train {
            fit, need, have, ..
        }) => {
            assert!((100_000..1_000_000).contains(&fit), "{fit}");
            assert_eq!(have, "1.0 GiB");
            assert!(need.ends_with("GiB"), "{need}");
        }
        other => panic!("expected a memory error, got {other:?}"),
    }
    assert!(Budget::WASM32.check_training(&job, 0).is_ok());
}

#[test]
fn a_gigabyte_conn_log_is_sampled_balanced() {
    let plan = Budget::WASM32.plan_load(1_078_000_000, &CONN_LOG, 6);
    assert_eq!(plan.estimated_rows, 7_926_471);
    assert!(plan.sample);
    assert!(
        plan.fit_rows > 1_000_000 && plan.fit_rows < 4_000_000,
        "{plan:?}"
    );
    // 8 classes' worth of room (6 seen + 2), rounded down.
    assert_eq!(plan.per_class, round_down(plan.fit_rows / 8));
    assert!(plan.per_class * 8 <= plan.fit_rows);
    // A 100 MB file fits whole.
    let small = Budget::WASM32.plan_load(100_000_000, &CONN_LOG, 6);
    assert!(!small.sample, "{small:?}");
}

#[test]
fn loading_is_checked_while_reading() {
    let budget = Budget::with_memory(256 * MIB);
    let fit = budget.rows_that_fit(&CONN_LOG);
    assert!(budget.check_loading(&CONN_LOG, fit / 2, 0).is_ok());
    let err = budget.check_loading(&CONN_LOG, fit, fit).unwrap_err();
    assert!(err.to_string().starts_with("loading: about"), "{err}");
}

#[test]
fn predicting_is_checked() {
    assert!(Budget::WASM32
        .check_predict(&CONN_LOG, 1_000_000, 60)
        .is_ok());
    let err = Budget::WASM32
        .check_predict(&CONN_LOG, 20_000_000, 60)
        .unwrap_err();
    assert!(
        err.to_string().contains("predict the file in parts"),
        "{err}"
    );
    assert!(Budget::WASM32.check_explore(1_000_000, 21, GIB).is_ok());
    assert!(Budget::with_memory(64 * MIB)
        .check_explore(1_000_000, 21, 0)
        .is_err());
}

mod guard {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use flowlab::data::budget::{Budget, MIB};
    use flowlab::ingest::{IngestOptions, Loader, Taxonomy};
    use flowlab::worker::load::{
        crash_cause, kept_sentence, sampling, stopped_answering, LoadGuard, Verdict,
    };

    /// 20,000 rows of three classes (10 % attack, 30 % scan, 60 % benign), ~30 bytes a line.
    fn flows() -> String {
        let mut text = String::from("duration,orig_bytes,resp_bytes,label\n");
        for i in 0..20_000u32 {
            let label = match i % 10 {
                0 => "attack",
                1..=3 => "scan",
                _ => "benign",
            };
            text.push_str(&format!(
                "{}.{},{},{},{label}\n",
                i % 7,
                i % 1000,
                i * 3,
                i % 97
            ));
        }
        text
    }

    /// Feeds `text` in 64 KiB chunks with `guard` watching; the first verdict that is not `Go`.
    fn read(text: &str, options: IngestOptions, guard: &mut LoadGuard) -> (Verdict, Loader) {
        let mut loader = Loader::new(options);
        loader.start_file("flows.csv");
        let mut fed = 0u64;
        for chunk in text.as_bytes().chunks(64 << 10) {
            loader.feed(chunk).unwrap();
            fed += chunk.len() as u64;
            let verdict = guard.check(&loader.state(), fed);
            if verdict != Verdict::Go {
                return (verdict, loader);
            }
        }
        (Verdict::Go, loader)
    }

    fn options(per_class: Option<u64>) -> IngestOptions {
        IngestOptions {
            taxonomy: Taxonomy::Raw,
            per_class,
            seed: 3,
            ..IngestOptions::default()
        }
    }

    #[test]
    fn a_load_over_the_budget_is_resampled_balanced_and_reported() {
        let text = flows();
        let budget = Budget::with_memory(MIB);
        let total = text.len() as u64;
        let mut guard = LoadGuard::new(budget, total, &options(None), true);
        let (verdict, _) = read(&text, options(None), &mut guard);
        let Verdict::Resample { per_class, why } = verdict else {
            panic!("expected a resample, got {verdict:?}");
        };
        let plan = guard.plan.unwrap();
        // Estimated from the first 64 KiB: within 10 % of the 20,000 rows.
        assert!(plan.estimated_rows.abs_diff(20_000) < 2_000, "{plan:?}");
        assert!(plan.fit_rows < 20_000, "{plan:?}");
        assert!(per_class * 3 <= plan.fit_rows, "{per_class} {plan:?}");
        assert!(why.contains("rows per class is kept"), "{why}");
        // Read again with the cap: every class holds exactly `per_class` rows, and it fits.
        let opts = options(Some(per_class));
        let mut guard = LoadGuard::new(budget, total, &opts, true);
        let (verdict, mut loader) = read(&text, opts.clone(), &mut guard);
        assert_eq!(verdict, Verdict::Go);
        loader.end_file().unwrap();
        let data = loader.finish().unwrap();
        assert_eq!(data.n_rows() as u64, 3 * per_class);
        let note = sampling(&opts, Some(why));
        let sentence = kept_sentence(&data.files, &note).unwrap();
        let expected = format!(
            "Kept {} of 20,000 rows: {} per class (seed 3).",
            flowlab::report::format::thousands(3 * per_class),
            flowlab::report::format::thousands(per_class)
        );
        assert!(
            sentence.starts_with("Sampled to fit in memory: "),
            "{sentence}"
        );
        assert!(sentence.ends_with(&expected), "{sentence}");
    }

    #[test]
    fn sampling_asked_by_the_page_that_does_not_fit_stops_with_advice() {
        let text = flows();
        let opts = options(Some(1_000_000));
        let mut guard = LoadGuard::new(
            Budget::with_memory(MIB / 2),
            text.len() as u64,
            &opts,
            false,
        );
        let (verdict, _) = read(&text, opts, &mut guard);
        match verdict {
            Verdict::Stop(message) => assert!(message.contains("rows per class"), "{message}"),
            other => panic!("expected a stop, got {other:?}"),
        }
    }

    #[test]
    fn a_load_that_fits_goes_on_untouched() {
        let text = flows();
        let mut guard = LoadGuard::new(Budget::WASM32, text.len() as u64, &options(None), true);
        let (verdict, _) = read(&text, options(None), &mut guard);
        assert_eq!(verdict, Verdict::Go);
        assert!(!guard.plan.unwrap().sample);
    }

    #[test]
    fn crashes_are_told_in_words() {
        assert_eq!(
            crash_cause("panicked at alloc/raw_vec.rs: capacity overflow"),
            "ran out of memory"
        );
        assert_eq!(
            crash_cause("RuntimeError: unreachable"),
            "ran out of memory"
        );
        assert_eq!(
            crash_cause("panicked at src/x.rs:1:1:\nindex out of bounds"),
            "crashed (panicked at src/x.rs:1:1: index out of bounds)"
        );
        // The watchdog's words pass through as they are.
        assert_eq!(
            crash_cause(&stopped_answering(61.4)),
            "stopped answering (no message for 61 s while it had work; it was terminated)"
        );
    }
}
