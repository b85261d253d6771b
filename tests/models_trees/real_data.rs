//! Accuracy on real flows (the IoT-23 fixture; native only, it reads the file).

use flowlab::data::Matrix;
use flowlab::features::{FeatureOptions, Pipeline};
use flowlab::ingest::Taxonomy;
use flowlab::models::boosting::{GradientBoosting, GradientBoostingParams};
use flowlab::models::forest::{RandomForest, RandomForestParams};
use flowlab::models::tree::{DecisionTree, DecisionTreeParams};
use flowlab::models::{no_progress, Classifier};

use super::accuracy;

/// The 350-row IoT-23 fixture as features and Attack-taxonomy labels, split by row index:
/// every 4th row is held out.
fn iot23_mix() -> (Matrix, Vec<u32>, Matrix, Vec<u32>, usize) {
    let data = crate::common::load_one("iot23-mix.csv");
    let (labels, classes) = data.labels_as(Taxonomy::Attack);
    let rows: Vec<usize> = (0..data.n_rows())
        .filter(|&r| labels[r] != flowlab::ingest::MISSING)
        .collect();
    let (test, train): (Vec<usize>, Vec<usize>) = rows.iter().partition(|&&r| r % 4 == 0);
    // With the hour of day (off by default since issue 15): these floors were measured with
    // it, on a random split of one fixture, where the clock helps; they test the models.
    let opts = FeatureOptions::default().time_of_day(true);
    let pipe = Pipeline::fit(&data, &train, &opts);
    let x = pipe.transform(&data).unwrap();
    let pick = |rows: &[usize]| {
        let mut m = Vec::new();
        for &r in rows {
            m.extend_from_slice(x.row(r));
        }
        (
            Matrix {
                rows: rows.len(),
                cols: x.cols,
                data: m,
            },
            rows.iter().map(|&r| labels[r]).collect::<Vec<u32>>(),
        )
    };
    let (xtr, ytr) = pick(&train);
    let (xte, yte) = pick(&test);
    (xtr, ytr, xte, yte, classes.len())
}

#[test]
fn tree_models_learn_real_flows() {
    let (xtr, ytr, xte, yte, k) = iot23_mix();
    assert_eq!((xtr.rows, xte.rows, k), (262, 88, 6));
    let t = DecisionTree::fit(
        &DecisionTreeParams::default(),
        &xtr,
        &ytr,
        k,
        &mut no_progress(),
    )
    .unwrap();
    let f = RandomForest::fit(
        &RandomForestParams {
            oob_score: true,
            ..Default::default()
        },
        &xtr,
        &ytr,
        k,
        &mut no_progress(),
    )
    .unwrap();
    let g = GradientBoosting::fit(
        &GradientBoostingParams {
            min_samples_leaf: 3,
            l2: 0.0,
            ..Default::default()
        },
        &xtr,
        &ytr,
        k,
        &mut no_progress(),
    )
    .unwrap();
    let scores = [
        (
            "tree",
            accuracy(&t.predict(&xtr).unwrap(), &ytr),
            accuracy(&t.predict(&xte).unwrap(), &yte),
        ),
        (
            "forest",
            accuracy(&f.predict(&xtr).unwrap(), &ytr),
            accuracy(&f.predict(&xte).unwrap(), &yte),
        ),
        (
            "boosting",
            accuracy(&g.predict(&xtr).unwrap(), &ytr),
            accuracy(&g.predict(&xte).unwrap(), &yte),
        ),
    ];
    let mut counts = vec![0usize; k];
    for &c in &yte {
        counts[c as usize] += 1;
    }
    let majority = *counts.iter().max().unwrap() as f64 / yte.len() as f64;
    eprintln!(
        "{scores:?} oob {:?}, majority class {majority}",
        f.oob_accuracy
    );
    // Measured with these seeds: training 0.878 for all three (identical flows with different
    // labels cap it); hold-out tree 0.886, forest 0.864, boosting 0.875; OOB 0.824; the
    // majority class alone gets 0.330.
    assert!(majority < 0.34);
    assert!(f.oob_accuracy.unwrap() >= 0.80);
    let floors = [
        ("tree", 0.87, 0.86),
        ("forest", 0.87, 0.85),
        ("boosting", 0.87, 0.86),
    ];
    for ((name, tr, te), (_, ftr, fte)) in scores.iter().zip(floors) {
        assert!(*tr >= ftr, "{name} training accuracy {tr} < {ftr}");
        assert!(*te >= fte, "{name} hold-out accuracy {te} < {fte}");
    }
}

#[test]
fn dedup_prediction_is_exact_on_real_flows() {
    use super::cells::{
        boosting_exact, boosting_splits, forest_exact, forest_splits, repeated_with_edges,
    };
    let (xtr, ytr, xte, _, k) = iot23_mix();
    assert!(
        xte.data.iter().any(|v| v.is_nan()),
        "the fixture has missing values"
    );
    let f = RandomForest::fit(
        &RandomForestParams {
            n_trees: 30,
            ..Default::default()
        },
        &xtr,
        &ytr,
        k,
        &mut no_progress(),
    )
    .unwrap();
    let (mut splits, roots) = forest_splits(&f);
    splits.truncate(roots + 150);
    let per = |i| if i < roots { 5 } else { 1 };
    forest_exact(&f, &repeated_with_edges(&xte, 30, &splits, per));
    let b = GradientBoosting::fit(
        &GradientBoostingParams {
            n_rounds: 20,
            ..Default::default()
        },
        &xtr,
        &ytr,
        k,
        &mut no_progress(),
    )
    .unwrap();
    let (mut splits, roots) = boosting_splits(&b);
    splits.truncate(roots + 150);
    boosting_exact(&b, &repeated_with_edges(&xte, 30, &splits, |_| 1));
}
