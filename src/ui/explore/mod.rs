//! The Explore tab: what the loaded flows look like — class distribution, column statistics,
//! data quality, histograms by class, correlations and the leakage scan — computed in the data
//! worker ([`ToWorker::Explore`] → [`crate::explore::explore`]) whenever the data set or the
//! taxonomy changes, and a download of the loaded rows as CSV.

mod classes;
mod columns;
mod correlation;
mod download;
mod histograms;
mod leakage;
mod quality;

use std::cell::RefCell;
use std::sync::Arc;

use leptos::prelude::*;

use super::{use_session, Tab};
use crate::explore::Exploration;
use crate::ingest::{Summary, Taxonomy};
use crate::report::format::thousands;
use crate::ui::capture::CaptureTable;
use crate::worker::protocol::{FromWorker, ToWorker};
use classes::ClassDistribution;
use columns::ColumnTable;
use correlation::CorrelationPanel;
use download::DownloadData;
use histograms::Histograms;
use leakage::LeakagePanel;
use quality::QualityPanel;

thread_local! {
    /// The last exploration and what it was computed for, so that coming back to the tab does not
    /// recompute it.
    static CACHE: RefCell<Option<(Summary, Taxonomy, Arc<Exploration>)>> = const { RefCell::new(None) };
}

fn cached(summary: &Summary, taxonomy: Taxonomy) -> Option<Arc<Exploration>> {
    CACHE.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(s, t, _)| s == summary && *t == taxonomy)
            .map(|(_, _, e)| e.clone())
    })
}

/// What the tab is showing.
#[derive(Debug, Clone)]
enum View {
    /// Waiting for the worker.
    Computing,
    Ready(Arc<Exploration>),
    Failed(String),
}

/// The Explore tab.
#[component]
pub fn ExploreTab() -> impl IntoView {
    let session = use_session();
    let state = session.state;
    let shown = RwSignal::new(None::<View>);
    // The request whose reply is awaited (older replies are ignored).
    let awaiting = StoredValue::new(0u32);
    Effect::new(move |_| {
        let taxonomy = state.taxonomy.get();
        let Some(summary) = state.summary.get() else {
            shown.set(None);
            return;
        };
        if let Some(e) = cached(&summary, taxonomy) {
            shown.set(Some(View::Ready(e)));
            return;
        }
        shown.set(Some(View::Computing));
        let request = session.call(
            |request| ToWorker::Explore { request, taxonomy },
            Vec::new(),
            Vec::new(),
            move |reply, _| match reply {
                FromWorker::Explored {
                    request,
                    exploration,
                } if request == awaiting.get_value() => {
                    let e = Arc::new(*exploration);
                    CACHE.with(|c| {
                        *c.borrow_mut() = Some((summary.clone(), taxonomy, e.clone()));
                    });
                    shown.set(Some(View::Ready(e)));
                }
                FromWorker::Failed { request, message } if request == awaiting.get_value() => {
                    shown.set(Some(View::Failed(message)))
                }
                _ => {}
            },
        );
        awaiting.set_value(request);
    });

    view! {
        <section class="explore-tab" data-testid="explore-tab">
            {move || match shown.get() {
                None => view! {
                    <div class="empty-state" data-testid="explore-empty">
                        <h2>"Nothing to explore yet"</h2>
                        <p>"Load flow files (or the sample) in the Data tab; their statistics show here."</p>
                        <button class="button primary" on:click=move |_| session.goto(Tab::Data)>
                            "Go to Data"
                        </button>
                    </div>
                }
                .into_any(),
                Some(View::Computing) => view! {
                    <div class="explore-status" role="status" data-testid="explore-computing">
                        "Computing statistics of the loaded flows…"
                    </div>
                }
                .into_any(),
                Some(View::Failed(message)) => view! {
                    <div class="banner error" role="alert" data-testid="explore-error">
                        <span class="banner-text">{format!("Exploring failed: {message}")}</span>
                    </div>
                }
                .into_any(),
                Some(View::Ready(e)) => view! { <ExplorationView e /> }.into_any(),
            }}
        </section>
    }
}

/// Everything about one exploration.
#[component]
pub(super) fn ExplorationView(
    /// The exploration shown.
    e: Arc<Exploration>,
) -> impl IntoView {
    let session = use_session();
    let labelled: u64 = e.classes.iter().map(|c| c.rows).sum();
    let numeric = e.columns.iter().filter(|c| c.kind == "numeric").count();
    let on_taxonomy = move |event: leptos::ev::Event| {
        if let Some(t) = Taxonomy::parse(&event_target_value(&event)) {
            session.set_taxonomy(t);
        }
    };
    let taxonomy = e.taxonomy;
    view! {
        <div class="toolbar explore-toolbar">
            <div class="stats">
                <div class="stat">
                    <span class="stat-label">"Rows"</span>
                    <strong data-testid="explore-rows">{thousands(e.rows as u64)}</strong>
                </div>
                <div class="stat">
                    <span class="stat-label">"Classes"</span>
                    <strong data-testid="explore-classes">{e.classes.len()}</strong>
                </div>
                <div class="stat">
                    <span class="stat-label">"Columns"</span>
                    <strong>{e.columns.len()} <span class="muted">{format!(" ({numeric} numeric)")}</span></strong>
                </div>
                {(e.unlabelled > 0).then(|| view! {
                    <div class="stat">
                        <span class="stat-label">"Unlabelled"</span>
                        <strong>{thousands(e.unlabelled)}</strong>
                    </div>
                })}
            </div>
            <label class="taxonomy">
                "Labels "
                <select data-testid="explore-taxonomy" on:change=on_taxonomy>
                    {Taxonomy::ALL
                        .into_iter()
                        .map(|t| view! { <option value=t.name() selected={t == taxonomy}>{t.name()}</option> })
                        .collect_view()}
                </select>
            </label>
            <DownloadData />
        </div>
        <ClassDistribution e=e.clone() labelled />
        <ColumnTable e=e.clone() />
        <QualityPanel e=e.clone() />
        <Histograms e=e.clone() />
        <CorrelationPanel e=e.clone() />
        <LeakagePanel e=e.clone() />
        <CaptureTable scan=e.capture.clone() prefix="explore" />
    }
}
