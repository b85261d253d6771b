//! Multi-layer perceptron: ReLU hidden layers, softmax output, cross-entropy, Adam, mini-batches,
//! early stopping on a stratified validation split.
//!
//! The model carries its own preprocessing ([`Standardizer`]: median imputation of `NaN`, then
//! mean/std scaling, fitted on the training part). Weights start from He-uniform draws of
//! [`FlowRng`] (biases at 0); every epoch visits the training rows in a fresh [`FlowRng`] shuffle.
//! The L2 penalty follows scikit-learn's `MLPClassifier`: each mini-batch adds
//! `alpha / (2 · batch rows) · ‖W‖²` to the loss (biases are not penalised).
//!
//! With `early_stopping`, a stratified `validation_fraction` of the rows is held out; training
//! stops once the validation loss has not improved by more than `tol` for `patience` epochs, and
//! the weights of the best validation epoch are restored. Without it, the same rule watches the
//! training loss (as scikit-learn's `n_iter_no_change`), and the last weights are kept.
//! `patience = 0` trains for all `max_epochs`.
//!
//! Determinism: the same seed gives the same model natively and in wasm. All arithmetic runs in a
//! fixed order (the matrix kernel vectorises across output columns only, never reassociating a
//! sum, and Rust never fuses `a * b + c` into an FMA), and `exp`/`ln` are computed by this crate
//! rather than the platform's maths library.
//!
//! ```
//! use flowlab::data::Matrix;
//! use flowlab::models::mlp::{Mlp, MlpParams};
//! use flowlab::models::{no_progress, Classifier};
//! // Two interleaved classes along one axis: class = (x > 0) xor (y > 0).
//! let mut data = Vec::new();
//! let mut y = Vec::new();
//! for i in 0..200 {
//!     let (a, b) = ((i % 20) as f32 - 9.5, (i / 20) as f32 - 4.5);
//!     data.extend([a, b]);
//!     y.push(((a > 0.0) != (b > 0.0)) as u32);
//! }
//! let x = Matrix { rows: 200, cols: 2, data };
//! let params = MlpParams { hidden: vec![16], max_epochs: 300, batch_size: 32, learning_rate: 0.01, ..Default::default() };
//! let model = Mlp::fit(&params, &x, &y, 2, &mut no_progress()).unwrap();
//! let pred = model.predict(&x).unwrap();
//! let acc = pred.iter().zip(&y).filter(|(p, t)| p == t).count() as f64 / 200.0;
//! assert!(acc > 0.9, "accuracy {acc}");
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::params::{
    at_least, int, int_in, left_open, log, right_open, Param, Params, Range, Search, SEED,
};
use super::standardize::Standardizer;
use super::{check_data, EarlyStopping, ModelError, Progress, Step};
use crate::data::rng::FlowRng;
use crate::data::sampling::stratified_validation;
use crate::data::Matrix;

mod kernels;

use kernels::{backward, forward, init_layers, mean_cross_entropy, update_layers, AdamState, Work};

/// Hyper-parameters of [`Mlp`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpParams {
    /// Hidden layer widths, input side first (may be empty: softmax regression).
    pub hidden: Vec<usize>,
    /// Adam step size.
    pub learning_rate: f64,
    /// Adam decay of the first moment.
    pub beta1: f64,
    /// Adam decay of the second moment.
    pub beta2: f64,
    /// Adam denominator offset.
    pub epsilon: f64,
    /// L2 penalty on the weights (scikit-learn's `alpha`).
    pub alpha: f64,
    /// Rows per mini-batch (the last batch of an epoch may be smaller).
    pub batch_size: usize,
    /// Most passes over the training rows.
    pub max_epochs: usize,
    /// Hold out a stratified validation split, stop on its loss and keep the best weights.
    pub early_stopping: bool,
    /// Share of the rows held out for early stopping.
    pub validation_fraction: f64,
    /// Epochs without an improvement larger than `tol` before stopping (0: never stop early).
    pub patience: usize,
    /// Smallest decrease of the watched loss that counts as an improvement.
    pub tol: f64,
    /// Seed for initial weights, the validation split and the shuffles.
    pub seed: u64,
}

