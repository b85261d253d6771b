//! The "Features" card: engineered features on or off, the time of day (off: it may leak), and
//! one switch per feature column. Port
//! columns are flagged "may leak" and start off — a port often names the capture, and a model that
//! uses it learns the capture, not the attack.

use std::collections::BTreeMap;

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use super::fields::CheckField;
use super::use_session;
use crate::ingest::Summary;

/// The data's port columns.
pub(super) fn ports(summary: &Summary) -> Vec<String> {
    summary
        .columns
        .iter()
        .filter(|c| c.role == "port")
        .map(|c| c.name.clone())
        .collect()
}

/// The switchable columns and how they start: features on, ports off.
fn first_switches(summary: &Summary) -> BTreeMap<String, bool> {
    summary
        .columns
        .iter()
        .filter(|c| c.role == "feature" || c.role == "port")
        .map(|c| (c.name.clone(), c.role == "feature"))
        .collect()
}

/// The "Features" card.
#[component]
pub(super) fn FeaturesCard(
    /// Engineered features on.
    engineered: RwSignal<bool>,
    /// The time of day as an input.
    time_of_day: RwSignal<bool>,
    /// Column → switched on; reset whenever another data set is loaded.
    columns: RwSignal<BTreeMap<String, bool>>,
) -> impl IntoView {
    let summary = use_session().state.summary;
    Effect::new(move |_| {
        columns.set(summary.with(|s| s.as_ref().map(first_switches).unwrap_or_default()));
    });
    view! {
        <fieldset class="card">
            <legend>"Features"</legend>
            <CheckField label="Engineered features" value=engineered testid="train-engineered"
                hint=" — bytes per packet, byte and packet rates, originator shares, Zeek history letters." />
            <CheckField label="Time of day (may leak)" value=time_of_day testid="train-time-of-day"
                hint=" — hour_of_day from the timestamp. Off by default: each capture was recorded at its own hours, so the clock names the capture." />
            <p class="muted small">"Identifiers (addresses, uid), timestamps and labels are never inputs. Ports start off: a port often names the capture, and a model that uses it learns the capture, not the attack."</p>
            <div class="column-toggles" data-testid="train-columns">
                {move || columns.get().into_iter().map(|(name, on)| view! { <ColumnSwitch name on columns /> }).collect_view()}
            </div>
        </fieldset>
    }
}

/// One column's switch, with "may leak" on ports.
#[component]
fn ColumnSwitch(
    /// The column.
    name: String,
    /// Switched on now.
    on: bool,
    /// Every column's switch (updated in place).
    columns: RwSignal<BTreeMap<String, bool>>,
) -> impl IntoView {
    let summary = use_session().state.summary;
    let is_port = summary.with(|s| {
        s.as_ref()
            .is_some_and(|s| s.columns.iter().any(|c| c.name == name && c.role == "port"))
    });
    let key = name.clone();
    view! {
        <label class="check column" class:leaky=is_port>
            <input type="checkbox" data-testid=format!("train-col-{name}") prop:checked=on
                on:change=move |ev| {
                    let on = event_target::<HtmlInputElement>(&ev).checked();
                    columns.update(|c| { c.insert(key.clone(), on); });
                } />
            {name.clone()}
            {is_port.then(|| view! { <span class="badge warn" title="may leak: often identifies the capture">"may leak"</span> })}
        </label>
    }
}
