//! The labelled heatmap (correlations, confusion matrices): square cells coloured on a sequential
//! or diverging scale, values written where they fit, row labels on the left, column labels upright
//! below, and a colour scale on the right.

use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{contrast_on, from_rgb, to_rgb};
use super::{chart_view, draw_empty, err, Area, Theme};
use crate::report::plot::{compact, heat_rgb, shorten, HeatScale, Heatmap};

/// Characters a row or column label keeps.
const LABEL_CHARS: usize = 22;

/// A labelled heatmap (correlations, confusion matrices).
#[component]
pub fn HeatmapChart(
    /// Caption above the chart (also the PNG's file name).
    #[prop(into)]
    title: String,
    /// The labelled matrix of values.
    #[prop(into)]
    data: Signal<Heatmap>,
    /// `data-testid` of the figure.
    #[prop(into)]
    testid: String,
    /// Height in CSS pixels; by default enough for square-ish cells.
    #[prop(optional)]
    height: Option<u32>,
) -> impl IntoView {
    let height = height.unwrap_or_else(|| {
        let n = data.with_untracked(|d| d.rows.len()) as u32;
        (n * 40 + 140).clamp(240, 900)
    });
    chart_view(title, data, testid, height, Heatmap::describe, draw_heatmap)
}

/// Colour of `v` on the heatmap's scale (`max` for the sequential one).
fn heat_color(theme: &Theme, scale: HeatScale, v: f64, max: f64) -> RGBColor {
    from_rgb(heat_rgb(theme.dark, to_rgb(theme.accent), scale, v, max))
}

/// Where the grid sits, in device pixels.
struct Grid {
    /// Top-left corner of the first cell.
    gx: i32,
    gy: i32,
    /// Side of a cell.
    cell: i32,
    /// Rows and columns.
    nr: usize,
    nc: usize,
    /// The largest magnitude (top of the sequential scale).
    max: f64,
}

/// The grid (square cells as large as fit beside the row labels and above the column labels),
/// the labels, the axis titles, and the colour scale.
fn draw_heatmap(area: &Area, theme: &Theme, d: &Heatmap) -> Result<(), String> {
    let (nr, nc) = (d.rows.len(), d.columns.len());
    if nr == 0 || nc == 0 {
        return draw_empty(area, theme, "no data");
    }
    let grid = layout(area, theme, d);
    draw_cells(area, theme, d, &grid)?;
    draw_labels(area, theme, d, &grid)?;
    draw_titles(area, theme, d, &grid)?;
    draw_color_scale(area, theme, d, &grid)
}

/// Room for the longest row label on the left, the longest column label below and the colour
/// scale on the right; the cells fill the rest as squares.
fn layout(area: &Area, theme: &Theme, d: &Heatmap) -> Grid {
    let (nr, nc) = (d.rows.len(), d.columns.len());
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let longest = |labels: &[String]| {
        labels
            .iter()
            .map(|l| theme.text_width(&shorten(l, LABEL_CHARS), 11.0))
            .max()
            .unwrap_or(0)
    };
    let row_w = longest(&d.rows) + theme.px(if d.y_label.is_empty() { 8.0 } else { 26.0 });
    let col_h = longest(&d.columns) + theme.px(if d.x_label.is_empty() { 8.0 } else { 26.0 });
    let scale_w = theme.px(56.0);
    let pad = theme.px(8.0);
    let grid_w = w - row_w - scale_w - 2 * pad;
    let grid_h = h - col_h - 2 * pad;
    let cell = (grid_w / nc as i32).min(grid_h / nr as i32).max(2);
    Grid {
        gx: row_w + pad,
        gy: pad,
        cell,
        nr,
        nc,
        max: d.max_abs(),
    }
}

