//! The recurrent network: stacked GRU layers over a window, the last state (with inverted
//! dropout while training) into a dense softmax head; the class-weighted cross-entropy, its
//! gradients by backpropagation through time, and class probabilities.

use serde::{Deserialize, Serialize};

use super::gru::{GruGrads, GruLayer, Trace};
use super::kernel::{matmul, matmul_at_b, transpose};
use super::windows::{Windows, PAD};
use crate::data::rng::FlowRng;
use crate::models::num;

/// Weights of the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Net {
    /// Recurrent layers, input side first; layer `l + 1` reads layer `l`'s states.
    pub layers: Vec<GruLayer>,
    /// Head: `H × K` weights (last layer's state → class logits) and `K` biases.
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

/// Gradients of every weight of a [`Net`].
pub(super) struct Grads {
    pub layers: Vec<GruGrads>,
    pub head_w: Vec<f32>,
    pub head_b: Vec<f32>,
}

impl Grads {
    /// Every gradient, in [`Net::params_mut`]'s order.
    pub(super) fn slices(&self) -> Vec<&[f32]> {
        let mut out: Vec<&[f32]> = Vec::new();
        for g in &self.layers {
            out.extend([&g.w[..], &g.u, &g.bx, &g.bh]);
        }
        out.extend([&self.head_w[..], &self.head_b]);
        out
    }
}

/// What a forward pass leaves for the backward pass.
#[derive(Default)]
pub(super) struct NetTrace {
    traces: Vec<Trace>,
    /// The top layer's last state after dropout (`b × H`), and the dropout scale per value.
    last: Vec<f32>,
    keep: Vec<f32>,
    /// Class probabilities, `b × K`.
    pub probs: Vec<f32>,
}

impl Net {
    /// `layers` GRU layers of `hidden` units over `d` inputs, and a head to `k` classes; the
    /// head Glorot-uniform, biases 0.
    pub(super) fn init(d: usize, hidden: usize, layers: usize, k: usize, rng: &mut FlowRng) -> Net {
        let layers: Vec<GruLayer> = (0..layers)
            .map(|l| GruLayer::init(if l == 0 { d } else { hidden }, hidden, rng))
            .collect();
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

    pub fn hidden(&self) -> usize {
        self.layers.last().map_or(0, |l| l.hidden)
    }

    pub fn n_classes(&self) -> usize {
        self.head_b.len()
    }

    /// Every weight vector, in a fixed order (per layer `w`, `u`, `bx`, `bh`; then the head).
    pub(super) fn params_mut(&mut self) -> Vec<&mut [f32]> {
        let mut out: Vec<&mut [f32]> = Vec::new();
        for l in &mut self.layers {
            out.extend([&mut l.w[..], &mut l.u, &mut l.bx, &mut l.bh]);
        }
        out.extend([&mut self.head_w[..], &mut self.head_b]);
        out
    }

    pub(super) fn zero_grads(&self) -> Grads {
        Grads {
            layers: self.layers.iter().map(GruLayer::zero_grads).collect(),
            head_w: vec![0.0; self.head_w.len()],
            head_b: vec![0.0; self.head_b.len()],
        }
    }

    /// Forward pass: leaves class probabilities in `tr.probs`. With `dropout` (rate, draws),
    /// each value of the last state is zeroed with that probability and the rest scaled by
    /// `1 / (1 - rate)` (inverted dropout, so prediction uses the state as it is).
    pub(super) fn forward(
        &self,
        batch: &Batch,
        tr: &mut NetTrace,
        dropout: Option<(f64, &mut FlowRng)>,
    ) {
        let (t, b) = (batch.t, batch.b);
        tr.traces.resize_with(self.layers.len(), Trace::default);
        for (l, layer) in self.layers.iter().enumerate() {
            let (below, this) = tr.traces.split_at_mut(l);
            // Layer 0 reads the batch; the others the states of the layer below (steps 1 ..= t).
            let x = match below.last() {
                None => &batch.x[..],
                Some(prev) => &prev.h[b * prev_hidden(&self.layers, l)..],
            };
            layer.forward(x, &batch.mask, t, b, &mut this[0]);
        }
        let hd = self.hidden();
        let top = &tr.traces[self.layers.len() - 1].h[t * b * hd..(t + 1) * b * hd];
        tr.last.clear();
        tr.last.extend_from_slice(top);
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
    pub(super) fn loss(tr: &NetTrace, k: usize, y: &[u32], w: &[f32]) -> f64 {
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
        tr: &NetTrace,
        y: &[u32],
        w: &[f32],
        grads: &mut Grads,
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
        // The last state's gradient through the head (and the dropout mask), at the last step.
        let mut dh = vec![0f32; t * b * hd];
        let dlast = &mut dh[(t - 1) * b * hd..];
        matmul(
            b,
            hd,
            k,
            &dlogits,
            &transpose(&self.head_w, hd, k),
            dlast,
            false,
        );
        for (d, keep) in dlast.iter_mut().zip(&tr.keep) {
            *d *= keep;
        }
        for l in (0..self.layers.len()).rev() {
            let layer = &self.layers[l];
            let x = if l == 0 {
                &batch.x[..]
            } else {
                &tr.traces[l - 1].h[b * prev_hidden(&self.layers, l)..]
            };
            let mut below = (l > 0).then(|| vec![0f32; t * b * layer.n_in]);
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
    pub(super) fn predict(&self, batch: &Batch, tr: &mut NetTrace) -> Vec<f32> {
        self.forward(batch, tr, None);
        tr.probs.clone()
    }
}

/// The state size of the layer below layer `l` (`l ≥ 1`).
fn prev_hidden(layers: &[GruLayer], l: usize) -> usize {
    layers[l - 1].hidden
}
