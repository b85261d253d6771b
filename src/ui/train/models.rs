//! The "Models" card: one card per model of the registry ([`crate::models::registry::MODELS`])
//! with its tick box and its hyper-parameters as text, each with the hint of its table row
//! ([`crate::models::params::Param::hint`]) and checked as typed
//! ([`crate::models::registry::ModelSpec::with_values`], through [`ModelForm::spec`]).

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::job::form::ModelForm;
use crate::models::registry;
use crate::models::ModelSpec;

/// The line under a field: what the parameter does and what it accepts (from its table row).
fn hint(kind: &str, name: &str) -> String {
    registry::kind(kind)
        .ok()
        .and_then(|k| k.table.iter().find(|p| p.name == name))
        .map(|p| p.hint())
        .unwrap_or_default()
}

/// The "Models" card.
#[component]
pub(super) fn ModelsCard(
    /// Every model's form.
    forms: RwSignal<Vec<ModelForm>>,
) -> impl IntoView {
    view! {
        <fieldset class="card">
            <legend>"Models"</legend>
            <div class="model-forms">
                {move || forms.get().into_iter().enumerate().map(|(i, f)| view! { <ModelCard index=i form=f forms /> }).collect_view()}
            </div>
        </fieldset>
    }
}

/// One model: its tick box and its hyper-parameters.
#[component]
fn ModelCard(
    /// Index of the model in `forms`.
    index: usize,
    /// The model's form as it is now.
    form: ModelForm,
    /// Every model's form (updated in place).
    forms: RwSignal<Vec<ModelForm>>,
) -> impl IntoView {
    let kind = form.kind;
    let title = ModelSpec::default_for(kind).map_or("", |s| s.title());
    let error = form.spec().err();
    let invalid = error.is_some();
    let on = form.on;
    view! {
        // The tick box stands outside `<summary>`: an input inside a summary is an interactive
        // element nested in another (axe-core's nested-interactive), unreachable for screen readers.
        <div class="model-card" class:on=on class:invalid=invalid>
            <label class="check">
                <input type="checkbox" data-testid=format!("train-model-{kind}") prop:checked=on
                    on:change=move |ev| {
                        let checked = event_target::<HtmlInputElement>(&ev).checked();
                        forms.update(|f| f[index].on = checked);
                    } />
                {title}
            </label>
            <details open=on || invalid>
                <summary>{format!("{title}: hyper-parameters")}</summary>
                <div class="params">
                    {form.fields.into_iter().map(|(name, text)| view! { <ParamField index kind name text forms /> }).collect_view()}
                    <button class="link" on:click=move |_| forms.update(|f| {
                        if let Ok(k) = registry::kind(kind) {
                            f[index] = ModelForm::new(k, true);
                        }
                    })>
                        "defaults"
                    </button>
                </div>
            </details>
            {error.map(|e| view! { <p class="error small" data-testid=format!("train-{kind}-error")>{e}</p> })}
        </div>
    }
}

/// One hyper-parameter: its name, the text typed, and its hint.
#[component]
fn ParamField(
    /// Index of the model in `forms`.
    index: usize,
    /// The model's short name.
    kind: &'static str,
    /// The parameter's name.
    name: &'static str,
    /// The text typed so far.
    text: String,
    /// Every model's form (updated in place when the text changes).
    forms: RwSignal<Vec<ModelForm>>,
) -> impl IntoView {
    view! {
        <label class="field param">
            <code>{name}</code>
            <input type="text" data-testid=format!("train-{kind}-{name}") value=text
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    forms.update(|f| f[index].set(name, v));
                } />
            <small class="muted">{hint(kind, name)}</small>
        </label>
    }
}
