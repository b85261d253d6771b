//! `flowlab`: the native command line (see `flowlab --help`).

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(flowlab::cli::main(std::env::args_os()));
}

#[cfg(target_arch = "wasm32")]
fn main() {}
