//! The label taxonomy the models are trained on: as in the file, attack families, benign /
//! malicious, or malware family.

use leptos::prelude::*;
use web_sys::HtmlSelectElement;

use crate::ingest::Taxonomy;

/// What each taxonomy is called in the list.
fn label(t: Taxonomy) -> &'static str {
    match t {
        Taxonomy::Raw => "as in the file",
        Taxonomy::Attack => "attack families",
        Taxonomy::Binary => "benign / malicious",
        Taxonomy::Family => "malware family",
    }
}

/// The taxonomy's id as serialised (`raw`, `attack`, `binary`, `family`).
fn id(t: Taxonomy) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The "Label taxonomy" list.
#[component]
pub(super) fn TaxonomySelect(
    /// The taxonomy chosen.
    taxonomy: RwSignal<Taxonomy>,
) -> impl IntoView {
    view! {
        <label class="field">
            "Label taxonomy"
            <select data-testid="train-taxonomy"
                on:change=move |ev| {
                    let v = event_target::<HtmlSelectElement>(&ev).value();
                    taxonomy.set(Taxonomy::parse(&v).unwrap_or_default());
                }>
                {Taxonomy::ALL.into_iter().map(|t| view! {
                    <option value=id(t) selected=move || taxonomy.get() == t>{label(t)}</option>
                }).collect_view()}
            </select>
        </label>
    }
}
