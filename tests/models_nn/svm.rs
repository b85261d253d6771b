//! The SVM (linear and RBF through random Fourier features): separable data learnt exactly,
//! parameters refused with typed errors, seeded determinism with pinned checksums (the same
//! constants natively and in wasm), the model file round trip, and exact linear explanations.
//! Agreement with scikit-learn's `LinearSVC` is in `tests/train.rs` (it runs the CLI).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use flowlab::data::rng::FlowRng;
use flowlab::data::Matrix;
use flowlab::models::shap::Explainer;
use flowlab::models::svm::{Kernel, Svm, SvmParams};
use flowlab::models::{no_progress, Classifier, Model, ModelError, ModelSpec, Params, Step};

use super::{accuracy, assert_distributions, blobs, checksum};

fn rbf() -> SvmParams {
    SvmParams {
        kernel: Kernel::Rbf,
        components: 64,
        seed: 3,
        ..Default::default()
    }
}

/// `n` points in [-1, 1]², class 1 inside the circle of radius 0.6: no line separates them.
fn ring(n: usize) -> (Matrix, Vec<u32>) {
    let mut rng = FlowRng::new(11, 5);
    let mut data = Vec::with_capacity(2 * n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let (a, b) = (rng.unit() * 2.0 - 1.0, rng.unit() * 2.0 - 1.0);
        data.extend([a as f32, b as f32]);
        y.push((a * a + b * b < 0.36) as u32);
    }
    (
        Matrix {
            rows: n,
            cols: 2,
            data,
        },
        y,
    )
}

/// Three classes in 3-D, each a unit cube around its own corner, 4 apart: linearly separable.
fn separable(n: usize) -> (Matrix, Vec<u32>) {
    let mut rng = FlowRng::new(2, 9);
    let mut data = Vec::with_capacity(3 * n);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % 3;
        for j in 0..3 {
            let centre = if j == c { 4.0 } else { 0.0 };
            data.push((centre + rng.unit() - 0.5) as f32);
        }
        y.push(c as u32);
    }
    (
        Matrix {
            rows: n,
            cols: 3,
            data,
        },
        y,
    )
}

#[test]
fn separable_data_is_learnt_exactly_by_both_kernels() {
    let (x, y) = separable(300);
    for params in [SvmParams::default(), rbf()] {
        let m = Svm::fit(&params, &x, &y, 3, &mut no_progress()).unwrap();
        assert_eq!(accuracy(&m.predict(&x).unwrap(), &y), 1.0, "{params:?}");
        assert!(m.converged, "{params:?}");
        let p = m.predict_proba(&x).unwrap();
        assert_distributions(&p, 3);
        // The probabilities are the softmax of the decision values: same order within a row.
        let d = m.decision_function(&x).unwrap();
        let e: Vec<f64> = d[..3].iter().map(|v| v.exp()).collect();
        let s: f64 = e.iter().sum();
        for c in 0..3 {
            assert!((p[c] as f64 - e[c] / s).abs() < 1e-6);
        }
    }
}

#[test]
fn the_rbf_kernel_learns_a_ring_that_no_line_separates() {
    let (x, y) = ring(600);
    let (xt, yt) = ring(1200);
    let test = |p: &SvmParams| {
        let m = Svm::fit(p, &x, &y, 2, &mut no_progress()).unwrap();
        accuracy(&m.predict(&xt.clone()).unwrap(), &yt)
    };
    let linear = test(&SvmParams::default());
    let curved = test(&SvmParams { c: 10.0, ..rbf() });
    // About 28 % of the square is inside the circle: a line does no better than "outside".
    assert!(linear < 0.75, "linear {linear}");
    assert!(curved > 0.95, "rbf {curved}");
}

