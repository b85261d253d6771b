//! Sequence models: a GRU over windows of consecutive flows of one host.
//!
//! A single flow cannot show what a host does over time (a scan is many small failed
//! connections, command and control a regular beacon); a window of the host's last `W` flows can.
//! The model reads a matrix whose last [`CONTEXT`] columns are the sequence context that
//! [`crate::features::Pipeline::with_context`] appends (host ids, order and time per file; the
//! job layer builds it for sequence models): it cuts the rows it is given into windows
//! ([`windows::Windows`]: per group, in time order, never across files, never reading a row it
//! was not given), and scores each row from the window that ends at it. So it predicts per flow,
//! and every metric and split compares it with the other models row for row; the label of a
//! window is the label of its last flow.
//!
//! Per-flow inputs: the pipeline's features, imputed and standardised as the MLP does it
//! ([`Standardizer`], fitted on the training rows), plus `ln(1 + seconds since the host's
//! previous flow)`. The network ([`net::Net`]): `layers` GRU layers of `hidden` units
//! ([`gru`]), the last state through inverted dropout into a softmax head; trained on the
//! class-weighted cross-entropy with Adam (β₁ 0.9, β₂ 0.999, ε 1e-8) on mini-batches of
//! windows, early stopping on a stratified validation split (the best epoch's weights kept).
//! Seeded and deterministic: the same bits natively and in wasm (the crate's own `exp`, sums in
//! a fixed order).
//!
//! ```
//! use flowlab::data::Matrix;
//! use flowlab::features::CONTEXT;
//! use flowlab::models::seq::{Gru, GruParams};
//! use flowlab::models::no_progress;
//! // One feature that says nothing alone; the class is whether the host's previous flow was
//! // large. Context: host id (same for pair and responder), order, time.
//! let (mut data, mut y) = (Vec::new(), Vec::new());
//! for i in 0..400 {
//!     let (host, step) = ((i % 8) as f32, (i / 8) as f32);
//!     let v = ((i * 7919) % 13) as f32;
//!     let prev = if i >= 8 { ((i - 8) * 7919 % 13) as f32 } else { 0.0 };
//!     data.extend([v, host, host, host, step, step]);
//!     y.push((prev > 6.0) as u32);
//! }
//! let x = Matrix { rows: 400, cols: 1 + CONTEXT, data };
//! let p = GruParams { hidden: 8, window: 2, max_epochs: 60, batch_size: 32, learning_rate: 0.02, ..Default::default() };
//! let model = Gru::fit(&p, &x, &y, 2, &mut no_progress()).unwrap();
//! let pred = model.predict(&x).unwrap();
//! let acc = pred.iter().zip(&y).filter(|(p, t)| p == t).count() as f64 / 400.0;
//! assert!(acc > 0.9, "accuracy {acc}");
//! ```

pub mod gru;
mod kernel;
pub mod net;
mod params;
pub mod windows;

use serde::{Deserialize, Serialize};

pub use params::{Grouping, GruParams};

use super::params::Params;
use super::standardize::Standardizer;
use super::{argmax_rows, check_data, check_width, ModelError, Progress, Step};
use crate::data::rng::FlowRng;
use crate::data::sampling::stratified_validation;
use crate::data::Matrix;
use crate::features::CONTEXT;
use kernel::{adam, AdamStep};
use net::{Batch, Net, NetTrace};
use windows::Windows;

/// Windows scored per batch when predicting.
const PREDICT_CHUNK: usize = 256;

/// A fitted GRU over windows of flows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gru {
    /// The hyper-parameters it was fitted with.
    pub params: GruParams,
    /// Imputation and scaling of the pipeline's features (the context columns excluded).
    pub standardizer: Standardizer,
    pub net: Net,
    /// Training loss (mean class-weighted cross-entropy) after each epoch.
    pub loss_curve: Vec<f64>,
    /// Validation cross-entropy after each epoch (empty without a validation split).
    pub val_loss_curve: Vec<f64>,
    /// Epochs run.
    pub epochs: usize,
    /// Epoch (1-based) whose weights the model kept, when a validation split was used.
    pub best_epoch: Option<usize>,
}

/// Per-row inputs (`rows × (features + 1)`): the standardised features, then the time gap.
fn inputs(st: &Standardizer, x: &Matrix, win: &Windows) -> Result<Vec<f32>, ModelError> {
    let base = x.cols - CONTEXT;
    let mut data = Vec::with_capacity(x.rows * base);
    for r in 0..x.rows {
        data.extend_from_slice(&x.row(r)[..base]);
    }
    let xs = st.transform(&Matrix {
        rows: x.rows,
        cols: base,
        data,
    })?;
    let mut z = Vec::with_capacity(x.rows * (base + 1));
    for r in 0..x.rows {
        z.extend_from_slice(xs.row(r));
        z.push(win.gap[r]);
    }
    Ok(z)
}

