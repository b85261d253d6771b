//! Pearson correlations between numeric features as a heatmap, and the strongest pairs in words.

use std::sync::Arc;

use leptos::prelude::*;

use crate::explore::Exploration;
use crate::report::format::thousands;
use crate::report::shape::explore::{correlation_heatmap, strongest_pairs};
use crate::ui::charts::HeatmapChart;

/// Pearson correlations between numeric features.
#[component]
pub(super) fn CorrelationPanel(
    /// The exploration shown.
    e: Arc<Exploration>,
) -> impl IntoView {
    let c = &e.correlation;
    if c.columns.len() < 2 {
        return view! {
            <section class="card" data-testid="explore-correlation">
                <h2>"Feature correlation"</h2>
                <p class="muted">"Fewer than two numeric feature columns: nothing to correlate."</p>
            </section>
        }
        .into_any();
    }
    // The strongest pairs, for the text below (and screen readers).
    let strongest = strongest_pairs(c);
    let heat = correlation_heatmap(c);
    let height = (c.columns.len() as u32 * 40 + 150).clamp(300, 900);
    view! {
        <section class="card" data-testid="explore-correlation">
            <h2>"Feature correlation"
                <span class="muted small">{format!(" — Pearson, {} rows", thousands(c.rows_used as u64))}</span>
            </h2>
            <HeatmapChart title="Correlation between numeric features" data=heat testid="explore-correlation-heatmap" height />
            <p class="muted small">
                "Strongest pairs: " {strongest.join(", ")} ". Grey cells: undefined (a column constant where both have values). "
                {c.note.clone()}
            </p>
        </section>
    }
    .into_any()
}