impl Default for MlpParams {
    fn default() -> Self {
        MlpParams {
            hidden: vec![64, 32],
            learning_rate: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            alpha: 1e-4,
            batch_size: 256,
            max_epochs: 200,
            early_stopping: true,
            validation_fraction: 0.1,
            patience: 10,
            tol: 1e-4,
            seed: 0,
        }
    }
}

/// At most 16 hidden layers, each 1 ..= 4096 units wide (an empty list is softmax regression).
fn widths_ok(v: &Value) -> bool {
    v.as_array().is_some_and(|layers| {
        layers.len() <= 16
            && layers
                .iter()
                .all(|w| w.as_u64().is_some_and(|w| (1..=4096).contains(&w)))
    })
}

impl Params for MlpParams {
    const TABLE: &'static [Param] = &[
        Param {
            name: "hidden",
            range: Range::Custom {
                expected: "a list of at most 16 layer widths, each in 1 ..= 4096, e.g. [64, 32]",
                accepts: widths_ok,
            },
            help: "hidden layer widths, input side first ([] = softmax regression)",
            search: Search::OneOf(&["[32]", "[64]", "[64, 32]", "[128, 64]"]),
        },
        Param {
            name: "learning_rate",
            range: left_open(0.0, 10.0),
            help: "Adam step size",
            search: log(1e-4, 1e-2),
        },
        Param {
            name: "beta1",
            range: right_open(0.0, 1.0),
            help: "Adam decay of the first moment",
            search: Search::Fixed,
        },
        Param {
            name: "beta2",
            range: right_open(0.0, 1.0),
            help: "Adam decay of the second moment",
            search: Search::Fixed,
        },
        Param {
            name: "epsilon",
            range: left_open(0.0, 1.0),
            help: "Adam denominator offset",
            search: Search::Fixed,
        },
        Param {
            name: "alpha",
            range: at_least(0.0),
            help: "L2 penalty on the weights (scikit-learn's alpha)",
            search: log(1e-6, 1e-2),
        },
        Param {
            name: "batch_size",
            range: int(1),
            help: "rows per mini-batch",
            search: Search::OneOf(&["64", "128", "256", "512"]),
        },
        Param {
            name: "max_epochs",
            range: int_in(1, 100_000),
            help: "most passes over the training rows",
            search: Search::Fixed,
        },
        Param {
            name: "early_stopping",
            range: Range::Bool,
            help: "hold out a validation split, stop on its loss and keep the best weights",
            search: Search::Fixed,
        },
        Param {
            name: "validation_fraction",
            range: right_open(0.0, 1.0),
            help: "share of the rows held out for early stopping (above 0 when it is on)",
            search: Search::Fixed,
        },
        Param {
            name: "patience",
            range: int(0),
            help: "epochs without improvement before stopping (0: never stop early)",
            search: Search::Fixed,
        },
        Param {
            name: "tol",
            range: at_least(0.0),
            help: "smallest decrease of the watched loss that counts as an improvement",
            search: Search::Fixed,
        },
        Param {
            name: "seed",
            range: SEED,
            help: "seed of the initial weights, the validation split and the shuffles",
            search: Search::Fixed,
        },
    ];

    /// An epoch costs about half a forest tree at the default widths.
    fn work(&self) -> f64 {
        self.max_epochs as f64 * 0.5
    }

    fn check_together(&self) -> Result<(), ModelError> {
        if self.early_stopping && self.validation_fraction <= 0.0 {
            return Err(ModelError::InvalidParam {
                name: "validation_fraction",
                value: format!("{:?}", self.validation_fraction),
                expected: "a number in (0, 1) when early_stopping is on".into(),
            });
        }
        Ok(())
    }
}

/// One fully connected layer: `out = in · weights + bias`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// Inputs (width of the previous layer, or the number of features).
    pub n_in: usize,
    /// Outputs (units of this layer, or the number of classes for the last).
    pub n_out: usize,
    /// `n_in × n_out`, row-major.
    pub weights: Vec<f32>,
    /// One per output.
    pub bias: Vec<f32>,
}

