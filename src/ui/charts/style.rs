//! The look of every chart: the light/dark [`Theme`] (colours as `style/main.css`, scale to device
//! pixels), the fonts, and the one categorical palette ([`series_color`]) that gives class `i` the
//! same colour in every chart.

use plotters::prelude::*;

use crate::report::plot::{self, Rgb};

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

/// A plotters colour as a plain `(r, g, b)`.
pub fn to_rgb(c: RGBColor) -> Rgb {
    (c.0, c.1, c.2)
}

/// A plain `(r, g, b)` as a plotters colour.
pub fn from_rgb((r, g, b): Rgb) -> RGBColor {
    RGBColor(r, g, b)
}

/// Black or white, whichever reads better on `c`.
pub fn contrast_on(c: RGBColor) -> RGBColor {
    from_rgb(plot::contrast_on(to_rgb(c)))
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
