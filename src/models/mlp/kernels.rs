//! The MLP's numeric kernels: initial weights, the forward pass (ReLU hidden layers, softmax
//! output, cross-entropy), the backward pass (gradients of the mean cross-entropy plus the L2
//! term) and Adam's update, over preallocated mini-batch buffers.

use super::{Layer, MlpParams};
use crate::data::rng::FlowRng;
use crate::data::Matrix;
use crate::models::num;

/// Adam moments of one layer.
pub(super) struct AdamState {
    mw: Vec<f32>,
    vw: Vec<f32>,
    mb: Vec<f32>,
    vb: Vec<f32>,
}

/// Buffers for one mini-batch.
pub(super) struct Work {
    /// `acts[0]` is the input batch, `acts[l + 1]` the output of layer `l` (logits, then
    /// probabilities, for the last).
    pub(super) acts: Vec<Vec<f32>>,
    pub(super) deltas: Vec<Vec<f32>>,
    pub(super) gw: Vec<Vec<f32>>,
    pub(super) gb: Vec<Vec<f32>>,
    pub(super) wt: Vec<f32>,
}

/// Glorot-uniform initial weights, layer by layer (`sizes` = input, hidden…, classes): every
/// weight uniform in `±√(6 / n_in)`, drawn in layer order and row-major within a layer (so a seed
/// gives the same network on every target); biases start at 0.
pub(super) fn init_layers(sizes: &[usize], rng: &mut FlowRng) -> Vec<Layer> {
    sizes
        .windows(2)
        .map(|w| {
            let (n_in, n_out) = (w[0], w[1]);
            let bound = (6.0 / n_in.max(1) as f64).sqrt();
            let weights = (0..n_in * n_out)
                .map(|_| ((rng.unit() * 2.0 - 1.0) * bound) as f32)
                .collect();
            Layer {
                n_in,
                n_out,
                weights,
                bias: vec![0.0; n_out],
            }
        })
        .collect()
}

impl AdamState {
    /// First and second moments of one layer, all zero.
    pub(super) fn zeros(l: &Layer) -> AdamState {
        AdamState {
            mw: vec![0.0; l.weights.len()],
            vw: vec![0.0; l.weights.len()],
            mb: vec![0.0; l.n_out],
            vb: vec![0.0; l.n_out],
        }
    }
}

impl Work {
    /// Buffers for mini-batches of up to `bs_max` rows through layers of `sizes`.
    pub(super) fn new(sizes: &[usize], layers: &[Layer], bs_max: usize) -> Work {
        Work {
            acts: sizes.iter().map(|&s| vec![0.0; bs_max * s]).collect(),
            deltas: sizes.iter().map(|&s| vec![0.0; bs_max * s]).collect(),
            gw: layers.iter().map(|l| vec![0.0; l.weights.len()]).collect(),
            gb: layers.iter().map(|l| vec![0.0; l.n_out]).collect(),
            wt: vec![0.0; layers.iter().map(|l| l.weights.len()).max().unwrap_or(0)],
        }
    }
}

/// Forward pass over `bs` rows in `acts[0]`; leaves probabilities in the last buffer. With
/// labels, returns the summed cross-entropy of the batch.
pub(super) fn forward(
    layers: &[Layer],
    acts: &mut [Vec<f32>],
    bs: usize,
    labels: Option<(&[usize], &[u32])>,
) -> f64 {
    let last = layers.len() - 1;
    // Layer by layer: `out = bias + input · W` (a `bs × n_in` times `n_in × n_out` product,
    // accumulated onto the bias rows), then ReLU on the hidden layers. `acts[l]` is the input of
    // layer `l` and `acts[l + 1]` its output; the last buffer holds the logits.
    for (l, layer) in layers.iter().enumerate() {
        let (before, after) = acts.split_at_mut(l + 1);
        let input = &before[l][..bs * layer.n_in];
        let out = &mut after[0][..bs * layer.n_out];
        for row in out.chunks_mut(layer.n_out.max(1)) {
            row.copy_from_slice(&layer.bias);
        }
        num::gemm_f32(
            bs,
            layer.n_out,
            layer.n_in,
            input,
            layer.n_in,
            1,
            &layer.weights,
            layer.n_out,
            out,
            layer.n_out,
            true,
        );
        if l < last {
            for v in out.iter_mut() {
                *v = v.max(0.0);
            }
        }
    }
    // Softmax of each row's logits, in place. The cross-entropy of a row is
    // `log Σ exp(z) - z_target` (the log-sum-exp the softmax returns minus the target's logit,
    // read before the softmax overwrites it); a non-finite target logit contributes 0.
    let k = layers[last].n_out;
    let probs = &mut acts[last + 1][..bs * k];
    let mut ce = 0.0;
    for (i, row) in probs.chunks_mut(k).enumerate() {
        let target = labels.map(|(batch, y)| y[batch[i]] as usize);
        let z_t = target.map(|t| row[t] as f64);
        let lse = num::softmax_in_place(row);
        if let Some(z) = z_t {
            ce += if z.is_finite() { lse - z } else { 0.0 };
        }
    }
    ce
}

