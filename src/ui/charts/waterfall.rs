//! Waterfall chart: one row's explanation, from the expected value (top) through each column's
//! contribution (red up, blue down, from the running sum) to the output (bottom), each bar's
//! value written beside it.

use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{chart_view, draw_category_mesh, draw_empty, err, Area, Theme};
use crate::report::plot::{signed, BarKind, Waterfall};

/// Raises the value (red, as SHAP draws it).
const UP: RGBColor = RGBColor(0xe1, 0x57, 0x59);
/// Lowers the value (blue).
const DOWN: RGBColor = RGBColor(0x4e, 0x79, 0xa7);

/// A waterfall chart; its height grows with the number of steps.
#[component]
pub fn WaterfallChart(
    /// Caption above the chart (also the PNG's file name).
    #[prop(into)]
    title: String,
    /// The start, the steps and the axis label.
    #[prop(into)]
    data: Signal<Waterfall>,
    /// `data-testid` of the figure.
    #[prop(into)]
    testid: String,
) -> impl IntoView {
    let height = (data.with_untracked(|d| d.steps.len() + 2) as u32 * 24 + 70).max(180);
    chart_view(
        title,
        data,
        testid,
        height,
        Waterfall::describe,
        draw_waterfall,
    )
}

fn draw_waterfall(area: &Area, theme: &Theme, d: &Waterfall) -> Result<(), String> {
    let bars = d.bars();
    let n = bars.len();
    if d.steps.is_empty() && !d.base.is_finite() {
        return draw_empty(area, theme, "no data");
    }
    let (lo, hi) = d.span();
    let longest = bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(4);
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .margin_right(theme.px(56.0))
        .x_label_area_size(theme.px(if d.x_label.is_empty() { 24.0 } else { 42.0 }))
        .y_label_area_size(theme.text_width(&"m".repeat(longest.min(28)), 11.0) + theme.px(12.0))
        // Bar i at y = n - 1 - i so the expected value is on top.
        .build_cartesian_2d(lo..hi, -0.5f64..(n as f64 - 0.5))
        .map_err(err)?;
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    draw_category_mesh(&mut chart, theme, &labels, &d.x_label)?;
    let color = |k: BarKind| match k {
        BarKind::Total => theme.muted,
        BarKind::Up => UP,
        BarKind::Down => DOWN,
    };
    chart
        .draw_series(bars.iter().enumerate().map(|(i, b)| {
            let y = (n - 1 - i) as f64;
            Rectangle::new(
                [(b.from.min(b.to), y - 0.35), (b.from.max(b.to), y + 0.35)],
                color(b.kind).filled(),
            )
        }))
        .map_err(err)?;
    // Each bar's value to the right of it: totals as they are, steps signed.
    let style = theme.font(10.0).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, b) in bars.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let text = match b.kind {
            BarKind::Total => format!("{:.4}", b.to),
            _ => signed(b.to - b.from),
        };
        let (px, py) = chart.backend_coord(&(b.from.max(b.to), y));
        area.draw(&Text::new(text, (px + theme.px(4.0), py), style.clone()))
            .map_err(err)?;
    }
    Ok(())
}
