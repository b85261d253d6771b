//! The capture detector's table, shown beside the leakage table by Explore (the data set's scan)
//! and Results (the scan of the job's data): how well each feature alone, and all of them
//! together, tell the captures (source files) apart. Flagged features first; a checkbox shows
//! every feature.

use leptos::prelude::*;

use crate::eval::capture::{CaptureScan, FLAG_LIFT};

/// The scan as a card body: a summary sentence, then the flagged features (or every one).
#[component]
pub fn CaptureTable(
    /// The scan, or `None` when the data holds one capture.
    scan: Option<CaptureScan>,
    /// Test id prefix: the card is `{prefix}-capture`, its table `{prefix}-capture-table`, the
    /// checkbox `{prefix}-capture-all`.
    prefix: &'static str,
) -> impl IntoView {
    let show_all = RwSignal::new(false);
    let Some(scan) = scan else {
        return view! {
            <section class="card" data-testid=format!("{prefix}-capture")>
                <h2>"Features that name the capture"</h2>
                <p class="muted">"One capture (source file): nothing to tell apart. Load two or more captures to see which features name them."</p>
            </section>
        }
        .into_any();
    };
    let flagged = scan.flagged().count();
    let summary = scan.summary();
    let findings = scan.findings.clone();
    view! {
        <section class="card" data-testid=format!("{prefix}-capture")>
            <h2>"Features that name the capture"
                <span class="muted small">{format!(" — {flagged} flagged")}</span>
            </h2>
            <p class="muted small">
                "How well each input alone predicts which capture (source file) a flow came from: balanced accuracy on held-out rows, and its lift over chance (0 = chance, 1 = always right). "
                {format!("A lift of {FLAG_LIFT} or more is flagged: such a feature describes the recording more than the traffic, and a model that uses it scores well on a random split and worse on a new capture.")}
            </p>
            <p data-testid=format!("{prefix}-capture-summary")>{summary}</p>
            <label class="check">
                <input type="checkbox" data-testid=format!("{prefix}-capture-all")
                    on:change=move |ev| show_all.set(event_target_checked(&ev)) />
                " Show every feature"
            </label>
            <div class="scroll">
                <table class="table" data-testid=format!("{prefix}-capture-table")>
                    <thead>
                        <tr>
                            <th scope="col">"Feature"</th>
                            <th scope="col" class="num">"Balanced accuracy"</th>
                            <th scope="col" class="num">"Lift"</th><th scope="col">"Why"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            let all = show_all.get();
                            findings
                                .iter()
                                .filter(|f| all || f.names_capture)
                                .map(|f| view! {
                                    <tr class:warn=f.names_capture data-feature=f.feature.clone()>
                                        <th scope="row" class="mono">{if f.names_capture { "⚠ " } else { "" }}{f.feature.clone()}</th>
                                        <td class="num">{format!("{:.3}", f.balanced_accuracy)}</td>
                                        <td class="num">{format!("{:.3}", f.lift)}</td>
                                        <td>{f.message.clone()}</td>
                                    </tr>
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