/// Each cell in its colour (undefined ones in the grid colour), with its value when asked and
/// when it fits.
fn draw_cells(area: &Area, theme: &Theme, d: &Heatmap, g: &Grid) -> Result<(), String> {
    let cell = g.cell;
    let value_font = (cell as f64 / theme.scale * 0.3).clamp(7.0, 12.0);
    // Digits are narrower than the average letter `text_width` assumes.
    let fits = |text: &str| theme.text_width(text, value_font) * 9 / 10 + theme.px(2.0) <= cell;
    for r in 0..g.nr {
        for c in 0..g.nc {
            let (x, y) = (g.gx + c as i32 * cell, g.gy + r as i32 * cell);
            let v = d.value(r, c);
            let color = match v {
                Some(v) if v.is_finite() => heat_color(theme, d.scale, v, g.max),
                _ => theme.grid,
            };
            area.draw(&Rectangle::new(
                [(x, y), (x + cell - 1, y + cell - 1)],
                color.filled(),
            ))
            .map_err(err)?;
            if !d.show_values {
                continue;
            }
            let Some(v) = v.filter(|v| v.is_finite()) else {
                continue;
            };
            let text = d.cell_text(v);
            if fits(&text) {
                area.draw(&Text::new(
                    text,
                    (x + cell / 2, y + cell / 2),
                    ("sans-serif", value_font * theme.scale)
                        .into_font()
                        .color(&contrast_on(color))
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(err)?;
            }
        }
    }
    Ok(())
}

/// Row labels (left, right-aligned) and column labels (below, upright).
fn draw_labels(area: &Area, theme: &Theme, d: &Heatmap, g: &Grid) -> Result<(), String> {
    let (gx, gy, cell) = (g.gx, g.gy, g.cell);
    let label_font = (cell as f64 / theme.scale * 0.7).clamp(8.0, 11.0);
    for (r, label) in d.rows.iter().enumerate() {
        area.draw(&Text::new(
            shorten(label, LABEL_CHARS),
            (gx - theme.px(4.0), gy + r as i32 * cell + cell / 2),
            theme
                .font(label_font)
                .pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(err)?;
    }
    let below = gy + g.nr as i32 * cell + theme.px(4.0);
    for (c, label) in d.columns.iter().enumerate() {
        area.draw(&Text::new(
            shorten(label, LABEL_CHARS),
            (gx + c as i32 * cell + cell / 2, below),
            ("sans-serif", label_font * theme.scale)
                .into_font()
                .transform(FontTransform::Rotate90)
                .color(&theme.text)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The axis titles: the rows' upright on the far left, the columns' at the bottom.
fn draw_titles(area: &Area, theme: &Theme, d: &Heatmap, g: &Grid) -> Result<(), String> {
    let (_, h) = area.dim_in_pixel();
    let h = h as i32;
    if !d.y_label.is_empty() {
        area.draw(&Text::new(
            d.y_label.clone(),
            (theme.px(8.0), g.gy + g.nr as i32 * g.cell / 2),
            ("sans-serif", 12.0 * theme.scale)
                .into_font()
                .transform(FontTransform::Rotate270)
                .color(&theme.muted)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(err)?;
    }
    if !d.x_label.is_empty() {
        area.draw(&Text::new(
            d.x_label.clone(),
            (g.gx + g.nc as i32 * g.cell / 2, h - theme.px(4.0)),
            theme
                .muted_font(12.0)
                .pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The colour scale right of the grid: 40 bands from the top value down to the bottom one, with
/// both ends written beside it.
fn draw_color_scale(area: &Area, theme: &Theme, d: &Heatmap, g: &Grid) -> Result<(), String> {
    let sx = g.gx + g.nc as i32 * g.cell + theme.px(12.0);
    let (sy0, sy1) = (g.gy, g.gy + (g.nr as i32 * g.cell).max(theme.px(60.0)));
    let (lo, hi) = d.scale_range(g.max);
    let steps = 40;
    for i in 0..steps {
        let t = i as f64 / (steps - 1) as f64;
        let v = hi - (hi - lo) * t;
        let y = sy0 + ((sy1 - sy0) as f64 * i as f64 / steps as f64) as i32;
        let y2 = sy0 + ((sy1 - sy0) as f64 * (i + 1) as f64 / steps as f64) as i32;
        area.draw(&Rectangle::new(
            [(sx, y), (sx + theme.px(10.0), y2)],
            heat_color(theme, d.scale, v, g.max).filled(),
        ))
        .map_err(err)?;
    }
    let style = theme.font(10.0).pos(Pos::new(HPos::Left, VPos::Center));
    for (v, y) in [(hi, sy0), (lo, sy1)] {
        area.draw(&Text::new(
            compact(v),
            (sx + theme.px(14.0), y),
            style.clone(),
        ))
        .map_err(err)?;
    }
    Ok(())
}
