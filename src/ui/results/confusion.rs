//! The confusion matrix (counts or row-normalised) and the per-class scores, each with a CSV.

use leptos::prelude::*;

use super::{download_button, save};
use crate::eval::metrics::Report;
use crate::report::export::{confusion_csv, per_class_csv};
use crate::report::shape::results::{confusion_heatmap, per_class_bars};
use crate::ui::charts::{GroupedBarChart, HeatmapChart};

/// The confusion matrix as a heatmap, with the row-normalised switch and a CSV of what is shown.
#[component]
pub(super) fn ConfusionCard(
    /// The model's class names, in matrix order.
    classes: Vec<String>,
    /// `confusion[true][predicted]` counts.
    confusion: Vec<Vec<u64>>,
    /// File name stem of the downloads (`flowlab-1-dt`).
    stem: String,
    /// Where a failed download says why.
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let normalised = RwSignal::new(false);
    let heat = {
        let (classes, confusion) = (classes.clone(), confusion.clone());
        Signal::derive(move || confusion_heatmap(&classes, &confusion, normalised.get()))
    };
    let csv = move || {
        let norm = normalised.get_untracked();
        let name = format!(
            "{stem}-confusion{}.csv",
            if norm { "-normalised" } else { "" }
        );
        save(
            error,
            &name,
            "text/csv",
            &confusion_csv(&classes, &confusion, norm),
        )
    };
    view! {
        <div class="card">
            <div class="card-head">
                <label class="toggle">
                    <input type="checkbox" data-testid="results-confusion-normalise"
                        prop:checked=move || normalised.get()
                        on:change=move |ev| normalised.set(event_target_checked(&ev)) />
                    " row-normalised (recall per true class)"
                </label>
                <span class="spacer"></span>
                {download_button("CSV", "results-confusion-csv", "Download the confusion matrix as CSV", csv)}
            </div>
            <HeatmapChart title="Confusion matrix" data=heat testid="results-confusion" />
        </div>
    }
}

/// Precision, recall and F1 per class as bars, with a CSV of every per-class number.
#[component]
pub(super) fn PerClassCard(
    /// The model's class names.
    classes: Vec<String>,
    /// The model's scores.
    metrics: Report,
    /// The model's scores by capture (group k-fold over the source files), when it has them:
    /// their per-class F1 is drawn beside the split's.
    by_capture: Option<Report>,
    /// File name stem of the downloads.
    stem: String,
    /// Where a failed download says why.
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let capture = by_capture.map(|r| r.per_class);
    let bars = per_class_bars(&classes, &metrics.per_class, capture.as_deref());
    let title = if capture.is_some() {
        "Precision, recall and F1 per class; F1 by capture (on captures not trained on)"
    } else {
        "Precision, recall and F1 per class"
    };
    let csv = move || {
        save(
            error,
            &format!("{stem}-per-class.csv"),
            "text/csv",
            &per_class_csv(&classes, &metrics.per_class, capture.as_deref()),
        )
    };
    view! {
        <div class="card">
            <div class="card-head">
                <span class="spacer"></span>
                {download_button("CSV", "results-per-class-csv", "Download per-class metrics as CSV", csv)}
            </div>
            <GroupedBarChart title=title data=bars testid="results-per-class" height=320 />
        </div>
    }
}
