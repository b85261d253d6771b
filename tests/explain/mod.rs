//! Explanations (exact TreeSHAP, linear contributions): additivity on every row of the IoT-23
//! fixture for dt, rf, gbdt and logreg; TreeSHAP equal to Shapley values computed by brute-force
//! subset enumeration on small trees. The fixture is compiled in, so this runs in wasm too.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod brute;
mod cli;
mod parts;
mod reference;

use flowlab::data::Matrix;
use flowlab::features::{FeatureOptions, Pipeline};
use flowlab::ingest::{Taxonomy, MISSING};
use flowlab::models::boosting::GradientBoostingParams;
use flowlab::models::forest::RandomForestParams;
use flowlab::models::linear::LogisticParams;
use flowlab::models::shap::{Explainer, OutputSpace};
use flowlab::models::tree::DecisionTreeParams;
use flowlab::models::{no_progress, Model, ModelError, ModelSpec};

/// The IoT-23 fixture (350 flows) as a matrix with labels under `taxonomy`.
pub(crate) fn iot23(taxonomy: Taxonomy) -> (Matrix, Vec<u32>, usize) {
    let data = crate::common::iot23_mix();
    let (codes, classes) = data.labels_as(taxonomy);
    let rows: Vec<usize> = (0..codes.len()).filter(|&r| codes[r] != MISSING).collect();
    let pipe = Pipeline::fit(&data, &rows, &FeatureOptions::default());
    let x = pipe.transform(&data).unwrap();
    let data = rows.iter().flat_map(|&r| x.row(r).to_vec()).collect();
    let x = Matrix {
        rows: rows.len(),
        cols: x.cols,
        data,
    };
    (x, rows.iter().map(|&r| codes[r]).collect(), classes.len())
}

fn fit(spec: ModelSpec, taxonomy: Taxonomy) -> (Model, Matrix) {
    let (x, y, k) = iot23(taxonomy);
    let model = spec.fit(&x, &y, k, &mut no_progress()).unwrap();
    (model, x)
}

/// `expected + Σ contributions` per row and class.
fn sums(e: &Explainer, x: &Matrix) -> Vec<f64> {
    let (d, k) = (e.n_features(), e.n_classes());
    let phi = e.explain(x).unwrap();
    let mut out = Vec::with_capacity(x.rows * k);
    for r in 0..x.rows {
        for c in 0..k {
            let s: f64 = (0..d).map(|f| phi[(r * d + f) * k + c]).sum();
            out.push(e.expected_value()[c] + s);
        }
    }
    out
}

fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol, "{what}: value {i}: {g} vs {w}");
    }
}

#[test]
fn tree_and_forest_contributions_add_up_to_the_probability() {
    let dt = ModelSpec::Dt(DecisionTreeParams::default());
    let rf = ModelSpec::Rf(RandomForestParams {
        n_trees: 20,
        ..Default::default()
    });
    for (spec, name) in [(dt, "dt"), (rf, "rf")] {
        let (model, x) = fit(spec, Taxonomy::Attack);
        let e = Explainer::new(&model).unwrap();
        assert_eq!(e.output_space(), OutputSpace::Probability);
        let p = model.as_classifier().predict_proba(&x).unwrap();
        let p: Vec<f64> = p.iter().map(|&v| v as f64).collect();
        assert_close(&sums(&e, &x), &p, 1e-5, name);
        // Probabilities: the expected values sum to 1 over the classes (f32 leaf tables).
        let total: f64 = e.expected_value().iter().sum();
        assert!((total - 1.0).abs() < 1e-6, "{name}: {total}");
        assert!(
            e.n_classes() >= 3,
            "{name}: the fixture has several attack classes"
        );
    }
}

#[test]
fn boosting_contributions_add_up_to_the_raw_score() {
    for (taxonomy, rounds) in [(Taxonomy::Attack, 30), (Taxonomy::Binary, 40)] {
        let spec = ModelSpec::Gbdt(GradientBoostingParams {
            n_rounds: rounds,
            ..Default::default()
        });
        let (model, x) = fit(spec, taxonomy);
        let Model::Gbdt(g) = &model else { panic!() };
        let e = Explainer::new(&model).unwrap();
        assert_eq!(e.output_space(), OutputSpace::RawScore);
        let raw = g.decision_function(&x).unwrap();
        let want: Vec<f64> = if g.n_outputs() == 1 {
            raw.iter().flat_map(|&s| [-s, s]).collect()
        } else {
            raw
        };
        assert_close(&sums(&e, &x), &want, 1e-5, &format!("gbdt {taxonomy:?}"));
    }
}

