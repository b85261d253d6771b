//! One GRU layer over a batch of masked sequences: forward pass (keeping what the backward pass
//! needs) and backward pass through time.
//!
//! Layout: time-major. A sequence batch of `b` windows, `t` steps and `n` values per step is
//! `t × b × n` row-major (step 0 first, the oldest flow of every window). `mask[s * b + i]` is 1
//! where step `s` of window `i` is a real flow and 0 where it is padding (padding only ever comes
//! before a host's first flow, so the last step is always real).
//!
//! The cell (PyTorch's convention, gates packed `[z | r | n]` in the columns):
//!
//! ```text
//! gx = x · W + bx                 (b × 3H: all steps at once, one big product)
//! gh = h · U + bh                 (b × 3H: per step, h = the previous state)
//! z  = σ(gx_z + gh_z)             update gate
//! r  = σ(gx_r + gh_r)             reset gate
//! n  = tanh(gx_n + r ⊙ gh_n)      candidate state
//! h' = (1 - z) ⊙ n + z ⊙ h
//! ```
//!
//! and a padded step keeps the state as it is (`h' = h`), so a window's last state is the state
//! after its real flows only, whatever its padding.

use serde::{Deserialize, Serialize};

use super::kernel::{matmul, matmul_at_b, sigmoid, tanh, transpose};
use super::layer::SeqLayer;
use crate::data::rng::FlowRng;

/// Weights of one GRU layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GruLayer {
    /// Inputs per step.
    pub n_in: usize,
    /// State size `H`.
    pub hidden: usize,
    /// `n_in × 3H`, gates `[z | r | n]`.
    pub w: Vec<f32>,
    /// `H × 3H`.
    pub u: Vec<f32>,
    /// `3H`, added to `x · W`.
    pub bx: Vec<f32>,
    /// `3H`, added to `h · U` (inside the reset product for the candidate).
    pub bh: Vec<f32>,
}

/// Gradients of a [`GruLayer`]'s weights, in the same shapes.
pub struct GruGrads {
    pub(super) w: Vec<f32>,
    pub(super) u: Vec<f32>,
    pub(super) bx: Vec<f32>,
    pub(super) bh: Vec<f32>,
}

/// What the forward pass keeps for the backward pass (sized for the largest batch).
#[derive(Default)]
pub struct GruTrace {
    /// States: `(t + 1) × b × H`, `h[0]` = zeros.
    h: Vec<f32>,
    /// `x · W + bx` for every step: `t × b × 3H`.
    gx: Vec<f32>,
    /// Gates after their non-linearity, `t × b × 3H` (`z`, `r`, `n`), and `h · U_n + bh_n`
    /// (`t × b × H`), which the reset gate multiplied.
    gates: Vec<f32>,
    ghn: Vec<f32>,
    /// One step's `h · U + bh` (`b × 3H`).
    gh: Vec<f32>,
}

impl GruLayer {
    /// PyTorch's initialisation: every weight and bias uniform in `±1/√H`, drawn `w`, `u`, `bx`,
    /// `bh` in that order, row-major (a seed gives the same layer on every target).
    pub fn init(n_in: usize, hidden: usize, rng: &mut FlowRng) -> GruLayer {
        let bound = 1.0 / (hidden.max(1) as f64).sqrt();
        let mut draw = |n: usize| -> Vec<f32> {
            (0..n)
                .map(|_| ((rng.unit() * 2.0 - 1.0) * bound) as f32)
                .collect()
        };
        GruLayer {
            n_in,
            hidden,
            w: draw(n_in * 3 * hidden),
            u: draw(hidden * 3 * hidden),
            bx: draw(3 * hidden),
            bh: draw(3 * hidden),
        }
    }
}

impl SeqLayer for GruLayer {
    type Trace = GruTrace;
    type Grads = GruGrads;

    fn n_in(&self) -> usize {
        self.n_in
    }

    fn n_out(&self) -> usize {
        self.hidden
    }