/// A fitted multi-layer perceptron.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mlp {
    /// The hyper-parameters it was fitted with.
    pub params: MlpParams,
    /// Imputation and scaling applied to every input.
    pub standardizer: Standardizer,
    /// Hidden layers (ReLU) then the output layer (softmax).
    pub layers: Vec<Layer>,
    n_classes: usize,
    /// Training loss (cross-entropy plus the L2 term) after each epoch.
    pub loss_curve: Vec<f64>,
    /// Validation cross-entropy after each epoch (empty without early stopping).
    pub val_loss_curve: Vec<f64>,
    /// Epochs run.
    pub epochs: usize,
    /// Epoch (1-based) whose weights the model kept, when a validation split was used.
    pub best_epoch: Option<usize>,
}

impl Mlp {
    /// Fits the network; one [`Step`] per epoch.
    pub fn fit(
        params: &MlpParams,
        x: &Matrix,
        y: &[u32],
        n_classes: usize,
        progress: Progress,
    ) -> Result<Self, ModelError> {
        let params = &params.check()?;
        check_data(x, y, n_classes)?;
        let (train, val) = if params.early_stopping {
            stratified_validation(
                y,
                params.validation_fraction,
                &mut FlowRng::new(params.seed, 1),
            )
        } else {
            ((0..x.rows).collect(), Vec::new())
        };
        let standardizer = Standardizer::fit(x, &train);
        let xt = standardizer.transform_rows(x, &train)?;
        let yt: Vec<u32> = train.iter().map(|&r| y[r]).collect();
        let xv = standardizer.transform_rows(x, &val)?;
        let yv: Vec<u32> = val.iter().map(|&r| y[r]).collect();

        let mut sizes = vec![x.cols];
        sizes.extend_from_slice(&params.hidden);
        sizes.push(n_classes);
        let mut layers = init_layers(&sizes, &mut FlowRng::new(params.seed, 0));
        let mut model = Mlp {
            params: MlpParams::clone(params),
            standardizer,
            layers: Vec::new(),
            n_classes,
            loss_curve: Vec::new(),
            val_loss_curve: Vec::new(),
            epochs: 0,
            best_epoch: None,
        };

        let n = xt.rows;
        let d = x.cols;
        let bs_max = params.batch_size.min(n);
        let mut adam: Vec<AdamState> = layers.iter().map(AdamState::zeros).collect();
        let mut work = Work::new(&sizes, &layers, bs_max);
        let mut order: Vec<usize> = (0..n).collect();
        let mut shuffler = FlowRng::new(params.seed, 2);
        let validating = !val.is_empty();
        let mut stopping = EarlyStopping::new(params.tol, params.patience);
        let mut best_layers = layers.clone();
        let mut prev_layers = layers.clone();
        let (mut b1t, mut b2t) = (1.0f64, 1.0f64);
        // One epoch: a fresh shuffle of the training rows (stream 2 of the seed, drawn once per
        // epoch), then one Adam step per mini-batch in that order: forward pass (loss), L2 term,
        // backward pass (gradients), update of every layer's weights and biases.
        for epoch in 1..=params.max_epochs {
            shuffler.shuffle(&mut order);
            let mut ce_sum = 0.0f64;
            let mut l2_sum = 0.0f64;
            for batch in order.chunks(bs_max) {
                let bs = batch.len();
                // The batch's standardized rows become the input activations, in batch order.
                let input = &mut work.acts[0];
                for (i, &r) in batch.iter().enumerate() {
                    input[i * d..(i + 1) * d].copy_from_slice(xt.row(r));
                }
                ce_sum += forward(&layers, &mut work.acts, bs, Some((batch, &yt)));
                // The L2 penalty `alpha / 2 · ‖W‖²` enters the reported loss per batch (its
                // gradient, `alpha / bs · W`, is added in `backward`).
                if params.alpha > 0.0 {
                    let sq: f64 = layers
                        .iter()
                        .flat_map(|l| &l.weights)
                        .map(|&w| w as f64 * w as f64)
                        .sum();
                    l2_sum += 0.5 * params.alpha * sq;
                }
                backward(&layers, &mut work, bs, batch, &yt, params.alpha);
                // Adam's bias correction folded into the step size: `b1t = beta1^t` and
                // `b2t = beta2^t` after `t` steps, so `step = lr · √(1 - beta2^t) / (1 - beta1^t)`
                // (computed in f64, applied in f32).
                b1t *= params.beta1;
                b2t *= params.beta2;
                let step = (params.learning_rate * (1.0 - b2t).sqrt() / (1.0 - b1t)) as f32;
                update_layers(&mut layers, &mut adam, &work, params, step);
            }
            // Epoch loss: mean over the training rows of the batches' losses (the weights moved
            // during the epoch, as scikit-learn reports it); validation loss with the final
            // weights of the epoch.
            let loss = (ce_sum + l2_sum) / n as f64;
            let val_loss = validating.then(|| mean_cross_entropy(&layers, &xv, &yv));
            if !loss.is_finite() || val_loss.is_some_and(|v| !v.is_finite()) {
                // Diverged (learning rate too high): keep the last finite weights and stop.
                layers = prev_layers.clone();
                break;
            }
            model.loss_curve.push(loss);
            model.epochs = epoch;
            if let Some(v) = val_loss {
                model.val_loss_curve.push(v);
            }
            // Early stopping watches the validation loss (else the training loss): an epoch
            // counts as an improvement only when it beats the best by more than `tol`.
            if stopping.improved(val_loss.unwrap_or(loss)) && validating {
                best_layers.clone_from(&layers);
                model.best_epoch = Some(epoch);
            }
            if !progress(Step {
                done: epoch,
                total: params.max_epochs,
                loss: Some(loss),
                val_loss,
            }) {
                return Err(ModelError::Cancelled);
            }
            if stopping.stop() {
                break;
            }
            prev_layers.clone_from(&layers);
        }
        model.layers = if model.best_epoch.is_some() {
            best_layers
        } else {
            layers
        };
        Ok(model)
    }

