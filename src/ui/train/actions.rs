//! Under the form: Train and Cancel, the number of workers and how their warm-up went, and the
//! list of what is wrong with the form (Train stays disabled while there is any).

use leptos::prelude::*;

use super::use_session;
use crate::job::scheduler::WarmUp;
use crate::job::JobRequest;

/// The warm-up of the workers' code, in words (empty before it starts).
fn warm_up_note(w: &WarmUp) -> String {
    match w {
        WarmUp::NotStarted => String::new(),
        WarmUp::Running => "· warming up the models' code…".to_string(),
        WarmUp::Done(ms) => format!("· models' code warmed up in {ms:.0} ms"),
        WarmUp::Failed(e) => {
            format!("· warm-up failed ({e}); training works, its first fits are slower")
        }
        WarmUp::Closed => "· idle workers closed; the next training starts fresh ones".to_string(),
    }
}

/// Train, Cancel, workers and warm-up.
#[component]
pub(super) fn Actions(
    /// The request the form describes, or what is wrong with it.
    request: Memo<Result<JobRequest, Vec<String>>>,
    /// A run is in progress.
    running: Memo<bool>,
    /// Set while the Tune panel's search has the pool; Train clears it (its run is then shown).
    tune_owns_pool: RwSignal<bool>,
) -> impl IntoView {
    let session = use_session();
    let trainer = session.trainer;
    let view_state = trainer.view;
    let start = move |_| {
        if let Ok(job) = request.get_untracked() {
            tune_owns_pool.set(false);
            trainer.start(session, job);
        }
    };
    view! {
        <div class="train-actions">
            <button class="primary" data-testid="train-start"
                disabled=move || request.with(Result::is_err) || running.get()
                on:click=start>
                "Train"
            </button>
            <button data-testid="train-cancel" disabled=move || !running.get() on:click=move |_| trainer.cancel()>
                "Cancel"
            </button>
            <span class="muted" data-testid="train-workers">
                {move || format!("{} worker(s) on this machine", view_state.with(|v| v.workers))}
            </span>
            <span class="muted small" data-testid="train-warm-up">
                {move || view_state.with(|v| warm_up_note(&v.warm_up))}
            </span>
        </div>
    }
}

/// What is wrong with the form, as a list (nothing when it is fine).
#[component]
pub(super) fn FormErrors(
    /// The request the form describes, or what is wrong with it.
    request: Memo<Result<JobRequest, Vec<String>>>,
) -> impl IntoView {
    move || {
        request.get().err().map(|errors| {
            view! {
                <ul class="form-errors" data-testid="train-errors" role="alert">
                    {errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                </ul>
            }
        })
    }
}
