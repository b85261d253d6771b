//! Numeric kernels shared by every model: a deterministic matrix product, softmax, and
//! platform-independent `exp`/`ln` (IEEE basic operations only, so the same bits natively and in
//! wasm).

use std::ops::{Add, AddAssign, Mul};

pub(crate) trait Real:
    Copy + Default + Add<Output = Self> + Mul<Output = Self> + AddAssign
{
}
impl Real for f32 {}
impl Real for f64 {}

/// `c = [c +] a · b` where `a(i, p) = a[i * rsa + p * csa]` (`m × k`), `b` is `k × n` with row
/// stride `ldb`, `c` is `m × n` with row stride `ldc`. Each `c(i, j)` is the sum over `p` in
/// increasing order, started from 0 and added to `c` last, on every platform and CPU.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm_f32(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    rsa: usize,
    csa: usize,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
    accumulate: bool,
) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        unsafe { gemm_f32_avx2(m, n, k, a, rsa, csa, b, ldb, c, ldc, accumulate) };
        return;
    }
    gemm_body::<f32, 6, 16>(m, n, k, a, rsa, csa, b, ldb, c, ldc, accumulate);
}

/// As [`gemm_f32`], in `f64`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm_f64(
    m: usize,
    n: usize,
    k: usize,
    a: &[f64],
    rsa: usize,
    csa: usize,
    b: &[f64],
    ldb: usize,
    c: &mut [f64],
    ldc: usize,
    accumulate: bool,
) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        unsafe { gemm_f64_avx2(m, n, k, a, rsa, csa, b, ldb, c, ldc, accumulate) };
        return;
    }
    gemm_body::<f64, 6, 8>(m, n, k, a, rsa, csa, b, ldb, c, ldc, accumulate);
}

// AVX2 only widens the vectors: no FMA is enabled, and Rust never contracts `a * b + c`, so
// the results are bit-identical to the baseline (SSE2, wasm) build.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_f32_avx2(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    rsa: usize,
    csa: usize,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
    accumulate: bool,
) {
    gemm_body::<f32, 6, 16>(m, n, k, a, rsa, csa, b, ldb, c, ldc, accumulate);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_f64_avx2(
    m: usize,
    n: usize,
    k: usize,
    a: &[f64],
    rsa: usize,
    csa: usize,
    b: &[f64],
    ldb: usize,
    c: &mut [f64],
    ldc: usize,
    accumulate: bool,
) {
    gemm_body::<f64, 6, 8>(m, n, k, a, rsa, csa, b, ldb, c, ldc, accumulate);
}

/// The blocked product: `MR × NR` tiles of `c`, each accumulated in registers over the whole
/// `k` range. Rows of `a` are packed per tile (`k × MR`, zero-padded past `m`), and edge
/// columns of `b` are packed zero-padded to `NR`, so every tile runs the same kernel; padded
/// lanes are never stored.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn gemm_body<T: Real, const MR: usize, const NR: usize>(
    m: usize,
    n: usize,
    k: usize,
    a: &[T],
    rsa: usize,
    csa: usize,
    b: &[T],
    ldb: usize,
    c: &mut [T],
    ldc: usize,
    accumulate: bool,
) {
    if m == 0 || n == 0 {
        return;
    }
    let mut apack = vec![T::default(); k * MR];
    let mut bpack = vec![T::default(); k * NR];
    for j0 in (0..n).step_by(NR) {
        let w = NR.min(n - j0);
        if w < NR {
            for p in 0..k {
                bpack[p * NR..p * NR + w].copy_from_slice(&b[p * ldb + j0..p * ldb + j0 + w]);
            }
        }
        for i0 in (0..m).step_by(MR) {
            let h = MR.min(m - i0);
            for (p, dst) in apack.chunks_exact_mut(MR).enumerate() {
                for (r, d) in dst.iter_mut().enumerate() {
                    *d = if r < h {
                        a[(i0 + r) * rsa + p * csa]
                    } else {
                        T::default()
                    };
                }
            }
            let acc = if w == NR {
                tile::<T, MR, NR>(&apack, &b[j0..], ldb)
            } else {
                tile::<T, MR, NR>(&apack, &bpack, NR)
            };
            for (r, acc_r) in acc.iter().enumerate().take(h) {
                let out = &mut c[(i0 + r) * ldc + j0..(i0 + r) * ldc + j0 + w];
                if accumulate {
                    for (o, &v) in out.iter_mut().zip(acc_r) {
                        *o += v;
                    }
                } else {
                    out.copy_from_slice(&acc_r[..w]);
                }
            }
        }
    }
}

