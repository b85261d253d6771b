//! The Data tab: load files (picker, drop, the embedded sample), watch progress, and read what was
//! loaded — files, failures, label distribution, columns and warnings.

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use super::{use_session, Banner, LoadProgress, SAMPLE_NAME};
use crate::ingest::{ColumnSummary, FileFailure, FileReport, Summary, Taxonomy, Warning};

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes in B / KiB / MiB / GiB.
fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The Data tab.
#[component]
pub fn DataTab() -> impl IntoView {
    let state = use_session().state;
    view! {
        <section class="data-tab" data-testid="data-tab">
            <Toolbar />
            {move || state.loading.get().map(|progress| view! { <ProgressBar progress /> })}
            {move || state.banner.get().map(|banner| view! { <BannerView banner /> })}
            {move || match state.summary.get() {
                Some(summary) => view! { <SummaryView summary parse_ms=state.parse_ms.get() /> }.into_any(),
                None if state.loading.with(Option::is_none) => view! {
                    <div class="empty-state" data-testid="no-data">
                        <h2>"No data loaded"</h2>
                        <p>"Drop flow files anywhere on the page, or choose them above."</p>
                    </div>
                }
                .into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}

/// File picker, sample button and taxonomy selector.
#[component]
fn Toolbar() -> impl IntoView {
    let session = use_session();
    let state = session.state;
    let on_pick = move |event: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&event);
        if let Some(files) = input.files() {
            session.load_list(&files);
        }
        // Let the same file be picked again.
        input.set_value("");
    };
    let on_taxonomy = move |event: leptos::ev::Event| {
        if let Some(t) = Taxonomy::parse(&event_target_value(&event)) {
            session.set_taxonomy(t);
        }
    };
    view! {
        <div class="toolbar">
            <label class="button primary" for="file-input">"Choose files…"</label>
            <input
                id="file-input"
                data-testid="file-input"
                class="visually-hidden"
                type="file"
                multiple
                on:change=on_pick
            />
            <button
                class="button"
                data-testid="load-sample"
                title=format!("Load the embedded sample, {SAMPLE_NAME}")
                on:click=move |_| session.load_sample()
            >
                "Load sample"
            </button>
            <span class="hint">"or drop files anywhere"</span>
            <label class="taxonomy">
                "Labels "
                <select id="taxonomy" data-testid="taxonomy" on:change=on_taxonomy>
                    {Taxonomy::ALL
                        .into_iter()
                        .map(|t| {
                            view! {
                                <option value=t.name() selected=move || state.taxonomy.get() == t>
                                    {t.name()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
        </div>
    }
}

/// The progress of the load in flight, with its Cancel button.
#[component]
fn ProgressBar(
    /// How far the load got.
    progress: LoadProgress,
) -> impl IntoView {
    let session = use_session();
    let percent = if progress.total > 0 {
        100.0 * progress.done as f64 / progress.total as f64
    } else {
        0.0
    };
    view! {
        <div class="progress" data-testid="progress" role="status">
            <div class="progress-text">
                <span>"Parsing " <strong>{progress.file.clone()}</strong></span>
                <span class="muted">
                    {format!("{} of {} ({percent:.0}%)", bytes(progress.done), bytes(progress.total))}
                </span>
            </div>
            <progress max=progress.total.max(1) value=progress.done></progress>
            <button class="button" data-testid="cancel" on:click=move |_| session.cancel()>
                "Cancel"
            </button>
        </div>
    }
}

/// An error or notice above the data (the data loaded before stays below it).
#[component]
fn BannerView(
    /// What to say.
    banner: Banner,
) -> impl IntoView {
    let state = use_session().state;
    let (class, testid, text) = match banner {
        Banner::Error(text) => ("banner error", "error", text),
        Banner::Info(text) => ("banner info", "notice", text),
    };
    let role = if testid == "error" { "alert" } else { "status" };
    view! {
        <div class=class data-testid=testid role=role>
            <span class="banner-text">{text}</span>
            <button class="dismiss" aria-label="Dismiss" on:click=move |_| state.banner.set(None)>
                "×"
            </button>
        </div>
    }
}

/// Everything about the loaded data set.
#[component]
fn SummaryView(
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
            <Warnings warnings />
            <ColumnsTable columns />
        </div>
    }
}

/// Rows per class, as a table with bars.
#[component]
fn LabelCounts(
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

/// The files that were read.
#[component]
fn FilesTable(
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
            <div class="scroll">
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
fn FailedFiles(
    /// One entry per unreadable file.
    failed: Vec<FileFailure>,
) -> impl IntoView {
    (!failed.is_empty()).then(|| {
        let items = failed
            .into_iter()
            // The message names the file already.
            .map(|f| view! { <li data-path=f.path>{f.message}</li> })
            .collect_view();
        view! {
            <section class="card failed" data-testid="failed">
                <h2>"Files not loaded"</h2>
                <ul>{items}</ul>
            </section>
        }
    })
}

/// What was skipped or treated as missing, and where.
#[component]
fn Warnings(
    /// The loader's warnings.
    warnings: Vec<Warning>,
) -> impl IntoView {
    (!warnings.is_empty()).then(|| {
        let items = warnings
            .into_iter()
            .map(|w| view! { <li><span class="count">{thousands(w.count)}</span> {w.to_string()}</li> })
            .collect_view();
        view! {
            <section class="card warnings" data-testid="warnings">
                <h2>"Warnings"</h2>
                <ul>{items}</ul>
            </section>
        }
    })
}

/// The columns of the loaded data.
#[component]
fn ColumnsTable(
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
            <div class="scroll">
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

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn numbers_are_grouped_and_sized() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(3 * 1024 * 1024), "3.0 MiB");
    }
}
