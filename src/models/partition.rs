//! The stable partition of a node's rows by a binned split, shared by the decision tree
//! ([`super::tree`]) and gradient boosting ([`super::boosting`]).
//!
//! Both growers keep the rows of every open node as one contiguous range of an item vector.
//! Splitting a node on "bin codes `1 ..= bin` of a feature go left, missing values go
//! `missing_left`" reorders that range so its left rows come first and its right rows after,
//! each side in its original order. Keeping the order is what makes the model reproducible: the
//! children's histograms (and the boosting leaf values) add the same numbers in the same order
//! whatever the split history.

use super::binning::MISSING_BIN;

/// An item of a node partition that knows its row in the binned matrix.
pub(crate) trait BinnedRow: Copy {
    /// Row of the item in the [`super::binning::BinnedMatrix`] (its bin codes).
    fn row(&self) -> usize;
}

/// Whether bin `code` takes the left branch of the split "codes `1 ..= bin` go left", with
/// missing values ([`MISSING_BIN`]) going left exactly when `missing_left` (the same test as
/// `walk_binned!`).
#[inline]
pub(crate) fn goes_left(code: u8, bin: u8, missing_left: bool) -> bool {
    if code == MISSING_BIN {
        missing_left
    } else {
        code <= bin
    }
}

/// Reorders `items` stably by the split of column `col` at `bin` (see [`goes_left`]): left items
/// first, then right items, each side in its original order. `sent(item, left)` is called once
/// per item, in order, with the side it went to (the tree counts the children's classes there).
/// `tmp` is scratch space of at least `items.len()` items. Returns the number of left items.
pub(crate) fn partition_by_bin<T: BinnedRow>(
    items: &mut [T],
    tmp: &mut [T],
    col: &[u8],
    (bin, missing_left): (u8, bool),
    mut sent: impl FnMut(&T, bool),
) -> usize {
    // Left items are written back in place (their write index never passes the read index),
    // right items are parked in `tmp` and appended after the left ones at the end.
    let mut n_left = 0;
    let mut n_right = 0;
    for i in 0..items.len() {
        let it = items[i];
        let left = goes_left(col[it.row()], bin, missing_left);
        sent(&it, left);
        if left {
            items[n_left] = it;
            n_left += 1;
        } else {
            tmp[n_right] = it;
            n_right += 1;
        }
    }
    items[n_left..].copy_from_slice(&tmp[..n_right]);
    n_left
}

#[cfg(test)]
mod tests {
    use super::*;

    impl BinnedRow for (u32, char) {
        fn row(&self) -> usize {
            self.0 as usize
        }
    }

    #[test]
    fn partition_is_stable_and_sends_missing_as_told() {
        // Codes of rows 0..6; bin 0 is missing.
        let col = [3, 1, MISSING_BIN, 2, 4, 1];
        let start: Vec<(u32, char)> = (0..6u32).zip("abcdef".chars()).collect();
        for (missing_left, want, n) in [(false, "bdface", 3), (true, "bcdfae", 4)] {
            let mut items = start.clone();
            let mut tmp = start.clone();
            let mut sides = Vec::new();
            let n_left =
                partition_by_bin(&mut items, &mut tmp, &col, (2, missing_left), |it, l| {
                    sides.push((it.1, l))
                });
            assert_eq!(n_left, n);
            assert_eq!(items.iter().map(|it| it.1).collect::<String>(), want);
            // Every item reported once, in the original order.
            assert_eq!(sides.iter().map(|s| s.0).collect::<String>(), "abcdef");
            assert_eq!(sides.iter().filter(|s| s.1).count(), n);
        }
    }

    #[test]
    fn goes_left_matches_the_split_rule() {
        assert!(goes_left(1, 1, false));
        assert!(!goes_left(2, 1, true));
        assert!(goes_left(MISSING_BIN, 1, true));
        assert!(!goes_left(MISSING_BIN, 254, false));
    }
}
