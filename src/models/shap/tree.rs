//! Exact path-dependent TreeSHAP on one tree (the values of Lundberg, Erion and Lee,
//! "Consistent Individualized Feature Attribution for Tree Ensembles", 2018), computed with
//! Gauss–Legendre quadrature instead of their Algorithm 2's subset-size weights.
//!
//! **What is computed.** For a tree `f`, a row `x` and a subset `S` of the features, `f_x(S)`
//! is the tree's expected output when only the features in `S` are known: at a split on a
//! known feature the row goes down its own branch; at a split on an unknown one both branches
//! are taken, weighted by the share of training rows (the node *cover*) that went each way.
//! The Shapley value of feature `i` averages `f_x(S ∪ {i}) − f_x(S)` over the subsets `S` of
//! the other features with the weights `|S|! (d − |S| − 1)! / d!`.
//!
//! **Per leaf.** `f_x(S)` is a sum over leaves `v` of `value_v · Π_j (j ∈ S ? o_j : z_j)`,
//! the product running over the `d` distinct features on `v`'s path: `z_j` = the product of
//! the cover fractions of the path's splits on `j` (how much of the data goes this way when
//! `j` is unknown), `o_j` = 1 when the row itself follows every one of those splits, else 0.
//! The Shapley weights are Beta integrals, `|S|! (d − |S| − 1)! / d! = ∫₀¹ t^|S| (1 − t)^(d −
//! |S| − 1) dt`, so summing over the subsets collapses to one integral per feature:
//!
//! ```text
//! φ_i(v) = value_v · (o_i − z_i) · ∫₀¹ Π_{j ≠ i} f_j(t) dt,   f_j(t) = (1 − t)·z_j + t·o_j.
//! ```
//!
//! The integrand is a polynomial of degree `d − 1`, so Gauss–Legendre quadrature with `m =
//! ⌈depth / 2⌉` points (exact up to degree `2m − 1`) gives it exactly, up to rounding:
//! `Σ_k w_k · P(t_k) / f_i(t_k)` with `P(t) = Π_j f_j(t)` over the whole path. This is the
//! observation behind Linear TreeShap (Yu et al., NeurIPS 2022) and the quadrature methods
//! after it.
//!
//! **Why it is faster.** Algorithm 2 spends `O(d)` on every path element at every leaf
//! (`unwound_sum`), each step waiting on a division of the previous one: `O(L·D²)` per tree and
//! row, latency-bound. Here the walk keeps, per path element, `w_k / f_j(t_k)` (`m` divisions
//! when the element is added, none at the leaves) and, per level, `P(t_k)`; a leaf costs one
//! dot product of length `m` per element — independent multiply-adds the CPU overlaps — and the
//! leaf values that are zero (a pure leaf of a forest) are skipped. Measured on a 100-tree
//! forest: see the README's "Explanations".
//!
//! A feature split on twice along a path is one element: its `z` and `o` are multiplied by the
//! new split's fraction and indicator, its `f` replaced, and `P` divided by the old `f` and
//! multiplied by the new; the old element is put back when the walk returns.

/// One node of a tree laid out for explanation: children, test, and cover.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ShapNode {
    /// Left child; the right one is `left + 1`; 0 marks a leaf.
    pub left: u32,
    /// Feature tested (splits only).
    pub feature: u32,
    /// Rows with `x[feature] <= threshold` go left.
    pub threshold: f32,
    /// Where missing values go.
    pub missing_left: bool,
    /// Training rows that reached the node (a leaf's own count, at least 1; a split's is the
    /// sum of its children's, so the fractions at every split add up to exactly 1).
    pub cover: f64,
}

/// A tree ready for TreeSHAP: nodes (root first, children after parents), `outputs` values
/// per node (used at leaves only) and its quadrature rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShapTree {
    pub nodes: Vec<ShapNode>,
    pub values: Vec<f64>,
    pub outputs: usize,
    /// Depth of the deepest leaf (root = 0): at most this many distinct features on a path.
    pub depth: usize,
    /// The split nodes, in order: bit `b` of a row's [`ShapTree::pattern`] is split `b`'s answer.
    splits: Vec<u32>,
    /// The distinct features the tree splits on (the only ones it gives a value).
    pub features: Vec<u32>,
    /// Gauss–Legendre nodes on (0, 1) (`⌈depth / 2⌉` of them, at least one) …
    quad_t: Vec<f64>,
    /// … and their weights (summing to 1).
    quad_w: Vec<f64>,
}

