//! The page: mounts the Leptos app (built by trunk for wasm32; an empty program natively).

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(flowlab::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
