//! The Train tab: label taxonomy, features (leak-flagged ones off by default), models and their
//! hyper-parameters (validated as they are typed), the evaluation and a seed; then training in
//! the worker pool with progress and time left per model, and Cancel.

use std::collections::BTreeMap;

use leptos::prelude::*;
use web_sys::{HtmlInputElement, HtmlSelectElement};

use super::pool::{ModelProgress, Status, WarmUp};
use super::{use_session, Tab};
use crate::eval::split::{self, SplitKind};
use crate::features::FeatureOptions;
use crate::ingest::Taxonomy;
use crate::job::JobRequest;
use crate::models::params::shown;
use crate::models::registry::{self, ModelKind, MODELS};
use crate::models::ModelSpec;

/// The editable fields of one model, in its parameter table's order, edited as text (JSON, or a
/// bare name such as `Sqrt`).
#[derive(Debug, Clone, PartialEq)]
struct ModelForm {
    kind: &'static str,
    on: bool,
    /// Parameter name → text typed.
    fields: Vec<(&'static str, String)>,
}

impl ModelForm {
    fn new(kind: &'static ModelKind, on: bool) -> Self {
        let defaults = (kind.default)().values();
        let fields = kind
            .table
            .iter()
            .map(|p| (p.name, defaults.get(p.name).map(shown).unwrap_or_default()))
            .collect();
        ModelForm {
            kind: kind.name,
            on,
            fields,
        }
    }

