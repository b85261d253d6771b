//! Charts drawn with plotters on `<canvas>`: bars (plain, grouped, horizontal), pie, per-class
//! histograms, labelled heatmaps, multi-series line charts and waterfalls (one row's explanation).
//!
//! Every chart is a component taking its data as a `Signal` (a plain value converts with `into`),
//! drawn when it mounts and again when the data, the window size or the colour scheme changes.
//! The canvas takes its container's width and the given height (CSS pixels), drawn at the screen's
//! pixel ratio so text stays sharp. Each sits in a [`ChartFrame`]: a caption with a "PNG" download
//! button, and a canvas with `role="img"` and an `aria-label`. Colours follow the page's light/dark
//! scheme; series colours come from one palette ([`series_color`]), so class `i` has the same
//! colour in every chart.
//!
//! The data each chart takes, its `aria-label` text and the maths that needs no canvas live in
//! [`crate::report::plot`] (plain Rust, tested natively) and are re-exported here. This module is
//! the shared frame: [`ChartFrame`], the drawing onto the canvas, colour-scheme changes, the PNG
//! download, and [`chart_view`], through which every chart component goes. One module per kind
//! draws: [`bars`], [`pie`], [`histogram`], [`heatmap`], [`lines`], [`waterfall`]; [`style`] holds the theme and
//! palette.

pub mod bars;
pub mod heatmap;
pub mod histogram;
pub mod lines;
pub mod pie;
pub mod style;
pub mod waterfall;

use leptos::html;
use leptos::prelude::*;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use super::download::save_canvas_png;
use crate::report::plot::file_stem;

pub use crate::report::plot::{
    compact, ClassHistogram, GroupedBars, HBars, HeatScale, Heatmap, HistogramMode, LegendAt, Line,
    Lines, PieData, Series,
};
pub use crate::report::plot::{shorten, Bars, Rgb};
pub use bars::{BarChart, GroupedBarChart, HBarChart};
pub use heatmap::HeatmapChart;
pub use histogram::HistogramChart;
pub use lines::LineChart;
pub use pie::PieChart;
pub use style::{series_color, series_css, Theme};
pub use waterfall::WaterfallChart;

/// The drawing surface of a chart.
pub type Area = DrawingArea<CanvasBackend, Shift>;

/// A cartesian chart with `f64` axes on the canvas.
pub type Plot<'a> = ChartContext<'a, CanvasBackend, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A drawing function: draws on the whole area with the theme, or says why it cannot.
pub type DrawFn = Box<dyn Fn(&Area, &Theme) -> Result<(), String>>;

/// A plotters error as the message shown under the chart.
pub(crate) fn err(e: impl std::fmt::Display) -> String {
    format!("cannot draw the chart: {e}")
}

/// The one way a chart kind becomes a component: a [`ChartFrame`] whose `aria-label` is
/// `describe(data)` and whose drawing is `draw(area, theme, data)`, both re-run when `data`
/// changes.
pub fn chart_view<T: Send + Sync + 'static>(
    title: String,
    data: Signal<T>,
    testid: String,
    height: u32,
    describe: fn(&T) -> String,
    draw: fn(&Area, &Theme, &T) -> Result<(), String>,
) -> impl IntoView {
    let aria = Signal::derive(move || data.with(describe));
    let draw: DrawFn =
        Box::new(move |area: &Area, theme: &Theme| data.with(|d| draw(area, theme, d)));
    view! { <ChartFrame title aria_label=aria testid height draw /> }
}

/// The frame every chart shares: caption with a PNG button, and the canvas, redrawn by `draw`
/// whenever the signals it reads change or the window is resized.
#[component]
pub fn ChartFrame(
    /// Caption above the chart (also the PNG's file name).
    #[prop(into)]
    title: String,
    /// What the chart shows, for screen readers.
    #[prop(into)]
    aria_label: Signal<String>,
    /// `data-testid` of the figure (its canvas gets `<testid>-canvas`).
    #[prop(into)]
    testid: String,
    /// Height in CSS pixels.
    height: u32,
    /// Draws the chart; reads the data signals (so it redraws when they change).
    draw: DrawFn,
) -> impl IntoView {
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let error = RwSignal::new(None::<String>);
    let resized = RwSignal::new(0u32);
    let handle = window_event_listener(leptos::ev::resize, move |_| {
        resized.update(|n| *n = n.wrapping_add(1))
    });
    on_cleanup(move || handle.remove());
    let scheme = scheme_changes();
    Effect::new(move |_| {
        resized.track();
        scheme.track();
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let result = draw_on(&canvas, height, &draw);
        error.set(result.err());
    });
    let file = format!("{}.png", file_stem(&title));
    let save = move |_| {
        if let Some(canvas) = canvas_ref.get_untracked() {
            error.set(save_canvas_png(&canvas, &file).err());
        }
    };
    let canvas_testid = format!("{testid}-canvas");
    view! {
        <figure class="chart" data-testid=testid>
            <figcaption class="chart-head">
                <span class="chart-title">{title.clone()}</span>
                <button
                    type="button"
                    class="chart-png"
                    title="Download this chart as a PNG image"
                    aria-label=format!("Download {title} as PNG")
                    on:click=save
                >
                    "PNG"
                </button>
            </figcaption>
            <div class="chart-body" style=format!("height:{height}px")>
                <canvas
                    node_ref=canvas_ref
                    role="img"
                    aria-label=move || aria_label.get()
                    data-testid=canvas_testid
                ></canvas>
            </div>
            {move || error.get().map(|e| view! { <p class="chart-error" role="alert">{e}</p> })}
        </figure>
    }
}

