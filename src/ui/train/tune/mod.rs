//! The Tune panel of the Train tab: a hyper-parameter search ([`crate::job::tune`]) of one model,
//! its rounds run in the worker pool like any training ([`crate::ui::pool::Trainer::start_round`]),
//! with its trials table, best-so-far curve and "use these settings", which writes the best
//! values into that model's fields of the form. Cancel (or the time budget) keeps the best so far.
//!
//! The search uses the form's taxonomy, features, label map and seed; it is scored by capture when
//! the data has at least two files, by repeated k-fold otherwise (or as chosen).

mod controls;
mod table;

use std::rc::Rc;

use leptos::prelude::*;

use super::{now, use_session};
use crate::eval::metrics::Report;
use crate::job::form::ModelForm;
use crate::job::tune::{Objective, TuneOptions, Tuner};
use crate::job::JobRequest;
use crate::ui::Session;
use controls::Controls;
use table::{BestSettings, TrialsTable};

/// The state of the search, shared by the panel's parts and the pool's callbacks.
#[derive(Clone, Copy)]
pub(super) struct SearchState {
    pub tuner: RwSignal<Option<Tuner>>,
    /// Rounds are being run.
    pub running: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    /// Page time (ms) when it started.
    started: StoredValue<f64>,
}

impl SearchState {
    fn new() -> Self {
        SearchState {
            tuner: RwSignal::new(None),
            running: RwSignal::new(false),
            error: RwSignal::new(None),
            started: StoredValue::new(0.0),
        }
    }
}

/// What the panel's inputs hold.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Choice {
    pub model: String,
    pub trials: String,
    pub budget: String,
    /// `auto`, `by-capture`, `cv` or `holdout`.
    pub objective: String,
}

/// The search the inputs and the form describe, or why there is none.
fn options(choice: &Choice, job: &JobRequest) -> Result<TuneOptions, String> {
    let trials: usize = choice
        .trials
        .trim()
        .parse()
        .map_err(|_| format!("trials {:?}: expected a whole number", choice.trials))?;
    let mut o = TuneOptions::new(&choice.model, trials);
    o.budget_seconds = match choice.budget.trim() {
        "" => None,
        b => Some(
            b.parse::<f64>()
                .map_err(|_| format!("budget {b:?}: expected a number of seconds"))?,
        ),
    };
    o.objective = match choice.objective.as_str() {
        "auto" => None,
        other => Some(Objective::parse(other).map_err(|e| e.to_string())?),
    };
    o.seed = job.seed;
    o.taxonomy = job.taxonomy;
    o.features = job.features.clone();
    o.label_map = job.label_map.clone();
    Ok(o)
}

/// Starts a search (the form must be valid: its taxonomy and features are the search's).
fn start(
    session: Session,
    search: SearchState,
    choice: &Choice,
    job: Result<JobRequest, Vec<String>>,
    captures: usize,
) {
    search.error.set(None);
    let made = job
        .map_err(|e| format!("fix the form first: {}", e.join("; ")))
        .and_then(|job| options(choice, &job))
        .and_then(|o| Tuner::new(o, captures).map_err(|e| e.to_string()));
    match made {
        Ok(t) => {
            search.tuner.set(Some(t));
            search.started.set_value(now());
            search.running.set(true);
            next_round(session, search);
        }
        Err(e) => search.error.set(Some(e)),
    }
}

/// Hands the next round to the pool, or ends the search.
fn next_round(session: Session, search: SearchState) {
    if !search.running.get_untracked() {
        return;
    }
    let round = search
        .tuner
        .try_update(|t| t.as_mut().and_then(Tuner::next_round))
        .flatten();
    let Some(round) = round else {
        search.running.set(false);
        return;
    };
    let trials = round.trials.clone();
    let on_scored = Rc::new(move |m: usize, result: Result<Report, String>, ms: f64| {
        scored(session, search, trials[m], result, ms)
    });
    session
        .trainer
        .start_round(session, round.request, on_scored);
}

