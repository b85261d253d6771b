//! Per-class histogram input: bin edges and a count per bin and class, with the bar heights,
//! stacked boxes, share outlines and log-axis decade ticks they are drawn with.

use super::{compact, Series};

/// How a histogram shows several classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistogramMode {
    /// Counts stacked class on class.
    #[default]
    Stacked,
    /// Each class as its own outline, as a share of that class's rows (classes of very different
    /// sizes stay comparable).
    Share,
}

/// Binned counts per series (class).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClassHistogram {
    /// Bin edges (`bins + 1`), in the column's units.
    pub edges: Vec<f64>,
    /// One series per class: a count per bin.
    pub series: Vec<Series>,
    /// Bins are even in log10(1 + x): the axis is drawn that way.
    pub log: bool,
    pub x_label: String,
    pub mode: HistogramMode,
}

impl ClassHistogram {
    /// The `aria-label`: `Histogram of bytes in 10 bins (log scale), by class: a 12, b 30`.
    pub fn describe(&self) -> String {
        let totals: Vec<String> = self
            .series
            .iter()
            .map(|s| format!("{} {}", s.name, compact(s.values.iter().sum())))
            .collect();
        format!(
            "Histogram of {} in {} bins{}, by class: {}",
            self.x_label,
            self.bins(),
            if self.log { " (log scale)" } else { "" },
            totals.join(", ")
        )
    }

    /// The number of bins.
    pub fn bins(&self) -> usize {
        self.edges.len().saturating_sub(1)
    }

    /// Where value `x` sits on the axis: `x`, or `log10(1 + x)` (negatives as 0) on a log axis.
    pub fn position(&self, x: f64) -> f64 {
        if self.log {
            (x.max(0.0) + 1.0).log10()
        } else {
            x
        }
    }

    /// The axis from the first edge to the last (±0.5 around it if they coincide). Needs a bin.
    pub fn x_axis(&self) -> (f64, f64) {
        let bins = self.bins();
        let (x0, x1) = (
            self.position(self.edges[0]),
            self.position(self.edges[bins]),
        );
        if x1 > x0 {
            (x0, x1)
        } else {
            (x0 - 0.5, x0 + 0.5)
        }
    }

    /// Bar heights per series: the counts (stacked), or each count over its class's total (share).
    pub fn heights(&self) -> Vec<Vec<f64>> {
        match self.mode {
            HistogramMode::Stacked => self.series.iter().map(|s| s.values.clone()).collect(),
            HistogramMode::Share => self
                .series
                .iter()
                .map(|s| {
                    let t: f64 = s.values.iter().sum();
                    s.values
                        .iter()
                        .map(|v| if t > 0.0 { v / t } else { 0.0 })
                        .collect()
                })
                .collect(),
        }
    }

    /// The highest point drawn: the tallest stack, or the largest share.
    pub fn top(&self, heights: &[Vec<f64>]) -> f64 {
        match self.mode {
            HistogramMode::Stacked => (0..self.bins())
                .map(|b| {
                    heights
                        .iter()
                        .map(|h| h.get(b).copied().unwrap_or(0.0))
                        .sum::<f64>()
                })
                .fold(0.0, f64::max),
            HistogramMode::Share => heights.iter().flatten().copied().fold(0.0, f64::max),
        }
    }

