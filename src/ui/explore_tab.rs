//! The Explore tab: what the loaded flows look like — class distribution, column statistics,
//! data quality, histograms by class, correlations and the leakage scan — computed in the data
//! worker ([`ToWorker::Explore`] → [`crate::explore::explore`]) whenever the data set or the
//! taxonomy changes, and a download of the loaded rows as CSV.

use std::cell::RefCell;
use std::sync::Arc;

use leptos::prelude::*;

use super::charts::{
    BarChart, Bars, ClassHistogram, HeatScale, Heatmap, HeatmapChart, HistogramChart,
    HistogramMode, PieChart, PieData, Series,
};
use super::download::{csv_table, save_bytes, save_text};
use super::{use_session, Tab};
use crate::explore::{format_value, ColumnStats, Exploration};
use crate::ingest::{Summary, Taxonomy};
use crate::worker::protocol::{FromWorker, ToWorker};

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

fn percent(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

fn opt(x: Option<f64>) -> String {
    x.map(format_value).unwrap_or_default()
}

thread_local! {
    /// The last exploration and what it was computed for, so that coming back to the tab does not
    /// recompute it.
    static CACHE: RefCell<Option<(Summary, Taxonomy, Arc<Exploration>)>> = const { RefCell::new(None) };
}

fn cached(summary: &Summary, taxonomy: Taxonomy) -> Option<Arc<Exploration>> {
    CACHE.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(s, t, _)| s == summary && *t == taxonomy)
            .map(|(_, _, e)| e.clone())
    })
}

/// What the tab is showing.
#[derive(Debug, Clone)]
enum View {
    /// Waiting for the worker.
    Computing,
    Ready(Arc<Exploration>),
    Failed(String),
}

/// The Explore tab.
#[component]
pub fn ExploreTab() -> impl IntoView {
    let session = use_session();
    let state = session.state;
    let shown = RwSignal::new(None::<View>);
    // The request whose reply is awaited (older replies are ignored).
    let awaiting = StoredValue::new(0u32);
    Effect::new(move |_| {
        let taxonomy = state.taxonomy.get();
        let Some(summary) = state.summary.get() else {
            shown.set(None);
            return;
        };
        if let Some(e) = cached(&summary, taxonomy) {
            shown.set(Some(View::Ready(e)));
            return;
        }
        shown.set(Some(View::Computing));
        let request = session.call(
            |request| ToWorker::Explore { request, taxonomy },
            Vec::new(),
            Vec::new(),
            move |reply, _| match reply {
                FromWorker::Explored {
                    request,
                    exploration,
                } if request == awaiting.get_value() => {
                    let e = Arc::new(*exploration);
                    CACHE.with(|c| {
                        *c.borrow_mut() = Some((summary.clone(), taxonomy, e.clone()));
                    });
                    shown.set(Some(View::Ready(e)));
                }
                FromWorker::Failed { request, message } if request == awaiting.get_value() => {
                    shown.set(Some(View::Failed(message)))
                }
                _ => {}
            },
        );
        awaiting.set_value(request);
    });

    view! {
        <section class="explore-tab" data-testid="explore-tab">
            {move || match shown.get() {
                None => view! {
                    <div class="empty-state" data-testid="explore-empty">
                        <h2>"Nothing to explore yet"</h2>
                        <p>"Load flow files (or the sample) in the Data tab; their statistics show here."</p>
                        <button class="button primary" on:click=move |_| session.goto(Tab::Data)>
                            "Go to Data"
                        </button>
                    </div>
                }
                .into_any(),
                Some(View::Computing) => view! {
                    <div class="explore-status" role="status" data-testid="explore-computing">
                        "Computing statistics of the loaded flows…"
                    </div>
                }
                .into_any(),
                Some(View::Failed(message)) => view! {
                    <div class="banner error" role="alert" data-testid="explore-error">
                        <span class="banner-text">{format!("Exploring failed: {message}")}</span>
                    </div>
                }
                .into_any(),
                Some(View::Ready(e)) => view! { <ExplorationView e /> }.into_any(),
            }}
        </section>
    }
}