    /// The spec the fields describe, or what is wrong with them (checked against the table).
    fn spec(&self) -> Result<ModelSpec, String> {
        ModelSpec::with_values(self.kind, &self.fields).map_err(|e| e.to_string())
    }
}

/// The line under a field: what the parameter does and what it accepts (from its table row).
fn hint(kind: &str, name: &str) -> String {
    registry::kind(kind)
        .ok()
        .and_then(|k| k.table.iter().find(|p| p.name == name))
        .map(|p| p.hint())
        .unwrap_or_default()
}

/// Minutes and seconds.
fn duration(ms: f64) -> String {
    let s = (ms / 1000.0).max(0.0);
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format!("{} min {:02} s", (s / 60.0) as u64, (s % 60.0) as u64)
    }
}

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
    let forms = RwSignal::new(
        MODELS
            .iter()
            .map(|k| ModelForm::new(k, k.on_by_default))
            .collect::<Vec<_>>(),
    );
    let taxonomy = RwSignal::new(session.state.taxonomy.get_untracked());
    let split = RwSignal::new("random".to_string());
    // The defaults the CLI shares (`eval::split`).
    let test_size = RwSignal::new(split::DEFAULT_TEST_SIZE.to_string());
    let folds = RwSignal::new(split::DEFAULT_FOLDS.to_string());
    let repeats = RwSignal::new(split::DEFAULT_REPEATS.to_string());
    let seed = RwSignal::new(split::DEFAULT_SEED.to_string());
    let by_capture = RwSignal::new(true);
    let permutation = RwSignal::new(true);
    let learning_curve = RwSignal::new(true);
    let engineered = RwSignal::new(true);
    // Column → switched on; ports start off (they often name the capture).
    let columns: RwSignal<BTreeMap<String, bool>> = RwSignal::new(BTreeMap::new());
    Effect::new(move |_| {
        let cols = summary.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.columns
                        .iter()
                        .filter(|c| c.role == "feature" || c.role == "port")
                        .map(|c| (c.name.clone(), c.role == "feature"))
                        .collect::<BTreeMap<_, _>>()
                })
                .unwrap_or_default()
        });
        columns.set(cols);
    });

    // The request the form describes, or every problem with it.
    let request = Memo::new(move |_| -> Result<JobRequest, Vec<String>> {
        let mut errors = Vec::new();
        let mut models = Vec::new();
        forms.with(|forms| {
            for f in forms.iter().filter(|f| f.on) {
                match f.spec() {
                    Ok(s) => models.push(s),
                    Err(e) => errors.push(format!("{}: {e}", f.kind)),
                }
            }
        });
        if models.is_empty() && errors.is_empty() {
            errors.push("choose at least one model".into());
        }
        let num = |s: &RwSignal<String>, name: &str, errors: &mut Vec<String>| -> f64 {
            s.get().trim().parse::<f64>().unwrap_or_else(|_| {
                errors.push(format!("{name}: expected a number"));
                f64::NAN
            })
        };
        let kind = split.get();
        let share = if kind == "random" {
            num(&test_size, "test size", &mut errors)
        } else {
            split::DEFAULT_TEST_SIZE
        };
        let count = |s: &RwSignal<String>, name: &str, errors: &mut Vec<String>| -> usize {
            s.get().trim().parse::<usize>().unwrap_or_else(|_| {
                errors.push(format!("{name}: expected a whole number"));
                0
            })
        };
        let (n_folds, n_repeats) = match kind.as_str() {
            "random" => (split::DEFAULT_FOLDS, split::DEFAULT_REPEATS),
            "group" => (count(&folds, "folds", &mut errors), split::DEFAULT_REPEATS),
            _ => (
                count(&folds, "folds", &mut errors),
                count(&repeats, "repeats", &mut errors),
            ),
        };
        // The one check the CLI and the job share; only reported when the numbers parsed.
        let checked = SplitKind::from_parts(&kind, share, n_folds, n_repeats);
        if errors.is_empty() {
            if let Err(e) = &checked {
                errors.push(e.to_string());
            }
        }
        let split = checked.unwrap_or_default();
        let seed = seed.get().trim().parse::<u64>().unwrap_or_else(|_| {
            errors.push("seed: expected a whole number ≥ 0".into());
            0
        });
        if summary.with(Option::is_none) {
            errors.push("load data first (Data tab)".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let (mut include_ports, mut exclude) = (false, Vec::new());
        let ports: Vec<String> = summary.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.columns
                        .iter()
                        .filter(|c| c.role == "port")
                        .map(|c| c.name.clone())
                        .collect()
                })
                .unwrap_or_default()
        });
        columns.with(|cols| {
            for (name, &on) in cols {
                if ports.contains(name) && on {
                    include_ports = true;
                } else if !on {
                    exclude.push(name.clone());
                }
            }
        });
        // Ports switched off are excluded by name once any port is switched on.
        let mut job = JobRequest::new(models);
        job.taxonomy = taxonomy.get();
        job.split = split;
        job.seed = seed;
        job.by_capture = by_capture.get();
        job.permutation = permutation.get();
        job.learning_curve = learning_curve.get();
        job.features = FeatureOptions {
            include_ports,
            engineered: engineered.get(),
            exclude_columns: exclude,
            ..FeatureOptions::default()
        };
        Ok(job)
    });

    let trainer = session.trainer;
    let view_state = trainer.view;
    let running = Memo::new(move |_| view_state.with(|v| v.running));
    let start = move |_| {
        if let Ok(job) = request.get_untracked() {
            trainer.start(session, job);
        }
    };
    // A clock for "time left" while training.
    let tick = RwSignal::new(now());
    let clock = leptos::prelude::set_interval_with_handle(
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
                <fieldset class="card">
                    <legend>"Labels and evaluation"</legend>
                    <label class="field">
                        "Label taxonomy"
                        <select data-testid="train-taxonomy"
                            on:change=move |ev| {
                                let v = event_target::<HtmlSelectElement>(&ev).value();
                                taxonomy.set(match v.as_str() {
                                    "attack" => Taxonomy::Attack,
                                    "binary" => Taxonomy::Binary,
                                    _ => Taxonomy::Raw,
                                });
                            }>
                            {Taxonomy::ALL.into_iter().map(|t| {
                                let id = serde_json::to_value(t).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                                let label = match t {
                                    Taxonomy::Raw => "as in the file",
                                    Taxonomy::Attack => "attack families",
                                    Taxonomy::Binary => "benign / malicious",
                                };
                                view! { <option value=id.clone() selected=move || taxonomy.get() == t>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        "Evaluation"
                        <select data-testid="train-split" on:change=move |ev| split.set(event_target::<HtmlSelectElement>(&ev).value())>
                            <option value="random" selected=move || split.get() == "random">"stratified hold-out (random rows)"</option>
                            <option value="group" selected=move || split.get() == "group">"by capture (group k-fold over files)"</option>
                            <option value="kfold" selected=move || split.get() == "kfold">"stratified k-fold × repeats"</option>
                        </select>
                    </label>
                    {move || match split.get().as_str() {
                        "random" => view! { <TextField label="test size (share)" value=test_size testid="train-test-size" /> }.into_any(),
                        "group" => view! { <TextField label="folds" value=folds testid="train-folds" /> }.into_any(),
                        _ => view! {
                            <TextField label="folds" value=folds testid="train-folds" />
                            <TextField label="repeats" value=repeats testid="train-repeats" />
                        }.into_any(),
                    }}
                    <TextField label="seed" value=seed testid="train-seed" />
                    <CheckField label="Also score by capture" value=by_capture testid="train-by-capture"
                        hint=" — group k-fold over the source files, shown beside the main score: the honest estimate for traffic from captures the model never saw (needs ≥ 2 labelled files)." />
                    <CheckField label="Permutation importance" value=permutation testid="train-permutation"
                        hint=" — shuffles each feature 5 times on up to 5,000 test rows and measures the drop in macro-F1; runs after the fit, in the data worker (tree models re-walk only the paths a shuffle changes)." />
                    <CheckField label="Learning curve" value=learning_curve testid="train-learning-curve"
                        hint=" — refits each model on 10, 25, 50 and 75 % of the training rows: about 1.6 fits more, after the fit, in the data worker." />
                </fieldset>
                <fieldset class="card">
                    <legend>"Features"</legend>
                    <CheckField label="Engineered features" value=engineered testid="train-engineered"
                        hint=" — bytes per packet, byte and packet rates, originator shares, Zeek history letters, hour of day." />
                    <p class="muted small">"Identifiers (addresses, uid), timestamps and labels are never inputs. Ports start off: a port often names the capture, and a model that uses it learns the capture, not the attack."</p>
                    <div class="column-toggles" data-testid="train-columns">
                        {move || columns.get().into_iter().map(|(name, on)| {
                            let is_port = summary.with(|s| s.as_ref().is_some_and(|s| s.columns.iter().any(|c| c.name == name && c.role == "port")));
                            let key = name.clone();
                            view! {
                                <label class="check column" class:leaky=is_port>
                                    <input type="checkbox" data-testid=format!("train-col-{name}") prop:checked=on
                                        on:change=move |ev| {
                                            let on = event_target::<HtmlInputElement>(&ev).checked();
                                            columns.update(|c| { c.insert(key.clone(), on); });
                                        } />
                                    {name.clone()}
                                    {is_port.then(|| view! { <span class="badge warn" title="may leak: often identifies the capture">"may leak"</span> })}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
            </div>
            <fieldset class="card">
                <legend>"Models"</legend>
                <div class="model-forms">
                    {move || forms.get().into_iter().enumerate().map(|(i, f)| view! { <ModelCard index=i form=f forms /> }).collect_view()}
                </div>
            </fieldset>
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
                    {move || view_state.with(|v| match &v.warm_up {
                        WarmUp::NotStarted => String::new(),
                        WarmUp::Running => "· warming up the models' code…".to_string(),
                        WarmUp::Done(ms) => format!("· models' code warmed up in {ms:.0} ms"),
                        WarmUp::Failed(e) => format!("· warm-up failed ({e}); training works, its first fits are slower"),
                        WarmUp::Closed => "· idle workers closed; the next training starts fresh ones".to_string(),
                    })}
                </span>
            </div>
            {move || request.get().err().map(|errors| view! {
                <ul class="form-errors" data-testid="train-errors" role="alert">
                    {errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                </ul>
            })}
            <RunPanel tick />
        </section>
    }
}

/// A labelled checkbox bound to a signal, with what it means or costs after the label.
#[component]
fn CheckField(
    /// What the box switches on.
    label: &'static str,
    /// One sentence after the label (starting with " — ").
    hint: &'static str,
    value: RwSignal<bool>,
    /// `data-testid` of the checkbox.
    testid: &'static str,
) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" data-testid=testid
                prop:checked=move || value.get()
                on:change=move |ev| value.set(event_target::<HtmlInputElement>(&ev).checked()) />
            {label}
            <small class="muted">{hint}</small>
        </label>
    }
}

/// A labelled text input bound to a signal.
#[component]
fn TextField(
    /// The label shown before the input.
    label: &'static str,
    /// The text typed.
    value: RwSignal<String>,
    /// The input's `data-testid`.
    testid: &'static str,
) -> impl IntoView {
    view! {
        <label class="field">
            {label}
            <input type="text" inputmode="decimal" data-testid=testid prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev)) />
        </label>
    }
}

/// One model: its tick box and its hyper-parameters.
#[component]
fn ModelCard(
    /// Index of the model in `forms`.
    index: usize,
    /// The model's form as it is now.
    form: ModelForm,
    /// Every model's form (updated in place).
    forms: RwSignal<Vec<ModelForm>>,
) -> impl IntoView {
    let kind = form.kind;
    let title = ModelSpec::default_for(kind).map_or("", |s| s.title());
    let error = form.spec().err();
    let invalid = error.is_some();
    let on = form.on;
    view! {
        <details class="model-card" class:on=on class:invalid=invalid open=on || invalid>
            <summary>
                <label class="check" on:click=|ev| ev.stop_propagation()>
                    <input type="checkbox" data-testid=format!("train-model-{kind}") prop:checked=on
                        on:change=move |ev| {
                            let checked = event_target::<HtmlInputElement>(&ev).checked();
                            forms.update(|f| f[index].on = checked);
                        } />
                    {title}
                </label>
            </summary>
            <div class="params">
                {form.fields.into_iter().map(|(name, text)| {
                    let key = name;
                    view! {
                        <label class="field param">
                            <code>{name}</code>
                            <input type="text" data-testid=format!("train-{kind}-{name}") value=text
                                on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    forms.update(|f| {
                                        if let Some(field) = f[index].fields.iter_mut().find(|(n, _)| *n == key) {
                                            field.1 = v;
                                        }
                                    });
                                } />
                            <small class="muted">{hint(kind, name)}</small>
                        </label>
                    }
                }).collect_view()}
                <button class="link" on:click=move |_| forms.update(|f| {
                    if let Ok(k) = registry::kind(kind) {
                        f[index] = ModelForm::new(k, true);
                    }
                })>
                    "defaults"
                </button>
            </div>
            {error.map(|e| view! { <p class="error small" data-testid=format!("train-{kind}-error")>{e}</p> })}
        </details>
    }
}

/// Progress of the run: per model, with time left; the error if it failed.
#[component]
fn RunPanel(
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
    let share = if m.total > 0.0 {
        (m.done / m.total).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (status, class) = match &m.status {
        Status::Waiting => ("waiting".to_string(), "muted"),
        Status::Fitting => ("fitting".to_string(), ""),
        Status::Scoring => ("scoring".to_string(), ""),
        Status::Done => ("done".to_string(), "ok"),
        Status::Failed(e) => (format!("failed: {e}"), "error"),
        Status::Cancelled => ("cancelled".to_string(), "muted"),
    };
    let time = match (m.started, m.finished) {
        (Some(s), Some(f)) => duration(f - s),
        (Some(s), None) if share > 0.02 && m.status == Status::Fitting => {
            let spent = now - s;
            format!(
                "{} spent, ~{} left",
                duration(spent),
                duration(spent / share - spent)
            )
        }
        (Some(s), None) => format!("{} spent", duration(now - s)),
        _ => String::new(),
    };
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