    /// The value axis's title.
    pub fn y_desc(&self) -> &'static str {
        match self.mode {
            HistogramMode::Stacked => "rows",
            HistogramMode::Share => "share of the class",
        }
    }

    /// The position axis's title.
    pub fn x_desc(&self) -> String {
        if self.log {
            format!("{} (log scale)", self.x_label)
        } else {
            self.x_label.clone()
        }
    }

    /// The stacked boxes of each series, `[(left, bottom), (right, top)]` on the axis, each bin
    /// narrowed by 4 % of its width on either side; empty bins have no box.
    pub fn stacked_boxes(&self, heights: &[Vec<f64>]) -> Vec<Vec<[(f64, f64); 2]>> {
        let bins = self.bins();
        let mut base = vec![0.0f64; bins];
        let mut out = Vec::with_capacity(heights.len());
        for h in heights {
            let boxes = (0..bins)
                .filter(|&b| h.get(b).copied().unwrap_or(0.0) > 0.0)
                .map(|b| {
                    let (l, r) = (
                        self.position(self.edges[b]),
                        self.position(self.edges[b + 1]),
                    );
                    let gap = (r - l) * 0.04;
                    [(l + gap, base[b]), (r - gap, base[b] + h[b])]
                })
                .collect();
            out.push(boxes);
            for (b, sum) in base.iter_mut().enumerate() {
                *sum += h.get(b).copied().unwrap_or(0.0);
            }
        }
        out
    }

    /// The step outline of one series' heights, from the axis at the first edge back to the axis
    /// at the last.
    pub fn outline(&self, h: &[f64]) -> Vec<(f64, f64)> {
        let bins = self.bins();
        let mut steps = Vec::with_capacity(2 * bins + 2);
        steps.push((self.position(self.edges[0]), 0.0));
        for b in 0..bins {
            let v = h.get(b).copied().unwrap_or(0.0);
            steps.push((self.position(self.edges[b]), v));
            steps.push((self.position(self.edges[b + 1]), v));
        }
        steps.push((self.position(self.edges[bins]), 0.0));
        steps
    }

    /// The decade ticks of a log axis spanning positions `x0..=x1`: 0, 10, 100, 1k, … (values).
    pub fn decade_ticks(&self, x0: f64, x1: f64) -> Vec<f64> {
        let mut ticks = Vec::new();
        let mut v = 0.0f64;
        while self.position(v) <= x1 + 1e-9 {
            if self.position(v) >= x0 - 1e-9 {
                ticks.push(v);
            }
            v = if v == 0.0 { 10.0 } else { v * 10.0 };
        }
        ticks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn histogram(mode: HistogramMode, log: bool) -> ClassHistogram {
        ClassHistogram {
            edges: vec![0.0, 9.0, 99.0],
            series: vec![
                Series {
                    name: "Benign".into(),
                    values: vec![1.0, 3.0],
                },
                Series {
                    name: "Okiru".into(),
                    values: vec![2.0, 0.0],
                },
            ],
            log,
            x_label: "bytes".into(),
            mode,
        }
    }

    #[test]
    fn histogram_heights_and_boxes() {
        let h = histogram(HistogramMode::Stacked, false);
        assert_eq!(
            h.describe(),
            "Histogram of bytes in 2 bins, by class: Benign 4, Okiru 2"
        );
        assert_eq!(h.x_axis(), (0.0, 99.0));
        assert_eq!(h.y_desc(), "rows");
        let heights = h.heights();
        assert_eq!(heights, vec![vec![1.0, 3.0], vec![2.0, 0.0]]);
        assert_eq!(h.top(&heights), 3.0);
        let boxes = h.stacked_boxes(&heights);
        assert_eq!(boxes[0].len(), 2);
        assert_eq!(boxes[0][0][0].1, 0.0);
        assert_eq!(boxes[0][0][1].1, 1.0);
        // Okiru's first bin sits on Benign's; its empty second bin has no box.
        assert_eq!(boxes[1].len(), 1);
        assert_eq!(boxes[1][0][0].1, 1.0);
        assert_eq!(boxes[1][0][1].1, 3.0);
        assert!((boxes[1][0][0].0 - 0.36).abs() < 1e-12);
        assert!((boxes[1][0][1].0 - 8.64).abs() < 1e-12);

        let s = histogram(HistogramMode::Share, false);
        let shares = s.heights();
        assert_eq!(shares, vec![vec![0.25, 0.75], vec![1.0, 0.0]]);
        assert_eq!(s.top(&shares), 1.0);
        assert_eq!(s.y_desc(), "share of the class");
        assert_eq!(
            s.outline(&shares[0]),
            vec![
                (0.0, 0.0),
                (0.0, 0.25),
                (9.0, 0.25),
                (9.0, 0.75),
                (99.0, 0.75),
                (99.0, 0.0)
            ]
        );
    }

    #[test]
    fn log_histogram_axis_and_decades() {
        let h = histogram(HistogramMode::Stacked, true);
        assert!(h.describe().contains("in 2 bins (log scale), by class"));
        assert_eq!(h.x_desc(), "bytes (log scale)");
        assert_eq!(h.position(-5.0), 0.0);
        assert_eq!(h.position(99.0), 2.0);
        assert_eq!(h.x_axis(), (0.0, 2.0));
        assert_eq!(h.decade_ticks(0.0, 2.0), vec![0.0, 10.0]);
        assert_eq!(h.decade_ticks(0.5, 3.1), vec![10.0, 100.0, 1000.0]);
        let flat = ClassHistogram {
            edges: vec![5.0, 5.0],
            log: false,
            ..h
        };
        assert_eq!(flat.x_axis(), (4.5, 5.5));
    }
}