/// Everything about one exploration.
#[component]
fn ExplorationView(e: Arc<Exploration>) -> impl IntoView {
    let session = use_session();
    let labelled: u64 = e.classes.iter().map(|c| c.rows).sum();
    let numeric = e.columns.iter().filter(|c| c.kind == "numeric").count();
    let on_taxonomy = move |event: leptos::ev::Event| {
        if let Some(t) = Taxonomy::parse(&event_target_value(&event)) {
            session.set_taxonomy(t);
        }
    };
    let taxonomy = e.taxonomy;
    view! {
        <div class="toolbar explore-toolbar">
            <div class="stats">
                <div class="stat">
                    <span class="stat-label">"Rows"</span>
                    <strong data-testid="explore-rows">{thousands(e.rows as u64)}</strong>
                </div>
                <div class="stat">
                    <span class="stat-label">"Classes"</span>
                    <strong data-testid="explore-classes">{e.classes.len()}</strong>
                </div>
                <div class="stat">
                    <span class="stat-label">"Columns"</span>
                    <strong>{e.columns.len()} <span class="muted">{format!(" ({numeric} numeric)")}</span></strong>
                </div>
                {(e.unlabelled > 0).then(|| view! {
                    <div class="stat">
                        <span class="stat-label">"Unlabelled"</span>
                        <strong>{thousands(e.unlabelled)}</strong>
                    </div>
                })}
            </div>
            <label class="taxonomy">
                "Labels "
                <select data-testid="explore-taxonomy" on:change=on_taxonomy>
                    {Taxonomy::ALL
                        .into_iter()
                        .map(|t| view! { <option value=t.name() selected={t == taxonomy}>{t.name()}</option> })
                        .collect_view()}
                </select>
            </label>
            <DownloadData />
        </div>
        <ClassDistribution e=e.clone() labelled />
        <ColumnTable e=e.clone() />
        <QualityPanel e=e.clone() />
        <Histograms e=e.clone() />
        <CorrelationPanel e=e.clone() />
        <LeakagePanel e />
    }
}

/// "Download loaded data (CSV)": the worker writes the rows, the page saves them.
#[component]
fn DownloadData() -> impl IntoView {
    let session = use_session();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let click = move |_| {
        busy.set(true);
        error.set(None);
        session.call(
            |request| ToWorker::ExportData { request },
            Vec::new(),
            Vec::new(),
            move |reply, bytes| match reply {
                FromWorker::Download { name, mime, .. } => {
                    busy.set(false);
                    let result = match bytes.first() {
                        Some(b) => save_bytes(&name, &mime, b),
                        None => Err("the worker sent no file".into()),
                    };
                    error.set(result.err());
                }
                FromWorker::Failed { message, .. } => {
                    busy.set(false);
                    error.set(Some(message));
                }
                _ => {}
            },
        );
    };
    view! {
        <div class="explore-download">
            <button
                class="button"
                data-testid="explore-download-data"
                title="The loaded (sampled) rows as CSV, every column as loaded"
                disabled=move || busy.get()
                on:click=click
            >
                {move || if busy.get() { "Preparing CSV…" } else { "Download loaded data (CSV)" }}
            </button>
            {move || error.get().map(|e| view! { <p class="chart-error" role="alert">{e}</p> })}
        </div>
    }
}

