//! Data quality: duplicates, conflicting labels, constant columns, missing values, the loader's
//! warnings.

use std::sync::Arc;

use leptos::prelude::*;

use crate::explore::Exploration;
use crate::report::format::{percent, thousands};

/// Missing values, duplicates, constant columns, the loader's warnings.
#[component]
pub(super) fn QualityPanel(
    /// The exploration shown.
    e: Arc<Exploration>,
) -> impl IntoView {
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
                            <div class="scroll short" tabindex="0" role="region" aria-label="Missing values">
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
