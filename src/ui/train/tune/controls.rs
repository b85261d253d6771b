//! The Tune panel's inputs: model, trials, time budget, objective; Start and Cancel.

use leptos::prelude::*;
use web_sys::HtmlSelectElement;

use super::Choice;
use crate::models::registry::MODELS;

/// Model, trials, budget and objective, with Start and Cancel.
#[component]
pub(super) fn Controls(
    /// What the inputs hold.
    choice: RwSignal<Choice>,
    /// A search is running (Start disabled, Cancel enabled).
    running: RwSignal<bool>,
    /// Start pressed.
    on_start: Callback<()>,
    /// Cancel pressed.
    on_cancel: Callback<()>,
) -> impl IntoView {
    let model_now = move || choice.with(|c| c.model.clone());
    let objective_now = move || choice.with(|c| c.objective.clone());
    view! {
        <div class="tune-controls">
            <label class="field">
                "model"
                <select data-testid="tune-model" on:change=move |ev| {
                    let v = event_target::<HtmlSelectElement>(&ev).value();
                    choice.update(|c| c.model = v);
                }>
                    {MODELS.iter().map(|k| view! {
                        <option value=k.name selected=move || model_now() == k.name>{k.title}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                "trials"
                <input type="text" inputmode="numeric" data-testid="tune-trials"
                    prop:value=move || choice.with(|c| c.trials.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); choice.update(|c| c.trials = v); } />
            </label>
            <label class="field">
                "budget (seconds, optional)"
                <input type="text" inputmode="decimal" data-testid="tune-budget"
                    prop:value=move || choice.with(|c| c.budget.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); choice.update(|c| c.budget = v); } />
            </label>
            <label class="field">
                "objective"
                <select data-testid="tune-objective" on:change=move |ev| {
                    let v = event_target::<HtmlSelectElement>(&ev).value();
                    choice.update(|c| c.objective = v);
                }>
                    {[("auto", "by capture with ≥ 2 files, else k-fold"), ("by-capture", "by capture (group k-fold over files)"), ("cv", "stratified 3-fold × 2"), ("holdout", "25 % hold-out")]
                        .into_iter()
                        .map(|(v, label)| view! { <option value=v selected=move || objective_now() == v>{label}</option> })
                        .collect_view()}
                </select>
            </label>
            <button class="primary" data-testid="tune-start" disabled=move || running.get()
                on:click=move |_| on_start.run(())>
                "Start search"
            </button>
            <button data-testid="tune-cancel" disabled=move || !running.get()
                on:click=move |_| on_cancel.run(())>
                "Cancel"
            </button>
        </div>
    }
}