/// One register tile: `acc[r][q] = Σ_p apack[p][r] · b[p * ldb + q]`, `p` in increasing order.
#[inline(always)]
fn tile<T: Real, const MR: usize, const NR: usize>(
    apack: &[T],
    b: &[T],
    ldb: usize,
) -> [[T; NR]; MR] {
    let mut acc = [[T::default(); NR]; MR];
    let k = apack.len() / MR;
    if k == 0 {
        return acc;
    }
    assert!(b.len() >= (k - 1) * ldb + NR, "b too short for the tile");
    for (p, arow) in apack.chunks_exact(MR).enumerate() {
        let arow: &[T; MR] = arow.try_into().expect("MR values");
        let brow: &[T; NR] = b[p * ldb..p * ldb + NR].try_into().expect("NR values");
        for r in 0..MR {
            for q in 0..NR {
                acc[r][q] += arow[r] * brow[q];
            }
        }
    }
    acc
}

const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000); // ln 2, upper bits (fdlibm)
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76); // ln 2 - LN2_HI

/// `1 / i!` for `i` in `0..=13`.
const INV_FACT: [f64; 14] = {
    let mut t = [1.0; 14];
    let mut i = 1;
    while i < 14 {
        t[i] = t[i - 1] / i as f64;
        i += 1;
    }
    t
};

/// `e^x` to about 1 ulp over the whole `f64` range (subnormal results included), with the same
/// result on every platform: no libm call, not even `floor`.
#[inline]
pub(crate) fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.8 {
        return f64::INFINITY;
    }
    if x < -745.2 {
        return 0.0;
    }
    // n = round(x / ln 2) as floor(t + 0.5) without a libm call (|t| < 1100 here).
    let t = x * std::f64::consts::LOG2_E + 0.5;
    let ti = t as i64;
    let n = if (ti as f64) > t { ti - 1 } else { ti };
    let nf = n as f64;
    let r = (x - nf * LN2_HI) - nf * LN2_LO;
    // Taylor series to r^13 / 13! (|r| <= ln 2 / 2: truncation below 1e-17).
    let mut p = INV_FACT[13];
    for &f in INV_FACT[..13].iter().rev() {
        p = p * r + f;
    }
    if (-1022..=1023).contains(&n) {
        p * pow2(n)
    } else {
        // 2^n is not a normal number: scale in two steps.
        let h = n / 2;
        p * pow2(h) * pow2(n - h)
    }
}

/// `2^n` for `n` in `-1022..=1023`.
#[inline]
fn pow2(n: i64) -> f64 {
    f64::from_bits(((n + 1023) as u64) << 52)
}

/// `1 / (2i + 1)` for `i` in `0..=11`.
const INV_ODD: [f64; 12] = {
    let mut t = [1.0; 12];
    let mut i = 0;
    while i < 12 {
        t[i] = 1.0 / (2 * i + 1) as f64;
        i += 1;
    }
    t
};

/// Natural logarithm to about 1 ulp, with the same result on every platform.
#[inline]
pub(crate) fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let (mut bits, mut e) = (x.to_bits(), 0i64);
    if bits >> 52 == 0 {
        bits = (x * 18_014_398_509_481_984.0).to_bits(); // 2^54: subnormal → normal
        e = -54;
    }
    e += ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716: series to s^23.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut t = INV_ODD[11];
    for &c in INV_ODD[..11].iter().rev() {
        t = t * s2 + c;
    }
    // ln 2 in two parts keeps the e·ln 2 term exact.
    let e = e as f64;
    e * LN2_HI + (e * LN2_LO + 2.0 * s * t)
}

/// Softmax of one row in place (computed in `f64`); returns `ln Σ e^z` of the input. `NaN`
/// logits count as `-∞`; rows without a finite maximum get an even share among their largest.
pub(crate) fn softmax_in_place(z: &mut [f32]) -> f64 {
    let max = z
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        let ties = z.iter().filter(|&&v| v == max).count();
        let all = ties == 0;
        let share = 1.0 / if all { z.len() } else { ties } as f32;
        for v in z.iter_mut() {
            *v = if all || *v == max { share } else { 0.0 };
        }
        return max as f64;
    }
    let max = max as f64;
    let mut sum = 0.0;
    for v in z.iter_mut() {
        let e = if v.is_nan() {
            0.0
        } else {
            exp(*v as f64 - max)
        };
        *v = e as f32;
        sum += e;
    }
    let inv = 1.0 / sum;
    for v in z.iter_mut() {
        *v = (*v as f64 * inv) as f32;
    }
    max + ln(sum)
}