impl ShapTree {
    /// Builds the tree from nodes whose leaves carry their own `samples`; split covers are
    /// recomputed bottom-up (children come after their parents, so a reverse pass suffices).
    pub fn new(mut nodes: Vec<ShapNode>, values: Vec<f64>, outputs: usize) -> ShapTree {
        for i in (0..nodes.len()).rev() {
            let l = nodes[i].left as usize;
            if l == 0 {
                nodes[i].cover = nodes[i].cover.max(1.0);
            } else {
                nodes[i].cover = nodes[l].cover + nodes[l + 1].cover;
            }
        }
        let mut depth = vec![0usize; nodes.len()];
        let mut max = 0;
        for i in 0..nodes.len() {
            let l = nodes[i].left as usize;
            if l != 0 {
                depth[l] = depth[i] + 1;
                depth[l + 1] = depth[i] + 1;
                max = max.max(depth[i] + 1);
            }
        }
        let (quad_t, quad_w) = gauss_legendre(max.div_ceil(2).max(1));
        let splits: Vec<u32> = (0..nodes.len() as u32)
            .filter(|&i| nodes[i as usize].left != 0)
            .collect();
        let mut features: Vec<u32> = splits.iter().map(|&i| nodes[i as usize].feature).collect();
        features.sort_unstable();
        features.dedup();
        ShapTree {
            nodes,
            values,
            outputs,
            depth: max,
            splits,
            features,
            quad_t,
            quad_w,
        }
    }

    /// The tree's expected output (cover-weighted mean of its leaves), added to `out`.
    pub fn add_expected(&self, out: &mut [f64]) {
        let root = self.nodes[0].cover;
        for (i, n) in self.nodes.iter().enumerate() {
            if n.left == 0 {
                let w = n.cover / root;
                for (o, &v) in out.iter_mut().zip(&self.values[i * self.outputs..]) {
                    *o += w * v;
                }
            }
        }
    }

    /// Words of a row's [`ShapTree::pattern`].
    pub fn pattern_words(&self) -> usize {
        self.splits.len().div_ceil(64)
    }

    /// The row's answer at every split, one bit each, into `out` ([`ShapTree::pattern_words`]
    /// words). The walk of [`ShapTree::shap`] reads the row only through these answers (it
    /// visits every split, the row's branch and the other), so two rows with the same pattern
    /// get the same values from this tree: a tree of a forest explains each pattern once,
    /// however many rows share it.
    pub fn pattern(&self, row: &[f32], out: &mut [u64]) {
        out.fill(0);
        for (b, &i) in self.splits.iter().enumerate() {
            if self.goes_left(&self.nodes[i as usize], row) {
                out[b / 64] |= 1 << (b % 64);
            }
        }
    }

    /// Whether `row` takes the left branch of split `n` (missing values as the split says).
    fn goes_left(&self, n: &ShapNode, row: &[f32]) -> bool {
        let v = row[n.feature as usize];
        if v.is_nan() {
            n.missing_left
        } else {
            v.min(f32::MAX) <= n.threshold
        }
    }

    /// Number of quadrature points (the `m` of [`Path::new`]).
    pub fn points(&self) -> usize {
        self.quad_t.len()
    }

    /// Adds this tree's SHAP values of `row` times `scale` to `phi` (`features × outputs`;
    /// output `o` of the tree goes to column `col + o`, `phi` has `width` columns). `path` is
    /// scratch made by [`Path::new`] with at least this tree's depth and points (no
    /// allocation per row or node).
    pub fn shap(&self, row: &[f32], mut out: Out<'_>, path: &mut Path) {
        let m = self.points();
        path.m = m;
        path.len = 0;
        path.p[..m].fill(1.0);
        self.walk(row, &mut out, path, 0, 0);
    }

