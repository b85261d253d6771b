//! The leakage table, shown by Explore (the data set's scan) and by Results (the model's test
//! rows): how well each column alone predicts the class, against the majority-class baseline.
//! Flagged columns first; a checkbox shows every column ([`FlaggedTable`]).

use leptos::prelude::*;

use crate::eval::leakage::Finding;
use crate::report::format::thousands;
use crate::ui::flagged_table::{Cell, FlaggedRow, FlaggedTable};

/// The findings as a table: the flagged ones, or every one once the checkbox is ticked.
#[component]
pub fn LeakageTable(
    /// The findings, in the detector's order.
    findings: Vec<Finding>,
    /// Test id prefix: the table is `{prefix}-leakage-table`, the checkbox `{prefix}-leakage-all`.
    prefix: &'static str,
) -> impl IntoView {
    if findings.is_empty() {
        return ().into_any();
    }
    let rows = findings
        .iter()
        .map(|f| FlaggedRow {
            name: f.column.clone(),
            flagged: f.warn,
            cells: vec![
                Cell {
                    text: f.role.clone(),
                    class: "",
                    chip: Some(format!("chip role-{}", f.role)),
                },
                Cell::num(f.alone_macro_f1, "num"),
                Cell::num(f.baseline_macro_f1, "num muted"),
                Cell::text(thousands(f.distinct as u64), "num"),
                Cell::text(f.message.clone(), ""),
            ],
        })
        .collect();
    let head = vec![
        ("Column", ""),
        ("Role", ""),
        ("Alone macro-F1", "num"),
        ("Majority class", "num"),
        ("Distinct", "num"),
        ("Why", ""),
    ];
    view! {
        <FlaggedTable head rows label="Columns that may leak the label" all_label=" Show every column" testid=format!("{prefix}-leakage-table") />
    }
    .into_any()
}