/// Class probabilities from `rows × k` row-major scores: the softmax of each row, as `f32`
/// (what `predict_proba` returns for naive Bayes and the SVM).
pub(crate) fn softmax_rows_f32(mut scores: Vec<f64>, k: usize) -> Vec<f32> {
    for row in scores.chunks_mut(k.max(1)) {
        softmax64_in_place(row);
    }
    scores.into_iter().map(|p| p as f32).collect()
}

/// Softmax of one `f64` row in place; returns `ln Σ e^z`. Same `NaN`/`∞` rules as
/// [`softmax_in_place`].
pub(crate) fn softmax64_in_place(z: &mut [f64]) -> f64 {
    let max = z
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        let ties = z.iter().filter(|&&v| v == max).count();
        let all = ties == 0;
        let share = 1.0 / if all { z.len() } else { ties } as f64;
        for v in z.iter_mut() {
            *v = if all || *v == max { share } else { 0.0 };
        }
        return max;
    }
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = if v.is_nan() { 0.0 } else { exp(*v - max) };
        sum += *v;
    }
    let inv = 1.0 / sum;
    for v in z.iter_mut() {
        *v *= inv;
    }
    max + ln(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_and_ln_match_std_to_an_ulp_or_two() {
        // Over the whole range where e^x is a normal number.
        for i in -1890..1890 {
            let x = i as f64 * 0.37;
            let (a, b) = (exp(x), x.exp());
            assert!(((a - b) / b).abs() < 4e-16, "exp({x}) = {a} vs {b}");
        }
        for i in 1..4000 {
            let x = (i as f64 * 0.731).powi(3) * 1e-6;
            let (a, b) = (ln(x), x.ln());
            assert!(
                (a - b).abs() <= 4e-16 * b.abs().max(1.0),
                "ln({x}) = {a} vs {b}"
            );
        }
        assert_eq!(exp(-800.0), 0.0);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert!(exp(-740.0) > 0.0 && exp(-740.0) < f64::MIN_POSITIVE);
        assert!(ln(1e-310).is_finite());
        let mut x = -700.0;
        while x < 700.0 {
            let (a, b) = (exp(x), x.exp());
            assert!(((a - b) / b).abs() < 4e-16, "exp({x}) = {a} vs {b}");
            x += 0.0137;
        }
        for &x in &[
            1e-300, 1e-20, 0.1, 0.5, 0.7, 1.0, 1.0000001, 1.5, 2.0, 10.0, 1e10, 1e300, 5e-324,
        ] {
            let (a, b) = (ln(x), x.ln());
            assert!(
                (a - b).abs() <= 4e-16 * b.abs().max(1e-300),
                "ln({x}) = {a} vs {b}"
            );
        }
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(exp(0.0), 1.0);
    }

    #[test]
    fn gemm_matches_the_naive_sum_bit_for_bit() {
        let (m, n, k) = (9, 37, 13);
        let a: Vec<f32> = (0..m * k)
            .map(|i| ((i * 7919) % 101) as f32 / 37.0 - 1.3)
            .collect();
        let b: Vec<f32> = (0..k * n)
            .map(|i| ((i * 104_729) % 97) as f32 / 29.0 - 1.7)
            .collect();
        let mut c = vec![0.5f32; m * n];
        gemm_f32(m, n, k, &a, k, 1, &b, n, &mut c, n, true);
        let mut ct = vec![0f32; m * n];
        // Transposed strides: aᵀ is k × m, so use a as (m × k) through rsa = 1, csa = m on aᵀ.
        let at: Vec<f32> = (0..k * m).map(|idx| a[(idx % m) * k + idx / m]).collect();
        gemm_f32(m, n, k, &at, 1, m, &b, n, &mut ct, n, false);
        for i in 0..m {
            for j in 0..n {
                let mut s = 0f32;
                for p in 0..k {
                    s += a[i * k + p] * b[p * n + j];
                }
                assert_eq!(c[i * n + j], 0.5 + s);
                assert_eq!(ct[i * n + j], s);
            }
        }
    }
}
