//! Heatmap input: a labelled matrix of values, the colour scale it is drawn on and the text
//! written in its cells.

use super::{mix_rgb, Rgb};

/// How heatmap values map to colours.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum HeatScale {
    /// From the background colour to the accent colour over `0..=max` (counts, shares).
    #[default]
    Sequential,
    /// Blue (−1) through neutral (0) to red (+1), e.g. correlations.
    Diverging,
}

/// A matrix of values with row and column labels.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Heatmap {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// `values[row][column]`; `None` is drawn hatched-grey (undefined).
    pub values: Vec<Vec<Option<f64>>>,
    pub scale: HeatScale,
    /// Write the values in the cells (when they fit).
    pub show_values: bool,
    /// Decimals of the written values.
    pub decimals: usize,
    pub x_label: String,
    pub y_label: String,
}

impl Heatmap {
    /// The `aria-label`: `Heatmap of 3 rows by 3 columns (true class by predicted class)`.
    pub fn describe(&self) -> String {
        format!(
            "Heatmap of {} rows by {} columns ({} by {})",
            self.rows.len(),
            self.columns.len(),
            if self.y_label.is_empty() {
                "rows"
            } else {
                &self.y_label
            },
            if self.x_label.is_empty() {
                "columns"
            } else {
                &self.x_label
            },
        )
    }

    /// The value in row `r`, column `c` (`None` if missing or undefined).
    pub fn value(&self, r: usize, c: usize) -> Option<f64> {
        self.values
            .get(r)
            .and_then(|row| row.get(c))
            .copied()
            .flatten()
    }

    /// The largest finite magnitude (0 with none): the top of the sequential scale.
    pub fn max_abs(&self) -> f64 {
        self.values
            .iter()
            .flatten()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0f64, |m, v| m.max(v.abs()))
    }

    /// The ends of the colour scale: `0..=max` (sequential) or `-1..=1` (diverging).
    pub fn scale_range(&self, max: f64) -> (f64, f64) {
        match self.scale {
            HeatScale::Sequential => (0.0, max),
            HeatScale::Diverging => (-1.0, 1.0),
        }
    }

    /// `v` as written in its cell, with `decimals` decimals and no `-0.00`: a value that rounds to
    /// zero is written as zero.
    pub fn cell_text(&self, v: f64) -> String {
        let half_unit = 0.5 * 10f64.powi(-(self.decimals as i32));
        let shown = if v.abs() < half_unit { 0.0 } else { v };
        format!("{shown:.*}", self.decimals)
    }
}

/// Colour of `v` on a heatmap's scale: `dark` picks the empty-cell base of the page's scheme,
/// `accent` is the sequential scale's far end, `max` the sequential scale's top.
///
/// The sequential scale runs over `sqrt(v / max)` so small counts still show; the diverging one is
/// linear from the base to red (+1) or blue (−1).
pub fn heat_rgb(dark: bool, accent: Rgb, scale: HeatScale, v: f64, max: f64) -> Rgb {
    let base = if dark {
        (0x22, 0x28, 0x30)
    } else {
        (0xf4, 0xf6, 0xf9)
    };
    match scale {
        HeatScale::Sequential => {
            let t = if max > 0.0 { v / max } else { 0.0 };
            mix_rgb(base, accent, t.sqrt())
        }
        HeatScale::Diverging => {
            if v >= 0.0 {
                mix_rgb(base, (0xd6, 0x2f, 0x2f), v)
            } else {
                mix_rgb(base, (0x23, 0x6a, 0xd1), -v)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plot::strings;

    #[test]
    fn heatmap_values_and_text() {
        let m = Heatmap {
            rows: strings(&["a", "b"]),
            columns: strings(&["x", "y"]),
            values: vec![vec![Some(0.5), None], vec![Some(-0.9), Some(f64::NAN)]],
            scale: HeatScale::Diverging,
            show_values: true,
            decimals: 2,
            x_label: "predicted".into(),
            y_label: String::new(),
        };
        assert_eq!(
            m.describe(),
            "Heatmap of 2 rows by 2 columns (rows by predicted)"
        );
        assert_eq!(m.max_abs(), 0.9);
        assert_eq!(m.value(0, 0), Some(0.5));
        assert_eq!(m.value(0, 1), None);
        assert_eq!(m.value(5, 0), None);
        assert_eq!(m.scale_range(0.9), (-1.0, 1.0));
        assert_eq!(m.cell_text(-0.004), "0.00");
        assert_eq!(m.cell_text(-0.006), "-0.01");
        assert_eq!(m.cell_text(0.5), "0.50");
        let seq = Heatmap {
            scale: HeatScale::Sequential,
            decimals: 0,
            ..m
        };
        assert_eq!(seq.scale_range(7.0), (0.0, 7.0));
        assert_eq!(seq.cell_text(12.0), "12");
    }

    #[test]
    fn heat_colours() {
        let accent = (0x21, 0x60, 0xc4);
        // Sequential: sqrt(1/4) = half way from the light base to the accent.
        assert_eq!(
            heat_rgb(false, accent, HeatScale::Sequential, 1.0, 4.0),
            (0x8b, 0xab, 0xdf)
        );
        assert_eq!(
            heat_rgb(false, accent, HeatScale::Sequential, 3.0, 0.0),
            (0xf4, 0xf6, 0xf9)
        );
        assert_eq!(
            heat_rgb(true, accent, HeatScale::Diverging, 1.0, 0.0),
            (0xd6, 0x2f, 0x2f)
        );
        assert_eq!(
            heat_rgb(true, accent, HeatScale::Diverging, -1.0, 0.0),
            (0x23, 0x6a, 0xd1)
        );
        assert_eq!(
            heat_rgb(true, accent, HeatScale::Diverging, 0.0, 0.0),
            (0x22, 0x28, 0x30)
        );
    }
}
