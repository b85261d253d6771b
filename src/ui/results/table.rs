//! The comparison table: one row per model, one column per [`COLUMNS`] entry, the best score of
//! each column marked, the gap coloured by size.

use leptos::prelude::*;

use super::{scores, use_session};
use crate::report::format::{cell, gap_cell, model_label, Col, ModelScores, COLUMNS};
use crate::report::shape::results::{best_values, cell_class, cell_testid, header_class};

/// Model `i`'s cell in column `c`.
fn value_cell(i: usize, c: &Col, s: &ModelScores, best: Option<f64>) -> impl IntoView {
    let v = (c.get)(s);
    let testid = cell_testid(c.key, i);
    let text = if c.key == "capture_gap" {
        gap_cell(v)
    } else {
        cell(c.kind, v)
    };
    view! {
        <td class=cell_class(c.key, v, best) data-testid=testid data-value=v.map(|v| v.to_string())>{text}</td>
    }
}

/// The table of every model.
#[component]
pub(super) fn ComparisonTable() -> impl IntoView {
    let results = use_session().results;
    view! {
        <div class="scroll" tabindex="0" role="region" aria-label="Model comparison">
            <table class="table results-table" data-testid="results-table">
                <thead>
                    <tr>
                        <th scope="col">"Model"</th>
                        {COLUMNS.iter().map(|c| view! {
                            <th scope="col" class=header_class(c.key) title=c.help>{c.label}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {move || results.with(|rs| {
                        let all: Vec<ModelScores> = rs.iter().map(scores).collect();
                        let best = best_values(&all);
                        rs.iter().zip(&all).enumerate().map(|(i, (r, s))| {
                            let cells = COLUMNS.iter().zip(&best)
                                .map(|(c, b)| value_cell(i, c, s, *b))
                                .collect_view();
                            view! {
                                <tr data-testid=format!("results-row-{i}")>
                                    <th scope="row">
                                        {model_label(i, &r.info.title)}
                                        {r.diagnostics.size.clone().map(|s| view! { <div class="muted small">{s}</div> })}
                                    </th>
                                    {cells}
                                </tr>
                            }
                        }).collect_view()
                    })}
                </tbody>
            </table>
        </div>
    }
}