/// The context columns are there (and at least one feature before them).
fn check_context(x: &Matrix) -> Result<(), ModelError> {
    if x.cols <= CONTEXT {
        return Err(ModelError::NoContext { model: "gru" });
    }
    Ok(())
}

/// Adam's moments for every weight vector of a network.
struct Moments(Vec<(Vec<f32>, Vec<f32>)>);

impl Moments {
    fn new(net: &mut Net) -> Moments {
        Moments(
            net.params_mut()
                .iter()
                .map(|p| (vec![0.0; p.len()], vec![0.0; p.len()]))
                .collect(),
        )
    }
}

impl Gru {
    /// Fits the network; one [`Step`] per epoch.
    pub fn fit(
        params: &GruParams,
        x: &Matrix,
        y: &[u32],
        n_classes: usize,
        progress: Progress,
    ) -> Result<Self, ModelError> {
        let params = &params.check()?;
        check_data(x, y, n_classes)?;
        check_context(x)?;
        let base = x.cols - CONTEXT;
        let win = Windows::build(x, params.grouping.column(), params.window);
        let all: Vec<usize> = (0..x.rows).collect();
        let base_x = Matrix {
            rows: x.rows,
            cols: base,
            data: all
                .iter()
                .flat_map(|&r| &x.row(r)[..base])
                .copied()
                .collect(),
        };
        let standardizer = Standardizer::fit(&base_x, &all);
        let z = inputs(&standardizer, x, &win)?;
        let d = base + 1;
        let (train, val) = if params.validation_fraction > 0.0 {
            stratified_validation(
                y,
                params.validation_fraction,
                &mut FlowRng::new(params.seed, 1),
            )
        } else {
            (all.clone(), Vec::new())
        };
        let yt: Vec<u32> = train.iter().map(|&r| y[r]).collect();
        let cw = params.class_weight.weights(&yt, n_classes);
        let mut net = Net::init(
            d,
            params.hidden,
            params.layers,
            n_classes,
            &mut FlowRng::new(params.seed, 0),
        );
        let mut model = Gru {
            params: GruParams::clone(params),
            standardizer,
            net: net.clone(),
            loss_curve: Vec::new(),
            val_loss_curve: Vec::new(),
            epochs: 0,
            best_epoch: None,
        };
        let mut moments = Moments::new(&mut net);
        let mut order = train.clone();
        let (mut shuffler, mut dropper) =
            (FlowRng::new(params.seed, 2), FlowRng::new(params.seed, 3));
        let (mut batch, mut tr) = (Batch::default(), NetTrace::default());
        let (mut best, mut bad, mut best_net) = (f64::INFINITY, 0usize, net.clone());
        let (mut b1t, mut b2t) = (1.0f64, 1.0f64);
        let (mut by, mut bw) = (Vec::new(), Vec::new());
        for epoch in 1..=params.max_epochs {
            shuffler.shuffle(&mut order);
            let mut loss_sum = 0.0;
            // One Adam step per mini-batch of windows: gather, forward (with dropout), loss,
            // backward through time, update every weight vector.
            for rows in order.chunks(params.batch_size) {
                batch.gather(&z, d, &win, rows);
                by.clear();
                by.extend(rows.iter().map(|&r| y[r]));
                bw.clear();
                bw.extend(by.iter().map(|&c| cw[c as usize] as f32));
                net.forward(&batch, &mut tr, Some((params.dropout, &mut dropper)));
                loss_sum += Net::loss(&tr, n_classes, &by, &bw);
                let mut grads = net.zero_grads();
                net.backward(&batch, &tr, &by, &bw, &mut grads);
                b1t *= 0.9;
                b2t *= 0.999;
                let step = AdamStep {
                    beta1: 0.9,
                    beta2: 0.999,
                    epsilon: 1e-8,
                    step: (params.learning_rate * (1.0 - b2t).sqrt() / (1.0 - b1t)) as f32,
                };
                for ((w, g), (m, v)) in net
                    .params_mut()
                    .into_iter()
                    .zip(grads.slices())
                    .zip(moments.0.iter_mut())
                {
                    adam(w, g, m, v, step);
                }
            }
            let loss = loss_sum / train.len() as f64;
            let val_loss = (!val.is_empty()).then(|| mean_loss(&net, &z, d, &win, &val, y));
            if !loss.is_finite() || val_loss.is_some_and(|v| !v.is_finite()) {
                // Diverged (learning rate too high): stop with the best (or first) weights.
                break;
            }
            model.loss_curve.push(loss);
            model.epochs = epoch;
            model.val_loss_curve.extend(val_loss);
            let watched = val_loss.unwrap_or(loss);
            if watched < best - 1e-4 {
                (best, bad) = (watched, 0);
                best_net.clone_from(&net);
                model.best_epoch = val_loss.is_some().then_some(epoch);
            } else {
                bad += 1;
            }
            if !progress(Step {
                done: epoch,
                total: params.max_epochs,
                loss: Some(loss),
                val_loss,
            }) {
                return Err(ModelError::Cancelled);
            }
            if params.patience > 0 && bad >= params.patience {
                break;
            }
        }
        model.net = if model.best_epoch.is_some() || !best.is_finite() {
            best_net
        } else {
            net
        };
        Ok(model)
    }

