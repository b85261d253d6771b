//! Reservoir sampling in bounded memory: a uniform sample of at most `cap` rows from a stream of
//! unknown length (Vitter's algorithm R), with the flowlab RNG so a seed gives the same sample on
//! every platform.

use crate::data::rng::FlowRng;

/// A row held for sampling, with everything needed to add it to the table later.
#[derive(Debug, Clone)]
pub(crate) struct HeldRow {
    pub file: u32,
    pub line: u64,
    pub label: Option<Box<str>>,
    pub fields: Box<[Box<str>]>,
}

#[derive(Debug)]
pub(crate) struct Reservoir {
    cap: usize,
    seen: u64,
    pub rows: Vec<HeldRow>,
}

impl Reservoir {
    pub fn new(cap: usize) -> Self {
        Reservoir {
            cap,
            seen: 0,
            rows: Vec::new(),
        }
    }

    /// Offers a row (built only if it is kept).
    pub fn offer(&mut self, rng: &mut FlowRng, make: impl FnOnce() -> HeldRow) {
        self.seen += 1;
        if self.rows.len() < self.cap {
            self.rows.push(make());
        } else {
            let j = rng.below(self.seen) as usize;
            if j < self.cap {
                self.rows[j] = make();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(i: u64) -> HeldRow {
        HeldRow {
            file: 0,
            line: i,
            label: None,
            fields: Box::new([]),
        }
    }

    #[test]
    fn keeps_everything_under_the_cap_and_exactly_cap_above_it() {
        let mut rng = FlowRng::new(1, 0);
        let mut r = Reservoir::new(10);
        (0..7).for_each(|i| r.offer(&mut rng, || row(i)));
        assert_eq!(r.rows.len(), 7);
        (7..10_000).for_each(|i| r.offer(&mut rng, || row(i)));
        assert_eq!(r.rows.len(), 10);
    }

    #[test]
    fn sample_is_roughly_uniform() {
        // 2000 draws of 10 from 100: each tenth of the stream gets ~10 % of the picks.
        let mut late = 0;
        for seed in 0..2000 {
            let mut rng = FlowRng::new(seed, 0);
            let mut r = Reservoir::new(10);
            (0..100).for_each(|i| r.offer(&mut rng, || row(i)));
            late += r.rows.iter().filter(|h| h.line >= 90).count();
        }
        let share = late as f64 / 20_000.0;
        assert!(
            (share - 0.1).abs() < 0.015,
            "share of the last tenth: {share}"
        );
    }
}
