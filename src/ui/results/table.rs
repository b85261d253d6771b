//! The comparison table: one row per model, one column per [`COLUMNS`] entry, the best score of
//! each column marked, the gap coloured by size.

use leptos::prelude::*;

use super::{scores, use_session};
use crate::report::format::{
    cell, gap_cell, model_label, Col, Kind, ModelScores, COLUMNS, LARGE_GAP, NOTABLE_GAP,
};

/// A header cell's class.
fn header_class(key: &str) -> &'static str {
    match key {
        "macro_f1" => "num f1-split",
        "capture_macro_f1" | "capture_gap" => "num f1-capture",
        _ => "num",
    }
}

/// A body cell's class: the column's, the gap's size, and `best` when it holds the column's best.
fn cell_class(key: &str, v: Option<f64>, best: Option<f64>) -> String {
    let mut class = String::from("num");
    match key {
        "macro_f1" => class.push_str(" f1-split"),
        "capture_macro_f1" => class.push_str(" f1-capture"),
        "capture_gap" => {
            class.push_str(" f1-capture");
            match v {
                Some(g) if g >= LARGE_GAP => class.push_str(" gap-large"),
                Some(g) if g >= NOTABLE_GAP => class.push_str(" gap-notable"),
                _ => {}
            }
        }
        _ => {}
    }
    if v.is_some() && v == best {
        class.push_str(" best");
    }
    class
}

/// The best value of each score column (none for the gap, or with fewer than two models).
fn best_values(rs: &[ModelScores]) -> Vec<Option<f64>> {
    COLUMNS
        .iter()
        .map(|c| {
            if c.kind != Kind::Score || c.key == "capture_gap" || rs.len() < 2 {
                return None;
            }
            rs.iter().filter_map(|r| (c.get)(r)).reduce(f64::max)
        })
        .collect()
}

/// Model `i`'s cell in column `c`.
fn value_cell(i: usize, c: &Col, s: &ModelScores, best: Option<f64>) -> impl IntoView {
    let v = (c.get)(s);
    let testid = match c.key {
        "capture_macro_f1" => format!("results-capture-f1-{i}"),
        "capture_gap" => format!("results-gap-{i}"),
        key => format!("results-{}-{i}", key.replace('_', "-")),
    };
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
        <div class="scroll">
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
