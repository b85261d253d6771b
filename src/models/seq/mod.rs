//! Sequence models: a GRU, an LSTM and a 1D-CNN over windows of consecutive flows of one host.
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
//! previous flow)`. The network ([`net::Net`]): stacked layers — GRU ([`gru`], model `gru`),
//! LSTM ([`lstm`], `lstm`) or temporal convolutions with ReLU ([`conv`], `cnn1d`) — whose top
//! sequence is read out (the recurrent layers' last state; the CNN's masked global mean or max
//! pooling) through inverted dropout into a softmax head. One training loop ([`SeqModel`])
//! fits them all: the class-weighted cross-entropy with Adam (β₁ 0.9, β₂ 0.999, ε 1e-8) on
//! mini-batches of windows, early stopping on a stratified validation split (the best epoch's
//! weights kept; the standardiser is fitted on the training rows only, not on the validation
//! rows early stopping watches).
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

pub mod conv;
pub mod gru;
mod kernel;
pub mod layer;
pub mod lstm;
pub mod net;
mod params;
pub mod windows;

use serde::{Deserialize, Serialize};

pub use params::{
    Cnn1dParams, Grouping, GruParams, LstmParams, Padding, Pooling, SeqParams, Training,
};

use super::standardize::Standardizer;
use super::{argmax_rows, check_data, check_width, EarlyStopping, ModelError, Progress, Step};
use crate::data::rng::FlowRng;
use crate::data::sampling::stratified_validation;
use crate::data::Matrix;
use crate::features::CONTEXT;
use conv::ConvLayer;
use gru::GruLayer;
use kernel::{adam, AdamStep};
use layer::SeqLayer;
use lstm::LstmLayer;
use net::{Batch, Net, NetTrace};
use windows::Windows;

/// Windows scored per batch when predicting.
const PREDICT_CHUNK: usize = 256;

/// A fitted GRU over windows of flows (`gru`).
pub type Gru = SeqModel<GruParams, GruLayer>;
/// A fitted LSTM over windows of flows (`lstm`).
pub type Lstm = SeqModel<LstmParams, LstmLayer>;
/// A fitted 1D-CNN over windows of flows (`cnn1d`).
pub type Cnn1d = SeqModel<Cnn1dParams, ConvLayer>;

/// A fitted sequence model: parameters `P`, layers `L` (see [`Gru`], [`Lstm`], [`Cnn1d`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeqModel<P, L> {
    /// The hyper-parameters it was fitted with.
    pub params: P,
    /// Imputation and scaling of the pipeline's features (the context columns excluded).
    pub standardizer: Standardizer,
    pub net: Net<L>,
    /// Training loss (mean class-weighted cross-entropy) after each epoch.
    pub loss_curve: Vec<f64>,
    /// Validation cross-entropy after each epoch (empty without a validation split).
    pub val_loss_curve: Vec<f64>,
    /// Epochs run.
    pub epochs: usize,
    /// Epoch (1-based) whose weights the model kept, when a validation split was used.
    pub best_epoch: Option<usize>,
}

/// What the prediction layers need of any sequence model, whatever its layers.
pub trait Sequence {
    /// How many rows of `x` there are, and how many have at least one earlier flow of their
    /// group among them (see [`SeqModel::history`]).
    fn history(&self, x: &Matrix) -> Result<(usize, usize), ModelError>;
    /// The shared training settings (window, grouping, …).
    fn training(&self) -> Training;
}

impl<P: SeqParams<Layer = L>, L: SeqLayer> Sequence for SeqModel<P, L> {
    fn history(&self, x: &Matrix) -> Result<(usize, usize), ModelError> {
        SeqModel::history(self, x)
    }

    fn training(&self) -> Training {
        self.params.training()
    }
}

/// Per-row inputs (`rows × (features + 1)`): the standardised features, then the time gap.
fn inputs(st: &Standardizer, x: &Matrix, win: &Windows) -> Result<Vec<f32>, ModelError> {
    let xs = st.transform(&features_of(x))?;
    let mut z = Vec::with_capacity(x.rows * (xs.cols + 1));
    for r in 0..x.rows {
        z.extend_from_slice(xs.row(r));
        z.push(win.gap[r]);
    }
    Ok(z)
}

/// The pipeline's features of `x`, without the context columns.
fn features_of(x: &Matrix) -> Matrix {
    let base = x.cols - CONTEXT;
    let mut data = Vec::with_capacity(x.rows * base);
    for r in 0..x.rows {
        data.extend_from_slice(&x.row(r)[..base]);
    }
    Matrix {
        rows: x.rows,
        cols: base,
        data,
    }
}

