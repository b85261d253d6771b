//! Why a row was predicted as it was: the row's explanation from the data worker
//! ([`ToWorker::ExplainRow`]) as a waterfall, from the model's expected value through each of
//! the user's columns (largest contribution first, the rest folded into one step) to the
//! output, for the class chosen (the predicted one first). Models that are not explained (MLP,
//! naive Bayes) get the worker's message saying so.

use leptos::prelude::*;

use super::state;
use crate::models::shap::OutputSpace;
use crate::predictions::explain::{ClassExplanation, Explanations};
use crate::report::plot::{signed, Waterfall};
use crate::ui::charts::WaterfallChart;
use crate::ui::Session;
use crate::worker::protocol::{FromWorker, ToWorker};

/// Columns shown one by one in the waterfall; the others are summed into one step.
pub(super) const TOP_COLUMNS: usize = 10;

/// The row asked about and what the worker answered.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Explained {
    /// Asked (row index among the predicted rows); no answer yet.
    Waiting(usize),
    Done(Box<Explanations>),
    Failed(usize, String),
}

thread_local! {
    /// The explanation shown, and the latest request (older replies are ignored).
    static EXPLAINED: (ArcRwSignal<Option<Explained>>, ArcRwSignal<u32>) =
        (ArcRwSignal::new(None), ArcRwSignal::new(0));
}

fn store() -> (ArcRwSignal<Option<Explained>>, ArcRwSignal<u32>) {
    EXPLAINED.with(Clone::clone)
}

/// Forgets the explanation shown (a new prediction replaces the rows it was about).
pub(super) fn clear() {
    store().0.set(None);
}

/// Asks the data worker to explain predicted row `row` with the model that predicted it.
pub(super) fn explain_row(session: Session, row: usize) {
    let Some(model) = state()
        .summary
        .with_untracked(|s| s.as_ref().map(|s| s.model))
    else {
        return;
    };
    let (shown, latest) = store();
    shown.set(Some(Explained::Waiting(row)));
    let latest_in_handler = latest.clone();
    let request = session.call(
        |request| ToWorker::ExplainRow {
            request,
            model,
            row,
        },
        Vec::new(),
        Vec::new(),
        move |reply, _| {
            let answer = match reply {
                FromWorker::Explained {
                    request,
                    explanations,
                } => (request, Explained::Done(explanations)),
                FromWorker::Failed { request, message } => {
                    (request, Explained::Failed(row, message))
                }
                _ => return,
            };
            if latest_in_handler.get_untracked() == answer.0 {
                shown.set(Some(answer.1));
            }
        },
    );
    latest.set(request);
}

/// The explanation card: nothing until a row's "Explain" is clicked.
#[component]
pub(super) fn ExplainPanel() -> impl IntoView {
    let shown = RwSignal::from(store().0);
    move || {
        shown.get().map(|e| match e {
            Explained::Waiting(row) => view! {
                <div class="card" data-testid="explain-panel" data-state="waiting">
                    <h2>{format!("Why row {}?", row + 1)}</h2>
                    <p class="muted">"Explaining…"</p>
                </div>
            }
            .into_any(),
            Explained::Failed(row, message) => view! {
                <div class="card" data-testid="explain-panel" data-state="failed">
                    <h2>{format!("Why row {}?", row + 1)}</h2>
                    <p class="error" role="alert" data-testid="explain-error">{message}</p>
                </div>
            }
            .into_any(),
            Explained::Done(e) => view! { <RowExplanation explanations=*e /> }.into_any(),
        })
    }
}