    /// Visits `node` at `level`, the path to it in `s` (`s.p[level]` = `P(t_k)`).
    fn walk(&self, row: &[f32], out: &mut Out<'_>, s: &mut Path, node: usize, level: usize) {
        let n = self.nodes[node];
        if n.left == 0 {
            self.leaf(node, out, s, level);
            return;
        }
        let go_left = self.goes_left(&n, row);
        let l = n.left as usize;
        for (child, hot) in [(l, go_left), (l + 1, !go_left)] {
            let frac = self.nodes[child].cover / n.cover;
            let one = if hot { 1.0 } else { 0.0 };
            let at = s.feature[..s.len].iter().position(|&f| f == n.feature);
            let j = s.push(&self.quad_t, &self.quad_w, level, at, n.feature, frac, one);
            self.walk(row, out, s, child, level + 1);
            s.pop(level, at, j);
        }
    }

    /// A leaf: every path element `j` gets `value · (o_j − z_j) · Σ_k P(t_k) · w_k / f_j(t_k)`.
    fn leaf(&self, node: usize, out: &mut Out<'_>, s: &Path, level: usize) {
        let m = s.m;
        let values = &self.values[node * self.outputs..(node + 1) * self.outputs];
        let p = &s.p[level * m..(level + 1) * m];
        for j in 0..s.len {
            let coef = (s.o[j] - s.z[j]) * out.scale;
            if coef == 0.0 {
                continue;
            }
            let winv = &s.winv[j * m..(j + 1) * m];
            let g = dot(p, winv);
            let at = s.feature[j] as usize * out.width + out.col;
            for (phi, &v) in out.phi[at..at + self.outputs].iter_mut().zip(values) {
                if v != 0.0 {
                    *phi += coef * g * v;
                }
            }
        }
    }
}

