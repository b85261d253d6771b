//! Bar chart inputs: plain bars, grouped bars (series side by side per category) and horizontal
//! bars, with the value axes and bar geometry they are drawn with.

use super::{compact, headroom};

/// One bar per category.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bars {
    pub labels: Vec<String>,
    pub values: Vec<f64>,
    pub x_label: String,
    pub y_label: String,
    /// Each bar in its series colour (classes), instead of the accent colour.
    pub colored: bool,
    /// Write each value above its bar.
    pub show_values: bool,
}

impl Bars {
    /// The `aria-label`: `Bar chart. a: 1, b: 2.5k`.
    pub fn describe(&self) -> String {
        format!("Bar chart. {}", label_values(&self.labels, &self.values))
    }

    /// The same bars as one series of grouped bars (how they are drawn).
    pub fn as_grouped(&self) -> GroupedBars {
        GroupedBars {
            categories: self.labels.clone(),
            series: vec![Series {
                name: self.y_label.clone(),
                values: self.values.clone(),
            }],
            x_label: self.x_label.clone(),
            y_label: self.y_label.clone(),
            y_range: None,
            show_values: self.show_values,
        }
    }
}

/// `label: value` pairs joined by commas.
fn label_values(labels: &[String], values: &[f64]) -> String {
    let parts: Vec<String> = labels
        .iter()
        .zip(values)
        .map(|(l, v)| format!("{l}: {}", compact(*v)))
        .collect();
    parts.join(", ")
}

/// Named values, one per category (or per point).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// Several series side by side per category (e.g. a metric per model).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupedBars {
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    pub x_label: String,
    pub y_label: String,
    /// Fixed value axis (e.g. `(0.0, 1.0)` for scores); otherwise from 0 to the largest value.
    pub y_range: Option<(f64, f64)>,
    pub show_values: bool,
}

/// The share of a category's width its group of bars takes.
pub const BAR_GROUP: f64 = 0.8;

impl GroupedBars {
    /// The `aria-label`: `Grouped bar chart. s1: a 1, b 2; s2: a 3, b 4`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .series
            .iter()
            .map(|s| {
                let vals: Vec<String> = self
                    .categories
                    .iter()
                    .zip(&s.values)
                    .map(|(c, v)| format!("{c} {}", compact(*v)))
                    .collect();
                format!("{}: {}", s.name, vals.join(", "))
            })
            .collect();
        format!("Grouped bar chart. {}", parts.join("; "))
    }

    /// The value axis: `y_range`, or from the smallest finite value (at most 0) to a little above
    /// the largest (at least 0).
    pub fn value_axis(&self) -> (f64, f64) {
        let finite = || {
            self.series
                .iter()
                .flat_map(|s| s.values.iter().copied())
                .filter(|v| v.is_finite())
        };
        let max = finite().fold(0.0f64, f64::max);
        let min = finite().fold(0.0f64, f64::min);
        self.y_range.unwrap_or((min, headroom(max)))
    }
}

/// How `n` category labels fit under a plot `css_width` CSS pixels wide: the width of one category
/// (CSS pixels, after 70 px of axis), the characters a label may keep, and whether labels are
/// turned upright because the categories are too narrow.
pub fn category_fit(css_width: f64, n: usize) -> (f64, usize, bool) {
    let slot = (css_width - 70.0) / n as f64;
    let max_chars = ((slot / 6.5).floor() as usize).clamp(3, 24);
    let rotate = n > 1 && slot < 40.0;
    (slot, max_chars, rotate)
}

/// Bar `s` of `k` in category `i`: the left edge of its slot and the slot's width (the bar itself
/// leaves 6 % of the slot free on either side).
pub fn bar_slot(i: usize, s: usize, k: usize) -> (f64, f64) {
    let bar = BAR_GROUP / k as f64;
    (i as f64 - BAR_GROUP / 2.0 + bar * s as f64, bar)
}

