//! One LSTM layer over a batch of masked sequences: forward pass (keeping what the backward pass
//! needs) and backward pass through time.
//!
//! Layout as in [`super::gru`]: time-major, `t × b × n` row-major, `mask[s * b + i]` 1 for a
//! real flow and 0 for padding. The cell (Hochreiter & Schmidhuber with the forget gate, gates
//! packed `[i | f | g | o]` in the columns as PyTorch does, one bias per gate):
//!
//! ```text
//! a  = x · W + h · U + b          (b × 4H; x · W for all steps at once, h · U per step)
//! i  = σ(a_i)   f = σ(a_f)        input and forget gates
//! g  = tanh(a_g)  o = σ(a_o)      candidate cell and output gate
//! c' = f ⊙ c + i ⊙ g
//! h' = o ⊙ tanh(c')
//! ```
//!
//! A padded step keeps both the state and the cell as they are (`h' = h`, `c' = c`), so a
//! window's last state is the state after its real flows only, whatever its padding. The forget
//! gate's bias starts at 1 (Jozefowicz et al. 2015), so that a fresh layer remembers rather than
//! forgets.
//!
//! The model `lstm` stacks these layers under the last state's softmax head ([`super::Lstm`]):
//!
//! ```
//! use flowlab::data::Matrix;
//! use flowlab::features::CONTEXT;
//! use flowlab::models::no_progress;
//! use flowlab::models::seq::{Lstm, LstmParams};
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
//! let p = LstmParams { hidden: 8, window: 2, max_epochs: 60, batch_size: 32, learning_rate: 0.02, ..Default::default() };
//! let model = Lstm::fit(&p, &x, &y, 2, &mut no_progress()).unwrap();
//! let pred = model.predict(&x).unwrap();
//! let acc = pred.iter().zip(&y).filter(|(p, t)| p == t).count() as f64 / 400.0;
//! assert!(acc > 0.9, "accuracy {acc}");
//! ```

use serde::{Deserialize, Serialize};

use super::kernel::{matmul, matmul_at_b, sigmoid, tanh, transpose};
use super::layer::SeqLayer;
use crate::data::rng::FlowRng;

/// Weights of one LSTM layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LstmLayer {
    /// Inputs per step.
    pub n_in: usize,
    /// State (and cell) size `H`.
    pub hidden: usize,
    /// `n_in × 4H`, gates `[i | f | g | o]`.
    pub w: Vec<f32>,
    /// `H × 4H`.
    pub u: Vec<f32>,
    /// `4H`.
    pub b: Vec<f32>,
}

/// Gradients of an [`LstmLayer`]'s weights, in the same shapes.
pub struct LstmGrads {
    w: Vec<f32>,
    u: Vec<f32>,
    b: Vec<f32>,
}

/// What the forward pass keeps for the backward pass (sized for the largest batch).
#[derive(Default)]
pub struct LstmTrace {
    /// States and cells: `(t + 1) × b × H` each, step 0 = zeros.
    h: Vec<f32>,
    c: Vec<f32>,
    /// Pre-activations, then (in place) the gates after their non-linearity: `t × b × 4H`.
    gates: Vec<f32>,
    /// `tanh(c')` of every step, `t × b × H`.
    tc: Vec<f32>,
}

impl LstmLayer {
    /// Every weight and bias uniform in `±1/√H` (PyTorch's), drawn `w`, `u`, `b` in that order,
    /// row-major; then 1 added to the forget gate's biases.
    pub fn init(n_in: usize, hidden: usize, rng: &mut FlowRng) -> LstmLayer {
        let bound = 1.0 / (hidden.max(1) as f64).sqrt();
        let mut draw = |n: usize| -> Vec<f32> {
            (0..n)
                .map(|_| ((rng.unit() * 2.0 - 1.0) * bound) as f32)
                .collect()
        };
        let (w, u, mut b) = (
            draw(n_in * 4 * hidden),
            draw(hidden * 4 * hidden),
            draw(4 * hidden),
        );
        for v in &mut b[hidden..2 * hidden] {
            *v += 1.0;
        }
        LstmLayer {
            n_in,
            hidden,
            w,
            u,
            b,
        }
    }
}

