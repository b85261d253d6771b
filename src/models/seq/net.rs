//! The sequence network: stacked layers over a window (GRU, LSTM or temporal convolution, any
//! [`SeqLayer`]), a readout of the top layer's sequence (the last state, or a masked mean or
//! maximum over the steps), inverted dropout while training, and a dense softmax head; the
//! class-weighted cross-entropy, its gradients by backpropagation (through time), and class
//! probabilities.

use serde::{Deserialize, Serialize};

use super::kernel::{matmul, matmul_at_b, transpose};
use super::layer::SeqLayer;
use super::windows::{Windows, PAD};
use crate::data::rng::FlowRng;
use crate::models::num;

/// Weights of the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Net<L> {
    /// Layers, input side first; layer `l + 1` reads layer `l`'s outputs.
    pub layers: Vec<L>,
    /// Head: `H × K` weights (the readout → class logits) and `K` biases.
    pub head_w: Vec<f32>,
    pub head_b: Vec<f32>,
}

/// A batch of windows, time-major: `x` is `t × b × d`, `mask` is `t × b` (1 = a real flow).
#[derive(Default)]
pub(super) struct Batch {
    pub x: Vec<f32>,
    pub mask: Vec<f32>,
    pub b: usize,
    pub t: usize,
    pub d: usize,
}

impl Batch {
    /// The windows of rows `idx`: each step's `d` inputs copied from `z` (one row of `d` values
    /// per matrix row), zeros and mask 0 where the window is padded.
    pub(super) fn gather(&mut self, z: &[f32], d: usize, win: &Windows, idx: &[usize]) {
        let (t, b) = (win.steps, idx.len());
        (self.t, self.b, self.d) = (t, b, d);
        self.x.clear();
        self.x.resize(t * b * d, 0.0);
        self.mask.clear();
        self.mask.resize(t * b, 0.0);
        for (i, &r) in idx.iter().enumerate() {
            for s in 0..t {
                let q = win.rows[r * t + s];
                if q != PAD {
                    let q = q as usize;
                    self.x[(s * b + i) * d..(s * b + i + 1) * d]
                        .copy_from_slice(&z[q * d..(q + 1) * d]);
                    self.mask[s * b + i] = 1.0;
                }
            }
        }
    }
}

/// How the top layer's sequence becomes one vector per window for the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readout {
    /// The last step's output (the recurrent layers' last state).
    Last,
    /// The mean of the outputs over the window's real steps (padding left out).
    Mean,
    /// The largest output per value over the window's real steps.
    Max,
}

/// Gradients of every weight of a [`Net`].
pub(super) struct Grads<L: SeqLayer> {
    pub layers: Vec<L::Grads>,
    pub head_w: Vec<f32>,
    pub head_b: Vec<f32>,
}

impl<L: SeqLayer> Grads<L> {
    /// Every gradient, in [`Net::params_mut`]'s order.
    pub(super) fn slices(&self) -> Vec<&[f32]> {
        let mut out: Vec<&[f32]> = Vec::new();
        for g in &self.layers {
            out.extend(L::grad_slices(g));
        }
        out.extend([&self.head_w[..], &self.head_b]);
        out
    }
}

/// What a forward pass leaves for the backward pass.
pub(super) struct NetTrace<L: SeqLayer> {
    traces: Vec<L::Trace>,
    /// The readout (`b × H`) after dropout, and the dropout scale per value.
    last: Vec<f32>,
    keep: Vec<f32>,
    /// The readout used, and for [`Readout::Max`] the step each value came from.
    readout: Option<Readout>,
    argmax: Vec<u32>,
    /// Class probabilities, `b × K`.
    pub probs: Vec<f32>,
}

impl<L: SeqLayer> Default for NetTrace<L> {
    fn default() -> Self {
        NetTrace {
            traces: Vec::new(),
            last: Vec::new(),
            keep: Vec::new(),
            readout: None,
            argmax: Vec::new(),
            probs: Vec::new(),
        }
    }
}

impl<L: SeqLayer> Net<L> {
    /// The given layers (input side first) and a head to `k` classes: Glorot-uniform, biases 0.
    pub(super) fn init(layers: Vec<L>, k: usize, rng: &mut FlowRng) -> Net<L> {
        let hidden = layers.last().map_or(0, SeqLayer::n_out);
        let bound = (6.0 / (hidden + k) as f64).sqrt();
        let head_w = (0..hidden * k)
            .map(|_| ((rng.unit() * 2.0 - 1.0) * bound) as f32)
            .collect();
        Net {
            layers,
            head_w,
            head_b: vec![0.0; k],
        }
    }

