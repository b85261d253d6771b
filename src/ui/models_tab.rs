//! The Models tab (being built; this placeholder keeps the page whole meanwhile).

use leptos::prelude::*;

/// The Models tab.
#[component]
pub fn ModelsTab() -> impl IntoView {
    view! {
        <section class="empty-state" data-testid="models-tab">
            <h2>"Models"</h2>
            <p>"Models saved in this browser, and model files to import or export."</p>
        </section>
    }
}