/// Horizontal bars, first label at the top (e.g. feature importances, sorted by the caller).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HBars {
    pub labels: Vec<String>,
    pub values: Vec<f64>,
    pub x_label: String,
    /// Optional error half-widths (e.g. permutation importance std), one per bar.
    pub errors: Option<Vec<f64>>,
}

impl HBars {
    /// The `aria-label`: `Horizontal bar chart. a: 1, b: 2`.
    pub fn describe(&self) -> String {
        format!(
            "Horizontal bar chart. {}",
            label_values(&self.labels, &self.values)
        )
    }

    /// The smallest finite value (at most 0) and the largest value plus its error bar (at least 0).
    pub fn value_span(&self) -> (f64, f64) {
        let hi = self
            .values
            .iter()
            .zip(self.errors.iter().flatten().chain(std::iter::repeat(&0.0)))
            .map(|(v, e)| v + e.abs())
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max);
        let lo = self
            .values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::min);
        (lo, hi)
    }

    /// Characters of the longest label, counting at most 28 (4 with no labels).
    pub fn longest_label(&self) -> usize {
        self.labels
            .iter()
            .map(|l| l.chars().count().min(28))
            .max()
            .unwrap_or(4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plot::strings;

    #[test]
    fn bars_describe_and_group() {
        let bars = Bars {
            labels: strings(&["Benign", "Okiru"]),
            values: vec![1200.0, 3.0],
            y_label: "rows".into(),
            show_values: true,
            ..Bars::default()
        };
        assert_eq!(bars.describe(), "Bar chart. Benign: 1.2k, Okiru: 3");
        let g = bars.as_grouped();
        assert_eq!(g.categories, bars.labels);
        assert_eq!(g.series.len(), 1);
        assert_eq!(g.series[0].name, "rows");
        assert!(g.show_values && g.y_range.is_none());
        assert_eq!(g.value_axis(), (0.0, 1200.0 * 1.1));
    }

    #[test]
    fn grouped_bars_axis_and_geometry() {
        let g = GroupedBars {
            categories: strings(&["F1", "accuracy"]),
            series: vec![
                Series {
                    name: "dt".into(),
                    values: vec![0.5, -0.25],
                },
                Series {
                    name: "rf".into(),
                    values: vec![f64::NAN, 0.75],
                },
            ],
            ..GroupedBars::default()
        };
        assert_eq!(
            g.describe(),
            "Grouped bar chart. dt: F1 0.5, accuracy -0.25; rf: F1 NaN, accuracy 0.75"
        );
        assert_eq!(g.value_axis(), (-0.25, 0.75 * 1.1));
        let fixed = GroupedBars {
            y_range: Some((0.0, 1.0)),
            ..g.clone()
        };
        assert_eq!(fixed.value_axis(), (0.0, 1.0));
        // 600 px: 265 px per category, 24 characters, flat labels.
        assert_eq!(category_fit(600.0, 2), (265.0, 24, false));
        // 20 categories in 400 px: 16.5 px each, 3 characters, upright.
        assert_eq!(category_fit(400.0, 20), (16.5, 3, true));
        assert_eq!(bar_slot(0, 0, 1), (-0.4, 0.8));
        assert_eq!(bar_slot(2, 1, 2), (2.0, 0.4));
    }

    #[test]
    fn hbars_span_counts_error_bars() {
        let h = HBars {
            labels: strings(&["duration", "a-very-long-feature-name-indeed-yes"]),
            values: vec![0.25, -0.5],
            x_label: String::new(),
            errors: Some(vec![0.5]),
        };
        assert_eq!(
            h.describe(),
            "Horizontal bar chart. duration: 0.25, a-very-long-feature-name-indeed-yes: -0.5"
        );
        assert_eq!(h.value_span(), (-0.5, 0.75));
        assert_eq!(h.longest_label(), 28);
        assert_eq!(HBars::default().longest_label(), 4);
    }
}
