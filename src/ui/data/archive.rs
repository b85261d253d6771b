//! The Data tab's "zip members" field: how many members (captures) of each zip archive a load
//! reads, the first N in archive order (empty: all). Kept apart from the other sampling fields.

use leptos::prelude::*;

thread_local! {
    static MAX_FILES: ArcRwSignal<Option<u64>> = ArcRwSignal::new(None);
}

/// The members of each zip archive the next load reads (`None`: all).
pub(crate) fn max_files() -> Option<u64> {
    MAX_FILES.with(|s| s.get_untracked())
}

/// A number field for [`max_files`]; applies to the next load.
#[component]
pub(super) fn MaxFilesField() -> impl IntoView {
    let value = RwSignal::from(MAX_FILES.with(Clone::clone));
    let invalid = RwSignal::new(false);
    let on_change = move |event: leptos::ev::Event| {
        let text = event_target_value(&event);
        let parsed = match text.trim() {
            "" => Some(None),
            t => t.parse::<u64>().ok().filter(|&n| n > 0).map(Some),
        };
        invalid.set(parsed.is_none());
        if let Some(n) = parsed {
            value.set(n);
        }
    };
    view! {
        <label class="taxonomy" title="Read at most this many files of each .zip archive (its first ones); empty reads them all">
            "Zip members"
            <input
                type="number"
                min="1"
                placeholder="all"
                data-testid="max-files"
                prop:value=move || value.get().map(|n| n.to_string()).unwrap_or_default()
                on:change=on_change
            />
            {move || invalid.get().then(|| view! {
                <span class="error" role="alert" data-testid="max-files-error">"a whole number ≥ 1, or empty for all"</span>
            })}
        </label>
    }
}
