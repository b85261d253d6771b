//! The class distribution: rows per class as bars and as a pie, and an imbalance note.

use std::sync::Arc;

use leptos::prelude::*;

use crate::explore::Exploration;
use crate::report::format::thousands;
use crate::report::shape::explore::{class_bars, imbalance};
use crate::ui::charts::{BarChart, PieChart};

/// Bar and pie of the classes.
#[component]
pub(super) fn ClassDistribution(
    /// The exploration shown.
    e: Arc<Exploration>,
    /// Rows with a label.
    labelled: u64,
) -> impl IntoView {
    if e.classes.is_empty() {
        return view! {
            <section class="card">
                <h2>"Class distribution"</h2>
                <p class="muted" data-testid="explore-no-labels">"No row has a label."</p>
            </section>
        }
        .into_any();
    }
    let (bars, pie) = class_bars(&e.classes);
    view! {
        <section class="card" data-testid="explore-class-distribution">
            <h2>"Class distribution"
                <span class="muted small">
                    {format!(" — {} labelled rows, {} taxonomy", thousands(labelled), e.taxonomy.name())}
                </span>
            </h2>
            {imbalance(&e.classes).map(|ratio| view! {
                <p class="note">{format!(
                    "Imbalanced: the largest class has {ratio}× the rows of the smallest. Macro-averaged scores weigh every class alike."
                )}</p>
            })}
            <div class="chart-grid">
                <BarChart title="Rows per class" data=bars testid="explore-class-bars" />
                <PieChart title="Share of each class" data=pie testid="explore-class-pie" />
            </div>
        </section>
    }
    .into_any()
}
