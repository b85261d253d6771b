//! How a tree grows: thresholds, the direction of missing values, growth limits, sample counts
//! and class weights.

use flowlab::data::Matrix;
use flowlab::models::binning::BinnedMatrix;
use flowlab::models::boosting::{GradientBoosting, GradientBoostingParams};
use flowlab::models::tree::{ClassWeight, Criterion, DecisionTree, DecisionTreeParams};
use flowlab::models::{no_progress, Classifier};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::{small_boost, synthetic};

#[test]
fn depth_one_tree_finds_the_separating_threshold() {
    // Feature 0 is noise; feature 1 separates at 6.5 (values 0..=12).
    let mut data = Vec::new();
    let mut y = Vec::new();
    for i in 0..13 {
        data.extend([((i * 7) % 5) as f32, i as f32]);
        y.push(u32::from(i >= 7));
    }
    let x = Matrix {
        rows: 13,
        cols: 2,
        data,
    };
    for criterion in [Criterion::Gini, Criterion::Entropy] {
        let p = DecisionTreeParams {
            max_depth: Some(1),
            criterion,
            ..Default::default()
        };
        let t = DecisionTree::fit(&p, &x, &y, 2, &mut no_progress()).unwrap();
        let root = t.nodes()[0];
        assert_eq!((root.feature, root.threshold), (1, 6.5), "{criterion:?}");
        assert_eq!(t.nodes().len(), 3);
        assert_eq!(t.predict(&x).unwrap(), y);
        assert_eq!(t.depth(), 1);
        assert_eq!(t.feature_importance(), vec![0.0, 1.0]);
        // Root impurity: 7 vs 6 rows.
        let expected = match criterion {
            Criterion::Gini => 1.0 - (7.0f64 / 13.0).powi(2) - (6.0f64 / 13.0).powi(2),
            Criterion::Entropy => {
                -(7.0f64 / 13.0) * (7.0f64 / 13.0).log2() - (6.0f64 / 13.0) * (6.0f64 / 13.0).log2()
            }
        };
        assert!((root.impurity as f64 - expected).abs() < 1e-6);
        assert_eq!(t.class_distribution(0), vec![7.0, 6.0]);
    }
    // A single boosting round on the same data splits the same feature at the same value.
    let g = GradientBoosting::fit(
        &GradientBoostingParams {
            n_rounds: 1,
            max_leaves: 2,
            min_samples_leaf: 1,
            l2: 0.0,
            ..Default::default()
        },
        &x,
        &y,
        2,
        &mut no_progress(),
    )
    .unwrap();
    let root = g.trees()[0].nodes[0];
    assert_eq!((root.feature, root.threshold), (1, 6.5));
}

