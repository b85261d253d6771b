//! The Train tab: label taxonomy, features (leak-flagged ones off by default), models and their
//! hyper-parameters (validated as they are typed), the evaluation and a seed; then training in
//! the worker pool with progress and time left per model, and Cancel; and the Tune panel, a
//! hyper-parameter search of one model in the same pool (`tune/`).
//!
//! The form's values live in [`Settings`] (one signal per input); what they mean — the
//! [`JobRequest`] or the list of what is wrong — is plain Rust ([`crate::job::form`]).

mod actions;
mod features;
mod fields;
mod models;
mod run;
mod split;
mod taxonomy;
mod tune;

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::use_session;
use crate::ingest::{Summary, Taxonomy};
use crate::job::form::{ModelForm, TrainForm};
use crate::job::JobRequest;
use actions::{Actions, FormErrors};
use features::FeaturesCard;
use models::ModelsCard;
use run::RunPanel;
use split::EvaluationCard;
use tune::TunePanel;

/// Every input of the form, one signal each.
#[derive(Clone, Copy)]
struct Settings {
    forms: RwSignal<Vec<ModelForm>>,
    taxonomy: RwSignal<Taxonomy>,
    /// `random`, `group` or `kfold`.
    split: RwSignal<String>,
    test_size: RwSignal<String>,
    folds: RwSignal<String>,
    repeats: RwSignal<String>,
    seed: RwSignal<String>,
    by_capture: RwSignal<bool>,
    permutation: RwSignal<bool>,
    learning_curve: RwSignal<bool>,
    engineered: RwSignal<bool>,
    /// The time of day as an input (off by default: it names the capture).
    time_of_day: RwSignal<bool>,
    /// Feature or port column → switched on (ports start off: they often name the capture).
    columns: RwSignal<BTreeMap<String, bool>>,
}

impl Settings {
    /// The form's first values ([`TrainForm::default`]: the defaults the CLI shares) with the
    /// taxonomy the Data tab shows.
    fn new(taxonomy: Taxonomy) -> Self {
        let f = TrainForm::default();
        Settings {
            forms: RwSignal::new(f.models),
            taxonomy: RwSignal::new(taxonomy),
            split: RwSignal::new(f.split),
            test_size: RwSignal::new(f.test_size),
            folds: RwSignal::new(f.folds),
            repeats: RwSignal::new(f.repeats),
            seed: RwSignal::new(f.seed),
            by_capture: RwSignal::new(f.by_capture),
            permutation: RwSignal::new(f.permutation),
            learning_curve: RwSignal::new(f.learning_curve),
            engineered: RwSignal::new(f.engineered),
            time_of_day: RwSignal::new(f.time_of_day),
            columns: RwSignal::new(f.columns),
        }
    }

    /// The values now (tracked), with the data's port columns.
    fn form(&self, summary: Option<&Summary>) -> TrainForm {
        TrainForm {
            models: self.forms.get(),
            taxonomy: self.taxonomy.get(),
            split: self.split.get(),
            test_size: self.test_size.get(),
            folds: self.folds.get(),
            repeats: self.repeats.get(),
            seed: self.seed.get(),
            by_capture: self.by_capture.get(),
            permutation: self.permutation.get(),
            learning_curve: self.learning_curve.get(),
            engineered: self.engineered.get(),
            time_of_day: self.time_of_day.get(),
            columns: self.columns.get(),
            ports: summary.map(features::ports).unwrap_or_default(),
            has_data: summary.is_some(),
        }
    }
}

/// Page time in milliseconds.
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The Train tab.
#[component]
pub fn TrainTab() -> impl IntoView {
    let session = use_session();
    let summary = session.state.summary;
    let settings = Settings::new(session.state.taxonomy.get_untracked());
    // The request the form describes, or every problem with it.
    let request = Memo::new(move |_| -> Result<JobRequest, Vec<String>> {
        summary.with(|s| settings.form(s.as_ref())).request()
    });
    let running = Memo::new(move |_| session.trainer.view.with(|v| v.running));
    // Set while the Tune panel's search has the pool; a training started from the form clears it.
    let tune_owns_pool = RwSignal::new(false);
    // A clock for "time left" while training.
    let tick = RwSignal::new(now());
    let clock = set_interval_with_handle(
        move || {
            if running.get_untracked() {
                tick.set(now());
            }
        },
        std::time::Duration::from_millis(500),
    )
    .ok();
    on_cleanup(move || {
        if let Some(h) = clock {
            h.clear();
        }
    });

    view! {
        <section class="train-tab" data-testid="train-tab">
            {move || summary.with(Option::is_none).then(|| view! {
                <div class="empty-state" data-testid="train-empty">
                    <h2>"No data loaded"</h2>
                    <p>"Load labelled flows in the Data tab (the sample loads by itself), then come back."</p>
                </div>
            })}
            <div class="train-grid">
                <EvaluationCard settings />
                <FeaturesCard engineered=settings.engineered time_of_day=settings.time_of_day columns=settings.columns />
            </div>
            <ModelsCard forms=settings.forms />
            <Actions request running tune_owns_pool />
            <FormErrors request />
            {move || (!tune_owns_pool.get()).then(|| view! { <RunPanel tick /> })}
            <TunePanel request forms=settings.forms owns_pool=tune_owns_pool />
        </section>
    }
}
