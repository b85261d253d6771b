//! One model in depth: its facts and whole-result JSON, then the cards of the other components,
//! the leakage findings on its test rows and the capture detector's scan.

use leptos::prelude::*;

use super::confusion::{ConfusionCard, PerClassCard};
use super::curves::{RocPrCards, TrainingCurves};
use super::importance::ImportanceCard;
use super::tree::TreeCard;
use super::{download_button, save};
use crate::eval::leakage::Finding;
use crate::report::export::leakage_csv;
use crate::report::format::model_label;
use crate::ui::capture::CaptureTable;
use crate::ui::leakage::LeakageTable;
use crate::worker::protocol::TrainedResult;

/// Every card about one model.
#[component]
pub(super) fn ModelDetail(
    /// The model's place in the results (for its label and file names).
    index: usize,
    /// The model.
    r: TrainedResult,
    /// Where a failed download says why.
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let stem = format!("flowlab-{}-{}", index + 1, r.info.kind);
    let classes = r.info.classes.clone();
    let metrics = r.info.meta.metrics.clone();
    let d = r.diagnostics.clone();
    view! {
        <div class="results-detail" data-testid="results-detail">
            <Facts index r=r.clone() stem=stem.clone() error />
            <div class="results-grid">
                <ConfusionCard classes=classes.clone() confusion=metrics.confusion.clone() stem=stem.clone() error />
                <PerClassCard classes=classes.clone() metrics by_capture=d.by_capture.clone() stem=stem.clone() error />
                <RocPrCards diagnostics=d.clone() />
            </div>
            <ImportanceCard diagnostics=d.clone() model=r.info.id stem=stem.clone() error />
            <TrainingCurves diagnostics=d.clone() />
            <TreeCard tree=d.tree.clone() classes kind=r.info.kind.clone() />
            <LeakageCard findings=r.info.meta.leakage.clone() stem error />
            <CaptureTable scan=d.capture.clone() prefix="results" />
        </div>
    }
}

/// The model's facts: split, rows, features, classes, seed, size, times, both macro-F1s.
#[component]
fn Facts(
    /// The model's place in the results.
    index: usize,
    /// The model.
    r: TrainedResult,
    /// File name stem of the downloads.
    stem: String,
    /// Where a failed download says why.
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let meta = r.info.meta.clone();
    let d = &r.diagnostics;
    let title = model_label(index, &r.info.title);
    let capture = d.by_capture.as_ref().map(|c| c.macro_f1);
    let size = d.size.clone().unwrap_or_else(|| "—".into());
    let classes = format!("{} ({})", r.info.classes.len(), r.info.taxonomy.name());
    let fit = format!("{:.2} s / {:.2} s", r.cpu_ms / 1000.0, r.wall_ms / 1000.0);
    let scoring = format!("{:.2} s", r.assemble_ms / 1000.0);
    let features = r.info.features.len();
    let whole_json = move || match serde_json::to_string_pretty(&r) {
        Ok(text) => save(
            error,
            &format!("{stem}-result.json"),
            "application/json",
            &text,
        ),
        Err(e) => error.set(Some(format!("cannot write the result as JSON: {e}"))),
    };
    view! {
        <div class="card">
            <div class="card-head">
                <h2>{title}</h2>
                <span class="spacer"></span>
                {download_button("JSON", "results-model-json", "Download everything about this model as JSON", whole_json)}
            </div>
            <dl class="facts" data-testid="results-facts">
                <div><dt>"Split"</dt><dd data-testid="results-split">{meta.split.clone()}</dd></div>
                <div><dt>"Train / test rows"</dt><dd>{format!("{} / {}", meta.train_rows, meta.test_rows)}</dd></div>
                <div><dt>"Duplicates removed"</dt><dd>{meta.duplicates_removed}</dd></div>
                <div><dt>"Features"</dt><dd>{features}</dd></div>
                <div><dt>"Classes"</dt><dd>{classes}</dd></div>
                <div><dt>"Seed"</dt><dd>{meta.request.seed}</dd></div>
                <div><dt>"Size"</dt><dd data-testid="results-size">{size}</dd></div>
                <div><dt>"Fit (CPU / wall)"</dt><dd>{fit}</dd></div>
                <div><dt>"Scoring"</dt><dd>{scoring}</dd></div>
                <div class="f1-split"><dt>"Macro-F1 (split)"</dt><dd>{format!("{:.4}", meta.metrics.macro_f1)}</dd></div>
                <div class="f1-capture"><dt>"Macro-F1 (by capture)"</dt><dd>{capture.map_or("not available".into(), |c| format!("{c:.4}"))}</dd></div>
            </dl>
        </div>
    }
}

/// The leakage findings on the model's test rows, with their CSV.
#[component]
fn LeakageCard(
    /// The findings saved with the model.
    findings: Vec<Finding>,
    /// File name stem of the downloads.
    stem: String,
    /// Where a failed download says why.
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let warned = findings.iter().filter(|f| f.warn).count();
    let csv = {
        let findings = findings.clone();
        move || {
            save(
                error,
                &format!("{stem}-leakage.csv"),
                "text/csv",
                &leakage_csv(&findings),
            )
        }
    };
    view! {
        <div class="card" data-testid="results-leakage">
            <div class="card-head">
                <h2>"Leakage findings"
                    <span class="muted small">{format!(" — {warned} columns flagged")}</span>
                </h2>
                <span class="spacer"></span>
                {(!findings.is_empty()).then(|| download_button("CSV", "results-leakage-csv", "Download the leakage findings as CSV", csv))}
            </div>
            {if findings.is_empty() {
                view! { <p class="muted">"No column predicts the label on its own better than the majority-class baseline."</p> }.into_any()
            } else {
                view! {
                    <p class="muted small">"Each column alone, as a lookup from its value to the label, scored on the test rows. A column far above the baseline may name the capture rather than the behaviour."</p>
                    <LeakageTable findings prefix="results" />
                }.into_any()
            }}
        </div>
    }
}