/// Gradients of the mean cross-entropy of the batch (plus `alpha / (2 bs) ‖W‖²`) into `work`.
pub(super) fn backward(
    layers: &[Layer],
    work: &mut Work,
    bs: usize,
    batch: &[usize],
    y: &[u32],
    alpha: f64,
) {
    let last = layers.len() - 1;
    let k = layers[last].n_out;
    let inv = 1.0 / bs as f32;
    // Output delta: the gradient of the batch's mean cross-entropy in the logits is
    // `(softmax - onehot(target)) / bs`.
    {
        let delta = &mut work.deltas[last + 1][..bs * k];
        delta.copy_from_slice(&work.acts[last + 1][..bs * k]);
        for (i, row) in delta.chunks_mut(k).enumerate() {
            row[y[batch[i]] as usize] -= 1.0;
            for v in row.iter_mut() {
                *v *= inv;
            }
        }
    }
    let reg = (alpha / bs as f64) as f32;
    // From the last layer down: the weight and bias gradients of layer `l` from its output
    // delta, then (below the first layer) the delta of its input, passed down through Wᵀ and
    // masked by the ReLU (zero where the input activation was not positive).
    for l in (0..=last).rev() {
        let layer = &layers[l];
        let (n_in, n_out) = (layer.n_in, layer.n_out);
        let (lower, upper) = work.deltas.split_at_mut(l + 1);
        let delta = &upper[0][..bs * n_out];
        let a_in = &work.acts[l][..bs * n_in];
        let gw = &mut work.gw[l];
        // gW = a_inᵀ · delta (a_in read transposed through its strides), then + reg · W.
        num::gemm_f32(
            n_in, n_out, bs, a_in, 1, n_in, delta, n_out, gw, n_out, false,
        );
        if reg > 0.0 {
            for (g, &w) in gw.iter_mut().zip(&layer.weights) {
                *g += reg * w;
            }
        }
        // gb = column sums of delta, row by row.
        let gb = &mut work.gb[l];
        gb.fill(0.0);
        for row in delta.chunks(n_out) {
            for (g, &v) in gb.iter_mut().zip(row) {
                *g += v;
            }
        }
        if l > 0 {
            // delta_below = delta · Wᵀ, with W transposed into a contiguous buffer first.
            let wt = &mut work.wt[..n_in * n_out];
            for i in 0..n_in {
                for j in 0..n_out {
                    wt[j * n_in + i] = layer.weights[i * n_out + j];
                }
            }
            let below = &mut lower[l][..bs * n_in];
            num::gemm_f32(
                bs, n_in, n_out, delta, n_out, 1, wt, n_in, below, n_in, false,
            );
            for (d, &a) in below.iter_mut().zip(a_in) {
                if a <= 0.0 {
                    *d = 0.0;
                }
            }
        }
    }
}

/// One Adam step on parameters `w` with gradient `g`: the first and second moment estimates
/// `m`, `v` decay by `beta1`, `beta2` and take in `g`, `g²`; the parameter moves by
/// `step · m / (√v + epsilon)` (`step` carries the learning rate and the bias correction).
pub(super) fn adam_update(
    w: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    p: &MlpParams,
    step: f32,
) {
    let (b1, b2, eps) = (p.beta1 as f32, p.beta2 as f32, p.epsilon as f32);
    let (c1, c2) = (1.0 - b1, 1.0 - b2);
    for i in 0..w.len() {
        let gi = g[i];
        m[i] = b1 * m[i] + c1 * gi;
        v[i] = b2 * v[i] + c2 * gi * gi;
        w[i] -= step * m[i] / (v[i].sqrt() + eps);
    }
}

/// Mean cross-entropy of the network on standardized rows.
pub(super) fn mean_cross_entropy(layers: &[Layer], x: &Matrix, y: &[u32]) -> f64 {
    let chunk = 512;
    let d = x.cols;
    let mut acts: Vec<Vec<f32>> = std::iter::once(d)
        .chain(layers.iter().map(|l| l.n_out))
        .map(|s| vec![0.0; chunk * s])
        .collect();
    let mut total = 0.0;
    let idx: Vec<usize> = (0..x.rows).collect();
    for (c, rows) in idx.chunks(chunk).enumerate() {
        let bs = rows.len();
        acts[0][..bs * d].copy_from_slice(&x.data[c * chunk * d..(c * chunk + bs) * d]);
        total += forward(layers, &mut acts, bs, Some((rows, y)));
    }
    total / x.rows.max(1) as f64
}

/// One Adam step on every layer's weights and biases, from the gradients in `work`.
pub(super) fn update_layers(
    layers: &mut [Layer],
    adam: &mut [AdamState],
    work: &Work,
    params: &MlpParams,
    step: f32,
) {
    for (l, layer) in layers.iter_mut().enumerate() {
        let a = &mut adam[l];
        adam_update(
            &mut layer.weights,
            &work.gw[l],
            &mut a.mw,
            &mut a.vw,
            params,
            step,
        );
        adam_update(
            &mut layer.bias,
            &work.gb[l],
            &mut a.mb,
            &mut a.vb,
            params,
            step,
        );
    }
}
