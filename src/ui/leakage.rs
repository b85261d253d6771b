//! The leakage table, shown by Explore (the data set's scan) and by Results (the model's test
//! rows): how well each column alone predicts the class, against the majority-class baseline.
//! Flagged columns first; a checkbox shows every column.

use leptos::prelude::*;

use crate::eval::leakage::Finding;
use crate::report::format::thousands;

/// The findings as a table: the flagged ones, or every one once the checkbox is ticked.
#[component]
pub fn LeakageTable(
    /// The findings, in the detector's order.
    findings: Vec<Finding>,
    /// Test id prefix: the table is `{prefix}-leakage-table`, the checkbox `{prefix}-leakage-all`.
    prefix: &'static str,
) -> impl IntoView {
    let show_all = RwSignal::new(false);
    if findings.is_empty() {
        return ().into_any();
    }
    view! {
        <label class="check">
            <input type="checkbox" data-testid=format!("{prefix}-leakage-all")
                on:change=move |ev| show_all.set(event_target_checked(&ev)) />
            " Show every column"
        </label>
        <div class="scroll">
            <table class="table" data-testid=format!("{prefix}-leakage-table")>
                <thead>
                    <tr>
                        <th scope="col">"Column"</th><th scope="col">"Role"</th>
                        <th scope="col" class="num">"Alone macro-F1"</th>
                        <th scope="col" class="num">"Majority class"</th>
                        <th scope="col" class="num">"Distinct"</th><th scope="col">"Why"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let all = show_all.get();
                        findings
                            .iter()
                            .filter(|f| all || f.warn)
                            .map(|f| view! {
                                <tr class:warn=f.warn data-column=f.column.clone()>
                                    <th scope="row" class="mono">{if f.warn { "⚠ " } else { "" }}{f.column.clone()}</th>
                                    <td><span class=format!("chip role-{}", f.role)>{f.role.clone()}</span></td>
                                    <td class="num">{format!("{:.3}", f.alone_macro_f1)}</td>
                                    <td class="num muted">{format!("{:.3}", f.baseline_macro_f1)}</td>
                                    <td class="num">{thousands(f.distinct as u64)}</td>
                                    <td>{f.message.clone()}</td>
                                </tr>
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
