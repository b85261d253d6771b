//! The comparison of every model: the split-vs-capture explanation, the gap warning, the table
//! with its CSV and JSON downloads, the recommended model, and the grouped bars.

use leptos::prelude::*;

use super::recommendation::RecommendationBanner;
use super::table::ComparisonTable;
use super::{all_scores, download_button, save, use_session};
use crate::report::export::{comparison_csv, comparison_json};
use crate::report::format::LARGE_GAP;
use crate::report::shape::results::{comparison_bars, notable_gaps, Gap};
use crate::ui::charts::GroupedBarChart;

/// The comparison cards.
#[component]
pub(super) fn Comparison(
    /// Where a failed download says why.
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let results = use_session().results;
    let chart = Signal::derive(move || results.with(|rs| comparison_bars(&all_scores(rs))));
    let csv = move || {
        let text = results.with(|r| comparison_csv(&all_scores(r)));
        save(error, "flowlab-results.csv", "text/csv", &text)
    };
    let json = move || {
        let text = results.with(|r| comparison_json(&all_scores(r)));
        save(error, "flowlab-results.json", "application/json", &text)
    };
    view! {
        <div class="card">
            <div class="card-head">
                <h2>"Comparison"</h2>
                <span class="spacer"></span>
                {download_button("CSV", "results-csv", "Download the table as CSV", csv)}
                {download_button("JSON", "results-json", "Download the table as JSON", json)}
            </div>
            <p class="capture-explain" data-testid="results-capture-explain">
                <strong>"Split vs by capture. "</strong>
                "A random split puts flows of the same capture on both sides, so near-copies of test rows are learned; "
                "the by-capture score holds out each source file whole — closer to how a model meets a new network."
            </p>
            <GapBanner />
            <ComparisonTable />
            <RecommendationBanner />
        </div>
        <div class="card">
            <GroupedBarChart title="Metrics by model" data=chart testid="results-compare" height=340 />
        </div>
    }
}

/// The models a random split flatters: a warning for large gaps, a note for notable ones, or why
/// there is no by-capture score at all.
#[component]
fn GapBanner() -> impl IntoView {
    let results = use_session().results;
    let any_capture =
        Memo::new(move |_| results.with(|r| r.iter().any(|r| r.diagnostics.by_capture.is_some())));
    let gaps = Memo::new(move |_| results.with(|rs| notable_gaps(&all_scores(rs))));
    move || {
        let g = gaps.get();
        let large: Vec<&Gap> = g.iter().filter(|g| g.gap >= LARGE_GAP).collect();
        if !large.is_empty() {
            view! {
                <div class="banner error gap-warning" role="alert" data-testid="results-gap-warning">
                    <span class="banner-text">
                        <strong>"The random split overstates these models. "</strong>
                        {large.iter().map(|g| format!(
                            "{}: macro-F1 {:.3} on the split, {:.3} on captures it never saw (−{:.3}). ",
                            g.model, g.split, g.capture, g.gap
                        )).collect::<String>()}
                        "On new traffic, from captures it never saw, expect the by-capture number."
                    </span>
                </div>
            }
            .into_any()
        } else if !g.is_empty() {
            view! {
                <div class="banner info" data-testid="results-gap-note">
                    <span class="banner-text">
                        {g.iter().map(|g| format!(
                            "{}: {:.3} on the split vs {:.3} by capture (−{:.3}). ",
                            g.model, g.split, g.capture, g.gap
                        )).collect::<String>()}
                        "On traffic from a capture it never saw, expect the by-capture number."
                    </span>
                </div>
            }
            .into_any()
        } else if !any_capture.get() {
            view! {
                <p class="muted small" data-testid="results-no-capture">
                    "No by-capture score: it needs labelled rows from at least two source files and the Train tab's "
                    "“also score by capture” option (this data came from fewer files, or the split was already by capture)."
                </p>
            }
            .into_any()
        } else {
            ().into_any()
        }
    }
}
