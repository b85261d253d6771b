//! The limits that follow from the memory budget (`flowlab::data::budget`), for the README's
//! "Limits" table: how many rows of a file of a given shape fit in one worker (loaded, then
//! trained on with a hold-out), and the training matrix that fits, in a browser worker with
//! 4 GiB of wasm memory ([`Budget::WASM32`]: 3 GiB usable, blocks of 1.5 GiB) and in the CLI on a
//! 24 GiB machine (its default budget, 80 % of the available memory). These are derived figures (the
//! budget's per-row costs), not measurements; `bench/scale.sh` and the e2e tests measure.
//!
//! ```text
//! cargo run --release --example limits
//! ```

use flowlab::data::budget::{thousands, Budget, RowShape, TrainShape, GIB};

/// Shapes of real files: bytes per row (file size / rows: 3,019,311 B / 23,145 rows of
/// ../shared/data/iot23/CTU-IoT-Malware-Capture-34-1.conn.log.labeled; 11,725 B / 42 rows of
/// tests/fixtures/formats/cic-ids2017.csv), numeric and text columns (`flowlab inspect`).
const SHAPES: [(&str, RowShape); 3] = [
    (
        "Zeek conn.log (IoT-23)",
        RowShape {
            bytes_per_row: 130.0,
            numeric: 12,
            text: 9,
        },
    ),
    (
        "CIC-IDS2017 CSV (79 columns)",
        RowShape {
            bytes_per_row: 279.0,
            numeric: 78,
            text: 1,
        },
    ),
    (
        "widest accepted: 4,096 numeric columns",
        RowShape {
            bytes_per_row: 4096.0 * 4.0,
            numeric: 4096,
            text: 0,
        },
    ),
];

/// The largest training job of `features` features that `budget` accepts (a hold-out of 25 %
/// and two fits), found by halving the step from a first guess.
fn train_rows(budget: &Budget, features: usize) -> u64 {
    let job = |rows: u64| TrainShape {
        rows,
        features,
        fits: 2,
        train_rows: rows * 3 / 4,
    };
    let (mut lo, mut hi) = (1u64, 1u64 << 40);
    // Binary search: `lo` fits, `hi` does not.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if budget.check_training(&job(mid), 0).is_ok() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

fn main() {
    let budgets = [
        ("browser worker, 4 GiB wasm memory", Budget::WASM32),
        // The CLI's default `--memory-budget`: 80 % of the available memory (`cli::memory`),
        // here all 24 GiB available; blocks of half of it.
        (
            "CLI on 24 GiB (budget 19.2 GiB)",
            Budget::with_memory(24 * GIB * 4 / 5),
        ),
    ];
    println!("| shape | features | budget | rows loaded and trained | training matrix alone |");
    println!("|---|---:|---|---:|---:|");
    for (name, shape) in SHAPES {
        for (label, budget) in &budgets {
            println!(
                "| {name} | {} | {label} | {} | {} rows |",
                shape.features(),
                thousands(budget.rows_that_fit(&shape)),
                thousands(train_rows(budget, shape.features())),
            );
        }
    }
}
