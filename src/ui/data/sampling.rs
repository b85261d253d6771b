//! Sampling on the Data tab: rows per file and rows per class (balanced), with a seed, used by
//! the next load and by Apply (which re-reads the files the page keeps), and what the load kept
//! ("Kept 400,000 of 7,926,100 rows: 50,000 per class").

use leptos::prelude::*;

use crate::ui::recover::test_crash;
use crate::ui::use_session;
use crate::worker::load::kept_sentence;
use crate::worker::protocol::Sampling;

/// A cap typed in a field: empty is no cap; otherwise a whole number above 0.
fn parse_cap(text: &str, what: &str) -> Result<Option<u64>, String> {
    let text = text.trim().replace([',', '_', ' '], "");
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<u64>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(format!(
            "{what}: {text:?} is not a whole number above 0 (leave it empty to keep every row)"
        )),
    }
}

/// The sampling fields, Apply, and what the loaded data set kept.
#[component]
pub(super) fn SamplingCard() -> impl IntoView {
    let session = use_session();
    let kept = session.kept;
    let error = RwSignal::new(None::<String>);
    let show = |cap: Option<u64>| cap.map_or(String::new(), |n| n.to_string());
    let set = move |field: &'static str, text: String| {
        let what = match field {
            "file" => "rows per file",
            "class" => "rows per class",
            _ => "seed",
        };
        let parsed = if field == "seed" {
            let t = text.trim();
            t.parse::<u64>()
                .map(Some)
                .map_err(|_| format!("seed: {t:?} is not a whole number (0 or more)"))
        } else {
            parse_cap(&text, what)
        };
        match parsed {
            Ok(cap) => {
                error.set(None);
                kept.asked.update(|s: &mut Sampling| match field {
                    "file" => s.per_file = cap,
                    "class" => s.per_class = cap,
                    _ => s.seed = cap.unwrap_or(0),
                });
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let sentence = move || {
        let sampling = kept.loaded.get()?;
        session
            .state
            .summary
            .with(|s| s.as_ref().and_then(|s| kept_sentence(&s.files, &sampling)))
    };
    view! {
        <div class="card sampling" data-testid="sampling">
            <div class="sampling-fields">
                <label>
                    "Rows per file "
                    <input type="text" inputmode="numeric" placeholder="all" data-testid="rows-per-file"
                        prop:value=move || show(kept.asked.get().per_file)
                        on:change=move |e| set("file", event_target_value(&e)) />
                </label>
                <label>
                    "Rows per class (balanced) "
                    <input type="text" inputmode="numeric" placeholder="all" data-testid="rows-per-class"
                        prop:value=move || show(kept.asked.get().per_class)
                        on:change=move |e| set("class", event_target_value(&e)) />
                </label>
                <label>
                    "Seed "
                    <input type="text" inputmode="numeric" data-testid="sample-seed"
                        prop:value=move || kept.asked.get().seed.to_string()
                        on:change=move |e| set("seed", event_target_value(&e)) />
                </label>
                <button class="button" data-testid="apply-sampling"
                    title="Read the loaded files again with these settings"
                    disabled=move || !kept.has_files.get() || session.state.loading.with(Option::is_some)
                    on:click=move |_| session.reload()>
                    "Apply"
                </button>
                {test_crash().then(|| view! {
                    <button class="button" data-testid="test-crash" on:click=move |_| session.crash_for_test()>
                        "Crash the data worker (test)"
                    </button>
                    <button class="button" data-testid="test-hang" on:click=move |_| session.hang_for_test()>
                        "Make the data worker hang (test)"
                    </button>
                })}
            </div>
            <p class="hint">"Used by the next load, or by Apply on the files loaded now. Empty keeps every row; a load that would not fit in memory is sampled anyway."</p>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            {move || sentence().map(|s| view! { <p class="kept" data-testid="sampling-kept">{s}</p> })}
        </div>
    }
}
