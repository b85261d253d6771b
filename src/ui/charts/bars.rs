//! Bar charts: plain (one bar per category), grouped (several series side by side per category,
//! with a legend row) and horizontal (first label on top, optional error bars).

use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    chart_view, draw_category_mesh, draw_empty, draw_legend_row, err, series_color, style_mesh,
    Area, Plot, Theme,
};
use crate::report::plot::{
    bar_slot, category_at, category_fit, compact, headroom, Bars, GroupedBars, HBars, BAR_GROUP,
};

/// A vertical bar chart.
#[component]
pub fn BarChart(
    /// Caption above the chart (also the PNG's file name).
    #[prop(into)]
    title: String,
    /// The bars.
    #[prop(into)]
    data: Signal<Bars>,
    /// `data-testid` of the figure.
    #[prop(into)]
    testid: String,
    /// Height in CSS pixels.
    #[prop(default = 300)]
    height: u32,
) -> impl IntoView {
    chart_view(title, data, testid, height, Bars::describe, draw_bars)
}

/// Plain bars are grouped bars with one series (coloured by category if asked).
fn draw_bars(area: &Area, theme: &Theme, d: &Bars) -> Result<(), String> {
    if d.values.is_empty() {
        return draw_empty(area, theme, "no data");
    }
    draw_grouped(area, theme, &d.as_grouped(), d.colored)
}

/// Grouped vertical bars with a legend.
#[component]
pub fn GroupedBarChart(
    /// Caption above the chart (also the PNG's file name).
    #[prop(into)]
    title: String,
    /// The categories and the series drawn side by side in each.
    #[prop(into)]
    data: Signal<GroupedBars>,
    /// `data-testid` of the figure.
    #[prop(into)]
    testid: String,
    /// Height in CSS pixels.
    #[prop(default = 320)]
    height: u32,
) -> impl IntoView {
    chart_view(
        title,
        data,
        testid,
        height,
        GroupedBars::describe,
        draw_grouped_bars,
    )
}

fn draw_grouped_bars(area: &Area, theme: &Theme, d: &GroupedBars) -> Result<(), String> {
    if d.series.is_empty() || d.categories.is_empty() {
        return draw_empty(area, theme, "no data");
    }
    draw_grouped(area, theme, d, false)
}

/// How the categories fit along the x axis of a grouped bar chart.
struct CategoryAxis {
    /// Width of one category in CSS pixels.
    slot: f64,
    /// Characters a flat label keeps.
    max_chars: usize,
    /// Labels stand upright (too many categories for flat ones).
    rotate: bool,
}

/// Grouped bars: the axes, then each series' bars (and values), then the legend row.
fn draw_grouped(
    area: &Area,
    theme: &Theme,
    d: &GroupedBars,
    color_by_category: bool,
) -> Result<(), String> {
    let k = d.series.len().max(1);
    let (y0, y1) = d.value_axis();
    let (w, _) = area.dim_in_pixel();
    // Category labels: as many characters as fit under one category.
    let (slot, max_chars, rotate) = category_fit(w as f64 / theme.scale, d.categories.len());
    let axis = CategoryAxis {
        slot,
        max_chars,
        rotate,
    };
    let mut chart = grouped_axes(area, theme, d, &axis, (y0, y1))?;
    for (s, series) in d.series.iter().enumerate() {
        let color = series_color(s);
        let rects = series.values.iter().enumerate().map(move |(i, &v)| {
            let c = if color_by_category {
                series_color(i)
            } else {
                color
            };
            let (x0, bar) = bar_slot(i, s, k);
            Rectangle::new(
                [(x0 + bar * 0.06, y0.max(0.0).min(v)), (x0 + bar * 0.94, v)],
                c.filled(),
            )
        });
        let anno = chart.draw_series(rects).map_err(err)?;
        if k > 1 {
            anno.label(series.name.clone()).legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
            });
        }
        let bar = BAR_GROUP / k as f64;
        if d.show_values && bar * axis.slot >= 22.0 {
            draw_bar_values(area, theme, &chart, &series.values, s, k, y1)?;
        }
    }
    if k > 1 {
        draw_legend_row(
            area,
            theme,
            &d.series.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        )?;
    }
    Ok(())
}