    /// Class probabilities, `rows × n_classes` row-major: each row scored from its window
    /// among the rows of `x`.
    pub fn predict_proba(&self, x: &Matrix) -> Result<Vec<f32>, ModelError> {
        check_width(self.n_features(), x)?;
        let win = Windows::build(x, self.params.grouping.column(), self.params.window);
        let z = inputs(&self.standardizer, x, &win)?;
        let d = self.standardizer.n_features() + 1;
        let all: Vec<usize> = (0..x.rows).collect();
        let (mut batch, mut tr) = (Batch::default(), NetTrace::default());
        let mut out = Vec::with_capacity(x.rows * self.n_classes());
        for rows in all.chunks(PREDICT_CHUNK) {
            batch.gather(&z, d, &win, rows);
            out.extend(self.net.predict(&batch, &mut tr));
        }
        Ok(out)
    }

    /// How many rows of `x` there are, and how many have at least one earlier flow of their
    /// group among them (a window with a history): few means the file is too short per host
    /// for this model.
    pub fn history(&self, x: &Matrix) -> Result<(usize, usize), ModelError> {
        check_width(self.n_features(), x)?;
        let win = Windows::build(x, self.params.grouping.column(), self.params.window);
        Ok((x.rows, win.with_history()))
    }

    /// Most probable class of each row.
    pub fn predict(&self, x: &Matrix) -> Result<Vec<u32>, ModelError> {
        Ok(argmax_rows(&self.predict_proba(x)?, self.n_classes()))
    }

    pub fn n_classes(&self) -> usize {
        self.net.n_classes()
    }

    /// Inputs the model reads: the pipeline's features and the [`CONTEXT`] columns.
    pub fn n_features(&self) -> usize {
        self.standardizer.n_features() + CONTEXT
    }

    /// Checks a decoded model before use: each layer reads the one below (the first the
    /// features and the time gap), the head maps the last state to at least one class.
    pub fn check(&self) -> Result<(), ModelError> {
        const MODEL: &str = "GRU";
        self.standardizer.check(MODEL)?;
        let mut width = self.standardizer.n_features() + 1;
        for l in &self.net.layers {
            if l.n_in != width || !l.shapes_ok() {
                return Err(ModelError::Malformed {
                    model: MODEL,
                    what: "a layer's weights do not match its inputs and state size",
                });
            }
            width = l.hidden;
        }
        let k = self.net.head_b.len();
        if self.net.layers.is_empty()
            || k == 0
            || Some(self.net.head_w.len()) != width.checked_mul(k)
            || !(1..=256).contains(&self.params.window)
        {
            return Err(ModelError::Malformed {
                model: MODEL,
                what: "no layers, a window outside 1 ..= 256, or a head that does not match the last layer",
            });
        }
        Ok(())
    }
}

/// Mean (unweighted) cross-entropy of the windows ending at rows `rows`.
fn mean_loss(net: &Net, z: &[f32], d: usize, win: &Windows, rows: &[usize], y: &[u32]) -> f64 {
    let (mut batch, mut tr) = (Batch::default(), NetTrace::default());
    let mut total = 0.0;
    for chunk in rows.chunks(PREDICT_CHUNK) {
        batch.gather(z, d, win, chunk);
        net.forward(&batch, &mut tr, None);
        let yc: Vec<u32> = chunk.iter().map(|&r| y[r]).collect();
        total += Net::loss(&tr, net.n_classes(), &yc, &vec![1.0; chunk.len()]);
    }
    total / rows.len().max(1) as f64
}

#[cfg(test)]
mod tests;
