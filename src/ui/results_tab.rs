//! The Results tab (being built; this placeholder keeps the page whole meanwhile).

use leptos::prelude::*;

/// The Results tab.
#[component]
pub fn ResultsTab() -> impl IntoView {
    view! {
        <section class="empty-state" data-testid="results-tab">
            <h2>"Results"</h2>
            <p>"Metrics and plots of the models trained in this page."</p>
        </section>
    }
}
