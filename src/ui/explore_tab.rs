//! The Explore tab (being built; this placeholder keeps the page whole meanwhile).

use leptos::prelude::*;

/// The Explore tab.
#[component]
pub fn ExploreTab() -> impl IntoView {
    view! {
        <section class="empty-state" data-testid="explore-tab">
            <h2>"Explore"</h2>
            <p>"Distributions and correlations of the loaded flows, per class."</p>
        </section>
    }
}