thread_local! {
    /// Bumped when the page flips between light and dark (one listener for the whole page).
    static SCHEME: (ArcRwSignal<u32>, Option<SchemeListener>) = {
        let signal = ArcRwSignal::new(0u32);
        let listener = web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .map(|query| {
                let bump = signal.clone();
                let closure = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
                    bump.update(|n| *n = n.wrapping_add(1));
                });
                query.set_onchange(Some(wasm_bindgen::JsCast::unchecked_ref(closure.as_ref())));
                SchemeListener { _query: query, _closure: closure }
            });
        (signal, listener)
    };
}

/// Keeps the colour-scheme query and its handler alive.
struct SchemeListener {
    _query: web_sys::MediaQueryList,
    _closure: wasm_bindgen::closure::Closure<dyn Fn()>,
}

/// A signal that changes when the colour scheme does.
fn scheme_changes() -> ArcRwSignal<u32> {
    SCHEME.with(|s| s.0.clone())
}

/// Sizes the canvas to its container's width and `height` CSS pixels at the screen's pixel ratio,
/// fills it with the theme's background, and runs `draw` on it.
fn draw_on(canvas: &HtmlCanvasElement, height: u32, draw: &DrawFn) -> Result<(), String> {
    let theme = Theme::current();
    let css_width = canvas
        .parent_element()
        .map(|p| p.client_width())
        .filter(|&w| w > 0)
        .unwrap_or(640)
        .max(200) as f64;
    let (w, h) = (
        (css_width * theme.scale).round() as u32,
        (height as f64 * theme.scale).round() as u32,
    );
    if canvas.width() != w {
        canvas.set_width(w);
    }
    if canvas.height() != h {
        canvas.set_height(h);
    }
    let style = web_sys::HtmlElement::style(canvas);
    let _ = style.set_property("width", &format!("{css_width}px"));
    let _ = style.set_property("height", &format!("{height}px"));
    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or("this browser gives no 2D canvas context")?;
    let root = backend.into_drawing_area();
    root.fill(&theme.background).map_err(err)?;
    let result = draw(&root, &theme);
    root.present().map_err(err)?;
    result
}

/// Draws "no data" in the middle of the area.
pub(crate) fn draw_empty(area: &Area, theme: &Theme, message: &str) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    let style = theme
        .muted_font(13.0)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw(&Text::new(
        message.to_string(),
        (w as i32 / 2, h as i32 / 2),
        style,
    ))
    .map_err(err)
}

/// Style shared by the axes of cartesian charts.
pub(crate) fn style_mesh<DB, X, Y>(
    mesh: &mut plotters::chart::MeshStyle<'_, '_, X, Y, DB>,
    theme: &Theme,
) where
    DB: DrawingBackend,
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>,
{
    mesh.label_style(theme.font(11.0))
        .axis_desc_style(theme.muted_font(12.0))
        .axis_style(theme.muted)
        .bold_line_style(theme.grid)
        .light_line_style(TRANSPARENT);
}

/// The axes of a horizontal chart with one row per category, `labels` from the top (category i
/// drawn at y = n − 1 − i): each category named on the y axis, six ticks on the value axis
/// titled `x_label`, no horizontal grid lines.
pub(crate) fn draw_category_mesh(
    chart: &mut Plot<'_>,
    theme: &Theme,
    labels: &[String],
    x_label: &str,
) -> Result<(), String> {
    let bottom_up: Vec<String> = labels.iter().rev().cloned().collect();
    let fmt_y = move |y: &f64| crate::report::plot::category_at(&bottom_up, *y, 28);
    let fmt_x = |x: &f64| compact(*x);
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, theme);
    mesh.disable_y_mesh()
        .y_labels(labels.len())
        .x_labels(6)
        .y_label_formatter(&fmt_y)
        .x_label_formatter(&fmt_x)
        .x_desc(x_label)
        .draw()
        .map_err(err)
}

/// A one-line legend across the top of the area (grouped bars, histograms).
pub(crate) fn draw_legend_row(area: &Area, theme: &Theme, names: &[String]) -> Result<(), String> {
    let mut x = theme.px(12.0);
    let y = theme.px(12.0);
    let (w, _) = area.dim_in_pixel();
    for (i, name) in names.iter().enumerate() {
        let label = shorten(name, 22);
        let width = theme.px(18.0) + theme.text_width(&label, 11.0);
        if x + width > w as i32 {
            break;
        }
        area.draw(&Rectangle::new(
            [
                (x, y - theme.px(5.0)),
                (x + theme.px(10.0), y + theme.px(5.0)),
            ],
            series_color(i).filled(),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            label,
            (x + theme.px(14.0), y),
            theme.font(11.0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
        x += width + theme.px(12.0);
    }
    Ok(())
}