#[test]
fn logistic_contributions_add_up_to_the_class_scores() {
    let (model, x) = fit(
        ModelSpec::Logreg(LogisticParams::default()),
        Taxonomy::Attack,
    );
    let e = Explainer::new(&model).unwrap();
    let p = model.as_classifier().predict_proba(&x).unwrap();
    let s = sums(&e, &x);
    let k = e.n_classes();
    // Softmax: score_c − score_0 = ln p_c − ln p_0 (checked where both probabilities are
    // representable well in f32).
    let mut checked = 0;
    for r in 0..x.rows {
        for c in 1..k {
            let (pc, p0) = (p[r * k + c] as f64, p[r * k] as f64);
            if pc > 1e-20 && p0 > 1e-20 {
                let want = pc.ln() - p0.ln();
                let got = s[r * k + c] - s[r * k];
                assert!(
                    (got - want).abs() < 1e-4,
                    "row {r} class {c}: {got} vs {want}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > x.rows, "only {checked} pairs checked");
}

#[test]
fn the_mlp_is_not_explained() {
    let spec = ModelSpec::Mlp(Default::default());
    let (x, y, k) = iot23(Taxonomy::Binary);
    let x = Matrix {
        rows: 40,
        cols: x.cols,
        data: x.data[..40 * x.cols].to_vec(),
    };
    let model = spec.fit(&x, &y[..40], k, &mut no_progress()).unwrap();
    let err = Explainer::new(&model).unwrap_err();
    assert_eq!(err, ModelError::NotExplained { model: "MLP" });
    assert!(err.to_string().contains("not explained"));
}

#[test]
fn repeated_rows_are_explained_once_per_cell_with_the_same_values() {
    let spec = ModelSpec::Rf(RandomForestParams {
        n_trees: 10,
        ..Default::default()
    });
    let (model, x) = fit(spec, Taxonomy::Attack);
    let e = Explainer::new(&model).unwrap();
    // 4 copies of the fixture: above the row count where rows are grouped by cell.
    let big = Matrix {
        rows: x.rows * 4,
        cols: x.cols,
        data: x.data.repeat(4),
    };
    let grouped = e.explain(&big).unwrap();
    let w = e.n_features() * e.n_classes();
    let mut scratch = e.scratch();
    let mut phi = vec![0.0; w];
    for r in 0..big.rows {
        e.explain_into(big.row(r), &mut phi, &mut scratch);
        // The grouped walk adds each tree's values to the row on their own, one row alone
        // accumulates them in place: the same numbers summed in another order.
        assert_close(
            &grouped[r * w..(r + 1) * w],
            &phi,
            1e-12,
            &format!("row {r}"),
        );
    }
    let p = model.as_classifier().predict_proba(&big).unwrap();
    let p: Vec<f64> = p.iter().map(|&v| v as f64).collect();
    assert_close(&sums(&e, &big), &p, 1e-5, "rf, 4 copies");
}

#[test]
fn global_importance_is_the_mean_absolute_contribution() {
    use flowlab::predictions::explain::importance;
    let e = flowlab::predictions::explain::Explanations {
        classes: vec!["a".into(), "b".into(), "c".into()],
        columns: vec!["x".into(), "y".into()],
        output: OutputSpace::Probability,
        rows: [("a", [0.2, -0.4]), ("a", [-0.6, 0.0]), ("b", [0.1, 0.3])]
            .iter()
            .enumerate()
            .map(
                |(i, (p, c))| flowlab::predictions::explain::RowExplanation {
                    row: i,
                    file: "f".into(),
                    line: i as u64 + 2,
                    predicted: p.to_string(),
                    explained: flowlab::predictions::explain::ClassExplanation {
                        class: p.to_string(),
                        expected_value: 0.5,
                        output: 0.5 + c[0] + c[1],
                        contributions: c.to_vec(),
                    },
                    per_class: Vec::new(),
                },
            )
            .collect(),
    };
    let imp = importance(&e);
    assert_close(&imp.overall, &[0.3, 0.7 / 3.0], 1e-12, "overall");
    assert_eq!(imp.per_class.len(), 2, "no row predicted c");
    assert_eq!((imp.per_class[0].0.as_str(), imp.per_class[0].1), ("a", 2));
    assert_close(&imp.per_class[0].2, &[0.4, 0.2], 1e-12, "class a");
    assert_close(&imp.per_class[1].2, &[0.1, 0.3], 1e-12, "class b");
}
