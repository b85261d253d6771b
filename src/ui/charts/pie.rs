//! The pie chart: one slice per value (in its series colour, percentages written on the larger
//! slices) and a legend giving each share in percent.

use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::contrast_on;
use super::{chart_view, draw_empty, err, series_color, Area, Theme};
use crate::report::plot::{shorten, PieData};

/// A pie chart with a legend giving each share in percent.
#[component]
pub fn PieChart(
    /// Caption above the chart (also the PNG's file name).
    #[prop(into)]
    title: String,
    /// The labels and the values whose shares are drawn.
    #[prop(into)]
    data: Signal<PieData>,
    /// `data-testid` of the figure.
    #[prop(into)]
    testid: String,
    /// Height in CSS pixels.
    #[prop(default = 300)]
    height: u32,
) -> impl IntoView {
    chart_view(title, data, testid, height, PieData::describe, draw_pie)
}

/// Where the pie sits: centre and radius (device pixels), and the legend's width on the right.
struct PieLayout {
    cx: i32,
    cy: i32,
    r: i32,
    legend_w: i32,
}

fn draw_pie(area: &Area, theme: &Theme, d: &PieData) -> Result<(), String> {
    let total = d.drawn_total();
    if total <= 0.0 {
        return draw_empty(area, theme, "no data");
    }
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let legend_w = (d
        .labels
        .iter()
        .map(|l| theme.text_width(&shorten(l, 24), 11.0))
        .max()
        .unwrap_or(0)
        + theme.text_width(" 100.0 %", 11.0)
        + theme.px(30.0))
    .min(w / 2);
    let r = ((w - legend_w).min(h) / 2 - theme.px(12.0)).max(theme.px(20.0));
    let layout = PieLayout {
        cx: (w - legend_w) / 2,
        cy: h / 2,
        r,
        legend_w,
    };
    draw_slices(area, theme, d, total, &layout)?;
    draw_pie_legend(area, theme, d, total, &layout)
}

/// The slices clockwise from 12 o'clock, each with a thin separator and, from 6 %, its percentage.
fn draw_slices(
    area: &Area,
    theme: &Theme,
    d: &PieData,
    total: f64,
    layout: &PieLayout,
) -> Result<(), String> {
    let PieLayout { cx, cy, r, .. } = *layout;
    let mut start = -std::f64::consts::FRAC_PI_2;
    for (i, &v) in d.values.iter().enumerate() {
        if !(v.is_finite() && v > 0.0) {
            continue;
        }
        let sweep = v / total * std::f64::consts::TAU;
        let steps = ((sweep / 0.03).ceil() as usize).max(2);
        let mut points = vec![(cx, cy)];
        for s in 0..=steps {
            let a = start + sweep * s as f64 / steps as f64;
            points.push((
                cx + (r as f64 * a.cos()).round() as i32,
                cy + (r as f64 * a.sin()).round() as i32,
            ));
        }
        area.draw(&Polygon::new(points, series_color(i).filled()))
            .map_err(err)?;
        // Thin separators in the background colour.
        if d.values.len() > 1 {
            let edge = (
                cx + (r as f64 * start.cos()).round() as i32,
                cy + (r as f64 * start.sin()).round() as i32,
            );
            area.draw(&PathElement::new(
                vec![(cx, cy), edge],
                ShapeStyle::from(theme.background).stroke_width(theme.px(1.5).max(1) as u32),
            ))
            .map_err(err)?;
        }
        let share = v / total;
        if share >= 0.06 {
            let mid = start + sweep / 2.0;
            let at = (
                cx + (r as f64 * 0.62 * mid.cos()).round() as i32,
                cy + (r as f64 * 0.62 * mid.sin()).round() as i32,
            );
            area.draw(&Text::new(
                format!("{:.0} %", share * 100.0),
                at,
                ("sans-serif", 11.0 * theme.scale)
                    .into_font()
                    .color(&contrast_on(series_color(i)))
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .map_err(err)?;
        }
        start += sweep;
    }
    Ok(())
}

/// The legend on the right: a swatch, the label and its share per line, centred vertically.
fn draw_pie_legend(
    area: &Area,
    theme: &Theme,
    d: &PieData,
    total: f64,
    layout: &PieLayout,
) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let x = w - layout.legend_w + theme.px(10.0);
    let line = theme.px(18.0);
    let mut y = (h - line * d.labels.len() as i32).max(theme.px(8.0) * 2) / 2;
    for (i, (label, &v)) in d.labels.iter().zip(&d.values).enumerate() {
        if y + line > h {
            break;
        }
        area.draw(&Rectangle::new(
            [
                (x, y + theme.px(3.0)),
                (x + theme.px(10.0), y + theme.px(13.0)),
            ],
            series_color(i).filled(),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            format!("{} {:.1} %", shorten(label, 24), 100.0 * v.max(0.0) / total),
            (x + theme.px(16.0), y + theme.px(8.0)),
            theme.font(11.0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
        y += line;
    }
    Ok(())
}