#[test]
fn missing_values_follow_the_learnt_direction() {
    // Class 1 rows have feature 0 missing; class 0 rows have values on both sides of class 2.
    let mut data = Vec::new();
    let mut y = Vec::new();
    for i in 0..30 {
        let (v, c) = match i % 3 {
            0 => (f32::NAN, 1),
            1 => ((i % 10) as f32, 0),
            _ => (20.0 + (i % 7) as f32, 2),
        };
        data.push(v);
        y.push(c);
    }
    let x = Matrix {
        rows: 30,
        cols: 1,
        data,
    };
    let t = DecisionTree::fit(
        &DecisionTreeParams::default(),
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    assert_eq!(t.predict(&x).unwrap(), y);
    let probe = Matrix {
        rows: 3,
        cols: 1,
        data: vec![f32::NAN, 5.0, 25.0],
    };
    assert_eq!(t.predict(&probe).unwrap(), vec![1, 0, 2]);
    let g = GradientBoosting::fit(&small_boost(), &x, &y, 3, &mut no_progress()).unwrap();
    assert_eq!(g.predict(&probe).unwrap(), vec![1, 0, 2]);

    // No missing value in training: a missing value goes to the child with more samples.
    let data: Vec<f32> = (0..10).map(|i| i as f32).collect();
    let y: Vec<u32> = (0..10).map(|i| u32::from(i >= 3)).collect();
    let x = Matrix {
        rows: 10,
        cols: 1,
        data,
    };
    let t = DecisionTree::fit(
        &DecisionTreeParams::default(),
        &x,
        &y,
        2,
        &mut no_progress(),
    )
    .unwrap();
    let nan = Matrix {
        rows: 1,
        cols: 1,
        data: vec![f32::NAN],
    };
    assert_eq!(t.predict(&nan).unwrap(), vec![1]);
    // Infinities are ordinary extremes, never a panic.
    let inf = Matrix {
        rows: 2,
        cols: 1,
        data: vec![f32::INFINITY, f32::NEG_INFINITY],
    };
    assert_eq!(t.predict(&inf).unwrap(), vec![1, 0]);
}

#[test]
fn growth_limits_are_respected() {
    let (x, y) = synthetic(600, 5, 13);
    for (max_depth, min_leaf) in [(Some(3), 1), (None, 25), (Some(6), 10)] {
        let p = DecisionTreeParams {
            max_depth,
            min_samples_leaf: min_leaf,
            min_samples_split: 2 * min_leaf + 5,
            ..Default::default()
        };
        let t = DecisionTree::fit(&p, &x, &y, 3, &mut no_progress()).unwrap();
        assert!(t.depth() <= max_depth.unwrap_or(usize::MAX));
        let nodes = t.nodes();
        for n in nodes {
            if n.is_leaf() {
                assert!(n.samples as usize >= min_leaf);
            } else {
                assert!(n.samples as usize >= 2 * min_leaf + 5);
                let (l, r) = (nodes[n.left as usize], nodes[n.right as usize]);
                assert_eq!(l.samples + r.samples, n.samples);
                assert!(n.gain > 0.0);
            }
        }
        assert_eq!(t.n_leaves(), nodes.iter().filter(|n| n.is_leaf()).count());
    }
    let p = GradientBoostingParams {
        n_rounds: 5,
        max_leaves: 7,
        max_depth: Some(4),
        min_samples_leaf: 15,
        min_child_weight: 2.0,
        l2: 0.0,
        ..Default::default()
    };
    let g = GradientBoosting::fit(&p, &x, &y, 3, &mut no_progress()).unwrap();
    for t in g.trees() {
        let leaves: Vec<_> = t.nodes.iter().filter(|n| n.left == 0).collect();
        assert!(leaves.len() <= 7 && leaves.len() >= 2);
        assert!(leaves.iter().all(|n| n.samples >= 15 && n.hessian >= 2.0));
        let mut depth = vec![0usize; t.nodes.len()];
        for (i, n) in t.nodes.iter().enumerate() {
            if n.left != 0 {
                depth[n.left as usize] = depth[i] + 1;
                depth[n.right as usize] = depth[i] + 1;
            }
        }
        assert!(depth.iter().all(|&d| d <= 4));
    }
}

#[test]
fn sample_counts_equal_repeated_rows() {
    let (x, y) = synthetic(200, 3, 4);
    let counts: Vec<u32> = (0..200).map(|i| (i % 3) as u32).collect();
    let mut data = Vec::new();
    let mut yy = Vec::new();
    for r in 0..200 {
        for _ in 0..counts[r] {
            data.extend_from_slice(x.row(r));
            yy.push(y[r]);
        }
    }
    let rep = Matrix {
        rows: yy.len(),
        cols: 3,
        data,
    };
    let p = DecisionTreeParams::default();
    // Fewer than 255 distinct values per feature would be needed for identical bins; compare
    // against binning the repeated matrix with the original mapper instead.
    let b = BinnedMatrix::new(&x, 255, 0).unwrap();
    let b_rep = b.mapper.transform(&rep).unwrap();
    let with_counts = DecisionTree::fit_counts(&p, &b, &y, 3, Some(&counts)).unwrap();
    let repeated = DecisionTree::fit_counts(&p, &b_rep, &yy, 3, None).unwrap();
    assert_eq!(with_counts, repeated);
}

#[test]
fn class_weight_balanced_favours_the_rare_class() {
    // 95 rows of class 0 and 5 of class 1 that overlap in one feature.
    let data: Vec<f32> = (0..100)
        .map(|i| if i < 95 { (i % 10) as f32 } else { 9.0 })
        .collect();
    let y: Vec<u32> = (0..100).map(|i| u32::from(i >= 95)).collect();
    let x = Matrix {
        rows: 100,
        cols: 1,
        data,
    };
    let probe = Matrix {
        rows: 1,
        cols: 1,
        data: vec![9.0],
    };
    let plain = DecisionTree::fit(
        &DecisionTreeParams::default(),
        &x,
        &y,
        2,
        &mut no_progress(),
    )
    .unwrap();
    assert_eq!(plain.predict(&probe).unwrap(), vec![0]);
    let p = DecisionTreeParams {
        class_weight: ClassWeight::Balanced,
        ..Default::default()
    };
    let balanced = DecisionTree::fit(&p, &x, &y, 2, &mut no_progress()).unwrap();
    // Leaf of value 9: 9 rows of class 0 (weight 100/190 each), 5 of class 1 (weight 10 each).
    assert_eq!(balanced.predict(&probe).unwrap(), vec![1]);
    let pr = balanced.predict_proba(&probe).unwrap();
    let w0 = 9.0 * 100.0 / 190.0;
    assert!((pr[1] as f64 - 50.0 / (50.0 + w0)).abs() < 1e-6);
}