    /// Zero gradients shaped like this layer.
    fn zero_grads(&self) -> GruGrads {
        GruGrads {
            w: vec![0.0; self.w.len()],
            u: vec![0.0; self.u.len()],
            bx: vec![0.0; self.bx.len()],
            bh: vec![0.0; self.bh.len()],
        }
    }

    /// Whether the weight vectors have the sizes `n_in` and `hidden` say.
    fn shapes_ok(&self) -> bool {
        let g = 3 * self.hidden;
        self.hidden > 0
            && Some(self.w.len()) == self.n_in.checked_mul(g)
            && Some(self.u.len()) == self.hidden.checked_mul(g)
            && self.bx.len() == g
            && self.bh.len() == g
    }

    /// Runs the layer over `x` (`t × b × n_in`); the states land in `tr.h` (`(t + 1) × b × H`).
    fn forward(&self, x: &[f32], mask: &[f32], t: usize, b: usize, tr: &mut GruTrace) {
        let (hd, g) = (self.hidden, 3 * self.hidden);
        tr.h.clear();
        tr.h.resize((t + 1) * b * hd, 0.0);
        tr.gx.resize(t * b * g, 0.0);
        tr.gates.resize(t * b * g, 0.0);
        tr.ghn.resize(t * b * hd, 0.0);
        tr.gh.resize(b * g, 0.0);
        // The input half of every gate for every step at once: `(t·b) × n_in` times `n_in × 3H`.
        let gx = &mut tr.gx[..t * b * g];
        for row in gx.chunks_mut(g) {
            row.copy_from_slice(&self.bx);
        }
        matmul(
            t * b,
            g,
            self.n_in,
            &x[..t * b * self.n_in],
            &self.w,
            gx,
            true,
        );
        for s in 0..t {
            let (past, future) = tr.h.split_at_mut((s + 1) * b * hd);
            let h_prev = &past[s * b * hd..];
            let h_next = &mut future[..b * hd];
            // The state half: `gh = h · U + bh`.
            let gh = &mut tr.gh[..b * g];
            for row in gh.chunks_mut(g) {
                row.copy_from_slice(&self.bh);
            }
            matmul(b, g, hd, h_prev, &self.u, gh, true);
            let gx = &tr.gx[s * b * g..(s + 1) * b * g];
            let gates = &mut tr.gates[s * b * g..(s + 1) * b * g];
            let ghn = &mut tr.ghn[s * b * hd..(s + 1) * b * hd];
            for i in 0..b {
                let (x_i, h_i, o) = (&gx[i * g..], &gh[i * g..], i * g);
                let real = mask[s * b + i] > 0.0;
                for j in 0..hd {
                    let z = sigmoid(x_i[j] + h_i[j]);
                    let r = sigmoid(x_i[hd + j] + h_i[hd + j]);
                    let hn = h_i[2 * hd + j];
                    let n = tanh(x_i[2 * hd + j] + r * hn);
                    gates[o + j] = z;
                    gates[o + hd + j] = r;
                    gates[o + 2 * hd + j] = n;
                    ghn[i * hd + j] = hn;
                    let hp = h_prev[i * hd + j];
                    // A padded step carries the state through unchanged.
                    h_next[i * hd + j] = if real { (1.0 - z) * n + z * hp } else { hp };
                }
            }
        }
    }

