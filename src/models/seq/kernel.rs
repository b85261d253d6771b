//! The small numeric pieces the sequence layers share: matrix products on the crate's
//! deterministic `gemm` (sums in a fixed order on every target), the gate non-linearities on
//! the crate's own `exp` (the same bits natively and in wasm), and Adam.

use crate::models::num;

/// `c = [c +] a · b`: `a` is `m × k`, `b` is `k × n`, `c` is `m × n`, all row-major.
pub(super) fn matmul(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    num::gemm_f32(m, n, k, a, k, 1, b, n, c, n, accumulate);
}

/// `c += aᵀ · b`: `a` is `k × m` (read transposed through its strides), `b` is `k × n`,
/// `c` is `m × n` (a weight gradient: inputs transposed times output gradients).
pub(super) fn matmul_at_b(m: usize, n: usize, k: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    num::gemm_f32(m, n, k, a, 1, m, b, n, c, n, true);
}

/// The `cols × rows` transpose of the row-major `rows × cols` matrix `a`.
pub(super) fn transpose(a: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0f32; rows * cols];
    for i in 0..rows {
        for j in 0..cols {
            t[j * rows + i] = a[i * cols + j];
        }
    }
    t
}

/// The logistic function `1 / (1 + e^-x)`, through the crate's `exp` in `f64`.
#[inline]
pub(super) fn sigmoid(x: f32) -> f32 {
    (1.0 / (1.0 + num::exp(-(x as f64)))) as f32
}

/// `tanh x = 2 σ(2x) - 1`, computed in `f64` before rounding.
#[inline]
pub(super) fn tanh(x: f32) -> f32 {
    let s = 1.0 / (1.0 + num::exp(-2.0 * x as f64));
    (2.0 * s - 1.0) as f32
}

/// Adam's settings for one step: decays, offset and the bias-corrected step size.
#[derive(Clone, Copy)]
pub(super) struct AdamStep {
    pub beta1: f32,
    pub beta2: f32,
    pub epsilon: f32,
    /// `lr · √(1 - beta2^t) / (1 - beta1^t)`: the learning rate with the bias correction folded in.
    pub step: f32,
}

/// One Adam step on `w` with gradient `g`: the moments `m`, `v` decay by `beta1`, `beta2` and
/// take in `g`, `g²`; `w` moves by `step · m / (√v + epsilon)`.
pub(super) fn adam(w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], a: AdamStep) {
    let (c1, c2) = (1.0 - a.beta1, 1.0 - a.beta2);
    for i in 0..w.len() {
        let gi = g[i];
        m[i] = a.beta1 * m[i] + c1 * gi;
        v[i] = a.beta2 * v[i] + c2 * gi * gi;
        w[i] -= a.step * m[i] / (v[i].sqrt() + a.epsilon);
    }
}
