//! Histograms by class, one feature at a time, stacked counts or shares.

use std::sync::Arc;

use leptos::prelude::*;

use crate::explore::Exploration;
use crate::report::shape::explore::{class_histogram, histogram_note, histogram_option};
use crate::ui::charts::{HistogramChart, HistogramMode};

/// Histograms by class, one feature at a time.
#[component]
pub(super) fn Histograms(
    /// The exploration shown.
    e: Arc<Exploration>,
) -> impl IntoView {
    let h = Arc::new(e.histograms.clone());
    if h.features.is_empty() {
        return view! {
            <section class="card" data-testid="explore-histograms">
                <h2>"Histograms by class"</h2>
                <p class="muted">"No numeric feature column has values."</p>
            </section>
        }
        .into_any();
    }
    let chosen = RwSignal::new(0usize);
    let mode = RwSignal::new(HistogramMode::Stacked);
    let hh = h.clone();
    let data = Signal::derive(move || class_histogram(&hh, chosen.get(), mode.get()));
    let hm = h.clone();
    let missing_note = move || histogram_note(&hm, chosen.get());
    let options = h
        .features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            view! {
                <option value=i.to_string()>{histogram_option(f)}</option>
            }
        })
        .collect_view();
    let note = h.note.clone();
    let considered = h.numeric_features;
    view! {
        <section class="card" data-testid="explore-histograms">
            <h2>"Histograms by class"</h2>
            <div class="toolbar">
                <label>
                    "Feature "
                    <select
                        data-testid="explore-histogram-feature"
                        on:change=move |ev| {
                            if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                                chosen.set(i);
                            }
                        }
                    >
                        {options}
                    </select>
                </label>
                <div class="segmented" role="group" aria-label="Histogram mode">
                    <button
                        class="button small"
                        class:active=move || mode.get() == HistogramMode::Stacked
                        aria-pressed=move || (mode.get() == HistogramMode::Stacked).to_string()
                        on:click=move |_| mode.set(HistogramMode::Stacked)
                    >"Stacked counts"</button>
                    <button
                        class="button small"
                        data-testid="explore-histogram-share"
                        class:active=move || mode.get() == HistogramMode::Share
                        aria-pressed=move || (mode.get() == HistogramMode::Share).to_string()
                        on:click=move |_| mode.set(HistogramMode::Share)
                    >"Share of each class"</button>
                </div>
            </div>
            <HistogramChart title="Histogram by class" data testid="explore-histogram" height=320 />
            <p class="muted small">{missing_note}</p>
            <p class="muted small">
                {format!("Features ordered by how much they tell the classes apart; {considered} numeric feature columns. ")}
                {note}
            </p>
        </section>
    }
    .into_any()
}
