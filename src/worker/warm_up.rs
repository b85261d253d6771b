//! A short run of every model on made-up rows, so that a pool worker's first real task is fast.
//!
//! A browser first runs WebAssembly with a quick baseline compiler and recompiles the functions
//! that turn out hot with its optimising one, in the background; a running call never switches
//! over. Growing 50 trees of a forest on the IoT-23 mix in V8 took 894 ms the first time and
//! 629–643 ms the next times (natively 437–445 ms). The page's pool workers therefore run
//! [`warm_up`] as soon as they start, and stay up between trainings. In Chromium this brought a
//! page's first decision tree on the IoT-23 pair from 0.51–0.69 s to 0.24–0.52 s; a forest run
//! first still took 1.19–1.49 s against 0.93–1.11 s for the next one in the same pool.
//!
//! ```
//! assert_eq!(flowlab::worker::warm_up::warm_up().unwrap(), 10);
//! ```

use crate::data::rng::FlowRng;
use crate::data::Matrix;
use crate::eval::importance::{permutation_importance_of, PermutationOptions};
use crate::features::CONTEXT;
use crate::job::{run_task, FitData, Part, Task, TaskOutput};
use crate::model_file;
use crate::models::boosting::GradientBoostingParams;
use crate::models::forest::{RandomForest, RandomForestParams};
use crate::models::linear::LogisticParams;
use crate::models::mlp::MlpParams;
use crate::models::naive_bayes::GaussianNbParams;
use crate::models::seq::{Cnn1dParams, GruParams, LstmParams};
use crate::models::svm::{Kernel, SvmParams};
use crate::models::tree::DecisionTreeParams;
use crate::models::{Model, ModelSpec};

/// Rows, features and classes of the made-up data: a fraction of a second before the code is
/// optimised, yet every hot loop runs many times.
const ROWS: usize = 4_000;
const COLS: usize = 24;
const CLASSES: usize = 4;

/// Fits every kind of model on made-up rows the way a pool worker does (fit data and outputs
/// through model-file bytes, a forest as a chunk of trees) and predicts with it (permutation
/// importance runs the tree models' leaf cache); returns how many models were fitted.
pub fn warm_up() -> Result<usize, String> {
    let text = |e: &dyn std::fmt::Display| e.to_string();
    let (x, y) = made_up(ROWS, 1);
    let (tx, ty) = made_up(ROWS / 4, 2);
    let specs = [
        ModelSpec::Dt(DecisionTreeParams::default()),
        ModelSpec::Rf(RandomForestParams {
            n_trees: 6,
            ..Default::default()
        }),
        ModelSpec::Gbdt(GradientBoostingParams {
            n_rounds: 8,
            ..Default::default()
        }),
        ModelSpec::Mlp(MlpParams {
            max_epochs: 3,
            early_stopping: false,
            patience: 0,
            ..Default::default()
        }),
        ModelSpec::Logreg(LogisticParams {
            max_iter: 15,
            ..Default::default()
        }),
        ModelSpec::Nb(GaussianNbParams::default()),
        ModelSpec::Svm(SvmParams {
            kernel: Kernel::Rbf,
            components: 32,
            max_iter: 10,
            ..Default::default()
        }),
    ];
    let opts = PermutationOptions {
        repeats: 1,
        seed: 0,
        max_rows: ROWS / 4,
    };
    let data = model_file::write(&FitData {
        x,
        y,
        n_classes: CLASSES,
    })
    .map_err(|e| text(&e))?;
    for spec in &specs {
        let fit: FitData = model_file::read(&data).map_err(|e| text(&e))?;
        let part = match spec {
            ModelSpec::Rf(p) => Part::Trees {
                start: 0,
                end: p.n_trees,
            },
            _ => Part::Whole,
        };
        let task = Task {
            id: 0,
            model: 0,
            fit: 0,
            part,
            cost: 1.0,
        };
        let output = run_task(&fit, spec, &task, &mut |_| true).map_err(|e| text(&e))?;
        let bytes = model_file::write(&output).map_err(|e| text(&e))?;
        let model = match model_file::read(&bytes).map_err(|e| text(&e))? {
            TaskOutput::Model(m) => *m,
            TaskOutput::Trees(trees) => {
                let params = RandomForestParams {
                    n_trees: trees.len(),
                    ..Default::default()
                };
                let binned = RandomForest::bin(&params, &fit.x).map_err(|e| text(&e))?;
                Model::Rf(
                    RandomForest::from_trees(&params, &binned, &fit.y, CLASSES, trees)
                        .map_err(|e| text(&e))?,
                )
            }
        };
        permutation_importance_of(model.as_classifier(), &tx, &ty, &opts).map_err(|e| text(&e))?;
    }
    Ok(specs.len() + warm_up_sequences()?)
}

