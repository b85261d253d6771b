//! Multi-series line charts (ROC/PR curves, learning and loss curves): solid or dashed lines in
//! their series colours, optional point markers and chance diagonal, and a legend box.

use leptos::prelude::*;
use plotters::prelude::*;

use super::{chart_view, draw_empty, err, series_color, style_mesh, Area, Plot, Theme};
use crate::report::plot::{compact, LegendAt, Line, Lines};

/// A multi-series line chart with axis labels and a legend.
#[component]
pub fn LineChart(
    /// Caption above the chart (also the PNG's file name).
    #[prop(into)]
    title: String,
    /// The lines and their axes.
    #[prop(into)]
    data: Signal<Lines>,
    /// `data-testid` of the figure.
    #[prop(into)]
    testid: String,
    /// Height in CSS pixels.
    #[prop(default = 320)]
    height: u32,
) -> impl IntoView {
    chart_view(title, data, testid, height, Lines::describe, draw_lines)
}

/// The axes, the chance diagonal, each line (with markers), then the legend.
fn draw_lines(area: &Area, theme: &Theme, d: &Lines) -> Result<(), String> {
    let Some(xs) = d.x_axis() else {
        return draw_empty(area, theme, "no data");
    };
    let Some(ys) = d.y_axis() else {
        return draw_empty(area, theme, "no data");
    };
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(12.0))
        .x_label_area_size(theme.px(42.0))
        .y_label_area_size(theme.px(60.0))
        .build_cartesian_2d(xs.0..xs.1, ys.0..ys.1)
        .map_err(err)?;
    let fmt = |v: &f64| compact(*v);
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, theme);
    mesh.x_labels(8)
        .y_labels(6)
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .x_desc(d.x_label.as_str())
        .y_desc(d.y_label.as_str())
        .draw()
        .map_err(err)?;
    if d.diagonal {
        let lo = xs.0.max(ys.0);
        let hi = xs.1.min(ys.1);
        chart
            .draw_series(DashedLineSeries::new(
                vec![(lo, lo), (hi, hi)],
                theme.px(5.0) as u32,
                theme.px(4.0) as u32,
                ShapeStyle::from(theme.muted).stroke_width(theme.px(1.0).max(1) as u32),
            ))
            .map_err(err)?;
    }
    for (i, line) in d.lines.iter().enumerate() {
        draw_line(theme, &mut chart, line, series_color(i), d.markers)?;
    }
    if d.has_legend() {
        draw_legend(theme, &mut chart, d.legend)?;
    }
    Ok(())
}

/// One line (its finite points) with its legend entry, and its points marked if asked.
fn draw_line(
    theme: &Theme,
    chart: &mut Plot<'_>,
    line: &Line,
    color: RGBColor,
    markers: bool,
) -> Result<(), String> {
    let width = theme.px(2.0).max(1) as u32;
    let style = color.stroke_width(width);
    let pts = line.finite_points();
    let anno = if line.dashed {
        chart
            .draw_series(DashedLineSeries::new(
                pts.clone(),
                theme.px(6.0) as u32,
                theme.px(4.0) as u32,
                style,
            ))
            .map_err(err)?
    } else {
        chart
            .draw_series(LineSeries::new(pts.clone(), style))
            .map_err(err)?
    };
    let dash = line.dashed;
    let unit = theme.px(1.0);
    anno.label(line.name.clone()).legend(move |(x, y)| {
        let seg = if dash { 6 * unit } else { 18 * unit };
        PathElement::new(vec![(x, y), (x + seg, y)], color.stroke_width(width))
    });
    if markers {
        let r = theme.px(2.5).max(2) as u32;
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, r, color.filled())))
            .map_err(err)?;
    }
    Ok(())
}

/// The legend box in the requested corner.
fn draw_legend(theme: &Theme, chart: &mut Plot<'_>, at: LegendAt) -> Result<(), String> {
    let position = match at {
        LegendAt::UpperRight => SeriesLabelPosition::UpperRight,
        LegendAt::UpperLeft => SeriesLabelPosition::UpperLeft,
        LegendAt::LowerRight => SeriesLabelPosition::LowerRight,
        LegendAt::LowerLeft => SeriesLabelPosition::LowerLeft,
    };
    chart
        .configure_series_labels()
        .position(position)
        .margin(theme.px(8.0))
        .legend_area_size(theme.px(24.0))
        .label_font(theme.font(11.0))
        .background_style(theme.background.mix(0.85))
        .border_style(theme.grid)
        .draw()
        .map_err(err)?;
    Ok(())
}