impl SeqLayer for LstmLayer {
    type Trace = LstmTrace;
    type Grads = LstmGrads;

    fn n_in(&self) -> usize {
        self.n_in
    }

    fn n_out(&self) -> usize {
        self.hidden
    }

    fn shapes_ok(&self) -> bool {
        let g = 4 * self.hidden;
        self.hidden > 0
            && Some(self.w.len()) == self.n_in.checked_mul(g)
            && Some(self.u.len()) == self.hidden.checked_mul(g)
            && self.b.len() == g
    }

    fn forward(&self, x: &[f32], mask: &[f32], t: usize, b: usize, tr: &mut LstmTrace) {
        let (hd, g) = (self.hidden, 4 * self.hidden);
        for v in [&mut tr.h, &mut tr.c] {
            v.clear();
            v.resize((t + 1) * b * hd, 0.0);
        }
        tr.gates.resize(t * b * g, 0.0);
        tr.tc.resize(t * b * hd, 0.0);
        // The input half of every gate for every step at once: `(t·b) × n_in` times `n_in × 4H`.
        let pre = &mut tr.gates[..t * b * g];
        for row in pre.chunks_mut(g) {
            row.copy_from_slice(&self.b);
        }
        matmul(
            t * b,
            g,
            self.n_in,
            &x[..t * b * self.n_in],
            &self.w,
            pre,
            true,
        );
        for s in 0..t {
            let (hp_all, hn_all) = tr.h.split_at_mut((s + 1) * b * hd);
            let (cp_all, cn_all) = tr.c.split_at_mut((s + 1) * b * hd);
            let (h_prev, c_prev) = (&hp_all[s * b * hd..], &cp_all[s * b * hd..]);
            let (h_next, c_next) = (&mut hn_all[..b * hd], &mut cn_all[..b * hd]);
            // The state half: `a += h · U`.
            let a = &mut tr.gates[s * b * g..(s + 1) * b * g];
            matmul(b, g, hd, h_prev, &self.u, a, true);
            let tc = &mut tr.tc[s * b * hd..(s + 1) * b * hd];
            for i in 0..b {
                let real = mask[s * b + i] > 0.0;
                let a = &mut a[i * g..(i + 1) * g];
                for j in 0..hd {
                    let (ig, fg) = (sigmoid(a[j]), sigmoid(a[hd + j]));
                    let (gg, og) = (tanh(a[2 * hd + j]), sigmoid(a[3 * hd + j]));
                    (a[j], a[hd + j], a[2 * hd + j], a[3 * hd + j]) = (ig, fg, gg, og);
                    let k = i * hd + j;
                    if real {
                        c_next[k] = fg * c_prev[k] + ig * gg;
                        tc[k] = tanh(c_next[k]);
                        h_next[k] = og * tc[k];
                    } else {
                        // A padded step carries the state and the cell through unchanged.
                        (c_next[k], h_next[k], tc[k]) = (c_prev[k], h_prev[k], 0.0);
                    }
                }
            }
        }
    }

