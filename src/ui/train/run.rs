//! The run: per model, its progress, status and time (spent, and left while fitting); the error
//! if the run failed; and "See results" once a model is trained. The cells' text is plain Rust
//! ([`crate::report::format`]).

use leptos::prelude::*;

use super::use_session;
use crate::report::format::{progress_share, progress_time, status_label};
use crate::ui::pool::{ModelProgress, Status};
use crate::ui::Tab;

/// Progress of the run: per model, with time left; the error if it failed.
#[component]
pub(super) fn RunPanel(
    /// Page time, updated twice a second while training (for time left).
    tick: RwSignal<f64>,
) -> impl IntoView {
    let session = use_session();
    let run = session.trainer.view;
    view! {
        {move || {
            let v = run.get();
            (!v.models.is_empty() && (v.running || !v.stage.is_empty())).then(|| {
                let t = tick.get();
                view! {
                    <div class="card run" data-testid="train-run">
                        <p data-testid="train-stage">{v.stage.clone()}</p>
                        {v.error.clone().map(|e| view! { <p class="error" role="alert" data-testid="train-error">{e}</p> })}
                        <table class="progress-table">
                            <thead><tr><th>"model"</th><th>"progress"</th><th>"status"</th><th>"time"</th></tr></thead>
                            <tbody>
                                {v.models.iter().enumerate().map(|(i, m)| view! { <ProgressRow index=i m=m.clone() now=t /> }).collect_view()}
                            </tbody>
                        </table>
                        {(!v.running && v.models.iter().any(|m| m.status == Status::Done)).then(|| view! {
                            <button class="primary" data-testid="train-see-results" on:click=move |_| session.goto(Tab::Results)>
                                "See results"
                            </button>
                        })}
                    </div>
                }
            })
        }}
    }
}

/// One model's progress row.
#[component]
fn ProgressRow(
    /// The model's position in the run.
    index: usize,
    /// Its progress.
    m: ModelProgress,
    /// Page time now.
    now: f64,
) -> impl IntoView {
    let share = progress_share(&m);
    let (status, class) = status_label(&m.status);
    let time = progress_time(&m, now);
    view! {
        <tr data-testid=format!("train-progress-{index}")>
            <td>{m.title.clone()}</td>
            <td>
                <progress max="1" value=share.to_string()></progress>
                {format!(" {:.0} %", share * 100.0)}
                {m.loss.map(|l| format!(" · loss {l:.4}"))}
            </td>
            <td class=class data-testid=format!("train-status-{index}")>{status}</td>
            <td>{time}</td>
        </tr>
    }
}