    fn output<'a>(&self, tr: &'a GruTrace, t: usize, b: usize) -> &'a [f32] {
        // States of steps 1 ..= t (`h[0]` is the zero state before the window).
        &tr.h[b * self.hidden..(t + 1) * b * self.hidden]
    }

    /// Backward pass through time. `dh` (`t × b × H`) holds the loss's gradient with respect
    /// to each step's output state (from the layer above, or only at the last step from the
    /// head); it is consumed. Weight gradients are added to `grads`; with `dx`, the input's
    /// gradient (`t × b × n_in`) is written there for the layer below.
    fn backward(
        &self,
        x: &[f32],
        mask: &[f32],
        t: usize,
        b: usize,
        tr: &GruTrace,
        dh: &mut [f32],
        grads: &mut GruGrads,
        mut dx: Option<&mut [f32]>,
    ) {
        let (hd, g) = (self.hidden, 3 * self.hidden);
        let mut dgx = vec![0f32; b * g];
        let mut dgh = vec![0f32; b * g];
        let mut carry = vec![0f32; b * hd];
        // Uᵀ (3H × H) and Wᵀ (3H × n_in), laid out once for the products that pass gradients
        // down to the previous state and to the input.
        let ut = transpose(&self.u, hd, g);
        let wt = transpose(&self.w, self.n_in, g);
        for s in (0..t).rev() {
            let h_prev = &tr.h[s * b * hd..(s + 1) * b * hd];
            let gates = &tr.gates[s * b * g..(s + 1) * b * g];
            let ghn = &tr.ghn[s * b * hd..(s + 1) * b * hd];
            // The state's total gradient at this step: from this step's output (`dh[s]`) plus
            // what the next step passed back (`carry`).
            let d = &mut dh[s * b * hd..(s + 1) * b * hd];
            for (d, c) in d.iter_mut().zip(&carry) {
                *d += c;
            }
            for i in 0..b {
                let real = mask[s * b + i] > 0.0;
                for j in 0..hd {
                    let o = i * g;
                    let dhj = d[i * hd + j];
                    if !real {
                        // Padding: the state passed through, so does its gradient.
                        dgx[o + j] = 0.0;
                        dgx[o + hd + j] = 0.0;
                        dgx[o + 2 * hd + j] = 0.0;
                        dgh[o + j] = 0.0;
                        dgh[o + hd + j] = 0.0;
                        dgh[o + 2 * hd + j] = 0.0;
                        carry[i * hd + j] = dhj;
                        continue;
                    }
                    let (z, r, n) = (gates[o + j], gates[o + hd + j], gates[o + 2 * hd + j]);
                    let hp = h_prev[i * hd + j];
                    // h' = (1 - z) n + z h: ∂h'/∂z = h - n, ∂h'/∂n = 1 - z, ∂h'/∂h = z.
                    let dz = dhj * (hp - n);
                    let dn = dhj * (1.0 - z);
                    // Through the non-linearities: tanh' = 1 - n², σ' = σ (1 - σ).
                    let dan = dn * (1.0 - n * n);
                    let dr = dan * ghn[i * hd + j];
                    let dar = dr * r * (1.0 - r);
                    let daz = dz * z * (1.0 - z);
                    dgx[o + j] = daz;
                    dgx[o + hd + j] = dar;
                    dgx[o + 2 * hd + j] = dan;
                    // The candidate's state half was multiplied by r.
                    dgh[o + j] = daz;
                    dgh[o + hd + j] = dar;
                    dgh[o + 2 * hd + j] = dan * r;
                    carry[i * hd + j] = dhj * z;
                }
            }
            // Weight gradients: dW += x_sᵀ · dgx, dU += h_prevᵀ · dgh, biases their column sums.
            let x_s = &x[s * b * self.n_in..(s + 1) * b * self.n_in];
            matmul_at_b(self.n_in, g, b, x_s, &dgx, &mut grads.w);
            matmul_at_b(hd, g, b, h_prev, &dgh, &mut grads.u);
            for i in 0..b {
                for k in 0..g {
                    grads.bx[k] += dgx[i * g + k];
                    grads.bh[k] += dgh[i * g + k];
                }
            }
            // The previous state's gradient: the direct path (`carry`) plus dgh · Uᵀ.
            matmul(b, hd, g, &dgh, &ut, &mut carry, true);
            if let Some(dx) = dx.as_deref_mut() {
                let dx_s = &mut dx[s * b * self.n_in..(s + 1) * b * self.n_in];
                matmul(b, self.n_in, g, &dgx, &wt, dx_s, false);
            }
        }
    }

    /// `w`, `u`, `bx`, `bh`.
    fn params_mut(&mut self) -> Vec<&mut [f32]> {
        vec![&mut self.w[..], &mut self.u, &mut self.bx, &mut self.bh]
    }

    fn grad_slices(g: &GruGrads) -> Vec<&[f32]> {
        vec![&g.w[..], &g.u, &g.bx, &g.bh]
    }
}
