//! The form's small inputs: a labelled checkbox and a labelled text input, each bound to a signal.

use leptos::prelude::*;
use web_sys::HtmlInputElement;

/// A labelled checkbox bound to a signal, with what it means or costs after the label.
#[component]
pub(super) fn CheckField(
    /// What the box switches on.
    label: &'static str,
    /// One sentence after the label (starting with " — ").
    hint: &'static str,
    /// Ticked or not.
    value: RwSignal<bool>,
    /// `data-testid` of the checkbox.
    testid: &'static str,
) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" data-testid=testid
                prop:checked=move || value.get()
                on:change=move |ev| value.set(event_target::<HtmlInputElement>(&ev).checked()) />
            {label}
            <small class="muted">{hint}</small>
        </label>
    }
}

/// A labelled text input bound to a signal.
#[component]
pub(super) fn TextField(
    /// The label shown before the input.
    label: &'static str,
    /// The text typed.
    value: RwSignal<String>,
    /// The input's `data-testid`.
    testid: &'static str,
) -> impl IntoView {
    view! {
        <label class="field">
            {label}
            <input type="text" inputmode="decimal" data-testid=testid prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev)) />
        </label>
    }
}