    /// Values the head reads per window (the top layer's outputs per step).
    pub fn hidden(&self) -> usize {
        self.layers.last().map_or(0, SeqLayer::n_out)
    }

    pub fn n_classes(&self) -> usize {
        self.head_b.len()
    }

    /// Every weight vector, in a fixed order (each layer's, input side first; then the head).
    pub(super) fn params_mut(&mut self) -> Vec<&mut [f32]> {
        let mut out: Vec<&mut [f32]> = Vec::new();
        for l in &mut self.layers {
            out.extend(l.params_mut());
        }
        out.extend([&mut self.head_w[..], &mut self.head_b]);
        out
    }

    pub(super) fn zero_grads(&self) -> Grads<L> {
        Grads {
            layers: self.layers.iter().map(SeqLayer::zero_grads).collect(),
            head_w: vec![0.0; self.head_w.len()],
            head_b: vec![0.0; self.head_b.len()],
        }
    }

    /// Forward pass: leaves class probabilities in `tr.probs`. The top layer's sequence goes
    /// through `readout`; with `dropout` (rate, draws), each value of the readout is zeroed with
    /// that probability and the rest scaled by `1 / (1 - rate)` (inverted dropout, so
    /// prediction uses it as it is).
    pub(super) fn forward(
        &self,
        batch: &Batch,
        tr: &mut NetTrace<L>,
        readout: Readout,
        dropout: Option<(f64, &mut FlowRng)>,
    ) {
        let (t, b) = (batch.t, batch.b);
        tr.traces.resize_with(self.layers.len(), L::Trace::default);
        for (l, layer) in self.layers.iter().enumerate() {
            let (below, this) = tr.traces.split_at_mut(l);
            // Layer 0 reads the batch; the others the outputs of the layer below.
            let x = match below.last() {
                None => &batch.x[..],
                Some(prev) => self.layers[l - 1].output(prev, t, b),
            };
            layer.forward(x, &batch.mask, t, b, &mut this[0]);
        }
        let hd = self.hidden();
        let n = self.layers.len();
        let top = self.layers[n - 1].output(&tr.traces[n - 1], t, b);
        tr.readout = Some(readout);
        read(
            top,
            &batch.mask,
            (t, b, hd),
            readout,
            &mut tr.last,
            &mut tr.argmax,
        );
        tr.keep.clear();
        tr.keep.resize(b * hd, 1.0);
        if let Some((rate, rng)) = dropout.filter(|(rate, _)| *rate > 0.0) {
            let scale = (1.0 / (1.0 - rate)) as f32;
            for (v, k) in tr.last.iter_mut().zip(tr.keep.iter_mut()) {
                *k = if rng.unit() < rate { 0.0 } else { scale };
                *v *= *k;
            }
        }
        // Head: logits = last · head_w + head_b, then a softmax per row.
        let k = self.n_classes();
        tr.probs.clear();
        tr.probs.resize(b * k, 0.0);
        for row in tr.probs.chunks_mut(k) {
            row.copy_from_slice(&self.head_b);
        }
        matmul(b, k, hd, &tr.last, &self.head_w, &mut tr.probs, true);
        for row in tr.probs.chunks_mut(k) {
            num::softmax_in_place(row);
        }
    }

    /// The batch's class-weighted cross-entropy `Σ w_i · -ln p_i(y_i)` (not divided: the caller
    /// divides by the batch size), from the probabilities of the last forward pass.
    pub(super) fn loss(tr: &NetTrace<L>, k: usize, y: &[u32], w: &[f32]) -> f64 {
        tr.probs
            .chunks(k)
            .zip(y.iter().zip(w))
            .map(|(p, (&c, &wi))| -(wi as f64) * num::ln((p[c as usize] as f64).max(1e-30)))
            .sum()
    }