/// The context columns are there (and at least one feature before them).
fn check_context(x: &Matrix, model: &'static str) -> Result<(), ModelError> {
    if x.cols <= CONTEXT {
        return Err(ModelError::NoContext { model });
    }
    Ok(())
}

/// The training windows: inputs, their windows and the rows that train and validate.
struct Data<'a> {
    z: Vec<f32>,
    d: usize,
    win: Windows,
    y: &'a [u32],
    train: Vec<usize>,
    val: Vec<usize>,
}

/// One fit's optimiser state: Adam's moments per weight vector and its bias correction.
struct Optimiser {
    moments: Vec<(Vec<f32>, Vec<f32>)>,
    learning_rate: f64,
    b1t: f64,
    b2t: f64,
}

impl Optimiser {
    fn new<L: SeqLayer>(net: &mut Net<L>, learning_rate: f64) -> Optimiser {
        let moments = net
            .params_mut()
            .iter()
            .map(|p| (vec![0.0; p.len()], vec![0.0; p.len()]))
            .collect();
        Optimiser {
            moments,
            learning_rate,
            b1t: 1.0,
            b2t: 1.0,
        }
    }

    /// One Adam step on every weight vector, the bias correction folded into the step size.
    fn step<L: SeqLayer>(&mut self, net: &mut Net<L>, grads: &net::Grads<L>) {
        self.b1t *= 0.9;
        self.b2t *= 0.999;
        let step = AdamStep {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            step: (self.learning_rate * (1.0 - self.b2t).sqrt() / (1.0 - self.b1t)) as f32,
        };
        for ((w, g), (m, v)) in net
            .params_mut()
            .into_iter()
            .zip(grads.slices())
            .zip(self.moments.iter_mut())
        {
            adam(w, g, m, v, step);
        }
    }
}

impl<P: SeqParams<Layer = L>, L: SeqLayer> SeqModel<P, L> {
    /// Fits the network; one [`Step`] per epoch.
    pub fn fit(
        params: &P,
        x: &Matrix,
        y: &[u32],
        n_classes: usize,
        progress: Progress,
    ) -> Result<Self, ModelError> {
        let checked = params.check()?;
        let params: &P = &checked;
        let tp = params.training();
        check_data(x, y, n_classes)?;
        check_context(x, P::NAME)?;
        let win = Windows::build(x, tp.grouping.column(), tp.window);
        let all: Vec<usize> = (0..x.rows).collect();
        let (train, val) = if tp.validation_fraction > 0.0 {
            stratified_validation(y, tp.validation_fraction, &mut FlowRng::new(tp.seed, 1))
        } else {
            (all.clone(), Vec::new())
        };
        // Scaled by the training rows only: the validation rows stay unseen until early stopping
        // scores them (as the MLP does it).
        let standardizer = Standardizer::fit(&features_of(x), &train);
        let z = inputs(&standardizer, x, &win)?;
        let d = x.cols - CONTEXT + 1;
        let mut rng = FlowRng::new(tp.seed, 0);
        let layers = params.layers(d, &mut rng);
        let net = Net::init(layers, n_classes, &mut rng);
        let mut model = SeqModel {
            params: params.clone(),
            standardizer,
            net,
            loss_curve: Vec::new(),
            val_loss_curve: Vec::new(),
            epochs: 0,
            best_epoch: None,
        };
        let data = Data {
            z,
            d,
            win,
            y,
            train,
            val,
        };
        model.train(&data, n_classes, progress)?;
        Ok(model)
    }

