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
    let pipe = Pipeline::fit(&data, &train, &FeatureOptions::default());
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
