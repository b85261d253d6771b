//! The per-column statistics: a sortable table, downloadable as CSV and JSON.

use std::sync::Arc;

use leptos::prelude::*;

use crate::explore::Exploration;
use crate::report::export::{column_stats_csv, column_stats_json};
use crate::report::format::{opt_value as opt, thousands};
use crate::report::shape::explore::{missing_cell, sort_columns, top_values, SortBy};
use crate::ui::download::save_text;

/// The per-column statistics, sortable, downloadable as CSV and JSON.
#[component]
pub(super) fn ColumnTable(
    /// The exploration shown.
    e: Arc<Exploration>,
) -> impl IntoView {
    let sort = RwSignal::new((SortBy::File, true));
    let error = RwSignal::new(None::<String>);
    let rows = e.rows;
    let columns = e.columns.clone();
    let ordered = {
        let columns = columns.clone();
        move || {
            let (key, ascending) = sort.get();
            sort_columns(&columns, key, ascending)
        }
    };
    let header = move |label: &'static str, key: SortBy, numeric: bool| {
        let aria = move || match sort.get() {
            (k, true) if k == key => "ascending",
            (k, false) if k == key => "descending",
            _ => "none",
        };
        view! {
            <th class:num=numeric aria-sort=aria scope="col">
                <button
                    class="sort"
                    title=format!("Sort by {label}")
                    on:click=move |_| sort.update(|(k, asc)| {
                        if *k == key {
                            *asc = !*asc;
                        } else {
                            *k = key;
                            *asc = !numeric;
                        }
                    })
                >
                    {label}
                    <span class="sort-mark" aria-hidden="true">
                        {move || match sort.get() {
                            (k, true) if k == key => "▲",
                            (k, false) if k == key => "▼",
                            _ => "",
                        }}
                    </span>
                </button>
            </th>
        }
    };
    let csv_columns = columns.clone();
    let download_csv = move |_| {
        let text = column_stats_csv(&csv_columns);
        error.set(save_text("column-statistics.csv", "text/csv", &text).err());
    };
    let json_columns = columns.clone();
    let download_json = move |_| {
        let result = column_stats_json(&json_columns)
            .and_then(|text| save_text("column-statistics.json", "application/json", &text));
        error.set(result.err());
    };
    view! {
        <section class="card" data-testid="explore-columns">
            <div class="card-head">
                <h2>"Column statistics"</h2>
                <div class="card-actions">
                    <button class="button small" data-testid="explore-stats-csv" on:click=download_csv>"CSV"</button>
                    <button class="button small" data-testid="explore-stats-json" on:click=download_json>"JSON"</button>
                </div>
            </div>
            {move || error.get().map(|e| view! { <p class="chart-error" role="alert">{e}</p> })}
            <div class="scroll" tabindex="0" role="region" aria-label="Column statistics">
                <table class="table stats-table" data-testid="explore-stats-table">
                    <thead>
                        <tr>
                            {header("Column", SortBy::Name, false)}
                            {header("Kind", SortBy::Kind, false)}
                            {header("Role", SortBy::Role, false)}
                            {header("Missing", SortBy::Missing, true)}
                            {header("Unique", SortBy::Unique, true)}
                            {header("Min", SortBy::Min, true)}
                            {header("Max", SortBy::Max, true)}
                            {header("Mean", SortBy::Mean, true)}
                            {header("Std", SortBy::Std, true)}
                            <th scope="col">"Top values"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            ordered()
                                .into_iter()
                                .map(|i| {
                                    let c = &columns[i];
                                    let missing = missing_cell(c.missing, rows);
                                    let top = top_values(c);
                                    view! {
                                        <tr data-column=c.name.clone()>
                                            <th scope="row" class="mono">{c.name.clone()}</th>
                                            <td>{c.kind.clone()}</td>
                                            <td><span class=format!("chip role-{}", c.role)>{c.role.clone()}</span></td>
                                            <td class="num" data-field="missing">{missing}</td>
                                            <td class="num" data-field="unique">{thousands(c.unique)}</td>
                                            <td class="num" data-field="min">{opt(c.min)}</td>
                                            <td class="num" data-field="max">{opt(c.max)}</td>
                                            <td class="num" data-field="mean">{opt(c.mean)}</td>
                                            <td class="num" data-field="std">{opt(c.std)}</td>
                                            <td class="top-values">{top}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
