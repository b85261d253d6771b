//! The predicted rows, paged, sorted and filtered by the worker.

use leptos::prelude::*;

use super::explain::explain_row;
use super::{fetch_rows, state, LOW_CONFIDENCE, PAGE_SIZES};
use crate::predictions::{PredictionRow, RowQuery, SortKey};
use crate::ui::use_session;
use crate::ui::Session;

/// The rows, paged by the worker.
#[component]
pub(super) fn Rows(
    /// The model's classes (the class filter).
    classes: Vec<String>,
    /// Whether the files carry labels (the true-label column and the errors filter).
    labelled: bool,
) -> impl IntoView {
    let session = use_session();
    let st = state();
    let page = RwSignal::from(st.page.clone());
    let query = RwSignal::from(st.query.clone());
    let threshold = RwSignal::from(st.threshold.clone());
    let set_query = move |f: &dyn Fn(&mut RowQuery)| {
        let mut q = query.get_untracked();
        f(&mut q);
        fetch_rows(session, q);
    };
    let sort_by = move |key: SortKey| {
        set_query(&|q: &mut RowQuery| {
            if q.sort == key {
                q.descending = !q.descending;
            } else {
                q.sort = key;
                // Confidence: least sure first is the useful default; others ascending.
                q.descending = false;
            }
            q.offset = 0;
        })
    };
    let sort_mark = move |key: SortKey| {
        let q = query.get();
        if q.sort != key {
            "none"
        } else if q.descending {
            "descending"
        } else {
            "ascending"
        }
    };
    let arrow = move |key: SortKey| match sort_mark(key) {
        "ascending" => " ▲",
        "descending" => " ▼",
        _ => "",
    };
    let class_options = classes.clone();
    let header_classes = classes.clone();
    let matching = move || page.with(|p| p.as_ref().map_or(0, |p| p.matching));
    let range = move || {
        let q = query.get();
        let m = matching();
        if m == 0 {
            "no rows match".to_string()
        } else {
            format!(
                "rows {}–{} of {}",
                q.offset + 1,
                (q.offset + q.limit).min(m),
                m
            )
        }
    };
    view! {
        <div class="card predict-rows">
            <h2>"Predictions per row"</h2>
            <div class="toolbar predict-filters">
                <label class="field inline">
                    <span>"Predicted class"</span>
                    <select data-testid="predict-filter-class" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set_query(&|q: &mut RowQuery| { q.class = (!v.is_empty()).then(|| v.clone()); q.offset = 0; });
                    }>
                        <option value="" selected=move || query.with(|q| q.class.is_none())>"all"</option>
                        {class_options.into_iter().map(|c| {
                            let c2 = c.clone();
                            let label = c.clone();
                            view! { <option value=c selected=move || query.with(|q| q.class.as_deref() == Some(c2.as_str()))>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="predict-filter-low"
                        prop:checked=move || query.with(|q| q.max_confidence.is_some())
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let t = threshold.get_untracked();
                            set_query(&|q: &mut RowQuery| { q.max_confidence = on.then_some(t); q.offset = 0; });
                        } />
                    " confidence below "
                    <input type="number" class="narrow" min="0" max="1" step="0.05" data-testid="predict-filter-threshold"
                        aria-label="Low-confidence threshold"
                        prop:value=move || threshold.get().to_string()
                        on:change=move |ev| {
                            if let Ok(t) = event_target_value(&ev).parse::<f32>() {
                                let t = t.clamp(0.0, 1.0);
                                threshold.set(t);
                                if query.with_untracked(|q| q.max_confidence.is_some()) {
                                    set_query(&|q: &mut RowQuery| { q.max_confidence = Some(t); q.offset = 0; });
                                }
                            }
                        } />
                </label>
                <label class="check" title={if labelled { "Rows whose prediction differs from their label" } else { "Needs labelled files" }}>
                    <input type="checkbox" data-testid="predict-filter-errors" disabled={!labelled}
                        prop:checked=move || query.with(|q| q.errors_only)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            set_query(&|q: &mut RowQuery| { q.errors_only = on; q.offset = 0; });
                        } />
                    " errors only"
                </label>
                <span class="muted" data-testid="predict-matching" data-value=move || matching().to_string()>{range}</span>
            </div>
            <div class="scroll" tabindex="0" role="region" aria-label="Predictions">
                <table class="table predict-table" data-testid="predict-rows">
                    <thead>
                        <tr>
                            // First, so that clicking it never scrolls the wide table sideways.
                            <th><span class="visually-hidden">"explanation"</span></th>
                            <th aria-sort=move || sort_mark(SortKey::Row)>
                                <button class="sort" data-testid="predict-sort-row" on:click=move |_| sort_by(SortKey::Row)>{move || format!("row{}", arrow(SortKey::Row))}</button>
                            </th>
                            <th>"file:line"</th>
                            <th aria-sort=move || sort_mark(SortKey::Predicted)>
                                <button class="sort" data-testid="predict-sort-predicted" on:click=move |_| sort_by(SortKey::Predicted)>{move || format!("predicted{}", arrow(SortKey::Predicted))}</button>
                            </th>
                            <th class="num" aria-sort=move || sort_mark(SortKey::Confidence)>
                                <button class="sort" data-testid="predict-sort-confidence" on:click=move |_| sort_by(SortKey::Confidence)>{move || format!("confidence{}", arrow(SortKey::Confidence))}</button>
                            </th>
                            {labelled.then(|| view! { <th>"true label"</th> })}
                            {header_classes.iter().map(|c| view! { <th class="num proba" title=format!("probability of {c}")>{format!("p({c})")}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {move || page.get().map(|p| p.rows.into_iter().map(|r| row_line(session, r, labelled)).collect_view())}
                    </tbody>
                </table>
            </div>
            <Pager query=query matching=Signal::derive(matching) />
        </div>
    }
}

/// One predicted row: its "Explain" button, position, source line, prediction, confidence,
/// label and probabilities.
fn row_line(session: Session, r: PredictionRow, labelled: bool) -> impl IntoView {
    let row = r.row;
    let wrong = r.truth.as_ref().is_some_and(|t| *t != r.predicted);
    let best = r.proba.iter().cloned().fold(f32::MIN, f32::max);
    view! {
        <tr class:wrong=wrong data-row=r.row.to_string() data-predicted=r.predicted.clone()
            data-confidence=r.confidence.to_string() data-truth=r.truth.clone().unwrap_or_default()>
            <td>
                <button class="button small" data-testid="predict-explain" title="Why this prediction: each column's contribution"
                    on:click=move |_| explain_row(session, row)>"Explain"</button>
            </td>
            <td class="num">{(r.row + 1).to_string()}</td>
            <td class="mono">{format!("{}:{}", r.file, r.line)}</td>
            <td>{r.predicted.clone()}</td>
            <td class="num" class:low={r.confidence < LOW_CONFIDENCE}>{format!("{:.3}", r.confidence)}</td>
            {labelled.then(|| view! { <td class:wrong=wrong>{r.truth.clone().unwrap_or_else(|| "—".into())}</td> })}
            {r.proba.iter().map(|&v| view! {
                <td class="num proba" class:best={v == best}>{format!("{v:.3}")}</td>
            }).collect_view()}
        </tr>
    }
}

/// Previous / next page and the page size; each change asks the worker for the page.
#[component]
fn Pager(
    /// The query the rows shown answer.
    query: RwSignal<RowQuery>,
    /// How many rows match the query.
    matching: Signal<usize>,
) -> impl IntoView {
    let session = use_session();
    let set_query = move |f: &dyn Fn(&mut RowQuery)| {
        let mut q = query.get_untracked();
        f(&mut q);
        fetch_rows(session, q);
    };
    view! {
        <div class="toolbar pager">
            <button class="button" data-testid="predict-prev"
                disabled=move || query.with(|q| q.offset == 0)
                on:click=move |_| set_query(&|q: &mut RowQuery| q.offset = q.offset.saturating_sub(q.limit))>"← Previous"</button>
            <button class="button" data-testid="predict-next"
                disabled=move || query.with(|q| q.offset + q.limit >= matching.get())
                on:click=move |_| set_query(&|q: &mut RowQuery| q.offset += q.limit)>"Next →"</button>
            <label class="field inline">
                <span>"Rows per page"</span>
                <select data-testid="predict-page-size" on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                        set_query(&|q: &mut RowQuery| { q.limit = n; q.offset = 0; });
                    }
                }>
                    {PAGE_SIZES.into_iter().map(|n| view! {
                        <option value=n.to_string() selected=move || query.with(|q| q.limit == n)>{n.to_string()}</option>
                    }).collect_view()}
                </select>
            </label>
        </div>
    }
}
