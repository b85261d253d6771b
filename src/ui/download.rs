//! Saving files from the page: bytes from a worker, text built here, or a chart's canvas as PNG.
//! Each goes through a temporary object URL and a clicked `<a download>`; nothing leaves the
//! machine.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, Url};

use crate::worker::web::js_error_message;

/// Clicks a temporary link to `href` named `name`.
fn click_link(href: &str, name: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: HtmlAnchorElement = document
        .create_element("a")
        .map_err(js_error_message)?
        .unchecked_into();
    a.set_href(href);
    a.set_download(name);
    let body = document.body().ok_or("no body")?;
    body.append_child(&a).map_err(js_error_message)?;
    a.click();
    a.remove();
    Ok(())
}

/// Saves a blob as `name`.
pub fn save_blob(name: &str, blob: &Blob) -> Result<(), String> {
    let url = Url::create_object_url_with_blob(blob).map_err(js_error_message)?;
    let result = click_link(&url, name);
    // The download has started; the URL may go (a short delay is not needed in Chromium/Firefox).
    let _ = Url::revoke_object_url(&url);
    result.map_err(|e| format!("cannot save {name}: {e}"))
}

/// Saves bytes (e.g. a worker's `Download` payload) as `name` with MIME type `mime`.
pub fn save_bytes(name: &str, mime: &str, bytes: &Uint8Array) -> Result<(), String> {
    let parts: Array = std::iter::once(bytes.clone()).collect();
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| format!("cannot save {name}: {}", js_error_message(e)))?;
    save_blob(name, &blob)
}

/// Saves text (a CSV or JSON table built in the page) as `name`.
pub fn save_text(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts: Array = std::iter::once(wasm_bindgen::JsValue::from_str(text)).collect();
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|e| format!("cannot save {name}: {}", js_error_message(e)))?;
    save_blob(name, &blob)
}

/// Saves what a canvas shows as a PNG.
pub fn save_canvas_png(canvas: &HtmlCanvasElement, name: &str) -> Result<(), String> {
    let url = canvas
        .to_data_url_with_type("image/png")
        .map_err(|e| format!("cannot save {name}: {}", js_error_message(e)))?;
    click_link(&url, name).map_err(|e| format!("cannot save {name}: {e}"))
}
