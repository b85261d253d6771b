//! Chart inputs as plain data, and the chart maths that needs no canvas.
//!
//! The page's charts (`ui::charts`, wasm only) draw these types with plotters; everything here is
//! plain Rust and compiles for both targets, so the shaping of chart data — axis ranges, bar and
//! bin geometry, heat colours, the numbers written on axes and the text descriptions read out as
//! each chart's `aria-label` — is tested natively.
//!
//! Colours here are plain `(r, g, b)` triples; the drawing side turns them into plotters colours.
//!
//! This module holds the helpers every chart shares (numbers and labels, colour maths); one child
//! module per chart kind — `bars`, `pie`, `histogram`, `heatmap`, `lines`, `waterfall` — holds that kind's
//! input types and maths, all re-exported here.

/// An `(r, g, b)` colour.
pub type Rgb = (u8, u8, u8);

mod bars;
mod heatmap;
mod histogram;
mod lines;
mod pie;
mod waterfall;

pub use bars::{bar_slot, category_fit, Bars, GroupedBars, HBars, Series, BAR_GROUP};
pub use heatmap::{heat_rgb, HeatScale, Heatmap};
pub use histogram::{ClassHistogram, HistogramMode};
pub use lines::{LegendAt, Line, Lines};
pub use pie::PieData;
pub use waterfall::{signed, BarKind, Waterfall, WaterfallBar};

// ---------------------------------------------------------------------------------------------
// Numbers and labels

/// Numbers on axes and bars: `1234` → `1.2k`, `0.25` → `0.25`.
pub fn compact(x: f64) -> String {
    let a = x.abs();
    if a >= 1e9 {
        format!("{:.1}G", x / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", x / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else if a == a.trunc() {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 0.01 {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{x:.1e}")
    }
    .replace(".0k", "k")
    .replace(".0M", "M")
    .replace(".0G", "G")
}

/// `text` cut to `max` characters with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// The label of category `x` (an integer position) or nothing between categories.
pub fn category_at(labels: &[String], x: f64, max: usize) -> String {
    let i = x.round();
    if (x - i).abs() > 0.01 || i < 0.0 {
        return String::new();
    }
    labels
        .get(i as usize)
        .map(|l| shorten(l, max))
        .unwrap_or_default()
}

/// Upper end of a value axis: a little above the largest value.
pub fn headroom(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        1.0
    } else {
        max * 1.1
    }
}

/// The range of the finite `values`, padded by 4 % on each side (or ±0.5 around a single value);
/// `None` when there is no finite value.
pub fn span(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        None
    } else if lo == hi {
        Some((lo - 0.5, hi + 0.5))
    } else {
        let pad = (hi - lo) * 0.04;
        Some((lo - pad, hi + pad))
    }
}

/// A chart title as a file name stem: lower-case letters and digits joined by `-`
/// (`"Macro-F1 by model"` → `macro-f1-by-model`), or `chart` when nothing is left.
pub fn file_stem(title: &str) -> String {
    let s: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() {
        "chart".into()
    } else {
        s
    }
}

// ---------------------------------------------------------------------------------------------
// Colour maths

/// The colour `t` of the way from `a` to `b` (`t` clamped to `0..=1`), each channel rounded.
pub fn mix_rgb(a: Rgb, b: Rgb, t: f64) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    (m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Black or white, whichever reads better on `c` (by its luma).
pub fn contrast_on(c: Rgb) -> Rgb {
    let (r, g, b) = c;
    let luma = 0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64;
    if luma > 150.0 {
        (0x11, 0x11, 0x11)
    } else {
        (0xff, 0xff, 0xff)
    }
}

/// Test labels from string literals.
#[cfg(test)]
fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_writes_short_numbers() {
        assert_eq!(compact(1234.0), "1.2k");
        assert_eq!(compact(1000.0), "1k");
        assert_eq!(compact(12_345.0), "12k");
        assert_eq!(compact(-2500.0), "-2.5k");
        assert_eq!(compact(1e6), "1M");
        assert_eq!(compact(2.5e9), "2.5G");
        assert_eq!(compact(5.0), "5");
        assert_eq!(compact(12.34), "12.3");
        assert_eq!(compact(0.25), "0.25");
        assert_eq!(compact(0.1234), "0.123");
        assert_eq!(compact(0.5), "0.5");
        assert_eq!(compact(0.001), "1.0e-3");
    }

    #[test]
    fn shorten_and_category_labels() {
        assert_eq!(shorten("abcdef", 6), "abcdef");
        assert_eq!(shorten("abcdefg", 4), "abc…");
        let labels = strings(&["Benign", "PartOfAHorizontalPortScan"]);
        assert_eq!(category_at(&labels, 0.0, 10), "Benign");
        assert_eq!(category_at(&labels, 1.005, 10), "PartOfAHo…");
        assert_eq!(category_at(&labels, 0.5, 10), "");
        assert_eq!(category_at(&labels, -1.0, 10), "");
        assert_eq!(category_at(&labels, 2.0, 10), "");
    }

    #[test]
    fn axes_have_headroom_and_padding() {
        assert_eq!(headroom(10.0), 11.0);
        assert_eq!(headroom(0.0), 1.0);
        assert_eq!(headroom(f64::NAN), 1.0);
        assert_eq!(span([0.0, 10.0, f64::NAN].into_iter()), Some((-0.4, 10.4)));
        assert_eq!(span([3.0].into_iter()), Some((2.5, 3.5)));
        assert_eq!(span([f64::INFINITY].into_iter()), None);
    }

    #[test]
    fn file_stems() {
        assert_eq!(file_stem("Macro-F1 by model"), "macro-f1-by-model");
        assert_eq!(file_stem("  ROC (class A)  "), "roc-class-a");
        assert_eq!(file_stem("ßß"), "chart");
    }

    #[test]
    fn colour_maths() {
        assert_eq!(mix_rgb((0, 0, 0), (255, 100, 10), 0.5), (128, 50, 5));
        assert_eq!(mix_rgb((0, 0, 0), (255, 100, 10), 2.0), (255, 100, 10));
        assert_eq!(contrast_on((0xff, 0xff, 0xff)), (0x11, 0x11, 0x11));
        assert_eq!(contrast_on((0x4e, 0x79, 0xa7)), (0xff, 0xff, 0xff));
    }
}
