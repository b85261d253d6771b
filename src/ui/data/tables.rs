//! The Data tab's tables: files read, files that failed, loader warnings, columns.

use leptos::prelude::*;

use crate::ingest::{ColumnSummary, FileFailure, FileReport, Warning};
use crate::report::format::{bytes, thousands};

/// The files that were read.
#[component]
pub(super) fn FilesTable(
    /// One report per file read.
    files: Vec<FileReport>,
) -> impl IntoView {
    let body = files
        .into_iter()
        .map(|f| {
            let key = f.path.clone();
            view! {
                <tr data-path=key>
                    <th scope="row" class="path">{f.path}</th>
                    <td>{f.format.name()}</td>
                    <td class="num">{thousands(f.rows)}</td>
                    <td class="num">{thousands(f.skipped)}</td>
                    <td class="num">{thousands(f.kept)}</td>
                    <td class="num">{bytes(f.bytes)}</td>
                    <td>{f.label_column.unwrap_or_else(|| "—".into())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>"Files"</h2>
            <div class="scroll" tabindex="0" role="region" aria-label="Files">
                <table class="table" data-testid="files">
                    <thead>
                        <tr>
                            <th>"File"</th><th>"Format"</th><th class="num">"Rows"</th>
                            <th class="num">"Skipped"</th><th class="num">"Kept"</th>
                            <th class="num">"Size"</th><th>"Label column"</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        </section>
    }
}

/// Files that could not be read (the others loaded).
#[component]
pub(super) fn FailedFiles(
    /// One entry per unreadable file.
    failed: Vec<FileFailure>,
) -> impl IntoView {
    let items = failed
        .into_iter()
        // The message names the file already.
        .map(|f| view! { <li data-path=f.path>{f.message}</li> })
        .collect::<Vec<_>>();
    list_card("failed", "Files not loaded", items)
}

/// What was skipped or treated as missing, and where.
#[component]
pub(super) fn Warnings(
    /// The loader's warnings.
    warnings: Vec<Warning>,
) -> impl IntoView {
    let items = warnings
        .into_iter()
        .map(|w| view! { <li><span class="count">{thousands(w.count)}</span> {w.to_string()}</li> })
        .collect::<Vec<_>>();
    list_card("warnings", "Warnings", items)
}

/// A card titled `title` listing `items`, or nothing when there are none; `name` is both its
/// class and its `data-testid`.
fn list_card<V: IntoView + 'static>(
    name: &'static str,
    title: &'static str,
    items: Vec<V>,
) -> Option<impl IntoView> {
    (!items.is_empty()).then(|| {
        view! {
            <section class=format!("card {name}") data-testid=name>
                <h2>{title}</h2>
                <ul>{items.into_iter().collect_view()}</ul>
            </section>
        }
    })
}

/// The columns of the loaded data.
#[component]
pub(super) fn ColumnsTable(
    /// One entry per column.
    columns: Vec<ColumnSummary>,
) -> impl IntoView {
    let body = columns
        .into_iter()
        .map(|c| {
            let distinct = c.distinct.map_or_else(|| "—".to_string(), thousands);
            let key = c.name.clone();
            view! {
                <tr data-column=key>
                    <th scope="row" class="path">{c.name}</th>
                    <td><span class=format!("chip kind-{}", c.kind)>{c.kind.clone()}</span></td>
                    <td><span class=format!("chip role-{}", c.role)>{c.role.clone()}</span></td>
                    <td class="num">{thousands(c.missing)}</td>
                    <td class="num">{distinct}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>"Columns"</h2>
            <div class="scroll" tabindex="0" role="region" aria-label="Columns">
                <table class="table" data-testid="columns">
                    <thead>
                        <tr>
                            <th>"Column"</th><th>"Kind"</th><th>"Role"</th>
                            <th class="num">"Missing"</th><th class="num">"Distinct"</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        </section>
    }
}
