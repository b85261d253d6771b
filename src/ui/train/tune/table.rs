//! The search's results: the best settings with "use these settings", the best-so-far curve and
//! the trials table (shaped by [`crate::report::shape::tune`]).

use leptos::prelude::*;

use crate::job::form::ModelForm;
use crate::job::tune::Tuner;
use crate::models::params::shown;
use crate::report::plot::Lines;
use crate::report::shape::tune::{best_curve, trial_rows};
use crate::ui::charts::LineChart;

/// The best trial's settings and the button that writes them into the model's form.
#[component]
pub(super) fn BestSettings(
    /// The search (none before the first start).
    tuner: RwSignal<Option<Tuner>>,
    /// Every model's form.
    forms: RwSignal<Vec<ModelForm>>,
) -> impl IntoView {
    let applied = RwSignal::new(false);
    let best = move || {
        tuner.with(|t| {
            t.as_ref().and_then(|t| {
                t.best().map(|b| {
                    let values: Vec<(String, String)> = t
                        .options
                        .fixed
                        .iter()
                        .chain(&b.values)
                        .map(|(k, v)| (k.clone(), shown(v)))
                        .collect();
                    (
                        t.options.model.clone(),
                        b.id,
                        b.score().unwrap_or(f64::NAN),
                        values,
                    )
                })
            })
        })
    };
    let apply = move |_| {
        if let Some((model, _, _, values)) = best() {
            forms.update(|f| {
                if let Some(form) = f.iter_mut().find(|f| f.kind == model) {
                    for (k, v) in values {
                        form.set(&k, v);
                    }
                    form.on = true;
                }
            });
            applied.set(true);
        }
    };
    move || {
        best().map(|(model, id, score, values)| {
            let text = values
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ");
            view! {
                <div class="tune-best" data-testid="tune-best">
                    <p>
                        {format!("best so far: trial {id}, score {score:.4} — ")}
                        <code data-testid="tune-best-settings">{text}</code>
                    </p>
                    <button data-testid="tune-apply" on:click=apply>
                        {format!("use these settings ({model})")}
                    </button>
                    {move || applied.get().then(|| view! { <span class="muted small" data-testid="tune-applied">" written into the Models card below"</span> })}
                    <LineChart title="Best score so far, on the largest share of rows reached (it can drop when a new rung starts on more rows)" data=Signal::derive(move || tuner.with(|t| t.as_ref().map(best_curve).unwrap_or_else(Lines::default))) testid="tune-curve" height=220 />
                </div>
            }
        })
    }
}

/// Every trial run so far: settings, rows and score per rung, time; best first.
#[component]
pub(super) fn TrialsTable(
    /// The search (none before the first start).
    tuner: RwSignal<Option<Tuner>>,
) -> impl IntoView {
    move || {
        let rows = tuner.with(|t| t.as_ref().map(trial_rows).unwrap_or_default());
        (!rows.is_empty()).then(|| {
            view! {
                <table class="tune-trials" data-testid="tune-trials-table">
                    <thead><tr><th>"trial"</th><th>"rows and score per rung"</th><th>"score"</th><th>"time"</th><th>"settings"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| view! {
                            <tr class:best=r.best data-testid="tune-trial-row">
                                <td>{r.id}</td>
                                <td>{r.rungs}</td>
                                <td title=r.error.clone().unwrap_or_default()>{r.score}</td>
                                <td>{r.time}</td>
                                <td><code>{r.settings}</code></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
        })
    }
}
