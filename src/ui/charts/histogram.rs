//! Histograms split by class: counts stacked class on class, or each class's outline as a share of
//! its rows; bins even in the value or in log10(1 + value) (then with decade ticks).

use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    chart_view, draw_empty, draw_legend_row, err, series_color, style_mesh, Area, Plot, Theme,
};
use crate::report::plot::{compact, headroom, ClassHistogram, HistogramMode};

/// A histogram split by class, stacked or as per-class shares.
#[component]
pub fn HistogramChart(
    /// Caption above the chart (also the PNG's file name).
    #[prop(into)]
    title: String,
    /// The bin edges and each class's counts.
    #[prop(into)]
    data: Signal<ClassHistogram>,
    /// `data-testid` of the figure.
    #[prop(into)]
    testid: String,
    /// Height in CSS pixels.
    #[prop(default = 300)]
    height: u32,
) -> impl IntoView {
    chart_view(
        title,
        data,
        testid,
        height,
        ClassHistogram::describe,
        draw_histogram,
    )
}

/// The axes (with decade ticks on a log axis), the bars or outlines, then the legend row.
fn draw_histogram(area: &Area, theme: &Theme, d: &ClassHistogram) -> Result<(), String> {
    if d.bins() == 0 || d.series.is_empty() {
        return draw_empty(area, theme, "no values");
    }
    // Bars are placed by their position on the axis: value, or log10(1 + value).
    let (x0, x1) = d.x_axis();
    let heights = d.heights();
    let mut chart = histogram_axes(area, theme, d, (x0, x1), d.top(&heights))?;
    if d.log {
        draw_decade_ticks(area, theme, &chart, d, (x0, x1))?;
    }
    match d.mode {
        HistogramMode::Stacked => {
            for (s, boxes) in d.stacked_boxes(&heights).into_iter().enumerate() {
                let color = series_color(s);
                let rects: Vec<Rectangle<(f64, f64)>> = boxes
                    .into_iter()
                    .map(|corners| Rectangle::new(corners, color.filled()))
                    .collect();
                chart.draw_series(rects).map_err(err)?;
            }
        }
        HistogramMode::Share => {
            for (s, h) in heights.iter().enumerate() {
                draw_outline(theme, &mut chart, d.outline(h), series_color(s))?;
            }
        }
    }
    draw_legend_row(
        area,
        theme,
        &d.series.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
    )
}

/// The axes: positions `x0..x1`, values from 0 to a little above `top`; a log axis gets no
/// labels here (its decade ticks are drawn by hand).
fn histogram_axes<'a>(
    area: &'a Area,
    theme: &Theme,
    d: &ClassHistogram,
    (x0, x1): (f64, f64),
    top: f64,
) -> Result<Plot<'a>, String> {
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .margin_top(theme.px(28.0))
        .x_label_area_size(theme.px(42.0))
        .y_label_area_size(theme.px(60.0))
        .build_cartesian_2d(x0..x1, 0.0..headroom(top))
        .map_err(err)?;
    let log = d.log;
    let fmt_x = move |x: &f64| {
        if log {
            String::new()
        } else {
            compact(*x)
        }
    };
    let fmt_y = |y: &f64| compact(*y);
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, theme);
    mesh.disable_x_mesh()
        .x_labels(if log { 0 } else { 8 })
        .y_labels(6)
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&fmt_y)
        .x_desc(d.x_desc())
        .y_desc(d.y_desc())
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// Decade ticks under a log axis: 0, 10, 100, 1k, … within the range, each a short mark and its
/// value.
fn draw_decade_ticks(
    area: &Area,
    theme: &Theme,
    chart: &Plot<'_>,
    d: &ClassHistogram,
    (x0, x1): (f64, f64),
) -> Result<(), String> {
    let style = theme.font(11.0).pos(Pos::new(HPos::Center, VPos::Top));
    for v in d.decade_ticks(x0, x1) {
        let (px, py) = chart.backend_coord(&(d.position(v), 0.0));
        area.draw(&PathElement::new(
            vec![(px, py), (px, py + theme.px(4.0))],
            ShapeStyle::from(theme.muted),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            compact(v),
            (px, py + theme.px(6.0)),
            style.clone(),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// One class as a lightly filled step outline.
fn draw_outline(
    theme: &Theme,
    chart: &mut Plot<'_>,
    steps: Vec<(f64, f64)>,
    color: RGBColor,
) -> Result<(), String> {
    chart
        .draw_series(std::iter::once(Polygon::new(
            steps.clone(),
            color.mix(0.18),
        )))
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            steps,
            color.stroke_width(theme.px(1.5).max(1) as u32),
        )))
        .map_err(err)?;
    Ok(())
}