/// The axes of grouped bars: one category per integer position, value axis `y0..y1`, category
/// labels cut (or turned upright) to fit.
fn grouped_axes<'a>(
    area: &'a Area,
    theme: &Theme,
    d: &GroupedBars,
    axis: &CategoryAxis,
    (y0, y1): (f64, f64),
) -> Result<Plot<'a>, String> {
    let n = d.categories.len();
    let k = d.series.len().max(1);
    let (rotate, max_chars) = (axis.rotate, axis.max_chars);
    let x_area = if rotate {
        theme.px(14.0 + 6.5 * max_chars.min(16) as f64)
    } else {
        theme.px(if d.x_label.is_empty() { 24.0 } else { 42.0 })
    };
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .margin_top(theme.px(if k > 1 { 28.0 } else { 14.0 }))
        .x_label_area_size(x_area)
        .y_label_area_size(theme.px(if d.y_label.is_empty() { 44.0 } else { 60.0 }))
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), y0..y1)
        .map_err(err)?;
    let labels = d.categories.clone();
    let fmt_x = move |x: &f64| category_at(&labels, *x, if rotate { 16 } else { max_chars });
    let fmt_y = |y: &f64| compact(*y);
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, theme);
    mesh.disable_x_mesh()
        .x_labels(n)
        .y_labels(6)
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&fmt_y)
        .x_desc(d.x_label.as_str())
        .y_desc(d.y_label.as_str());
    if rotate {
        mesh.x_label_style(
            ("sans-serif", 11.0 * theme.scale)
                .into_font()
                .transform(FontTransform::Rotate90)
                .color(&theme.text)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        );
    }
    mesh.draw().map_err(err)?;
    Ok(chart)
}

/// Each value of series `s` (of `k`) written above its bar (capped at the axis top `y1`).
fn draw_bar_values(
    area: &Area,
    theme: &Theme,
    chart: &Plot<'_>,
    values: &[f64],
    s: usize,
    k: usize,
    y1: f64,
) -> Result<(), String> {
    let bar = BAR_GROUP / k as f64;
    let style = theme.font(10.0).pos(Pos::new(HPos::Center, VPos::Bottom));
    for (i, &v) in values.iter().enumerate() {
        let x = i as f64 - BAR_GROUP / 2.0 + bar * (s as f64 + 0.5);
        let (px, py) = chart.backend_coord(&(x, v.min(y1)));
        area.draw(&Text::new(
            compact(v),
            (px, py - theme.px(2.0)),
            style.clone(),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// A horizontal bar chart; its height grows with the number of bars.
#[component]
pub fn HBarChart(
    /// Caption above the chart (also the PNG's file name).
    #[prop(into)]
    title: String,
    /// The bars, first on top.
    #[prop(into)]
    data: Signal<HBars>,
    /// `data-testid` of the figure.
    #[prop(into)]
    testid: String,
    /// Height in CSS pixels; by default 22 px per bar plus the axis.
    #[prop(optional)]
    height: Option<u32>,
) -> impl IntoView {
    let height = height
        .unwrap_or_else(|| (data.with_untracked(|d| d.labels.len()) as u32 * 22 + 60).max(160));
    chart_view(title, data, testid, height, HBars::describe, draw_hbars)
}

fn draw_hbars(area: &Area, theme: &Theme, d: &HBars) -> Result<(), String> {
    let n = d.values.len();
    if n == 0 {
        return draw_empty(area, theme, "no data");
    }
    let (lo, hi) = d.value_span();
    let longest = d.longest_label();
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .x_label_area_size(theme.px(if d.x_label.is_empty() { 24.0 } else { 42.0 }))
        .y_label_area_size(theme.text_width(&"m".repeat(longest), 11.0) + theme.px(12.0))
        // Category i at y = n - 1 - i so the first label is on top.
        .build_cartesian_2d(lo..headroom(hi), -0.5f64..(n as f64 - 0.5))
        .map_err(err)?;
    draw_category_mesh(&mut chart, theme, &d.labels, &d.x_label)?;
    let color = theme.accent;
    chart
        .draw_series(d.values.iter().enumerate().map(|(i, &v)| {
            let y = (n - 1 - i) as f64;
            Rectangle::new(
                [(0.0f64.min(v), y - 0.35), (0.0f64.max(v), y + 0.35)],
                color.filled(),
            )
        }))
        .map_err(err)?;
    if let Some(errors) = &d.errors {
        let line = ShapeStyle::from(theme.text).stroke_width(theme.px(1.0).max(1) as u32);
        chart
            .draw_series(
                d.values
                    .iter()
                    .zip(errors)
                    .enumerate()
                    .map(|(i, (&v, &e))| {
                        let y = (n - 1 - i) as f64;
                        PathElement::new(vec![(v - e, y), (v + e, y)], line)
                    }),
            )
            .map_err(err)?;
    }
    Ok(())
}
