//! The "Labels and evaluation" card: the taxonomy, how the rows are split for scoring (hold-out,
//! by capture, k-fold × repeats) with the numbers each split reads, the seed, and the optional
//! extras (by-capture score, permutation importance, learning curve). The defaults and the check
//! are the CLI's ([`crate::job::form`]).

use leptos::prelude::*;
use web_sys::HtmlSelectElement;

use super::fields::{CheckField, TextField};
use super::taxonomy::TaxonomySelect;
use super::Settings;

/// The "Labels and evaluation" card.
#[component]
pub(super) fn EvaluationCard(
    /// The form's inputs (taxonomy, split settings, seed and extras are read here).
    settings: Settings,
) -> impl IntoView {
    view! {
        <fieldset class="card">
            <legend>"Labels and evaluation"</legend>
            <TaxonomySelect taxonomy=settings.taxonomy />
            <SplitFields settings />
            <TextField label="seed" value=settings.seed testid="train-seed" />
            <CheckField label="Also score by capture" value=settings.by_capture testid="train-by-capture"
                hint=" — group k-fold over the source files, shown beside the main score: the honest estimate for traffic from captures the model never saw (needs ≥ 2 labelled files)." />
            <CheckField label="Permutation importance" value=settings.permutation testid="train-permutation"
                hint=" — shuffles each feature 5 times on up to 5,000 test rows and measures the drop in macro-F1; runs after the fit, in the data worker (tree models re-walk only the paths a shuffle changes)." />
            <CheckField label="Learning curve" value=settings.learning_curve testid="train-learning-curve"
                hint=" — refits each model on 10, 25, 50 and 75 % of the training rows: about 1.6 fits more, after the fit, in the data worker." />
        </fieldset>
    }
}

/// The "Evaluation" list and the numbers the split chosen reads.
#[component]
fn SplitFields(
    /// The form's inputs (split kind, test size, folds, repeats).
    settings: Settings,
) -> impl IntoView {
    let Settings {
        split,
        test_size,
        folds,
        repeats,
        ..
    } = settings;
    view! {
        <label class="field">
            "Evaluation"
            <select data-testid="train-split" on:change=move |ev| split.set(event_target::<HtmlSelectElement>(&ev).value())>
                <option value="random" selected=move || split.get() == "random">"stratified hold-out (random rows)"</option>
                <option value="group" selected=move || split.get() == "group">"by capture (group k-fold over files)"</option>
                <option value="kfold" selected=move || split.get() == "kfold">"stratified k-fold × repeats"</option>
            </select>
        </label>
        {move || match split.get().as_str() {
            "random" => view! { <TextField label="test size (share)" value=test_size testid="train-test-size" /> }.into_any(),
            "group" => view! { <TextField label="folds" value=folds testid="train-folds" /> }.into_any(),
            _ => view! {
                <TextField label="folds" value=folds testid="train-folds" />
                <TextField label="repeats" value=repeats testid="train-repeats" />
            }.into_any(),
        }}
    }
}
