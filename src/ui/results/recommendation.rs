//! The recommended model and why, under the comparison table; and a warning when every model's
//! by-capture score is near always predicting the most common class
//! ([`crate::report::shape::recommend`] makes the sentences).

use leptos::prelude::*;

use super::use_session;
use crate::report::format::model_label;
use crate::report::shape::recommend::{majority_baseline, recommend, Candidate, Recommendation};
use crate::worker::protocol::TrainedResult;

/// The recommendation over the trained models, if there are any.
fn recommendation(results: &[TrainedResult]) -> Option<Recommendation> {
    let candidates: Vec<Candidate> = results
        .iter()
        .enumerate()
        .map(|(i, r)| Candidate {
            name: model_label(i, &r.info.title),
            split_f1: r.info.meta.metrics.macro_f1,
            capture_f1: r.diagnostics.by_capture.as_ref().map(|c| c.macro_f1),
            fit_ms: r.cpu_ms,
            predict_rows_per_s: r.predict_rows_per_s,
            model_bytes: (r.model_bytes > 0).then_some(r.model_bytes),
        })
        .collect();
    // Every model's by-capture folds hold out the same rows: the first report's classes serve.
    let baseline = results
        .iter()
        .find_map(|r| r.diagnostics.by_capture.as_ref())
        .and_then(majority_baseline);
    recommend(&candidates, baseline)
}

/// "Recommended: …" with the numbers behind it, and the near-baseline warning.
#[component]
pub(super) fn RecommendationBanner() -> impl IntoView {
    let results = use_session().results;
    let r = Memo::new(move |_| results.with(|rs| recommendation(rs)));
    move || {
        r.get().map(|r| {
            view! {
                <div class="banner info recommendation" data-testid="results-recommendation" data-model=r.model>
                    <span class="banner-text">
                        <strong>"Recommended: "</strong>
                        {r.why}
                    </span>
                </div>
                {r.warning.map(|w| view! {
                    <div class="banner error" role="alert" data-testid="results-baseline-warning">
                        <span class="banner-text">{w}</span>
                    </div>
                })}
            }
        })
    }
}