    fn output<'a>(&self, tr: &'a LstmTrace, t: usize, b: usize) -> &'a [f32] {
        &tr.h[b * self.hidden..(t + 1) * b * self.hidden]
    }

    /// Backward pass through time: the state's gradient at each step is what the step's output
    /// received (`dout[s]`) plus what the next step passed back through `U`; the cell's is what
    /// the next step passed back through `f` plus the path through `h' = o ⊙ tanh(c')`.
    fn backward(
        &self,
        x: &[f32],
        mask: &[f32],
        t: usize,
        b: usize,
        tr: &LstmTrace,
        dout: &mut [f32],
        grads: &mut LstmGrads,
        mut dx: Option<&mut [f32]>,
    ) {
        let (hd, g) = (self.hidden, 4 * self.hidden);
        let mut da = vec![0f32; b * g];
        let mut carry_h = vec![0f32; b * hd];
        let mut carry_c = vec![0f32; b * hd];
        let ut = transpose(&self.u, hd, g);
        let wt = transpose(&self.w, self.n_in, g);
        for s in (0..t).rev() {
            let h_prev = &tr.h[s * b * hd..(s + 1) * b * hd];
            let c_prev = &tr.c[s * b * hd..(s + 1) * b * hd];
            let gates = &tr.gates[s * b * g..(s + 1) * b * g];
            let tc = &tr.tc[s * b * hd..(s + 1) * b * hd];
            let d = &mut dout[s * b * hd..(s + 1) * b * hd];
            for (d, c) in d.iter_mut().zip(&carry_h) {
                *d += c;
            }
            for i in 0..b {
                let real = mask[s * b + i] > 0.0;
                let (o, gs) = (i * g, &gates[i * g..(i + 1) * g]);
                for j in 0..hd {
                    let k = i * hd + j;
                    let dh = d[k];
                    if !real {
                        // Padding: state and cell passed through, so do their gradients.
                        for q in 0..4 {
                            da[o + q * hd + j] = 0.0;
                        }
                        carry_h[k] = dh;
                        continue;
                    }
                    let (ig, fg, gg, og) = (gs[j], gs[hd + j], gs[2 * hd + j], gs[3 * hd + j]);
                    // h' = o tanh(c'): ∂/∂o = tanh(c'), ∂/∂c' = o (1 - tanh²(c')).
                    let dc = carry_c[k] + dh * og * (1.0 - tc[k] * tc[k]);
                    // c' = f c + i g; through σ' = σ (1 - σ) and tanh' = 1 - g².
                    da[o + j] = dc * gg * ig * (1.0 - ig);
                    da[o + hd + j] = dc * c_prev[k] * fg * (1.0 - fg);
                    da[o + 2 * hd + j] = dc * ig * (1.0 - gg * gg);
                    da[o + 3 * hd + j] = dh * tc[k] * og * (1.0 - og);
                    carry_c[k] = dc * fg;
                    carry_h[k] = 0.0;
                }
            }
            // Weight gradients: dW += x_sᵀ · da, dU += h_prevᵀ · da, b its column sums.
            let x_s = &x[s * b * self.n_in..(s + 1) * b * self.n_in];
            matmul_at_b(self.n_in, g, b, x_s, &da, &mut grads.w);
            matmul_at_b(hd, g, b, h_prev, &da, &mut grads.u);
            for row in da.chunks(g) {
                for (gb, v) in grads.b.iter_mut().zip(row) {
                    *gb += v;
                }
            }
            // The previous state's gradient: da · Uᵀ (a padded window's row of da is 0, its
            // carry the state's own gradient).
            matmul(b, hd, g, &da, &ut, &mut carry_h, true);
            if let Some(dx) = dx.as_deref_mut() {
                let dx_s = &mut dx[s * b * self.n_in..(s + 1) * b * self.n_in];
                matmul(b, self.n_in, g, &da, &wt, dx_s, false);
            }
        }
    }

    fn zero_grads(&self) -> LstmGrads {
        LstmGrads {
            w: vec![0.0; self.w.len()],
            u: vec![0.0; self.u.len()],
            b: vec![0.0; self.b.len()],
        }
    }

    /// `w`, `u`, `b`.
    fn params_mut(&mut self) -> Vec<&mut [f32]> {
        vec![&mut self.w[..], &mut self.u, &mut self.b]
    }

    fn grad_slices(g: &LstmGrads) -> Vec<&[f32]> {
        vec![&g.w[..], &g.u, &g.b]
    }
}