    /// Gradients of `loss / b` (see [`Net::loss`]) after a forward pass, added to `grads`.
    pub(super) fn backward(
        &self,
        batch: &Batch,
        tr: &NetTrace<L>,
        y: &[u32],
        w: &[f32],
        grads: &mut Grads<L>,
    ) {
        let (t, b, hd, k) = (batch.t, batch.b, self.hidden(), self.n_classes());
        // Softmax with cross-entropy: ∂/∂logits = w_i (p - onehot(y_i)) / b.
        let mut dlogits = tr.probs.clone();
        for (i, row) in dlogits.chunks_mut(k).enumerate() {
            row[y[i] as usize] -= 1.0;
            let s = w[i] / b as f32;
            for v in row.iter_mut() {
                *v *= s;
            }
        }
        matmul_at_b(hd, k, b, &tr.last, &dlogits, &mut grads.head_w);
        for row in dlogits.chunks(k) {
            for (g, v) in grads.head_b.iter_mut().zip(row) {
                *g += v;
            }
        }
        // The readout's gradient through the head and the dropout mask ...
        let mut dlast = vec![0f32; b * hd];
        matmul(
            b,
            hd,
            k,
            &dlogits,
            &transpose(&self.head_w, hd, k),
            &mut dlast,
            false,
        );
        for (d, keep) in dlast.iter_mut().zip(&tr.keep) {
            *d *= keep;
        }
        // ... spread back over the top layer's steps, then down the layers.
        let mut dh = vec![0f32; t * b * hd];
        unread(&dlast, &batch.mask, t, b, hd, tr, &mut dh);
        for l in (0..self.layers.len()).rev() {
            let layer = &self.layers[l];
            let x = if l == 0 {
                &batch.x[..]
            } else {
                self.layers[l - 1].output(&tr.traces[l - 1], t, b)
            };
            let mut below = (l > 0).then(|| vec![0f32; t * b * layer.n_in()]);
            layer.backward(
                x,
                &batch.mask,
                t,
                b,
                &tr.traces[l],
                &mut dh,
                &mut grads.layers[l],
                below.as_deref_mut(),
            );
            if let Some(below) = below {
                dh = below;
            }
        }
    }

    /// Class probabilities of a batch (no dropout), `b × K` row-major.
    pub(super) fn predict(
        &self,
        batch: &Batch,
        tr: &mut NetTrace<L>,
        readout: Readout,
    ) -> Vec<f32> {
        self.forward(batch, tr, readout, None);
        tr.probs.clone()
    }
}

/// The readout of `top` (`t × b × hd`) into `last` (`b × hd`): the last step, or the mean or
/// maximum over each window's real steps (the last step is always real, so neither is empty);
/// for the maximum, `argmax` gets the step each value came from.
fn read(
    top: &[f32],
    mask: &[f32],
    (t, b, hd): (usize, usize, usize),
    readout: Readout,
    last: &mut Vec<f32>,
    argmax: &mut Vec<u32>,
) {
    last.clear();
    match readout {
        Readout::Last => last.extend_from_slice(&top[(t - 1) * b * hd..t * b * hd]),
        Readout::Mean => {
            last.resize(b * hd, 0.0);
            for i in 0..b {
                let real = (0..t).filter(|&s| mask[s * b + i] > 0.0);
                let n = real.clone().count().max(1) as f32;
                let out = &mut last[i * hd..(i + 1) * hd];
                for s in real {
                    for (o, v) in out.iter_mut().zip(&top[(s * b + i) * hd..]) {
                        *o += v;
                    }
                }
                for o in out.iter_mut() {
                    *o /= n;
                }
            }
        }
        Readout::Max => {
            last.extend_from_slice(&top[(t - 1) * b * hd..t * b * hd]);
            argmax.clear();
            argmax.resize(b * hd, (t - 1) as u32);
            for s in (0..t - 1).rev() {
                for i in (0..b).filter(|&i| mask[s * b + i] > 0.0) {
                    for j in 0..hd {
                        let v = top[(s * b + i) * hd + j];
                        if v > last[i * hd + j] {
                            last[i * hd + j] = v;
                            argmax[i * hd + j] = s as u32;
                        }
                    }
                }
            }
        }
    }
}

/// The readout's gradient `dlast` (`b × hd`) spread over the steps it read, into `dh`
/// (`t × b × hd`, zeros on entry).
fn unread<L: SeqLayer>(
    dlast: &[f32],
    mask: &[f32],
    t: usize,
    b: usize,
    hd: usize,
    tr: &NetTrace<L>,
    dh: &mut [f32],
) {
    match tr.readout.unwrap_or(Readout::Last) {
        Readout::Last => dh[(t - 1) * b * hd..].copy_from_slice(dlast),
        Readout::Mean => {
            for i in 0..b {
                let n = (0..t).filter(|&s| mask[s * b + i] > 0.0).count().max(1) as f32;
                for s in (0..t).filter(|&s| mask[s * b + i] > 0.0) {
                    for (d, v) in dh[(s * b + i) * hd..(s * b + i + 1) * hd]
                        .iter_mut()
                        .zip(&dlast[i * hd..(i + 1) * hd])
                    {
                        *d = v / n;
                    }
                }
            }
        }
        Readout::Max => {
            for i in 0..b {
                for j in 0..hd {
                    let s = tr.argmax[i * hd + j] as usize;
                    dh[(s * b + i) * hd + j] = dlast[i * hd + j];
                }
            }
        }
    }
}
