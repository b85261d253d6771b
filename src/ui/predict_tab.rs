//! The Predict tab (being built; this placeholder keeps the page whole meanwhile).

use leptos::prelude::*;

/// The Predict tab.
#[component]
pub fn PredictTab() -> impl IntoView {
    view! {
        <section class="empty-state" data-testid="predict-tab">
            <h2>"Predict"</h2>
            <p>"Label new flow files with a trained model."</p>
        </section>
    }
}
