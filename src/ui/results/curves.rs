//! ROC and precision-recall curves, the learning curve and the loss curve — or why each is missing.

use leptos::prelude::*;

use super::missing;
use crate::job::Diagnostics;
use crate::report::shape::results::{learning_lines, loss_lines, pr_lines, roc_lines};
use crate::ui::charts::LineChart;

/// One-vs-rest ROC and PR curves, two cards (inside the caller's grid).
#[component]
pub(super) fn RocPrCards(
    /// The model's diagnostics (its curves).
    diagnostics: Diagnostics,
) -> impl IntoView {
    let (roc, pr) = (
        roc_lines(&diagnostics.curves),
        pr_lines(&diagnostics.curves),
    );
    let why = "this model gives no class probabilities";
    view! {
        <div class="card">
            {if roc.lines.is_empty() {
                missing("results-roc", "ROC curves", why).into_any()
            } else {
                view! { <LineChart title="ROC curves (one vs rest)" data=roc testid="results-roc" height=340 /> }.into_any()
            }}
        </div>
        <div class="card">
            {if pr.lines.is_empty() {
                missing("results-pr", "Precision-recall curves", why).into_any()
            } else {
                view! { <LineChart title="Precision-recall curves (one vs rest)" data=pr testid="results-pr" height=340 /> }.into_any()
            }}
        </div>
    }
}

/// The learning and loss curves, side by side.
#[component]
pub(super) fn TrainingCurves(
    /// The model's diagnostics (learning curve, loss).
    diagnostics: Diagnostics,
) -> impl IntoView {
    let learning = diagnostics
        .learning_curve
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(learning_lines);
    let loss = loss_lines(diagnostics.loss.as_ref());
    view! {
        <div class="results-grid">
            <div class="card">
                {match learning {
                    Some(l) => view! { <LineChart title="Learning curve" data=l testid="results-learning" height=300 /> }.into_any(),
                    None => missing("results-learning", "Learning curve", "not computed: switched off in the Train tab, or no test rows").into_any(),
                }}
            </div>
            <div class="card">
                {match loss {
                    Some(l) => view! { <LineChart title="Loss curve" data=l testid="results-loss" height=300 /> }.into_any(),
                    None => missing("results-loss", "Loss curve", "recorded only for models fitted step by step (MLP, boosting, logistic regression)").into_any(),
                }}
            </div>
        </div>
    }
}