    /// Class probabilities, `rows × n_classes` row-major (each row sums to 1).
    pub fn predict_proba(&self, x: &Matrix) -> Result<Vec<f32>, ModelError> {
        let xs = self.standardizer.transform(x)?;
        let k = self.n_classes;
        let mut out = vec![0f32; x.rows * k];
        let chunk = 256;
        let mut acts: Vec<Vec<f32>> = std::iter::once(self.standardizer.n_features())
            .chain(self.layers.iter().map(|l| l.n_out))
            .map(|s| vec![0.0; chunk * s])
            .collect();
        let d = xs.cols;
        for start in (0..x.rows).step_by(chunk) {
            let bs = chunk.min(x.rows - start);
            acts[0][..bs * d].copy_from_slice(&xs.data[start * d..(start + bs) * d]);
            forward(&self.layers, &mut acts, bs, None);
            out[start * k..(start + bs) * k].copy_from_slice(&acts[self.layers.len()][..bs * k]);
        }
        Ok(out)
    }

    /// Number of classes (columns of [`Self::predict_proba`]).
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of input features the model expects.
    pub fn n_features(&self) -> usize {
        self.standardizer.n_features()
    }

    /// Checks a decoded network before use (a damaged or hand-made model file): at least one
    /// layer, each taking the previous one's outputs (the first the features), with
    /// `n_in × n_out` weights and `n_out` biases, the last with one output per class.
    pub fn check(&self) -> Result<(), ModelError> {
        const MODEL: &str = "MLP";
        self.standardizer.check(MODEL)?;
        let mut width = self.n_features();
        for layer in &self.layers {
            if layer.n_in != width
                || Some(layer.weights.len()) != layer.n_in.checked_mul(layer.n_out)
                || layer.bias.len() != layer.n_out
            {
                return Err(ModelError::Malformed {
                    model: MODEL,
                    what: "a layer's weights do not match its inputs and outputs",
                });
            }
            width = layer.n_out;
        }
        if self.layers.is_empty() || self.n_classes == 0 || width != self.n_classes {
            return Err(ModelError::Malformed {
                model: MODEL,
                what: "no layers, or the last layer does not give one output per class",
            });
        }
        Ok(())
    }
}
