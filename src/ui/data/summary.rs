//! The loaded data set at a glance: rows, files, classes, columns, parse time, then its tables.

use leptos::prelude::*;

use super::mapping::LabelMapCard;
use super::tables::{ColumnsTable, FailedFiles, FilesTable, Warnings};
use crate::ingest::Summary;
use crate::report::format::thousands;

/// Everything about the loaded data set.
#[component]
pub(super) fn SummaryView(
    /// The loaded data set, in the chosen taxonomy.
    summary: Summary,
    /// How long the worker took to parse it.
    parse_ms: Option<f64>,
) -> impl IntoView {
    let Summary {
        rows,
        taxonomy,
        files,
        failed,
        label_counts,
        columns,
        warnings,
    } = summary;
    let classes = label_counts.len();
    let parse = parse_ms.map(|ms| format!("{ms:.0} ms"));
    view! {
        <div class="summary" data-testid="summary">
            <div class="stats">
                <div class="stat">
                    <span class="stat-label">"Rows"</span>
                    <strong data-testid="rows" data-value=rows>{thousands(rows)}</strong>
                </div>
                <div class="stat">
                    <span class="stat-label">"Files"</span>
                    <strong data-testid="file-count">{files.len()}</strong>
                </div>
                <div class="stat">
                    <span class="stat-label">"Classes (" {taxonomy.name()} ")"</span>
                    <strong data-testid="class-count">{classes}</strong>
                </div>
                <div class="stat">
                    <span class="stat-label">"Columns"</span>
                    <strong>{columns.len()}</strong>
                </div>
                {parse.map(|p| view! {
                    <div class="stat">
                        <span class="stat-label">"Parsed in"</span>
                        <strong data-testid="parse-ms">{p}</strong>
                    </div>
                })}
            </div>
            <FailedFiles failed />
            <FilesTable files />
            <LabelCounts counts=label_counts.into_iter().collect() rows />
            <LabelMapCard />
            <Warnings warnings />
            <ColumnsTable columns />
        </div>
    }
}

/// Rows per class, as a table with bars.
#[component]
pub(super) fn LabelCounts(
    /// (label, rows) pairs, in display order.
    counts: Vec<(String, u64)>,
    /// All rows (for the shares).
    rows: u64,
) -> impl IntoView {
    let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let body = counts
        .into_iter()
        .map(|(label, n)| {
            let share = if rows > 0 {
                100.0 * n as f64 / rows as f64
            } else {
                0.0
            };
            let width = format!("width: {:.2}%", 100.0 * n as f64 / most as f64);
            let key = label.clone();
            view! {
                <tr data-label=key data-count=n>
                    <th scope="row" class="label-name">{label}</th>
                    <td class="num">{thousands(n)}</td>
                    <td class="num muted">{format!("{share:.1}%")}</td>
                    <td class="bar-cell"><div class="bar" style=width></div></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>"Label distribution"</h2>
            <table class="table" data-testid="label-counts">
                <thead>
                    <tr><th>"Label"</th><th class="num">"Rows"</th><th class="num">"Share"</th><th></th></tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </section>
    }
}