/// A trial's result: recorded; then the budget is checked and, once the round is complete,
/// the next one starts (after the pool has gone idle).
fn scored(
    session: Session,
    search: SearchState,
    trial: usize,
    result: Result<Report, String>,
    ms: f64,
) {
    if !search.running.get_untracked() {
        return;
    }
    let elapsed = (now() - search.started.get_value()) / 1000.0;
    let state = search.tuner.try_update(|t| {
        t.as_mut().map(|t| {
            let score = result.map(|r| t.options.metric.of(&r));
            t.record(trial, score, ms / 1000.0, elapsed);
            (t.over_budget(elapsed), t.round_done())
        })
    });
    match state.flatten() {
        Some((true, _)) => cancel(session, search),
        Some((false, true)) => {
            set_timeout(
                move || next_round(session, search),
                std::time::Duration::ZERO,
            );
        }
        _ => {}
    }
}

/// Stops the search; the trials done and the best so far stay.
fn cancel(session: Session, search: SearchState) {
    if search.running.get_untracked() {
        search.running.set(false);
        session.trainer.cancel();
    }
    search.tuner.update(|t| {
        if let Some(t) = t {
            t.stop();
        }
    });
}

/// The Tune panel.
#[component]
pub(super) fn TunePanel(
    /// The request the Train form describes (its taxonomy, features and seed are the search's).
    request: Memo<Result<JobRequest, Vec<String>>>,
    /// Every model's form: "use these settings" writes into it.
    forms: RwSignal<Vec<ModelForm>>,
    /// Set while this panel's search runs in the pool (the run panel then stays hidden).
    owns_pool: RwSignal<bool>,
) -> impl IntoView {
    let session = use_session();
    let search = SearchState::new();
    let choice = RwSignal::new(Choice {
        model: "gbdt".into(),
        trials: "20".into(),
        budget: String::new(),
        objective: "auto".into(),
    });
    // A failed round (a pool worker's error) ends the search with its message.
    Effect::new(move |_| {
        let (running, error) = session.trainer.view.with(|v| (v.running, v.error.clone()));
        if search.running.get_untracked() && !running {
            if let Some(e) = error {
                search.error.set(Some(e));
                cancel(session, search);
            }
        }
    });
    let on_start = move || {
        let captures = session.state.summary.with_untracked(|s| {
            s.as_ref()
                .map_or(0, |s| s.files.iter().filter(|f| f.kept > 0).count())
        });
        owns_pool.set(true);
        start(
            session,
            search,
            &choice.get_untracked(),
            request.get_untracked(),
            captures,
        );
    };
    view! {
        <fieldset class="card tune" data-testid="tune-panel">
            <legend>"Tune"</legend>
            <p class="muted small">
                "Search a model's hyper-parameters (the ranges are in its table: docs/PARAMETERS.md): successive halving fits every trial on a ninth of the training rows first and keeps the best third for each next rung. Scored by capture when there are two or more files."
            </p>
            <Controls choice running=search.running on_start=Callback::new(move |_| on_start()) on_cancel=Callback::new(move |_| cancel(session, search)) />
            {move || search.error.get().map(|e| view! { <p class="error" role="alert" data-testid="tune-error">{e}</p> })}
            {move || search.tuner.with(|t| t.as_ref().map(|t| {
                let (done, total) = t.progress();
                view! {
                    <p data-testid="tune-progress">
                        <progress aria-label="search progress" max=total.to_string() value=done.to_string()></progress>
                        {format!(" {done} of {total} fits · objective {} {} ({}){}", t.objective.name(), t.options.metric.name(), t.split.describe(), if t.stopped { " · stopped, best so far kept" } else { "" })}
                    </p>
                }
            }))}
            <BestSettings tuner=search.tuner forms />
            <TrialsTable tuner=search.tuner />
        </fieldset>
    }
}