/// One row's explanation: the class to explain, the waterfall and its numbers.
#[component]
fn RowExplanation(
    /// The worker's answer: one row, every class explained.
    explanations: Explanations,
) -> impl IntoView {
    let Some(row) = explanations.rows.first().cloned() else {
        return view! { <p class="muted" data-testid="explain-panel">"The worker explained no row."</p> }.into_any();
    };
    let class = RwSignal::new(row.predicted.clone());
    let per_class = row.per_class.clone();
    let columns = explanations.columns.clone();
    let space = explanations.output;
    let chosen = Signal::derive(move || {
        let c = class.get();
        per_class
            .iter()
            .find(|e| e.class == c)
            .cloned()
            .unwrap_or_else(|| row.explained.clone())
    });
    let waterfall = Signal::derive(move || {
        let e = chosen.get();
        Waterfall::from_contributions(
            e.expected_value,
            &columns,
            &e.contributions,
            TOP_COLUMNS,
            &axis_label(space, &e.class),
        )
    });
    let title = format!(
        "Why row {} ({}:{}) is {}",
        row.row + 1,
        row.file,
        row.line,
        row.predicted
    );
    let classes = explanations.classes.clone();
    let predicted = row.predicted.clone();
    view! {
        <div class="card" data-testid="explain-panel" data-state="done" data-row=row.row.to_string()>
            <h2>{title}</h2>
            <div class="toolbar">
                <label class="field inline">
                    <span>"Class explained"</span>
                    <select data-testid="explain-class" on:change=move |ev| class.set(event_target_value(&ev))>
                        {classes.into_iter().map(|c| {
                            let selected = c == predicted;
                            let label = if selected { format!("{c} (predicted)") } else { c.clone() };
                            view! { <option value=c selected=selected>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <span class="muted small">{space_note(space)}</span>
            </div>
            <div class="results-grid">
                <WaterfallChart title="Contributions per column" data=waterfall testid="explain-waterfall" />
                <StepsTable waterfall=waterfall class=Signal::derive(move || chosen.get()) />
            </div>
        </div>
    }
    .into_any()
}

/// The waterfall's numbers: the expected value, each step, the output.
#[component]
fn StepsTable(
    /// The walk drawn beside it.
    waterfall: Signal<Waterfall>,
    /// The class explained (its name and exact output).
    class: Signal<ClassExplanation>,
) -> impl IntoView {
    view! {
        <table class="table" data-testid="explain-steps">
            <thead><tr><th>"column"</th><th class="num">"contribution"</th></tr></thead>
            <tbody>
                <tr>
                    <td>"expected value"</td>
                    <td class="num" data-testid="explain-base" data-value=move || format!("{:.4}", waterfall.with(|w| w.base))>
                        {move || format!("{:.4}", waterfall.with(|w| w.base))}
                    </td>
                </tr>
                {move || waterfall.get().steps.into_iter().map(|(label, v)| {
                    let column = label.clone();
                    view! {
                    <tr data-testid="explain-step" data-column=column data-value=format!("{v:.4}")>
                        <td>{label}</td>
                        <td class="num" class:up={v > 0.0} class:down={v < 0.0}>{signed(v)}</td>
                    </tr>
                }}).collect_view()}
                <tr class="total">
                    <td>{move || format!("output ({})", class.with(|c| c.class.clone()))}</td>
                    <td class="num" data-testid="explain-output" data-value=move || format!("{:.4}", class.with(|c| c.output))>
                        <strong>{move || format!("{:.4}", class.with(|c| c.output))}</strong>
                    </td>
                </tr>
            </tbody>
        </table>
    }
}

/// The value axis of the waterfall.
fn axis_label(space: OutputSpace, class: &str) -> String {
    match space {
        OutputSpace::Probability => format!("probability of {class}"),
        OutputSpace::RawScore => format!("raw score of {class}"),
    }
}

/// What the numbers add up to, in words.
fn space_note(space: OutputSpace) -> &'static str {
    match space {
        OutputSpace::Probability => {
            "Exact TreeSHAP: the expected value (the model's mean output on its training rows) plus every column's contribution is the class probability the table shows. A column's contribution sums its engineered features (one-hot values, ports, …)."
        }
        OutputSpace::RawScore => {
            "Exact contributions to the class's raw score (before the softmax): the expected value plus every column's contribution is that score, not the probability. A column's contribution sums its engineered features."
        }
    }
}
