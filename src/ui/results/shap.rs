//! Mean |SHAP| per column of one model, beside its gain and permutation importance: asked of the
//! data worker ([`ToWorker::ShapImportance`]) when the card is first shown — which cuts it into
//! parts for the pool when the pool is free ([`crate::ui::pool::Trainer::explain_parts`]) —
//! kept per model for the page's life. The worker explains a seeded sample of at most
//! [`IMPORTANCE_ROWS`] rows (its test rows when the model was trained on the loaded data), so
//! the card says how many rows and which.

use std::collections::BTreeMap;
use std::rc::Rc;

use leptos::prelude::*;

use crate::models::shap::OutputSpace;
use crate::predictions::explain::{ShapImportance, IMPORTANCE_ROWS};
use crate::report::shape::results::{top_bars, TOP_FEATURES};
use crate::ui::charts::HBarChart;
use crate::ui::pool::OnParts;
use crate::ui::{use_session, Session};
use crate::worker::protocol::{FromWorker, ToWorker};

/// Columns named per class in the per-class summary.
const PER_CLASS_TOP: usize = 3;

/// What the worker answered for one model.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    Waiting,
    Done {
        importance: Box<ShapImportance>,
        output: OutputSpace,
        source: String,
        ms: f64,
        rows: usize,
        /// Pool workers that explained it (0: the data worker alone).
        workers: usize,
    },
    Failed(String),
}

thread_local! {
    /// Answers per model id, for the page's life (a model's importance does not change).
    static ANSWERS: ArcRwSignal<BTreeMap<u32, Answer>> = ArcRwSignal::new(BTreeMap::new());
}

/// Asks the worker for model `model`'s mean |SHAP| unless it was asked before.
fn ask(answers: RwSignal<BTreeMap<u32, Answer>>, model: u32) {
    if answers.with_untracked(|a| a.contains_key(&model)) {
        return;
    }
    answers.update(|a| {
        a.insert(model, Answer::Waiting);
    });
    let session = use_session();
    let workers = session.trainer.free_workers();
    request(session, answers, model, workers);
}

/// Sends the data worker the request for model `model`'s mean |SHAP| with `workers` pool
/// workers free. When it answers with parts, the pool runs them and the data worker adds them
/// up; if the pool fails, the data worker is asked again to explain alone.
fn request(session: Session, answers: RwSignal<BTreeMap<u32, Answer>>, model: u32, workers: usize) {
    session.call(
        |request| ToWorker::ShapImportance {
            request,
            model,
            workers,
        },
        Vec::new(),
        Vec::new(),
        move |reply, bytes| match reply {
            FromWorker::ShapParts {
                request: prepared,
                parts,
            } => {
                let n = parts.len();
                let on_parts: OnParts = Rc::new(move |outputs| match outputs {
                    Ok(outputs) => {
                        session.call(
                            |request| ToWorker::MergeShap {
                                request,
                                prepared,
                                workers: n,
                            },
                            Vec::new(),
                            outputs,
                            move |reply, _| answer(answers, model, reply),
                        );
                    }
                    Err(_) if workers > 0 => request(session, answers, model, 0),
                    Err(message) => answer(
                        answers,
                        model,
                        FromWorker::Failed {
                            request: prepared,
                            message,
                        },
                    ),
                });
                session
                    .trainer
                    .explain_parts(session, parts, bytes, on_parts);
            }
            reply => answer(answers, model, reply),
        },
    );
}

/// Keeps the data worker's final answer for model `model`.
fn answer(answers: RwSignal<BTreeMap<u32, Answer>>, model: u32, reply: FromWorker) {
    let answer = match reply {
        FromWorker::ShapImportance {
            importance,
            output,
            source,
            ms,
            rows,
            workers,
            ..
        } => Answer::Done {
            importance,
            output,
            source,
            ms,
            rows,
            workers,
        },
        FromWorker::Failed { message, .. } => Answer::Failed(message),
        _ => return,
    };
    answers.update(|a| {
        a.insert(model, answer);
    });
}

/// The mean-|SHAP| panel of model `model`.
#[component]
pub(super) fn ShapPanel(
    /// The worker's id of the model.
    model: u32,
) -> impl IntoView {
    let answers = RwSignal::from(ANSWERS.with(Clone::clone));
    ask(answers, model);
    move || {
        match answers.with(|a| a.get(&model).cloned()) {
        None | Some(Answer::Waiting) => view! {
            <div data-testid="results-shap" data-state="waiting">
                <p class="muted">{format!("Mean |SHAP|: explaining up to {IMPORTANCE_ROWS} rows…")}</p>
            </div>
        }
        .into_any(),
        Some(Answer::Failed(message)) => view! {
            <div data-testid="results-shap" data-state="failed">
                <p class="muted" data-testid="results-shap-missing">{format!("Mean |SHAP|: {message}")}</p>
            </div>
        }
        .into_any(),
        Some(Answer::Done {
            importance,
            output,
            source,
            ms,
            rows,
            workers,
        }) => done(&importance, output, &source, [ms, rows as f64, workers as f64]).into_any(),
    }
    }
}

/// The chart of the top columns and the per-class summary.
fn done(
    imp: &ShapImportance,
    output: OutputSpace,
    source: &str,
    [ms, rows, workers]: [f64; 3],
) -> impl IntoView {
    let (rows, workers) = (rows as usize, workers as usize);
    let place = match workers {
        0 => "in the data worker".to_string(),
        n => format!("in {n} pool workers, each on a share of the trees"),
    };
    let space = match output {
        OutputSpace::Probability => "probability",
        OutputSpace::RawScore => "raw score",
    };
    let bars = top_bars(
        &imp.columns,
        &imp.overall,
        None,
        &format!("mean |contribution| to the {space}"),
    );
    let top = bars.labels.first().cloned().unwrap_or_default();
    let per_class: Vec<(String, usize, String)> = imp
        .per_class
        .iter()
        .map(|(class, n, values)| {
            let b = top_bars(&imp.columns, values, None, "");
            let names: Vec<String> = b
                .labels
                .iter()
                .zip(&b.values)
                .take(PER_CLASS_TOP)
                .map(|(l, v)| format!("{l} ({v:.3})"))
                .collect();
            (class.clone(), *n, names.join(", "))
        })
        .collect();
    view! {
        <div data-testid="results-shap" data-state="done" data-top=top data-ms=format!("{ms:.0}") data-rows=rows.to_string() data-workers=workers.to_string()>
            <HBarChart title=format!("Mean |SHAP| per column (top {TOP_FEATURES})") data=bars testid="results-shap-chart" />
            <p class="muted small">{format!(
                "Exact contributions (TreeSHAP for trees, linear for logistic regression) on your columns, each engineered feature folded into its column, averaged over {source} ({ms:.0} ms {place}). Permutation importance shuffles engineered features on the test rows; both rank what the model relies on."
            )}</p>
            <table class="table small" data-testid="results-shap-classes">
                <thead><tr><th>"predicted as"</th><th class="num">"rows"</th><th>{format!("top {PER_CLASS_TOP} columns (mean |SHAP|)")}</th></tr></thead>
                <tbody>
                    {per_class.into_iter().map(|(c, n, names)| view! {
                        <tr><td>{c}</td><td class="num">{n.to_string()}</td><td>{names}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