/// Bar and pie of the classes.
#[component]
fn ClassDistribution(e: Arc<Exploration>, labelled: u64) -> impl IntoView {
    if e.classes.is_empty() {
        return view! {
            <section class="card">
                <h2>"Class distribution"</h2>
                <p class="muted" data-testid="explore-no-labels">"No row has a label."</p>
            </section>
        }
        .into_any();
    }
    let labels: Vec<String> = e.classes.iter().map(|c| c.name.clone()).collect();
    let values: Vec<f64> = e.classes.iter().map(|c| c.rows as f64).collect();
    let bars = Bars {
        labels: labels.clone(),
        values: values.clone(),
        x_label: String::new(),
        y_label: "rows".into(),
        colored: true,
        show_values: true,
    };
    let pie = PieData { labels, values };
    let smallest = e.classes.iter().map(|c| c.rows).min().unwrap_or(0);
    let largest = e.classes.iter().map(|c| c.rows).max().unwrap_or(0);
    view! {
        <section class="card" data-testid="explore-class-distribution">
            <h2>"Class distribution"
                <span class="muted small">
                    {format!(" — {} labelled rows, {} taxonomy", thousands(labelled), e.taxonomy.name())}
                </span>
            </h2>
            {(smallest > 0 && largest / smallest >= 10).then(|| view! {
                <p class="note">{format!(
                    "Imbalanced: the largest class has {}× the rows of the smallest. Macro-averaged scores weigh every class alike.",
                    largest / smallest
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

/// Sort keys of the column table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortBy {
    File,
    Name,
    Kind,
    Role,
    Missing,
    Unique,
    Min,
    Max,
    Mean,
    Std,
}

const STATS_HEADER: [&str; 11] = [
    "column",
    "kind",
    "role",
    "present",
    "missing",
    "unique",
    "min",
    "max",
    "mean",
    "std",
    "top values",
];

fn stats_row(c: &ColumnStats) -> Vec<String> {
    vec![
        c.name.clone(),
        c.kind.clone(),
        c.role.clone(),
        c.present.to_string(),
        c.missing.to_string(),
        c.unique.to_string(),
        opt(c.min),
        opt(c.max),
        opt(c.mean),
        opt(c.std),
        c.top
            .iter()
            .map(|v| format!("{} ({})", v.value, v.rows))
            .collect::<Vec<_>>()
            .join("; "),
    ]
}

/// The per-column statistics, sortable, downloadable as CSV and JSON.
#[component]
fn ColumnTable(e: Arc<Exploration>) -> impl IntoView {
    let sort = RwSignal::new((SortBy::File, true));
    let error = RwSignal::new(None::<String>);
    let rows = e.rows.max(1) as f64;
    let columns = e.columns.clone();
    let ordered = {
        let columns = columns.clone();
        move || {
            let (key, ascending) = sort.get();
            let mut idx: Vec<usize> = (0..columns.len()).collect();
            let num = |x: Option<f64>| x.unwrap_or(f64::NEG_INFINITY);
            idx.sort_by(|&a, &b| {
                let (x, y) = (&columns[a], &columns[b]);
                let o = match key {
                    SortBy::File => a.cmp(&b),
                    SortBy::Name => x.name.to_lowercase().cmp(&y.name.to_lowercase()),
                    SortBy::Kind => x.kind.cmp(&y.kind),
                    SortBy::Role => x.role.cmp(&y.role),
                    SortBy::Missing => x.missing.cmp(&y.missing),
                    SortBy::Unique => x.unique.cmp(&y.unique),
                    SortBy::Min => num(x.min).total_cmp(&num(y.min)),
                    SortBy::Max => num(x.max).total_cmp(&num(y.max)),
                    SortBy::Mean => num(x.mean).total_cmp(&num(y.mean)),
                    SortBy::Std => num(x.std).total_cmp(&num(y.std)),
                };
                let o = o.then(a.cmp(&b));
                if ascending {
                    o
                } else {
                    o.reverse()
                }
            });
            idx
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
        let header: Vec<String> = STATS_HEADER.iter().map(|s| s.to_string()).collect();
        let body: Vec<Vec<String>> = csv_columns.iter().map(stats_row).collect();
        error.set(
            save_text(
                "column-statistics.csv",
                "text/csv",
                &csv_table(&header, &body),
            )
            .err(),
        );
    };
    let json_columns = columns.clone();
    let download_json = move |_| {
        let result = serde_json::to_string_pretty(&json_columns)
            .map_err(|e| format!("cannot write the JSON: {e}"))
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
            <div class="scroll">
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
                                    let missing = if c.missing == 0 {
                                        "0".to_string()
                                    } else {
                                        format!("{} ({})", thousands(c.missing), percent(c.missing as f64 / rows))
                                    };
                                    let top = c
                                        .top
                                        .iter()
                                        .map(|v| format!("{} ({})", v.value, thousands(v.rows)))
                                        .collect::<Vec<_>>()
                                        .join(", ");
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

/// Missing values, duplicates, constant columns, the loader's warnings.
#[component]
fn QualityPanel(e: Arc<Exploration>) -> impl IntoView {
    let q = e.quality.clone();
    let n = e.rows.max(1) as f64;
    let constant = q.constant_columns.clone();
    view! {
        <section class="card" data-testid="explore-quality">
            <h2>"Data quality"</h2>
            <div class="stats">
                <div class="stat" title="Rows equal to an earlier row in every column, label included">
                    <span class="stat-label">"Duplicate rows"</span>
                    <strong data-testid="explore-duplicates">{thousands(q.duplicate_rows)}</strong>
                </div>
                <div class="stat" title=format!("Rows equal to an earlier row in every feature column ({} columns; identifiers, ports, time and labels ignored). A random split puts such copies on both sides.", q.feature_columns.len())>
                    <span class="stat-label">"Same features"</span>
                    <strong data-testid="explore-feature-duplicates">
                        {thousands(q.duplicate_feature_rows)}
                        <span class="muted">{format!(" ({})", percent(q.duplicate_feature_rows as f64 / n))}</span>
                    </strong>
                </div>
                <div class="stat" title="Labelled rows whose feature values also occur with another class: no model can classify them all">
                    <span class="stat-label">"Conflicting labels"</span>
                    <strong data-testid="explore-conflicts">{thousands(q.conflicting_rows)}</strong>
                </div>
                <div class="stat">
                    <span class="stat-label">"Constant columns"</span>
                    <strong data-testid="explore-constant-count">{q.constant_columns.len()}</strong>
                </div>
            </div>
            {(!constant.is_empty()).then(|| view! {
                <p data-testid="explore-constant">
                    <span class="muted">"One value only (no information): "</span>
                    {constant
                        .iter()
                        .map(|c| {
                            let value = c.value.clone().map_or("empty".to_string(), |v| format!("= {v}"));
                            view! { <span class="chip">{format!("{} {value}", c.column)}</span> " " }
                        })
                        .collect_view()}
                </p>
            })}
            <div class="quality-grid">
                <div>
                    <h3>"Missing values"</h3>
                    {if q.missing.is_empty() {
                        view! { <p class="muted">"No missing values."</p> }.into_any()
                    } else {
                        view! {
                            <div class="scroll short">
                                <table class="table" data-testid="explore-missing">
                                    <thead><tr><th>"Column"</th><th class="num">"Missing"</th><th class="num">"Share"</th><th></th></tr></thead>
                                    <tbody>
                                        {q.missing
                                            .iter()
                                            .map(|m| {
                                                let width = format!("width:{:.1}%", m.share * 100.0);
                                                view! {
                                                    <tr>
                                                        <th scope="row" class="mono">{m.column.clone()}</th>
                                                        <td class="num">{thousands(m.missing)}</td>
                                                        <td class="num muted">{percent(m.share)}</td>
                                                        <td class="bar-cell"><div class="bar" style=width></div></td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                        .into_any()
                    }}
                </div>
                <div>
                    <h3>"Parse warnings"</h3>
                    {if q.warnings.is_empty() && q.failed.is_empty() {
                        view! { <p class="muted" data-testid="explore-no-warnings">"The loader read every value."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="warnings" data-testid="explore-warnings">
                                {q.failed
                                    .iter()
                                    .map(|f| view! { <li class="error-text">{format!("{}: {}", f.path, f.message)}</li> })
                                    .collect_view()}
                                {q.warnings
                                    .iter()
                                    .map(|w| view! { <li><span class="count">{thousands(w.count)}</span>" "{w.to_string()}</li> })
                                    .collect_view()}
                            </ul>
                        }
                        .into_any()
                    }}
                </div>
            </div>
        </section>
    }
}

/// Histograms by class, one feature at a time.
#[component]
fn Histograms(e: Arc<Exploration>) -> impl IntoView {
    let h = Arc::new(e.histograms.clone());
    if h.features.is_empty() {
        return view! {
            <section class="card" data-testid="explore-histograms">
                <h2>"Histograms by class"</h2>
                <p class="muted">"No numeric feature column has values."</p>
            </section>
        }
        .into_any();
    }
    let chosen = RwSignal::new(0usize);
    let mode = RwSignal::new(HistogramMode::Stacked);
    let hh = h.clone();
    let data = Signal::derive(move || {
        let f = &hh.features[chosen.get().min(hh.features.len() - 1)];
        ClassHistogram {
            edges: f.edges.clone(),
            series: hh
                .series
                .iter()
                .zip(&f.counts)
                .map(|(name, counts)| Series {
                    name: name.clone(),
                    values: counts.iter().map(|&c| c as f64).collect(),
                })
                .collect(),
            log: f.log,
            x_label: f.column.clone(),
            mode: mode.get(),
        }
    });
    let hm = h.clone();
    let missing_note = move || {
        let f = &hm.features[chosen.get().min(hm.features.len() - 1)];
        let total: u64 = f.missing.iter().sum();
        let parts: Vec<String> = hm
            .series
            .iter()
            .zip(&f.missing)
            .filter(|(_, &m)| m > 0)
            .map(|(s, m)| format!("{s} {}", thousands(*m)))
            .collect();
        let missing = if total == 0 {
            "no missing values".to_string()
        } else {
            format!(
                "{} rows without a value, not drawn ({})",
                thousands(total),
                parts.join(", ")
            )
        };
        format!(
            "Mutual information with the class: {:.3} bits; {missing}.",
            f.mutual_information
        )
    };
    let options = h
        .features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            view! {
                <option value=i.to_string()>
                    {format!("{} ({:.2} bits{})", f.column, f.mutual_information, if f.log { ", log" } else { "" })}
                </option>
            }
        })
        .collect_view();
    let note = h.note.clone();
    let considered = h.numeric_features;
    view! {
        <section class="card" data-testid="explore-histograms">
            <h2>"Histograms by class"</h2>
            <div class="toolbar">
                <label>
                    "Feature "
                    <select
                        data-testid="explore-histogram-feature"
                        on:change=move |ev| {
                            if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                                chosen.set(i);
                            }
                        }
                    >
                        {options}
                    </select>
                </label>
                <div class="segmented" role="group" aria-label="Histogram mode">
                    <button
                        class="button small"
                        class:active=move || mode.get() == HistogramMode::Stacked
                        aria-pressed=move || (mode.get() == HistogramMode::Stacked).to_string()
                        on:click=move |_| mode.set(HistogramMode::Stacked)
                    >"Stacked counts"</button>
                    <button
                        class="button small"
                        data-testid="explore-histogram-share"
                        class:active=move || mode.get() == HistogramMode::Share
                        aria-pressed=move || (mode.get() == HistogramMode::Share).to_string()
                        on:click=move |_| mode.set(HistogramMode::Share)
                    >"Share of each class"</button>
                </div>
            </div>
            <HistogramChart title="Histogram by class" data testid="explore-histogram" height=320 />
            <p class="muted small">{missing_note}</p>
            <p class="muted small">
                {format!("Features ordered by how much they tell the classes apart; {considered} numeric feature columns. ")}
                {note}
            </p>
        </section>
    }
    .into_any()
}

/// Pearson correlations between numeric features.
#[component]
fn CorrelationPanel(e: Arc<Exploration>) -> impl IntoView {
    let c = &e.correlation;
    if c.columns.len() < 2 {
        return view! {
            <section class="card" data-testid="explore-correlation">
                <h2>"Feature correlation"</h2>
                <p class="muted">"Fewer than two numeric feature columns: nothing to correlate."</p>
            </section>
        }
        .into_any();
    }
    // The strongest pairs, for the text below (and screen readers).
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for i in 0..c.columns.len() {
        for j in i + 1..c.columns.len() {
            if let Some(r) = c.values[i][j] {
                pairs.push((r, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    let strongest: Vec<String> = pairs
        .iter()
        .take(5)
        .map(|&(r, i, j)| format!("{} ~ {} ({r:+.2})", c.columns[i], c.columns[j]))
        .collect();
    let heat = Heatmap {
        rows: c.columns.clone(),
        columns: c.columns.clone(),
        values: c.values.clone(),
        scale: HeatScale::Diverging,
        show_values: true,
        decimals: 2,
        x_label: String::new(),
        y_label: String::new(),
    };
    let height = (c.columns.len() as u32 * 40 + 150).clamp(300, 900);
    view! {
        <section class="card" data-testid="explore-correlation">
            <h2>"Feature correlation"
                <span class="muted small">{format!(" — Pearson, {} rows", thousands(c.rows_used as u64))}</span>
            </h2>
            <HeatmapChart title="Correlation between numeric features" data=heat testid="explore-correlation-heatmap" height />
            <p class="muted small">
                "Strongest pairs: " {strongest.join(", ")} ". Grey cells: undefined (a column constant where both have values). "
                {c.note.clone()}
            </p>
        </section>
    }
    .into_any()
}

/// Columns that predict the class alone, with their numbers.
#[component]
fn LeakagePanel(e: Arc<Exploration>) -> impl IntoView {
    let l = e.leakage.clone();
    let show_all = RwSignal::new(false);
    let warned = l.findings.iter().filter(|f| f.warn).count();
    let findings = l.findings.clone();
    view! {
        <section class="card" data-testid="explore-leakage">
            <h2>"Leakage warnings"
                <span class="muted small">{format!(" — {warned} columns flagged")}</span>
            </h2>
            <p class="muted small">
                "How well each column alone predicts the class (macro-F1 on held-out rows), against always guessing the majority class. "
                "A column that names the capture (an address, a port, the time) can score high without saying anything about the attack. "
                {l.split.clone()}
            </p>
            {l.note.clone().map(|n| view! { <p class="note">{n}</p> })}
            {(!findings.is_empty()).then(|| view! {
                <label class="check">
                    <input type="checkbox" data-testid="explore-leakage-all" on:change=move |ev| show_all.set(event_target_checked(&ev)) />
                    " Show every column"
                </label>
                <div class="scroll">
                    <table class="table" data-testid="explore-leakage-table">
                        <thead>
                            <tr>
                                <th>"Column"</th><th>"Role"</th><th class="num">"Alone macro-F1"</th>
                                <th class="num">"Majority class"</th><th class="num">"Distinct"</th><th>"Why"</th>
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
            })}
        </section>
    }
}
