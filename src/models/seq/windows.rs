//! Windows of consecutive flows: from a matrix whose last [`CONTEXT`] columns are the sequence
//! context (`features::context`), the `W` flows of the same group ending at each row.
//!
//! The rows given are sorted by (group id, order in the file); a row's window is the up to `W`
//! rows before it in that order with the same group, itself last, padded at the start when the
//! group has fewer earlier rows. Only the rows of the matrix take part: a model fitted on a
//! split's training rows never reads a test row, and a prediction reads only the rows it is
//! given. Each row also gets the time gap to the previous row of its group, as `ln(1 + s)`
//! (0 for the first row of a group or when a time is missing).

use crate::data::Matrix;
use crate::features::CONTEXT;

/// Marks a padded step in [`Windows::rows`].
pub const PAD: u32 = u32::MAX;

/// The window of every row of a matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Windows {
    /// Steps per window (`W`).
    pub steps: usize,
    /// `rows × W` row indices, oldest first, [`PAD`] for padding; the last is the row itself.
    pub rows: Vec<u32>,
    /// Per row, `ln(1 + seconds since the previous row of its group)`.
    pub gap: Vec<f32>,
}

impl Windows {
    /// The windows of `x`'s rows, grouped by context column `group` (0 host, 1 pair,
    /// 2 responder); `x.cols` must be at least [`CONTEXT`].
    pub fn build(x: &Matrix, group: usize, steps: usize) -> Windows {
        let base = x.cols - CONTEXT;
        let (g, order, time) = (base + group, base + 3, base + 4);
        let mut sorted: Vec<usize> = (0..x.rows).collect();
        sorted.sort_by(|&a, &b| {
            x.get(a, g)
                .total_cmp(&x.get(b, g))
                .then(x.get(a, order).total_cmp(&x.get(b, order)))
                .then(a.cmp(&b))
        });
        let mut rows = vec![PAD; x.rows * steps];
        let mut gap = vec![0f32; x.rows];
        let mut start = 0;
        for (p, &r) in sorted.iter().enumerate() {
            if p > 0 && x.get(sorted[p - 1], g).to_bits() != x.get(r, g).to_bits() {
                start = p;
            }
            // The group's rows from max(start, p - W + 1) to p fill the window's last slots.
            let first = start.max((p + 1).saturating_sub(steps));
            let window = &mut rows[r * steps..(r + 1) * steps];
            for (slot, &q) in window[steps - (p + 1 - first)..]
                .iter_mut()
                .zip(&sorted[first..=p])
            {
                *slot = q as u32;
            }
            if p > start {
                let dt = x.get(r, time) - x.get(sorted[p - 1], time);
                gap[r] = if dt.is_finite() {
                    dt.max(0.0).ln_1p()
                } else {
                    0.0
                };
            }
        }
        Windows { steps, rows, gap }
    }

    /// How many windows have at least one flow before their own (a history to learn from).
    pub fn with_history(&self) -> usize {
        self.rows
            .chunks(self.steps.max(1))
            .filter(|w| w.len() >= 2 && w[w.len() - 2] != PAD)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two hosts interleaved out of time order; windows of 3.
    #[test]
    fn windows_follow_each_host_in_time_order() {
        // base feature, host, pair, responder, order, time
        let rows: [[f32; 6]; 5] = [
            [0.0, 0.0, 0.0, 0.0, 3.0, 30.0],
            [1.0, 1.0, 1.0, 0.0, 0.0, 0.0],
            [2.0, 0.0, 2.0, 1.0, 1.0, 10.0],
            [3.0, 0.0, 0.0, 0.0, 4.0, 40.0],
            [4.0, 0.0, 0.0, 0.0, 2.0, f32::NAN],
        ];
        let x = Matrix {
            rows: 5,
            cols: 6,
            data: rows.concat(),
        };
        let w = Windows::build(&x, 0, 3);
        // Host 0 in order: rows 2 (t 10), 4 (t ?), 0 (t 30), 3 (t 40).
        assert_eq!(&w.rows[0..3], &[2, 4, 0]);
        assert_eq!(&w.rows[3..6], &[PAD, PAD, 1]);
        assert_eq!(&w.rows[6..9], &[PAD, PAD, 2]);
        assert_eq!(&w.rows[9..12], &[4, 0, 3]);
        assert_eq!(&w.rows[12..15], &[PAD, 2, 4]);
        assert_eq!(w.gap[3], 11f32.ln());
        assert_eq!((w.gap[2], w.gap[4], w.gap[0]), (0.0, 0.0, 0.0));
        assert_eq!(w.with_history(), 3);
        // By responder: rows 0, 1, 3, 4 share responder 0 (in order 1, 4, 0, 3).
        let w = Windows::build(&x, 2, 2);
        assert_eq!(&w.rows[0..2], &[4, 0]);
        assert_eq!(&w.rows[4..6], &[PAD, 2]);
        assert_eq!(&w.rows[6..8], &[0, 3]);
        assert_eq!(&w.rows[8..10], &[1, 4]);
    }
}
