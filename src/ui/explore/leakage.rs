//! The data set's leakage scan: the split it was scored on, then the shared [`LeakageTable`].

use std::sync::Arc;

use leptos::prelude::*;

use crate::explore::Exploration;
use crate::ui::leakage::LeakageTable;

/// Columns that predict the class alone, with their numbers.
#[component]
pub(super) fn LeakagePanel(
    /// The exploration shown.
    e: Arc<Exploration>,
) -> impl IntoView {
    let l = e.leakage.clone();
    let warned = l.findings.iter().filter(|f| f.warn).count();
    let findings = l.findings.clone();
    view! {
        <section class="card" data-testid="explore-leakage">
            <h2>"Leakage warnings"
                <span class="muted small">{format!(" — {warned} columns flagged")}</span>
            </h2>
            <p class="muted small">
                "How well each column alone predicts the class (macro-F1 on held-out rows), against always guessing the majority class. "
                "A column that names the capture (an address, a port, the time) can score high without saying anything about the attack. "
                {l.split.clone()}
            </p>
            {l.note.clone().map(|n| view! { <p class="note">{n}</p> })}
            <LeakageTable findings prefix="explore" />
        </section>
    }
}
