//! Exact path-dependent TreeSHAP on one tree: Algorithm 2 of Lundberg, Erion and Lee,
//! "Consistent Individualized Feature Attribution for Tree Ensembles" (2018), as in the `shap`
//! package's `treeshap.h`.
//!
//! The Shapley value of feature `i` for a tree `f` and row `x` averages, over every subset `S`
//! of the other features, `f_x(S ∪ {i}) − f_x(S)`, where `f_x(S)` is the tree's expected output
//! when only the features in `S` are known: at a split on a known feature the row goes down its
//! own branch; at a split on an unknown one both branches are taken, weighted by the share of
//! training rows (the node *cover*) that went each way. Enumerating subsets costs `2^d`; the
//! algorithm instead walks the tree once, carrying along the current root-to-node path the
//! proportion of subsets of each size that reach the node (`pweight`), so each leaf adds its
//! value to every feature on its path in `O(D)` (`unwound_sum`), for `O(L D²)` per tree.
//!
//! Per path element: `zero` = the fraction of the cover that flows down this path when the
//! feature is unknown (product of child cover / parent cover over the feature's splits on the
//! path); `one` = 1 when the row itself follows this path at every split on the feature, else 0.
//! A feature split on twice along a path is merged into one element (`unwind`, then extend with
//! the product of the fractions), so the path holds each feature once.

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

/// A tree ready for TreeSHAP: nodes (root first, children after parents) and `outputs` values
/// per node (used at leaves only).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShapTree {
    pub nodes: Vec<ShapNode>,
    pub values: Vec<f64>,
    pub outputs: usize,
    /// Depth of the deepest leaf (root = 0).
    pub depth: usize,
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
        ShapTree {
            nodes,
            values,
            outputs,
            depth: max,
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

    /// Path buffer length that [`ShapTree::shap`] needs: one path of `d + 1` elements per
    /// level `d = 0 ..= depth + 1`.
    pub fn path_len(&self) -> usize {
        (self.depth + 2) * (self.depth + 3) / 2
    }

    /// Adds this tree's SHAP values of `row` times `scale` to `phi` (`features × outputs`;
    /// output `o` of the tree goes to column `col + o`, `phi` has `width` columns). `path` is
    /// scratch of at least [`ShapTree::path_len`] elements (no allocation per row or node).
    pub fn shap(&self, row: &[f32], out: Out<'_>, path: &mut [Elem]) {
        let start = Step {
            node: 0,
            depth: 0,
            zero: 1.0,
            one: 1.0,
            feature: u32::MAX,
        };
        self.recurse(row, out, path, start);
    }

    fn recurse(&self, row: &[f32], mut out: Out<'_>, buf: &mut [Elem], s: Step) {
        let mut depth = s.depth;
        // This level's path is a copy of the parent's (which sits at the buffer's start) placed
        // right after it, so the parent's stays intact for the sibling call.
        let (parent, rest) = buf.split_at_mut(depth + 1);
        rest[..depth + 1].copy_from_slice(parent);
        let path = rest;
        extend(path, depth, s.zero, s.one, s.feature);
        let n = self.nodes[s.node];
        if n.left == 0 {
            let values = &self.values[s.node * self.outputs..(s.node + 1) * self.outputs];
            for i in 1..=depth {
                let e = path[i];
                let w = unwound_sum(path, depth, i) * (e.one - e.zero) * out.scale;
                let at = e.feature as usize * out.width + out.col;
                for (p, &v) in out.phi[at..at + self.outputs].iter_mut().zip(values) {
                    *p += w * v;
                }
            }
            return;
        }
        let v = row[n.feature as usize];
        let go_left = if v.is_nan() {
            n.missing_left
        } else {
            v.min(f32::MAX) <= n.threshold
        };
        let l = n.left as usize;
        let (hot, cold) = if go_left { (l, l + 1) } else { (l + 1, l) };
        let (mut zero, mut one) = (1.0, 1.0);
        // A feature already on the path: take its element out and fold its fractions into
        // this split's.
        if let Some(k) = (1..=depth).find(|&k| path[k].feature == n.feature) {
            zero = path[k].zero;
            one = path[k].one;
            unwind(path, depth, k);
            depth -= 1;
        }
        let child = |node: usize, zero_frac: f64, one_frac: f64| Step {
            node,
            depth: depth + 1,
            zero: zero_frac,
            one: one_frac,
            feature: n.feature,
        };
        let hot_step = child(hot, self.nodes[hot].cover / n.cover * zero, one);
        let cold_step = child(cold, self.nodes[cold].cover / n.cover * zero, 0.0);
        self.recurse(row, out.reborrow(), path, hot_step);
        self.recurse(row, out, path, cold_step);
    }
}

/// Where a tree's SHAP values go: `phi` is `features × width`, this tree's outputs start at
/// column `col`, each value multiplied by `scale` (1 / trees for a forest's mean).
pub(crate) struct Out<'a> {
    pub phi: &'a mut [f64],
    pub width: usize,
    pub col: usize,
    pub scale: f64,
}

impl Out<'_> {
    fn reborrow(&mut self) -> Out<'_> {
        Out {
            phi: self.phi,
            width: self.width,
            col: self.col,
            scale: self.scale,
        }
    }
}

/// One recursive call's arguments.
#[derive(Clone, Copy)]
struct Step {
    node: usize,
    depth: usize,
    zero: f64,
    one: f64,
    feature: u32,
}

/// One element of the path: a feature, its zero and one fractions, and the weight of the
/// subsets of this element's size.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Elem {
    feature: u32,
    zero: f64,
    one: f64,
    weight: f64,
}

/// Appends a feature at position `depth`, updating every subset-size weight: with probability
/// `one` the new feature is in the subset (weights move up one size), with `zero` it is not.
fn extend(path: &mut [Elem], depth: usize, zero: f64, one: f64, feature: u32) {
    path[depth] = Elem {
        feature,
        zero,
        one,
        weight: if depth == 0 { 1.0 } else { 0.0 },
    };
    let d1 = (depth + 1) as f64;
    for i in (0..depth).rev() {
        path[i + 1].weight += one * path[i].weight * (i + 1) as f64 / d1;
        path[i].weight = zero * path[i].weight * (depth - i) as f64 / d1;
    }
}

/// Undoes [`extend`] for the element at `k` and removes it from the path.
fn unwind(path: &mut [Elem], depth: usize, k: usize) {
    let (one, zero) = (path[k].one, path[k].zero);
    let d1 = (depth + 1) as f64;
    let mut next = path[depth].weight;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let tmp = path[i].weight;
            path[i].weight = next * d1 / ((i + 1) as f64 * one);
            next = tmp - path[i].weight * zero * (depth - i) as f64 / d1;
        } else {
            path[i].weight = path[i].weight * d1 / (zero * (depth - i) as f64);
        }
    }
    for i in k..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero = path[i + 1].zero;
        path[i].one = path[i + 1].one;
    }
}

/// The total weight the path would have without element `k` (an [`unwind`] that only sums).
fn unwound_sum(path: &[Elem], depth: usize, k: usize) -> f64 {
    let (one, zero) = (path[k].one, path[k].zero);
    let mut next = path[depth].weight;
    let mut total = 0.0;
    if one != 0.0 {
        for i in (0..depth).rev() {
            let tmp = next / ((i + 1) as f64 * one);
            total += tmp;
            next = path[i].weight - tmp * zero * (depth - i) as f64;
        }
    } else {
        for i in (0..depth).rev() {
            total += path[i].weight / (zero * (depth - i) as f64);
        }
    }
    total * (depth + 1) as f64
}