    /// The epochs: a fresh shuffle of the training windows each, one Adam step per mini-batch,
    /// the losses recorded, early stopping on the validation loss (else the training loss).
    fn train(
        &mut self,
        data: &Data,
        n_classes: usize,
        progress: Progress,
    ) -> Result<(), ModelError> {
        let tp = self.params.training();
        let readout = self.params.readout();
        let yt: Vec<u32> = data.train.iter().map(|&r| data.y[r]).collect();
        let cw = tp.class_weight.weights(&yt, n_classes);
        let mut net = self.net.clone();
        let mut opt = Optimiser::new(&mut net, tp.learning_rate);
        let mut order = data.train.clone();
        let (mut shuffler, mut dropper) = (FlowRng::new(tp.seed, 2), FlowRng::new(tp.seed, 3));
        let (mut batch, mut tr) = (Batch::default(), NetTrace::default());
        let mut stopping = EarlyStopping::new(1e-4, tp.patience);
        let (mut best_net, mut diverged) = (net.clone(), false);
        let (mut by, mut bw) = (Vec::new(), Vec::new());
        for epoch in 1..=tp.max_epochs {
            shuffler.shuffle(&mut order);
            let mut loss_sum = 0.0;
            // One Adam step per mini-batch of windows: gather, forward (with dropout), loss,
            // backward (through time), update every weight vector.
            for rows in order.chunks(tp.batch_size) {
                batch.gather(&data.z, data.d, &data.win, rows);
                by.clear();
                by.extend(rows.iter().map(|&r| data.y[r]));
                bw.clear();
                bw.extend(by.iter().map(|&c| cw[c as usize] as f32));
                net.forward(&batch, &mut tr, readout, Some((tp.dropout, &mut dropper)));
                loss_sum += Net::loss(&tr, n_classes, &by, &bw);
                let mut grads = net.zero_grads();
                net.backward(&batch, &tr, &by, &bw, &mut grads);
                opt.step(&mut net, &grads);
            }
            let loss = loss_sum / data.train.len() as f64;
            let val_loss = (!data.val.is_empty()).then(|| mean_loss(&net, data, readout));
            if !loss.is_finite() || val_loss.is_some_and(|v| !v.is_finite()) {
                // Diverged (learning rate too high): stop with the best (or first) weights.
                diverged = true;
                break;
            }
            self.loss_curve.push(loss);
            self.epochs = epoch;
            self.val_loss_curve.extend(val_loss);
            if stopping.improved(val_loss.unwrap_or(loss)) {
                best_net.clone_from(&net);
                self.best_epoch = val_loss.is_some().then_some(epoch);
            }
            if !progress(Step {
                done: epoch,
                total: tp.max_epochs,
                loss: Some(loss),
                val_loss,
            }) {
                return Err(ModelError::Cancelled);
            }
            if stopping.stop() {
                break;
            }
        }
        self.net = if self.best_epoch.is_some() || diverged {
            best_net
        } else {
            net
        };
        Ok(())
    }

    /// Class probabilities, `rows × n_classes` row-major: each row scored from its window
    /// among the rows of `x`.
    pub fn predict_proba(&self, x: &Matrix) -> Result<Vec<f32>, ModelError> {
        check_width(self.n_features(), x)?;
        let tp = self.params.training();
        let win = Windows::build(x, tp.grouping.column(), tp.window);
        let z = inputs(&self.standardizer, x, &win)?;
        let d = self.standardizer.n_features() + 1;
        let all: Vec<usize> = (0..x.rows).collect();
        let (mut batch, mut tr) = (Batch::default(), NetTrace::default());
        let mut out = Vec::with_capacity(x.rows * self.n_classes());
        for rows in all.chunks(PREDICT_CHUNK) {
            batch.gather(&z, d, &win, rows);
            out.extend(self.net.predict(&batch, &mut tr, self.params.readout()));
        }
        Ok(out)
    }

    /// How many rows of `x` there are, and how many have at least one earlier flow of their
    /// group among them (a window with a history): few means the file is too short per host
    /// for this model.
    pub fn history(&self, x: &Matrix) -> Result<(usize, usize), ModelError> {
        check_width(self.n_features(), x)?;
        let tp = self.params.training();
        let win = Windows::build(x, tp.grouping.column(), tp.window);
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
    /// features and the time gap), the head maps the readout to at least one class.
    pub fn check(&self) -> Result<(), ModelError> {
        self.standardizer.check(P::TITLE)?;
        let mut width = self.standardizer.n_features() + 1;
        for l in &self.net.layers {
            if l.n_in() != width || !l.shapes_ok() {
                return Err(ModelError::Malformed {
                    model: P::TITLE,
                    what: "a layer's weights do not match its inputs and output size",
                });
            }
            width = l.n_out();
        }
        let k = self.net.head_b.len();
        if self.net.layers.is_empty()
            || k == 0
            || Some(self.net.head_w.len()) != width.checked_mul(k)
            || !(1..=256).contains(&self.params.training().window)
        {
            return Err(ModelError::Malformed {
                model: P::TITLE,
                what: "no layers, a window outside 1 ..= 256, or a head that does not match the last layer",
            });
        }
        Ok(())
    }
}

/// Mean (unweighted) cross-entropy of the validation windows.
fn mean_loss<L: SeqLayer>(net: &Net<L>, data: &Data, readout: net::Readout) -> f64 {
    let (mut batch, mut tr) = (Batch::default(), NetTrace::default());
    let mut total = 0.0;
    for chunk in data.val.chunks(PREDICT_CHUNK) {
        batch.gather(&data.z, data.d, &data.win, chunk);
        net.forward(&batch, &mut tr, readout, None);
        let yc: Vec<u32> = chunk.iter().map(|&r| data.y[r]).collect();
        total += Net::loss(&tr, net.n_classes(), &yc, &vec![1.0; chunk.len()]);
    }
    total / data.val.len().max(1) as f64
}

#[cfg(test)]
mod tests;
