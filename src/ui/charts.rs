//! Charts drawn with plotters on `<canvas>`: bars (plain, grouped, horizontal), pie, per-class
//! histograms, labelled heatmaps and multi-series line charts.
//!
//! Every chart is a component taking its data as a `Signal` (a plain value converts with `into`),
//! drawn when it mounts and again when the data, the window size or the colour scheme changes.
//! The canvas takes its container's width and the given height (CSS pixels), drawn at the screen's
//! pixel ratio so text stays sharp. Each sits in a [`ChartFrame`]: a caption with a "PNG" download
//! button, and a canvas with `role="img"` and an `aria-label`. Colours follow the page's light/dark
//! scheme; series colours come from one palette ([`series_color`]), so class `i` has the same
//! colour in every chart.
//!
//! The "results" helper may add components at the end of this file.

use leptos::html;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use super::download::save_canvas_png;

/// The drawing surface of a chart.
pub type Area = DrawingArea<CanvasBackend, Shift>;

/// Colour-blind-friendly categorical palette (Tableau 10).
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xba, 0xb0, 0xac),
];

/// The colour of series (or class) `i`.
pub fn series_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The same colour as a CSS `#rrggbb` string (for HTML legends and swatches).
pub fn series_css(i: usize) -> String {
    let RGBColor(r, g, b) = series_color(i);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Colours and scale of one drawing.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// The page is in dark mode.
    pub dark: bool,
    /// Device pixels per CSS pixel.
    pub scale: f64,
    pub background: RGBColor,
    pub text: RGBColor,
    pub muted: RGBColor,
    pub grid: RGBColor,
    pub accent: RGBColor,
}

impl Theme {
    /// The page's scheme (`prefers-color-scheme`) and pixel ratio now.
    pub fn current() -> Theme {
        let window = web_sys::window();
        let dark = window
            .as_ref()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|m| m.matches());
        let scale = window
            .as_ref()
            .map_or(1.0, |w| w.device_pixel_ratio())
            .clamp(1.0, 3.0);
        Theme::new(dark, scale)
    }

    /// The colours of the light or dark scheme (as `style/main.css`).
    pub fn new(dark: bool, scale: f64) -> Theme {
        if dark {
            Theme {
                dark,
                scale,
                background: RGBColor(0x17, 0x1b, 0x21),
                text: RGBColor(0xe6, 0xe9, 0xee),
                muted: RGBColor(0x98, 0xa3, 0xb3),
                grid: RGBColor(0x2c, 0x33, 0x3d),
                accent: RGBColor(0x5b, 0x9c, 0xf5),
            }
        } else {
            Theme {
                dark,
                scale,
                background: RGBColor(0xff, 0xff, 0xff),
                text: RGBColor(0x1b, 0x1f, 0x24),
                muted: RGBColor(0x5f, 0x6b, 0x7a),
                grid: RGBColor(0xe3, 0xe7, 0xec),
                accent: RGBColor(0x21, 0x60, 0xc4),
            }
        }
    }

    /// CSS pixels → device pixels.
    pub fn px(&self, css: f64) -> i32 {
        (css * self.scale).round() as i32
    }

    /// Text of `size` CSS pixels in the text colour.
    pub fn font(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", size * self.scale)
            .into_font()
            .color(&self.text)
    }

    /// Muted text of `size` CSS pixels.
    pub fn muted_font(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", size * self.scale)
            .into_font()
            .color(&self.muted)
    }

    /// Approximate width in device pixels of `text` at `size` CSS pixels.
    pub fn text_width(&self, text: &str, size: f64) -> i32 {
        (text.chars().count() as f64 * size * 0.58 * self.scale).ceil() as i32
    }
}

fn err(e: impl std::fmt::Display) -> String {
    format!("cannot draw the chart: {e}")
}

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

/// A drawing function: draws on the whole area with the theme, or says why it cannot.
pub type DrawFn = Box<dyn Fn(&Area, &Theme) -> Result<(), String>>;

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