/// `Σ a_k · b_k` in four independent running sums, so consecutive multiply-adds do not wait
/// on each other (a single sum is one long chain of dependent additions).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = a4
        .remainder()
        .iter()
        .zip(b4.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a4.zip(b4) {
        for i in 0..4 {
            acc[i] += x[i] * y[i];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Where a tree's SHAP values go: `phi` is `features × width`, this tree's outputs start at
/// column `col`, each value multiplied by `scale` (1 / trees for a forest's mean).
pub(crate) struct Out<'a> {
    pub phi: &'a mut [f64],
    pub width: usize,
    pub col: usize,
    pub scale: f64,
}

/// The current root-to-node path: its distinct features with their `z`, `o` and `w_k / f(t_k)`,
/// `P(t_k)` per level, and what a merge replaced, per level, to put it back.
#[derive(Debug, Clone, Default)]
pub(crate) struct Path {
    /// Quadrature points of the tree being walked.
    m: usize,
    /// Elements in use.
    len: usize,
    feature: Vec<u32>,
    z: Vec<f64>,
    o: Vec<f64>,
    /// `len × m`: `w_k / f_j(t_k)`.
    winv: Vec<f64>,
    /// `levels × m`: `P(t_k)` at each level of the walk.
    p: Vec<f64>,
    /// Per level, the `(z, o)` and `winv` of an element a merge at that level replaced.
    saved: Vec<(f64, f64)>,
    saved_winv: Vec<f64>,
}

impl Path {
    /// Scratch for trees of depth at most `depth` and at most `points` quadrature points.
    pub fn new(depth: usize, points: usize) -> Path {
        let (elems, levels) = (depth + 1, depth + 2);
        Path {
            m: points,
            len: 0,
            feature: vec![0; elems],
            z: vec![0.0; elems],
            o: vec![0.0; elems],
            winv: vec![0.0; elems * points],
            p: vec![0.0; levels * points],
            saved: vec![(0.0, 0.0); levels],
            saved_winv: vec![0.0; levels * points],
        }
    }

    /// Goes down a split on `feature` (already on the path at `at`, or new) whose branch
    /// holds `frac` of the cover and which the row takes (`one` = 1) or not (0): sets element
    /// `j`'s `z`, `o` and `w/f`, and `P` for `level + 1`. Returns `j`.
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        t: &[f64],
        w: &[f64],
        level: usize,
        at: Option<usize>,
        feature: u32,
        frac: f64,
        one: f64,
    ) -> usize {
        let m = self.m;
        let (j, z, o) = match at {
            Some(j) => {
                self.saved[level] = (self.z[j], self.o[j]);
                self.saved_winv[level * m..(level + 1) * m]
                    .copy_from_slice(&self.winv[j * m..(j + 1) * m]);
                (j, self.z[j] * frac, self.o[j] * one)
            }
            None => {
                self.len += 1;
                (self.len - 1, frac, one)
            }
        };
        self.feature[j] = feature;
        self.z[j] = z;
        self.o[j] = o;
        let (before, after) = self.p.split_at_mut((level + 1) * m);
        let (p, next) = (&before[level * m..], &mut after[..m]);
        let winv = &mut self.winv[j * m..(j + 1) * m];
        for k in 0..m {
            let f = (1.0 - t[k]) * z + t[k] * o;
            // A merge divides the old factor out: P / f_old = P · (w / f_old) / w.
            let old = match at {
                Some(_) => self.saved_winv[level * m + k] / w[k],
                None => 1.0,
            };
            next[k] = p[k] * f * old;
            winv[k] = w[k] / f;
        }
        j
    }

    /// Undoes [`Path::push`] of element `j` at `level`.
    fn pop(&mut self, level: usize, at: Option<usize>, j: usize) {
        let m = self.m;
        match at {
            Some(_) => {
                (self.z[j], self.o[j]) = self.saved[level];
                self.winv[j * m..(j + 1) * m]
                    .copy_from_slice(&self.saved_winv[level * m..(level + 1) * m]);
            }
            None => self.len -= 1,
        }
    }
}

/// Gauss–Legendre rule with `m` points, mapped to (0, 1): nodes `t_k` and weights `w_k`
/// (summing to 1) with `Σ_k w_k·q(t_k) = ∫₀¹ q(t) dt` for every polynomial `q` of degree
/// ≤ `2m − 1`. The nodes are the roots of the Legendre polynomial `P_m` on (−1, 1), found by
/// Newton's method from Tricomi's first guess `cos(π (k + 3/4) / (m + 1/2))`; `P_m` and its
/// derivative come from the three-term recurrence `(j + 1) P_{j+1} = (2j + 1) x P_j − j
/// P_{j−1}`, and the weight of a root `x` is `2 / ((1 − x²) P_m'(x)²)` on (−1, 1), halved here.
pub(crate) fn gauss_legendre(m: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut t, mut w) = (vec![0.0; m], vec![0.0; m]);
    let mf = m as f64;
    for k in 0..m.div_ceil(2) {
        let mut x = (std::f64::consts::PI * (k as f64 + 0.75) / (mf + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (mut p, mut prev) = (1.0, 0.0);
            for j in 0..m {
                let jf = j as f64;
                (p, prev) = (((2.0 * jf + 1.0) * x * p - jf * prev) / (jf + 1.0), p);
            }
            // P_m'(x) = m (x P_m − P_{m−1}) / (x² − 1).
            dp = mf * (x * p - prev) / (x * x - 1.0);
            let step = p / dp;
            x -= step;
            if step.abs() < 1e-16 {
                break;
            }
        }
        let weight = 1.0 / ((1.0 - x * x) * dp * dp);
        // Roots come in pairs ±x (x = 0 once when m is odd): both ends of (0, 1).
        t[k] = (1.0 - x) / 2.0;
        w[k] = weight;
        t[m - 1 - k] = (1.0 + x) / 2.0;
        w[m - 1 - k] = weight;
    }
    (t, w)
}

#[cfg(test)]
mod tests {
    use super::gauss_legendre;

    /// `m` points integrate `t^p` over (0, 1) exactly (`1 / (p + 1)`) for every `p ≤ 2m − 1`.
    #[test]
    fn gauss_legendre_is_exact_to_degree_2m_minus_1() {
        for m in 1..=24 {
            let (t, w) = gauss_legendre(m);
            assert!(t.windows(2).all(|p| p[0] < p[1]) && t[0] > 0.0 && t[m - 1] < 1.0);
            let integral = |p: i32| t.iter().zip(&w).map(|(t, w)| w * t.powi(p)).sum::<f64>();
            for p in 0..2 * m as i32 {
                let exact = 1.0 / (p + 1) as f64;
                assert!((integral(p) - exact).abs() < 1e-13, "m {m}, t^{p}");
            }
            // One degree more is no longer exact (visibly so while the error term is above
            // rounding: it shrinks like 4^-2m).
            let p = 2 * m as i32;
            if m <= 8 {
                assert!((integral(p) - 1.0 / (p + 1) as f64).abs() > 1e-12, "m {m}");
            }
        }
    }
}
