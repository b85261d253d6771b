//! The Data tab: load files (picker, drop, the embedded sample), watch progress, and read what was
//! loaded — files, failures, label distribution, columns and warnings.

mod archive;
mod mapping;
mod sampling;
mod summary;
mod tables;

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use super::sample::SAMPLE_FILES;
use super::{use_session, Banner, LoadProgress};
use crate::ingest::Taxonomy;
use crate::report::format::bytes;
pub(crate) use archive::max_files;
use archive::MaxFilesField;
use sampling::SamplingCard;
use summary::SummaryView;

/// The Data tab.
#[component]
pub fn DataTab() -> impl IntoView {
    let state = use_session().state;
    view! {
        <section class="data-tab" data-testid="data-tab">
            <Toolbar />
            <SamplingCard />
            {move || state.loading.get().map(|progress| view! { <ProgressBar progress /> })}
            {move || state.banner.get().map(|banner| view! { <BannerView banner /> })}
            {move || match state.summary.get() {
                Some(summary) => view! { <SummaryView summary parse_ms=state.parse_ms.get() /> }.into_any(),
                None if state.loading.with(Option::is_none) => view! {
                    <div class="empty-state" data-testid="no-data">
                        <h2>"No data loaded"</h2>
                        <p>"Drop flow files anywhere on the page, or choose them above."</p>
                    </div>
                }
                .into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}

/// File picker, sample button and taxonomy selector.
#[component]
fn Toolbar() -> impl IntoView {
    let session = use_session();
    let state = session.state;
    let on_pick = move |event: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&event);
        if let Some(files) = input.files() {
            session.load_list(&files);
        }
        // Let the same file be picked again.
        input.set_value("");
    };
    let on_taxonomy = move |event: leptos::ev::Event| {
        if let Some(t) = Taxonomy::parse(&event_target_value(&event)) {
            session.set_taxonomy(t);
        }
    };
    view! {
        <div class="toolbar">
            <label class="button primary" for="file-input">"Choose files…"</label>
            <input
                id="file-input"
                data-testid="file-input"
                class="visually-hidden"
                type="file"
                multiple
                on:change=on_pick
            />
            <button
                class="button"
                data-testid="load-sample"
                title=format!(
                    "Load the embedded sample: 3,437 IoT-23 flows from {} recording periods, a file each",
                    SAMPLE_FILES.len()
                )
                on:click=move |_| session.load_sample()
            >
                "Load sample"
            </button>
            <span class="hint">"or drop files anywhere"</span>
            <label class="taxonomy">
                "Labels "
                <select id="taxonomy" data-testid="taxonomy" on:change=on_taxonomy>
                    {Taxonomy::ALL
                        .into_iter()
                        .map(|t| {
                            view! {
                                <option value=t.name() selected=move || state.taxonomy.get() == t>
                                    {t.name()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <MaxFilesField />
        </div>
    }
}

/// The progress of the load in flight, with its Cancel button.
#[component]
fn ProgressBar(
    /// How far the load got.
    progress: LoadProgress,
) -> impl IntoView {
    let session = use_session();
    let percent = if progress.total > 0 {
        100.0 * progress.done as f64 / progress.total as f64
    } else {
        0.0
    };
    view! {
        <div class="progress" data-testid="progress" role="status">
            <div class="progress-text">
                <span>"Parsing " <strong>{progress.file.clone()}</strong></span>
                <span class="muted">
                    {format!("{} of {} ({percent:.0}%)", bytes(progress.done), bytes(progress.total))}
                </span>
            </div>
            <progress max=progress.total.max(1) value=progress.done></progress>
            <button class="button" data-testid="cancel" on:click=move |_| session.cancel()>
                "Cancel"
            </button>
        </div>
    }
}

/// An error or notice above the data (the data loaded before stays below it).
#[component]
fn BannerView(
    /// What to say.
    banner: Banner,
) -> impl IntoView {
    let state = use_session().state;
    let (class, testid, text) = match banner {
        Banner::Error(text) => ("banner error", "error", text),
        Banner::Info(text) => ("banner info", "notice", text),
    };
    let role = if testid == "error" { "alert" } else { "status" };
    view! {
        <div class=class data-testid=testid role=role>
            <span class="banner-text">{text}</span>
            <button class="dismiss" aria-label="Dismiss" on:click=move |_| state.banner.set(None)>
                "×"
            </button>
        </div>
    }
}