/// The sequence models (GRU, LSTM, 1D-CNN): one short epoch each on made-up rows with the
/// sequence context (16 hosts), through model-file bytes, then a prediction; returns how many.
fn warm_up_sequences() -> Result<usize, String> {
    let text = |e: &dyn std::fmt::Display| e.to_string();
    let (window, hidden, rows) = (8, 16, ROWS / 4);
    let specs = [
        ModelSpec::Gru(GruParams {
            window,
            hidden,
            max_epochs: 1,
            validation_fraction: 0.0,
            patience: 0,
            ..Default::default()
        }),
        ModelSpec::Lstm(LstmParams {
            window,
            hidden,
            max_epochs: 1,
            validation_fraction: 0.0,
            patience: 0,
            ..Default::default()
        }),
        ModelSpec::Cnn1d(Cnn1dParams {
            window,
            channels: hidden,
            max_epochs: 1,
            validation_fraction: 0.0,
            patience: 0,
            ..Default::default()
        }),
    ];
    let (x, y) = with_context(made_up(rows, 3));
    let (tx, _) = with_context(made_up(rows / 4, 4));
    let data = model_file::write(&FitData {
        x,
        y,
        n_classes: CLASSES,
    })
    .map_err(|e| text(&e))?;
    for spec in &specs {
        let fit: FitData = model_file::read(&data).map_err(|e| text(&e))?;
        let task = Task {
            id: 0,
            model: 0,
            fit: 0,
            part: Part::Whole,
            cost: 1.0,
        };
        let output = run_task(&fit, spec, &task, &mut |_| true).map_err(|e| text(&e))?;
        let bytes = model_file::write(&output).map_err(|e| text(&e))?;
        if let TaskOutput::Model(m) = model_file::read(&bytes).map_err(|e| text(&e))? {
            m.predict_proba(&tx).map_err(|e| text(&e))?;
        }
    }
    Ok(specs.len())
}

/// The rows with the sequence context appended: 16 hosts (the same ids for host, pair and
/// responder), in row order, one second apart.
fn with_context((x, y): (Matrix, Vec<u32>)) -> (Matrix, Vec<u32>) {
    let cols = x.cols + CONTEXT;
    let mut data = Vec::with_capacity(x.rows * cols);
    for r in 0..x.rows {
        let (host, step) = ((r % 16) as f32, (r / 16) as f32);
        data.extend_from_slice(x.row(r));
        data.extend([host, host, host, step, step]);
    }
    let rows = x.rows;
    (Matrix { rows, cols, data }, y)
}

/// `rows` rows: each class shifts a few features; one value in ten is missing.
fn made_up(rows: usize, stream: u64) -> (Matrix, Vec<u32>) {
    let mut rng = FlowRng::new(0x3a7, stream);
    let mut data = Vec::with_capacity(rows * COLS);
    let mut y = Vec::with_capacity(rows);
    for _ in 0..rows {
        let c = rng.below(CLASSES as u64) as u32;
        for j in 0..COLS {
            let shift = if j % CLASSES == c as usize { 1.5 } else { 0.0 };
            let v = (rng.unit() * 2.0 + shift) as f32;
            data.push(if rng.below(10) == 0 { f32::NAN } else { v });
        }
        y.push(c);
    }
    (
        Matrix {
            rows,
            cols: COLS,
            data,
        },
        y,
    )
}
