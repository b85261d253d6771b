//! The row of tabs, as the WAI-ARIA tabs pattern has it: one tab stop (the selected tab; the
//! others have `tabindex="-1"`), ←/→ move focus to the previous/next tab (wrapping), Home/End to
//! the first/last, and Enter or Space shows the focused tab (manual activation: a tab is only
//! rendered when chosen, so arrowing past Explore does not draw its charts).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::Tab;

/// The tab that `key` moves focus to from `from`, if `key` is one of the tab row's keys.
fn target(from: Tab, key: &str) -> Option<Tab> {
    let all = Tab::ALL;
    let i = all.iter().position(|&t| t == from)?;
    let n = all.len();
    match key {
        "ArrowRight" => Some(all[(i + 1) % n]),
        "ArrowLeft" => Some(all[(i + n - 1) % n]),
        "Home" => Some(all[0]),
        "End" => Some(all[n - 1]),
        _ => None,
    }
}

/// Moves keyboard focus to the button of tab `t`.
fn focus(t: Tab) {
    let button = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&format!("tab-{}", t.id())))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(button) = button {
        // Focus cannot fail in a way the page could act on; a missing button is a bug shown by
        // the e2e keyboard test.
        let _ = button.focus();
    }
}

/// The tab row; `tab` is the tab shown.
#[component]
pub fn TabBar(tab: RwSignal<Tab>) -> impl IntoView {
    view! {
        <nav class="tabs" role="tablist" aria-label="Sections">
            {Tab::ALL
                .into_iter()
                .map(|t| {
                    view! {
                        <button
                            role="tab"
                            id=format!("tab-{}", t.id())
                            data-testid=format!("tab-{}", t.id())
                            aria-controls=format!("panel-{}", t.id())
                            aria-selected=move || (tab.get() == t).to_string()
                            tabindex=move || if tab.get() == t { "0" } else { "-1" }
                            class="tab"
                            class:active=move || tab.get() == t
                            on:click=move |_| {
                                if tab.get_untracked() != t {
                                    tab.set(t);
                                }
                            }
                            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                if let Some(next) = target(t, &ev.key()) {
                                    ev.prevent_default();
                                    focus(next);
                                }
                            }
                        >
                            {t.label()}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}
