//! The capture detector's table, shown beside the leakage table by Explore (the data set's scan)
//! and Results (the scan of the job's data): how well each feature alone, and all of them
//! together, tell the captures (source files) apart. Flagged features first; a checkbox shows
//! every feature ([`FlaggedTable`], shared with the leakage table).

use leptos::prelude::*;

use crate::eval::capture::{CaptureScan, FLAG_LIFT};
use crate::ui::flagged_table::{Cell, FlaggedRow, FlaggedTable};

/// The scan as a card body: a summary sentence, then the flagged features (or every one).
#[component]
pub fn CaptureTable(
    /// The scan, or `None` when the data holds one capture.
    scan: Option<CaptureScan>,
    /// Test id prefix: the card is `{prefix}-capture`, its table `{prefix}-capture-table`, the
    /// checkbox `{prefix}-capture-all`.
    prefix: &'static str,
) -> impl IntoView {
    let Some(scan) = scan else {
        return view! {
            <section class="card" data-testid=format!("{prefix}-capture")>
                <h2>"Features that name the capture"</h2>
                <p class="muted">"One capture (source file): nothing to tell apart. Load two or more captures to see which features name them."</p>
            </section>
        }
        .into_any();
    };
    let flagged = scan.flagged().count();
    let summary = scan.summary();
    let rows = scan
        .findings
        .iter()
        .map(|f| FlaggedRow {
            name: f.feature.clone(),
            flagged: f.names_capture,
            cells: vec![
                Cell::num(f.balanced_accuracy, "num"),
                Cell::num(f.lift, "num"),
                Cell::text(f.message.clone(), ""),
            ],
        })
        .collect();
    let head = vec![
        ("Feature", ""),
        ("Balanced accuracy", "num"),
        ("Lift", "num"),
        ("Why", ""),
    ];
    view! {
        <section class="card" data-testid=format!("{prefix}-capture")>
            <h2>"Features that name the capture"
                <span class="muted small">{format!(" — {flagged} flagged")}</span>
            </h2>
            <p class="muted small">
                "How well each input alone predicts which capture (source file) a flow came from: balanced accuracy on held-out rows, and its lift over chance (0 = chance, 1 = always right). "
                {format!("A lift of {FLAG_LIFT} or more is flagged: such a feature describes the recording more than the traffic, and a model that uses it scores well on a random split and worse on a new capture.")}
            </p>
            <p data-testid=format!("{prefix}-capture-summary")>{summary}</p>
            <FlaggedTable head rows label="Features that may name the capture" all_label=" Show every feature" testid=format!("{prefix}-capture-table") />
        </section>
    }
    .into_any()
}
