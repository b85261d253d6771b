//! The page's Web Worker: parses dropped files off the main thread (wasm32 only; an empty program
//! natively).

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    flowlab::worker::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
