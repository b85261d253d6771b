//! An explanation cut by trees and spread over workers adds up to the whole one: per tree range
//! in the model layer ([`Explainer::explain_trees`]), and through the page's protocol functions
//! ([`plan_parts`], [`explain_part`], [`merge_parts`]) on a model trained on the fixture.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::{assert_close, fit};
use flowlab::eval::split::SplitKind;
use flowlab::features::FeatureOptions;
use flowlab::ingest::Taxonomy;
use flowlab::job::{train, PlanError, TrainError, TrainRequest, TrainedModel};
use flowlab::models::boosting::GradientBoostingParams;
use flowlab::models::forest::RandomForestParams;
use flowlab::models::linear::LogisticParams;
use flowlab::models::naive_bayes::GaussianNbParams;
use flowlab::models::shap::Explainer;
use flowlab::models::tree::DecisionTreeParams;
use flowlab::models::{no_progress, ModelError, ModelSpec};
use flowlab::predictions::explain::{explain_features, importance, rows_at};
use flowlab::predictions::explain_parts::{explain_part, merge_parts, plan_parts, ExplainPart};

#[test]
fn tree_ranges_add_up_to_the_whole_explanation() {
    let cases = [
        (
            ModelSpec::Rf(RandomForestParams {
                n_trees: 20,
                ..Default::default()
            }),
            Taxonomy::Attack,
        ),
        (
            ModelSpec::Gbdt(GradientBoostingParams {
                n_rounds: 12,
                ..Default::default()
            }),
            Taxonomy::Attack,
        ),
        (
            ModelSpec::Gbdt(GradientBoostingParams {
                n_rounds: 15,
                ..Default::default()
            }),
            Taxonomy::Binary,
        ),
        (
            ModelSpec::Logreg(LogisticParams::default()),
            Taxonomy::Attack,
        ),
    ];
    for (spec, taxonomy) in cases {
        let name = format!("{} {taxonomy:?}", spec.name());
        let (model, x) = fit(spec, taxonomy);
        let e = Explainer::new(&model).unwrap();
        let n = e.n_trees();
        let whole = e.explain(&x).unwrap();
        // Three uneven cuts (a linear model is one "tree": 0..1 and two empty ranges).
        let cuts = [0, n / 3, n / 3 + n / 4, n];
        let mut sum = vec![0.0; whole.len()];
        for w in cuts.windows(2) {
            let part = e.explain_trees(&x, w[0]..w[1]).unwrap();
            assert_eq!(part.len(), whole.len(), "{name}");
            sum.iter_mut().zip(&part).for_each(|(s, p)| *s += p);
        }
        assert_close(&sum, &whole, 1e-12, &name);
        assert!(whole.iter().any(|v| v.abs() > 1e-6), "{name}: all zero");
        // No trees: nothing; past the end: clamped to nothing.
        let none = e.explain_trees(&x, n..n + 5).unwrap();
        assert!(none.iter().all(|&v| v == 0.0), "{name}");
    }
}

/// A forest trained on the fixture as the page trains it (random split, default features).
fn trained(spec: ModelSpec) -> (TrainedModel, flowlab::ingest::Dataset) {
    let data = crate::common::iot23_mix();
    let request = TrainRequest {
        spec,
        taxonomy: Taxonomy::Attack,
        split: SplitKind::Random { test_size: 0.25 },
        seed: 11,
        features: FeatureOptions::default(),
    };
    (train(&data, &request, &mut no_progress()).unwrap(), data)
}

#[test]
fn parts_from_the_pool_merge_into_the_whole_explanation() {
    let spec = ModelSpec::Rf(RandomForestParams {
        n_trees: 25,
        ..Default::default()
    });
    let (m, data) = trained(spec);
    let x = m.pipeline.transform(&data).unwrap();
    let rows: Vec<usize> = (0..x.rows).collect();
    let at = rows_at(&data, &rows);
    let parts = plan_parts(&m, 3).unwrap();
    // Consecutive, covering every tree once, as even as can be.
    assert_eq!(
        parts,
        [
            ExplainPart { start: 0, end: 8 },
            ExplainPart { start: 8, end: 16 },
            ExplainPart { start: 16, end: 25 }
        ]
    );
    // The outputs travel as bytes and may come back in any order.
    let mut outputs: Vec<Vec<f64>> = parts
        .iter()
        .map(|p| {
            let bytes = flowlab::model_file::write(&explain_part(&m, &x, p).unwrap()).unwrap();
            flowlab::model_file::read(&bytes).unwrap()
        })
        .collect();
    outputs.reverse();
    let merged = merge_parts(&m, &x, &at, &outputs).unwrap();
    let whole = explain_features(&m, &x, &at, false).unwrap();
    assert_eq!(merged.columns, whole.columns);
    assert_eq!(merged.rows.len(), x.rows);
    for (a, b) in merged.rows.iter().zip(&whole.rows) {
        assert_eq!((a.row, a.line, &a.predicted), (b.row, b.line, &b.predicted));
        assert_close(
            &a.explained.contributions,
            &b.explained.contributions,
            1e-12,
            &format!("row {}", a.row),
        );
        assert!((a.explained.output - b.explained.output).abs() < 1e-12);
    }
    let (u, v) = (importance(&merged), importance(&whole));
    assert_close(&u.overall, &v.overall, 1e-12, "mean |SHAP|");
    assert_eq!(u.per_class.len(), v.per_class.len());
}

#[test]
fn a_part_of_another_size_is_refused_and_unexplained_models_are_refused_at_planning() {
    let spec = ModelSpec::Rf(RandomForestParams {
        n_trees: 4,
        ..Default::default()
    });
    let (m, data) = trained(spec);
    let x = m.pipeline.transform(&data).unwrap().select_rows(&[0, 1, 2]);
    let at = rows_at(&data, &[0, 1, 2]);
    let parts = plan_parts(&m, 2).unwrap();
    let mut outputs: Vec<Vec<f64>> = parts
        .iter()
        .map(|p| explain_part(&m, &x, p).unwrap())
        .collect();
    let want = outputs[1].len();
    outputs[1].pop();
    let err = merge_parts(&m, &x, &at, &outputs).unwrap_err();
    assert_eq!(
        err,
        TrainError::Plan(PlanError::ExplainPart {
            part: 2,
            got: want - 1,
            want
        })
    );
    assert!(err
        .to_string()
        .starts_with("part 2 of the explanation holds"));
    // More workers than trees: one part per tree; a single tree: one part.
    assert_eq!(plan_parts(&m, 8).unwrap().len(), 4);
    let (dt, _) = trained(ModelSpec::Dt(DecisionTreeParams::default()));
    assert_eq!(
        plan_parts(&dt, 2).unwrap(),
        [ExplainPart { start: 0, end: 1 }]
    );
    let (nb, _) = trained(ModelSpec::Nb(GaussianNbParams::default()));
    assert!(matches!(
        plan_parts(&nb, 2),
        Err(TrainError::Model(ModelError::NotExplained { .. }))
    ));
}
