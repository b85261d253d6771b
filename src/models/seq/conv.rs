//! One temporal convolution layer with ReLU over a batch of masked sequences, and its backward
//! pass.
//!
//! Layout as in [`super::gru`]: time-major, `t × b × n` row-major. The layer has `C` output
//! channels, a kernel of `K` taps and a dilation `δ`; tap `k` reads the step `k·δ − back` steps
//! from the output's step, where `back` is `(K − 1)·δ` for *causal* padding (a flow's output
//! reads only it and earlier flows) and `⌊(K − 1)/2⌋·δ` for *same* padding (centred):
//!
//! ```text
//! out[s] = mask[s] · ReLU(b + Σ_k  x̃[s + k·δ − back] · W_k)      (W_k: n_in × C)
//! x̃[p]   = mask[p] · x[p] inside the window, 0 outside it
//! ```
//!
//! So padding (before a host's first flow) and the steps beyond either end read as zeros, and a
//! padded step's output is 0 whatever its inputs held: what the layer above (and the pooling)
//! sees depends on the real flows only. Time-major layout makes each tap one matrix product:
//! the steps a tap reaches are one contiguous block of rows.
//!
//! The model `cnn1d` stacks these layers under a masked global pooling ([`super::Cnn1d`]):
//!
//! ```
//! use flowlab::data::Matrix;
//! use flowlab::features::CONTEXT;
//! use flowlab::models::no_progress;
//! use flowlab::models::seq::{Cnn1d, Cnn1dParams};
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
//! let p = Cnn1dParams { channels: 8, kernel: 2, layers: 1, window: 2, max_epochs: 60, batch_size: 32, learning_rate: 0.02, ..Default::default() };
//! let model = Cnn1d::fit(&p, &x, &y, 2, &mut no_progress()).unwrap();
//! let pred = model.predict(&x).unwrap();
//! let acc = pred.iter().zip(&y).filter(|(p, t)| p == t).count() as f64 / 400.0;
//! assert!(acc > 0.9, "accuracy {acc}");
//! ```

use serde::{Deserialize, Serialize};

use super::kernel::{matmul, matmul_at_b, transpose};
use super::layer::SeqLayer;
use crate::data::rng::FlowRng;

/// Weights of one convolution layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvLayer {
    /// Inputs per step.
    pub n_in: usize,
    /// Output channels `C`.
    pub channels: usize,
    /// Taps `K`.
    pub kernel: usize,
    /// Steps between taps `δ`.
    pub dilation: usize,
    /// Causal (taps end at the output's step) or same (taps centred on it) padding.
    pub causal: bool,
    /// `K × n_in × C`: tap `k`'s `n_in × C` matrix at `k · n_in · C`.
    pub w: Vec<f32>,
    /// `C`.
    pub b: Vec<f32>,
}

/// Gradients of a [`ConvLayer`]'s weights, in the same shapes.
pub struct ConvGrads {
    w: Vec<f32>,
    b: Vec<f32>,
}

/// What the forward pass keeps for the backward pass.
#[derive(Default)]
pub struct ConvTrace {
    /// The masked input `x̃`, `t × b × n_in`.
    xm: Vec<f32>,
    /// The outputs after ReLU and the mask, `t × b × C`.
    out: Vec<f32>,
}

impl ConvLayer {
    /// He-uniform weights for ReLU (`±√(6 / (K · n_in))`), drawn tap by tap, row-major; biases 0.
    pub fn init(
        n_in: usize,
        channels: usize,
        kernel: usize,
        dilation: usize,
        causal: bool,
        rng: &mut FlowRng,
    ) -> ConvLayer {
        let bound = (6.0 / (kernel * n_in).max(1) as f64).sqrt();
        let w = (0..kernel * n_in * channels)
            .map(|_| ((rng.unit() * 2.0 - 1.0) * bound) as f32)
            .collect();
        ConvLayer {
            n_in,
            channels,
            kernel,
            dilation,
            causal,
            w,
            b: vec![0.0; channels],
        }
    }

    /// How far before the output's step the first tap reads.
    fn back(&self) -> usize {
        let span = (self.kernel - 1) * self.dilation;
        if self.causal {
            span
        } else {
            (self.kernel - 1) / 2 * self.dilation
        }
    }

    /// For tap `k` over `t` steps: the first output step whose input is inside the window, the
    /// first input step it reads, and how many steps in a row; `None` when the tap never lands.
    fn tap(&self, k: usize, t: usize) -> Option<(usize, usize, usize)> {
        let (shift, back) = (k * self.dilation, self.back());
        // Input step p = s + shift − back, for 0 ≤ s < t and 0 ≤ p < t.
        let s0 = back.saturating_sub(shift);
        let p0 = (s0 + shift).checked_sub(back)?;
        let n = t.checked_sub(s0.max(p0))?;
        (n > 0).then_some((s0, p0, n))
    }
}