fn file_stem(title: &str) -> String {
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
fn draw_empty(area: &Area, theme: &Theme, message: &str) -> Result<(), String> {
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
fn style_mesh<DB, X, Y>(mesh: &mut plotters::chart::MeshStyle<'_, '_, X, Y, DB>, theme: &Theme)
where
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

/// The label of category `x` (an integer position) or nothing between categories.
fn category_at(labels: &[String], x: f64, max: usize) -> String {
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
fn headroom(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        1.0
    } else {
        max * 1.1
    }
}

// ---------------------------------------------------------------------------------------------
// Bars

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

/// A vertical bar chart.
#[component]
pub fn BarChart(
    #[prop(into)] title: String,
    #[prop(into)] data: Signal<Bars>,
    #[prop(into)] testid: String,
    #[prop(default = 300)] height: u32,
) -> impl IntoView {
    let aria = Signal::derive(move || {
        data.with(|d| {
            let parts: Vec<String> = d
                .labels
                .iter()
                .zip(&d.values)
                .map(|(l, v)| format!("{l}: {}", compact(*v)))
                .collect();
            format!("Bar chart. {}", parts.join(", "))
        })
    });
    let draw: DrawFn =
        Box::new(move |area: &Area, theme: &Theme| data.with(|d| draw_bars(area, theme, d)));
    view! { <ChartFrame title aria_label=aria testid height draw /> }
}

fn draw_bars(area: &Area, theme: &Theme, d: &Bars) -> Result<(), String> {
    if d.values.is_empty() {
        return draw_empty(area, theme, "no data");
    }
    let grouped = GroupedBars {
        categories: d.labels.clone(),
        series: vec![Series {
            name: d.y_label.clone(),
            values: d.values.clone(),
        }],
        x_label: d.x_label.clone(),
        y_label: d.y_label.clone(),
        y_range: None,
        show_values: d.show_values,
    };
    draw_grouped(area, theme, &grouped, d.colored)
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

/// Grouped vertical bars with a legend.
#[component]
pub fn GroupedBarChart(
    #[prop(into)] title: String,
    #[prop(into)] data: Signal<GroupedBars>,
    #[prop(into)] testid: String,
    #[prop(default = 320)] height: u32,
) -> impl IntoView {
    let aria = Signal::derive(move || {
        data.with(|d| {
            let parts: Vec<String> = d
                .series
                .iter()
                .map(|s| {
                    let vals: Vec<String> = d
                        .categories
                        .iter()
                        .zip(&s.values)
                        .map(|(c, v)| format!("{c} {}", compact(*v)))
                        .collect();
                    format!("{}: {}", s.name, vals.join(", "))
                })
                .collect();
            format!("Grouped bar chart. {}", parts.join("; "))
        })
    });
    let draw: DrawFn = Box::new(move |area: &Area, theme: &Theme| {
        data.with(|d| {
            if d.series.is_empty() || d.categories.is_empty() {
                return draw_empty(area, theme, "no data");
            }
            draw_grouped(area, theme, d, false)
        })
    });
    view! { <ChartFrame title aria_label=aria testid height draw /> }
}

fn draw_grouped(
    area: &Area,
    theme: &Theme,
    d: &GroupedBars,
    color_by_category: bool,
) -> Result<(), String> {
    let n = d.categories.len();
    let k = d.series.len().max(1);
    let max = d
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let min = d
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::min);
    let (y0, y1) = d.y_range.unwrap_or((min, headroom(max)));
    let (w, _) = area.dim_in_pixel();
    // Category labels: as many characters as fit under one category.
    let slot = (w as f64 / theme.scale - 70.0) / n as f64;
    let max_chars = ((slot / 6.5).floor() as usize).clamp(3, 24);
    let rotate = n > 1 && slot < 40.0;
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
    let group = 0.8;
    let bar = group / k as f64;
    for (s, series) in d.series.iter().enumerate() {
        let color = series_color(s);
        let rects = series.values.iter().enumerate().map(move |(i, &v)| {
            let c = if color_by_category {
                series_color(i)
            } else {
                color
            };
            let x0 = i as f64 - group / 2.0 + bar * s as f64;
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
        if d.show_values && bar * slot >= 22.0 {
            let style = theme.font(10.0).pos(Pos::new(HPos::Center, VPos::Bottom));
            for (i, &v) in series.values.iter().enumerate() {
                let x = i as f64 - group / 2.0 + bar * (s as f64 + 0.5);
                let (px, py) = chart.backend_coord(&(x, v.min(y1)));
                area.draw(&Text::new(
                    compact(v),
                    (px, py - theme.px(2.0)),
                    style.clone(),
                ))
                .map_err(err)?;
            }
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

/// A one-line legend across the top of the area.
fn draw_legend_row(area: &Area, theme: &Theme, names: &[String]) -> Result<(), String> {
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

/// Horizontal bars, first label at the top (e.g. feature importances, sorted by the caller).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HBars {
    pub labels: Vec<String>,
    pub values: Vec<f64>,
    pub x_label: String,
    /// Optional error half-widths (e.g. permutation importance std), one per bar.
    pub errors: Option<Vec<f64>>,
}

/// A horizontal bar chart; its height grows with the number of bars.
#[component]
pub fn HBarChart(
    #[prop(into)] title: String,
    #[prop(into)] data: Signal<HBars>,
    #[prop(into)] testid: String,
    /// Height in CSS pixels; by default 22 px per bar plus the axis.
    #[prop(optional)]
    height: Option<u32>,
) -> impl IntoView {
    let height = height
        .unwrap_or_else(|| (data.with_untracked(|d| d.labels.len()) as u32 * 22 + 60).max(160));
    let aria = Signal::derive(move || {
        data.with(|d| {
            let parts: Vec<String> = d
                .labels
                .iter()
                .zip(&d.values)
                .map(|(l, v)| format!("{l}: {}", compact(*v)))
                .collect();
            format!("Horizontal bar chart. {}", parts.join(", "))
        })
    });
    let draw: DrawFn =
        Box::new(move |area: &Area, theme: &Theme| data.with(|d| draw_hbars(area, theme, d)));
    view! { <ChartFrame title aria_label=aria testid height draw /> }
}

fn draw_hbars(area: &Area, theme: &Theme, d: &HBars) -> Result<(), String> {
    let n = d.values.len();
    if n == 0 {
        return draw_empty(area, theme, "no data");
    }
    let hi = d
        .values
        .iter()
        .zip(d.errors.iter().flatten().chain(std::iter::repeat(&0.0)))
        .map(|(v, e)| v + e.abs())
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let lo = d
        .values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::min);
    let longest = d
        .labels
        .iter()
        .map(|l| l.chars().count().min(28))
        .max()
        .unwrap_or(4);
    let mut chart = ChartBuilder::on(area)
        .margin(theme.px(10.0))
        .x_label_area_size(theme.px(if d.x_label.is_empty() { 24.0 } else { 42.0 }))
        .y_label_area_size(theme.text_width(&"m".repeat(longest), 11.0) + theme.px(12.0))
        // Category i at y = n - 1 - i so the first label is on top.
        .build_cartesian_2d(lo..headroom(hi), -0.5f64..(n as f64 - 0.5))
        .map_err(err)?;
    let labels: Vec<String> = d.labels.iter().rev().cloned().collect();
    let fmt_y = move |y: &f64| category_at(&labels, *y, 28);
    let fmt_x = |x: &f64| compact(*x);
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, theme);
    mesh.disable_y_mesh()
        .y_labels(n)
        .x_labels(6)
        .y_label_formatter(&fmt_y)
        .x_label_formatter(&fmt_x)
        .x_desc(d.x_label.as_str())
        .draw()
        .map_err(err)?;
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

// ---------------------------------------------------------------------------------------------
// Pie

/// Shares of a whole.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PieData {
    pub labels: Vec<String>,
    pub values: Vec<f64>,
}

/// A pie chart with a legend giving each share in percent.
#[component]
pub fn PieChart(
    #[prop(into)] title: String,
    #[prop(into)] data: Signal<PieData>,
    #[prop(into)] testid: String,
    #[prop(default = 300)] height: u32,
) -> impl IntoView {
    let aria = Signal::derive(move || {
        data.with(|d| {
            let total: f64 = d.values.iter().sum();
            let parts: Vec<String> = d
                .labels
                .iter()
                .zip(&d.values)
                .map(|(l, v)| format!("{l}: {:.1} %", 100.0 * v / total.max(f64::MIN_POSITIVE)))
                .collect();
            format!("Pie chart. {}", parts.join(", "))
        })
    });
    let draw: DrawFn =
        Box::new(move |area: &Area, theme: &Theme| data.with(|d| draw_pie(area, theme, d)));
    view! { <ChartFrame title aria_label=aria testid height draw /> }
}

fn draw_pie(area: &Area, theme: &Theme, d: &PieData) -> Result<(), String> {
    let total: f64 = d.values.iter().filter(|v| v.is_finite() && **v > 0.0).sum();
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
    let (cx, cy) = ((w - legend_w) / 2, h / 2);
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
    // Legend.
    let x = w - legend_w + theme.px(10.0);
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

/// Black or white, whichever reads better on `c`.
fn contrast_on(c: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = c;
    let luma = 0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64;
    if luma > 150.0 {
        RGBColor(0x11, 0x11, 0x11)
    } else {
        RGBColor(0xff, 0xff, 0xff)
    }
}

// ---------------------------------------------------------------------------------------------
// Histogram by class

/// How a histogram shows several classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistogramMode {
    /// Counts stacked class on class.
    #[default]
    Stacked,
    /// Each class as its own outline, as a share of that class's rows (classes of very different
    /// sizes stay comparable).
    Share,
}

/// Binned counts per series (class).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClassHistogram {
    /// Bin edges (`bins + 1`), in the column's units.
    pub edges: Vec<f64>,
    /// One series per class: a count per bin.
    pub series: Vec<Series>,
    /// Bins are even in log10(1 + x): the axis is drawn that way.
    pub log: bool,
    pub x_label: String,
    pub mode: HistogramMode,
}

/// A histogram split by class, stacked or as per-class shares.
#[component]
pub fn HistogramChart(
    #[prop(into)] title: String,
    #[prop(into)] data: Signal<ClassHistogram>,
    #[prop(into)] testid: String,
    #[prop(default = 300)] height: u32,
) -> impl IntoView {
    let aria = Signal::derive(move || {
        data.with(|d| {
            let totals: Vec<String> = d
                .series
                .iter()
                .map(|s| format!("{} {}", s.name, compact(s.values.iter().sum())))
                .collect();
            format!(
                "Histogram of {} in {} bins{}, by class: {}",
                d.x_label,
                d.edges.len().saturating_sub(1),
                if d.log { " (log scale)" } else { "" },
                totals.join(", ")
            )
        })
    });
    let draw: DrawFn =
        Box::new(move |area: &Area, theme: &Theme| data.with(|d| draw_histogram(area, theme, d)));
    view! { <ChartFrame title aria_label=aria testid height draw /> }
}

fn draw_histogram(area: &Area, theme: &Theme, d: &ClassHistogram) -> Result<(), String> {
    let bins = d.edges.len().saturating_sub(1);
    if bins == 0 || d.series.is_empty() {
        return draw_empty(area, theme, "no values");
    }
    // Bars are placed by their position on the axis: value, or log10(1 + value).
    let pos = |x: f64| if d.log { (x.max(0.0) + 1.0).log10() } else { x };
    let (x0, x1) = (pos(d.edges[0]), pos(d.edges[bins]));
    let (x0, x1) = if x1 > x0 {
        (x0, x1)
    } else {
        (x0 - 0.5, x0 + 0.5)
    };
    let totals: Vec<f64> = d.series.iter().map(|s| s.values.iter().sum()).collect();
    let heights: Vec<Vec<f64>> = match d.mode {
        HistogramMode::Stacked => d.series.iter().map(|s| s.values.clone()).collect(),
        HistogramMode::Share => d
            .series
            .iter()
            .zip(&totals)
            .map(|(s, &t)| {
                s.values
                    .iter()
                    .map(|v| if t > 0.0 { v / t } else { 0.0 })
                    .collect()
            })
            .collect(),
    };
    let top = match d.mode {
        HistogramMode::Stacked => (0..bins)
            .map(|b| {
                heights
                    .iter()
                    .map(|h| h.get(b).copied().unwrap_or(0.0))
                    .sum::<f64>()
            })
            .fold(0.0, f64::max),
        HistogramMode::Share => heights.iter().flatten().copied().fold(0.0, f64::max),
    };
    let y_desc = match d.mode {
        HistogramMode::Stacked => "rows",
        HistogramMode::Share => "share of the class",
    };
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
    let x_desc = if d.log {
        format!("{} (log scale)", d.x_label)
    } else {
        d.x_label.clone()
    };
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, theme);
    mesh.disable_x_mesh()
        .x_labels(if log { 0 } else { 8 })
        .y_labels(6)
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&fmt_y)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .draw()
        .map_err(err)?;
    if log {
        // Decade ticks: 0, 10, 100, 1k, … within the range.
        let style = theme.font(11.0).pos(Pos::new(HPos::Center, VPos::Top));
        let mut v = 0.0f64;
        while pos(v) <= x1 + 1e-9 {
            if pos(v) >= x0 - 1e-9 {
                let (px, py) = chart.backend_coord(&(pos(v), 0.0));
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
            v = if v == 0.0 { 10.0 } else { v * 10.0 };
        }
    }
    match d.mode {
        HistogramMode::Stacked => {
            let mut base = vec![0.0f64; bins];
            for (s, h) in heights.iter().enumerate() {
                let color = series_color(s);
                let rects: Vec<Rectangle<(f64, f64)>> = (0..bins)
                    .filter(|&b| h.get(b).copied().unwrap_or(0.0) > 0.0)
                    .map(|b| {
                        let (l, r) = (pos(d.edges[b]), pos(d.edges[b + 1]));
                        let gap = (r - l) * 0.04;
                        Rectangle::new(
                            [(l + gap, base[b]), (r - gap, base[b] + h[b])],
                            color.filled(),
                        )
                    })
                    .collect();
                chart.draw_series(rects).map_err(err)?;
                for (b, sum) in base.iter_mut().enumerate() {
                    *sum += h.get(b).copied().unwrap_or(0.0);
                }
            }
        }
        HistogramMode::Share => {
            for (s, h) in heights.iter().enumerate() {
                let color = series_color(s);
                let mut steps = Vec::with_capacity(2 * bins + 2);
                steps.push((pos(d.edges[0]), 0.0));
                for b in 0..bins {
                    let v = h.get(b).copied().unwrap_or(0.0);
                    steps.push((pos(d.edges[b]), v));
                    steps.push((pos(d.edges[b + 1]), v));
                }
                steps.push((pos(d.edges[bins]), 0.0));
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
            }
        }
    }
    draw_legend_row(
        area,
        theme,
        &d.series.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
    )
}

// ---------------------------------------------------------------------------------------------
// Heatmap

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

/// A labelled heatmap (correlations, confusion matrices).
#[component]
pub fn HeatmapChart(
    #[prop(into)] title: String,
    #[prop(into)] data: Signal<Heatmap>,
    #[prop(into)] testid: String,
    /// Height in CSS pixels; by default enough for square-ish cells.
    #[prop(optional)]
    height: Option<u32>,
) -> impl IntoView {
    let height = height.unwrap_or_else(|| {
        let n = data.with_untracked(|d| d.rows.len()) as u32;
        (n * 40 + 140).clamp(240, 900)
    });
    let aria = Signal::derive(move || {
        data.with(|d| {
            format!(
                "Heatmap of {} rows by {} columns ({} by {})",
                d.rows.len(),
                d.columns.len(),
                if d.y_label.is_empty() {
                    "rows"
                } else {
                    &d.y_label
                },
                if d.x_label.is_empty() {
                    "columns"
                } else {
                    &d.x_label
                },
            )
        })
    });
    let draw: DrawFn =
        Box::new(move |area: &Area, theme: &Theme| data.with(|d| draw_heatmap(area, theme, d)));
    view! { <ChartFrame title aria_label=aria testid height draw /> }
}

fn lerp(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Colour of `v` on the heatmap's scale (`max` for the sequential one).
fn heat_color(theme: &Theme, scale: HeatScale, v: f64, max: f64) -> RGBColor {
    let base = if theme.dark {
        RGBColor(0x22, 0x28, 0x30)
    } else {
        RGBColor(0xf4, 0xf6, 0xf9)
    };
    match scale {
        HeatScale::Sequential => {
            let t = if max > 0.0 { v / max } else { 0.0 };
            lerp(base, theme.accent, t.sqrt())
        }
        HeatScale::Diverging => {
            if v >= 0.0 {
                lerp(base, RGBColor(0xd6, 0x2f, 0x2f), v)
            } else {
                lerp(base, RGBColor(0x23, 0x6a, 0xd1), -v)
            }
        }
    }
}

fn draw_heatmap(area: &Area, theme: &Theme, d: &Heatmap) -> Result<(), String> {
    let (nr, nc) = (d.rows.len(), d.columns.len());
    if nr == 0 || nc == 0 {
        return draw_empty(area, theme, "no data");
    }
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let label_chars = 22;
    let row_w = d
        .rows
        .iter()
        .map(|l| theme.text_width(&shorten(l, label_chars), 11.0))
        .max()
        .unwrap_or(0)
        + theme.px(if d.y_label.is_empty() { 8.0 } else { 26.0 });
    let col_h = d
        .columns
        .iter()
        .map(|l| theme.text_width(&shorten(l, label_chars), 11.0))
        .max()
        .unwrap_or(0)
        + theme.px(if d.x_label.is_empty() { 8.0 } else { 26.0 });
    let scale_w = theme.px(56.0);
    let pad = theme.px(8.0);
    let grid_w = w - row_w - scale_w - 2 * pad;
    let grid_h = h - col_h - 2 * pad;
    let cell = (grid_w / nc as i32).min(grid_h / nr as i32).max(2);
    let (gx, gy) = (row_w + pad, pad);
    let max = d
        .values
        .iter()
        .flatten()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let value_font = (cell as f64 / theme.scale * 0.3).clamp(7.0, 12.0);
    // Digits are narrower than the average letter `text_width` assumes.
    let fits = |text: &str| theme.text_width(text, value_font) * 9 / 10 + theme.px(2.0) <= cell;
    for r in 0..nr {
        for c in 0..nc {
            let (x, y) = (gx + c as i32 * cell, gy + r as i32 * cell);
            let v = d
                .values
                .get(r)
                .and_then(|row| row.get(c))
                .copied()
                .flatten();
            let color = match v {
                Some(v) if v.is_finite() => heat_color(theme, d.scale, v, max),
                _ => theme.grid,
            };
            area.draw(&Rectangle::new(
                [(x, y), (x + cell - 1, y + cell - 1)],
                color.filled(),
            ))
            .map_err(err)?;
            if d.show_values {
                if let Some(v) = v.filter(|v| v.is_finite()) {
                    // No "-0.00": a value that rounds to zero is written as zero.
                    let half_unit = 0.5 * 10f64.powi(-(d.decimals as i32));
                    let shown = if v.abs() < half_unit { 0.0 } else { v };
                    let text = format!("{shown:.*}", d.decimals);
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
        }
    }
    // Row labels (left) and column labels (below, rotated).
    let label_font = (cell as f64 / theme.scale * 0.7).clamp(8.0, 11.0);
    for (r, label) in d.rows.iter().enumerate() {
        area.draw(&Text::new(
            shorten(label, label_chars),
            (gx - theme.px(4.0), gy + r as i32 * cell + cell / 2),
            theme
                .font(label_font)
                .pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(err)?;
    }
    let below = gy + nr as i32 * cell + theme.px(4.0);
    for (c, label) in d.columns.iter().enumerate() {
        area.draw(&Text::new(
            shorten(label, label_chars),
            (gx + c as i32 * cell + cell / 2, below),
            ("sans-serif", label_font * theme.scale)
                .into_font()
                .transform(FontTransform::Rotate90)
                .color(&theme.text)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
    }
    if !d.y_label.is_empty() {
        area.draw(&Text::new(
            d.y_label.clone(),
            (theme.px(8.0), gy + nr as i32 * cell / 2),
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
            (gx + nc as i32 * cell / 2, h - theme.px(4.0)),
            theme
                .muted_font(12.0)
                .pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))
        .map_err(err)?;
    }
    // Colour scale.
    let sx = gx + nc as i32 * cell + theme.px(12.0);
    let (sy0, sy1) = (gy, gy + (nr as i32 * cell).max(theme.px(60.0)));
    let (lo, hi) = match d.scale {
        HeatScale::Sequential => (0.0, max),
        HeatScale::Diverging => (-1.0, 1.0),
    };
    let steps = 40;
    for i in 0..steps {
        let t = i as f64 / (steps - 1) as f64;
        let v = hi - (hi - lo) * t;
        let y = sy0 + ((sy1 - sy0) as f64 * i as f64 / steps as f64) as i32;
        let y2 = sy0 + ((sy1 - sy0) as f64 * (i + 1) as f64 / steps as f64) as i32;
        area.draw(&Rectangle::new(
            [(sx, y), (sx + theme.px(10.0), y2)],
            heat_color(theme, d.scale, v, max).filled(),
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

// ---------------------------------------------------------------------------------------------
// Lines

/// One line: points in drawing order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub dashed: bool,
}

/// Where a line chart's legend sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LegendAt {
    #[default]
    UpperRight,
    UpperLeft,
    LowerRight,
    LowerLeft,
}

/// Several lines on shared axes (ROC/PR curves, learning and loss curves).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lines {
    pub lines: Vec<Line>,
    pub x_label: String,
    pub y_label: String,
    /// Fixed axes; otherwise fitted to the points.
    pub x_range: Option<(f64, f64)>,
    pub y_range: Option<(f64, f64)>,
    /// Draw the dashed diagonal y = x (chance level of a ROC curve).
    pub diagonal: bool,
    /// Mark each point with a dot.
    pub markers: bool,
    pub legend: LegendAt,
}

/// A multi-series line chart with axis labels and a legend.
#[component]
pub fn LineChart(
    #[prop(into)] title: String,
    #[prop(into)] data: Signal<Lines>,
    #[prop(into)] testid: String,
    #[prop(default = 320)] height: u32,
) -> impl IntoView {
    let aria = Signal::derive(move || {
        data.with(|d| {
            let names: Vec<&str> = d.lines.iter().map(|l| l.name.as_str()).collect();
            format!(
                "Line chart of {} against {}: {}",
                d.y_label,
                d.x_label,
                names.join(", ")
            )
        })
    });
    let draw: DrawFn =
        Box::new(move |area: &Area, theme: &Theme| data.with(|d| draw_lines(area, theme, d)));
    view! { <ChartFrame title aria_label=aria testid height draw /> }
}

fn span(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
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

fn draw_lines(area: &Area, theme: &Theme, d: &Lines) -> Result<(), String> {
    let points = || d.lines.iter().flat_map(|l| l.points.iter().copied());
    let Some(xs) = d.x_range.or_else(|| span(points().map(|p| p.0))) else {
        return draw_empty(area, theme, "no data");
    };
    let Some(ys) = d.y_range.or_else(|| span(points().map(|p| p.1))) else {
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
    let width = theme.px(2.0).max(1) as u32;
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
        let color = series_color(i);
        let style = color.stroke_width(width);
        let pts: Vec<(f64, f64)> = line
            .points
            .iter()
            .copied()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
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
        if d.markers {
            let r = theme.px(2.5).max(2) as u32;
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, r, color.filled())))
                .map_err(err)?;
        }
    }
    if d.lines.len() > 1 || d.lines.first().is_some_and(|l| !l.name.is_empty()) {
        let position = match d.legend {
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
    }
    Ok(())
}
