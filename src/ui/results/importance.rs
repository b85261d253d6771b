//! Gain and permutation importance, top features as bars, every feature in the CSV; beside them
//! the mean |SHAP| per column ([`super::shap`]).

use leptos::prelude::*;

use super::shap::ShapPanel;
use super::{download_button, missing, save};
use crate::job::Diagnostics;
use crate::report::export::{importance_csv, importance_table};
use crate::report::shape::results::{permutation_bars, top_bars, TOP_FEATURES};
use crate::ui::charts::HBarChart;

/// The importance card.
#[component]
pub(super) fn ImportanceCard(
    /// The model's diagnostics (feature names, gain, permutation importance).
    diagnostics: Diagnostics,
    /// The worker's id of the model (its mean |SHAP| is asked for).
    model: u32,
    /// File name stem of the downloads.
    stem: String,
    /// Where a failed download says why.
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let d = diagnostics;
    let names = &d.feature_names;
    let gain = d
        .gain_importance
        .as_ref()
        .map(|g| top_bars(names, g, None, "share of gain"));
    let perm = d
        .permutation
        .as_ref()
        .map(|p| (permutation_bars(names, p), p.baseline_macro_f1, p.rows));
    let rows = importance_table(names, d.gain_importance.as_deref(), d.permutation.as_ref());
    let csv = move || {
        save(
            error,
            &format!("{stem}-importance.csv"),
            "text/csv",
            &importance_csv(&rows),
        )
    };
    view! {
        <div class="card">
            <div class="card-head">
                <h2>"Feature importance"</h2>
                <span class="spacer"></span>
                {download_button("CSV", "results-importance-csv", "Download every feature's importance as CSV", csv)}
            </div>
            <div class="results-grid">
                <div>
                    {match gain {
                        Some(g) => view! { <HBarChart title=format!("Gain importance (top {TOP_FEATURES})") data=g testid="results-importance" /> }.into_any(),
                        None => missing("results-importance", "Gain importance", "only tree models (decision tree, forest, boosting) measure gain").into_any(),
                    }}
                </div>
                <div>
                    {match perm {
                        Some((p, base, rows)) => view! {
                            <HBarChart title=format!("Permutation importance (top {TOP_FEATURES})") data=p testid="results-permutation" />
                            <p class="muted small">{format!("Drop in macro-F1 (baseline {base:.3}, {rows} test rows) when one feature's values are shuffled; whiskers: ± one standard deviation over repeats.")}</p>
                        }.into_any(),
                        None => missing("results-permutation", "Permutation importance", "not computed: switched off in the Train tab, or no test rows").into_any(),
                    }}
                </div>
                <div>
                    <ShapPanel model />
                </div>
            </div>
        </div>
    }
}