#[test]
fn parameters_out_of_range_are_refused_by_name() {
    let (x, y) = separable(30);
    let bad = [
        (
            SvmParams {
                c: 0.0,
                ..Default::default()
            },
            "c",
            "a number > 0",
        ),
        (
            SvmParams {
                gamma: Some(-1.0),
                ..rbf()
            },
            "gamma",
            "a number > 0, or null for 1 / features",
        ),
        (
            SvmParams {
                components: 0,
                ..rbf()
            },
            "components",
            "an integer in 1 ..= 4096",
        ),
        (
            SvmParams {
                tol: 0.0,
                ..Default::default()
            },
            "tol",
            "a number > 0",
        ),
        (
            SvmParams {
                max_iter: 0,
                ..Default::default()
            },
            "max_iter",
            "an integer in 1 ..= 1000000",
        ),
    ];
    for (params, name, expected) in bad {
        let e = Svm::fit(&params, &x, &y, 3, &mut no_progress()).unwrap_err();
        match e {
            ModelError::InvalidParam {
                name: got,
                expected: want,
                ..
            } => assert_eq!((got, want.as_str()), (name, expected)),
            other => panic!("{name}: {other:?}"),
        }
    }
    let e = ModelSpec::with_values("svm", &[("kernel", "poly")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "hyper-parameter kernel = poly: expected one of linear, rbf"
    );
    let ModelSpec::Svm(p) =
        ModelSpec::with_values("svm", &[("kernel", "rbf"), ("gamma", "0.5")]).unwrap()
    else {
        panic!("not an SVM")
    };
    assert_eq!((p.kernel, p.gamma), (Kernel::Rbf, Some(0.5)));
    assert!(SvmParams::default().check().is_ok());
}

#[test]
fn same_seed_same_model_on_every_target_and_the_file_keeps_it() {
    let (x, y) = blobs(300, 4);
    let lin = Svm::fit(&SvmParams::default(), &x, &y, 3, &mut no_progress()).unwrap();
    let a = Svm::fit(&rbf(), &x, &y, 3, &mut no_progress()).unwrap();
    assert_eq!(a, Svm::fit(&rbf(), &x, &y, 3, &mut no_progress()).unwrap());
    let other = Svm::fit(
        &SvmParams { seed: 4, ..rbf() },
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    assert_ne!(
        a.fourier, other.fourier,
        "another seed, other Fourier features"
    );
    // The same constants natively and in wasm (headless Chromium): bit-identical models.
    assert_eq!(
        (checksum(&lin), checksum(&a)),
        (9537855286564454104, 8893203010277029170),
        "model checksums (linear, rbf) changed: the fitted numbers differ from the recorded ones"
    );
    for m in [lin, a] {
        let back: Svm =
            flowlab::model_file::read(&flowlab::model_file::write(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        assert_eq!(
            back.predict_proba(&x).unwrap(),
            m.predict_proba(&x).unwrap()
        );
        let model = Model::Svm(m);
        let back: Model =
            flowlab::model_file::read(&flowlab::model_file::write(&model).unwrap()).unwrap();
        back.check().unwrap();
        assert_eq!(back, model);
    }
}

#[test]
fn progress_reports_one_step_per_svm_and_cancels() {
    let (x, y) = separable(60);
    let mut steps = Vec::new();
    Svm::fit(&SvmParams::default(), &x, &y, 3, &mut |s: Step| {
        steps.push((s.done, s.total));
        true
    })
    .unwrap();
    assert_eq!(steps, [(1, 3), (2, 3), (3, 3)]);
    let mut two = Vec::new();
    let y2: Vec<u32> = y.iter().map(|&c| (c == 0) as u32).collect();
    let m = Svm::fit(&SvmParams::default(), &x, &y2, 2, &mut |s: Step| {
        two.push((s.done, s.total));
        true
    })
    .unwrap();
    assert_eq!(two, [(1, 1)], "two classes: one SVM");
    let d = m.decision_function(&x).unwrap();
    assert!(d.chunks(2).all(|r| r[0] == -r[1]));
    let e = Svm::fit(&SvmParams::default(), &x, &y, 3, &mut |_| false).unwrap_err();
    assert_eq!(e, ModelError::Cancelled);
}

#[test]
fn linear_explanations_add_up_to_the_decision_values_and_rbf_is_refused() {
    let (x, y) = blobs(200, 2);
    let m = Svm::fit(&SvmParams::default(), &x, &y, 3, &mut no_progress()).unwrap();
    let decision = m.decision_function(&x).unwrap();
    let e = Explainer::new(&Model::Svm(m)).unwrap();
    let phi = e.explain(&x).unwrap();
    let (d, k) = (x.cols, 3);
    for r in 0..x.rows {
        for c in 0..k {
            let total =
                e.expected_value()[c] + (0..d).map(|f| phi[r * d * k + f * k + c]).sum::<f64>();
            assert!(
                (total - decision[r * k + c]).abs() < 1e-9,
                "row {r} class {c}"
            );
        }
    }
    let rbf_model = Svm::fit(&rbf(), &x, &y, 3, &mut no_progress()).unwrap();
    assert_eq!(
        Explainer::new(&Model::Svm(rbf_model)).unwrap_err(),
        ModelError::NotExplained {
            model: "SVM with the RBF kernel"
        }
    );
}