impl SeqLayer for ConvLayer {
    type Trace = ConvTrace;
    type Grads = ConvGrads;

    fn n_in(&self) -> usize {
        self.n_in
    }

    fn n_out(&self) -> usize {
        self.channels
    }

    fn shapes_ok(&self) -> bool {
        self.channels > 0
            && (1..=64).contains(&self.kernel)
            && (1..=1024).contains(&self.dilation)
            && self
                .n_in
                .checked_mul(self.channels)
                .and_then(|v| v.checked_mul(self.kernel))
                == Some(self.w.len())
            && self.b.len() == self.channels
    }

    fn forward(&self, x: &[f32], mask: &[f32], t: usize, b: usize, tr: &mut ConvTrace) {
        let (n, c) = (self.n_in, self.channels);
        tr.xm.clear();
        tr.xm.extend_from_slice(&x[..t * b * n]);
        for (row, &m) in tr.xm.chunks_mut(n).zip(mask) {
            if m == 0.0 {
                row.fill(0.0);
            }
        }
        tr.out.clear();
        tr.out.resize(t * b * c, 0.0);
        for row in tr.out.chunks_mut(c) {
            row.copy_from_slice(&self.b);
        }
        // One product per tap: output steps s0 .. s0 + len read input steps p0 .. p0 + len.
        for k in 0..self.kernel {
            if let Some((s0, p0, len)) = self.tap(k, t) {
                matmul(
                    len * b,
                    c,
                    n,
                    &tr.xm[p0 * b * n..(p0 + len) * b * n],
                    &self.w[k * n * c..(k + 1) * n * c],
                    &mut tr.out[s0 * b * c..(s0 + len) * b * c],
                    true,
                );
            }
        }
        for (row, &m) in tr.out.chunks_mut(c).zip(mask) {
            for v in row.iter_mut() {
                *v = if m == 0.0 { 0.0 } else { v.max(0.0) };
            }
        }
    }

    fn output<'a>(&self, tr: &'a ConvTrace, t: usize, b: usize) -> &'a [f32] {
        &tr.out[..t * b * self.channels]
    }

    /// Through the ReLU and the mask (gradient 0 where the output was 0), then per tap
    /// `dW_k += x̃ᵀ · dpre` and `dx̃ += dpre · W_kᵀ` over the steps it reaches; a padded input's
    /// gradient is 0 (it was masked out).
    fn backward(
        &self,
        _x: &[f32],
        mask: &[f32],
        t: usize,
        b: usize,
        tr: &ConvTrace,
        dout: &mut [f32],
        grads: &mut ConvGrads,
        dx: Option<&mut [f32]>,
    ) {
        let (n, c) = (self.n_in, self.channels);
        let dpre = &mut dout[..t * b * c];
        for (d, &o) in dpre.iter_mut().zip(&tr.out) {
            if o <= 0.0 {
                *d = 0.0;
            }
        }
        for row in dpre.chunks(c) {
            for (g, v) in grads.b.iter_mut().zip(row) {
                *g += v;
            }
        }
        let mut dx = dx;
        if let Some(dx) = dx.as_deref_mut() {
            dx[..t * b * n].fill(0.0);
        }
        for k in 0..self.kernel {
            let Some((s0, p0, len)) = self.tap(k, t) else {
                continue;
            };
            let w_k = &self.w[k * n * c..(k + 1) * n * c];
            let d_s = &dpre[s0 * b * c..(s0 + len) * b * c];
            matmul_at_b(
                n,
                c,
                len * b,
                &tr.xm[p0 * b * n..(p0 + len) * b * n],
                d_s,
                &mut grads.w[k * n * c..(k + 1) * n * c],
            );
            if let Some(dx) = dx.as_deref_mut() {
                let wt = transpose(w_k, n, c);
                matmul(
                    len * b,
                    n,
                    c,
                    d_s,
                    &wt,
                    &mut dx[p0 * b * n..(p0 + len) * b * n],
                    true,
                );
            }
        }
        if let Some(dx) = dx {
            for (row, &m) in dx.chunks_mut(n).zip(mask) {
                if m == 0.0 {
                    row.fill(0.0);
                }
            }
        }
    }

    fn zero_grads(&self) -> ConvGrads {
        ConvGrads {
            w: vec![0.0; self.w.len()],
            b: vec![0.0; self.b.len()],
        }
    }

    /// `w`, `b`.
    fn params_mut(&mut self) -> Vec<&mut [f32]> {
        vec![&mut self.w[..], &mut self.b]
    }

    fn grad_slices(g: &ConvGrads) -> Vec<&[f32]> {
        vec![&g.w[..], &g.b]
    }
}
