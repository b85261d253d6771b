//! The Data tab's label mapping: one row per class of the chosen taxonomy (before the mapping),
//! with its row count, a new name and a drop box. Apply sends the mapping to the data worker,
//! which relabels the data set it holds without re-parsing it; exploring and training use it
//! from then on, and every model trained saves it (see [`LabelMap`]).

use leptos::prelude::*;

use crate::ingest::{LabelMap, MapRule, Target};
use crate::report::format::thousands;
use crate::ui::use_session;

/// One class's row: its name, rows, and the new name and drop box being edited.
#[derive(Clone, Copy)]
struct Draft {
    class: StoredValue<String>,
    name: RwSignal<String>,
    drop: RwSignal<bool>,
}

/// The mapping the table's rows say, keeping the rules of `old` that match none of the
/// classes shown (made under another taxonomy).
fn map_of(rows: &[Draft], old: &LabelMap) -> LabelMap {
    let classes: Vec<String> = rows.iter().map(|d| d.class.get_value()).collect();
    let probe = |r: &MapRule| {
        let one = LabelMap {
            rules: vec![r.clone()],
        };
        classes
            .iter()
            .any(|c| one.apply(c).as_deref() != Some(c.as_str()))
    };
    let mut rules: Vec<MapRule> = old.rules.iter().filter(|r| !probe(r)).cloned().collect();
    for d in rows {
        let (class, name) = (d.class.get_value(), d.name.get_untracked());
        let name = name.trim();
        let target = if d.drop.get_untracked() {
            Target::Drop
        } else if name.is_empty() || name == class {
            continue;
        } else {
            Target::Rename(name.to_string())
        };
        rules.push(MapRule {
            pattern: class,
            target,
        });
    }
    LabelMap { rules }
}

/// The "Rename, merge or drop classes" card (shown when the data has labels).
#[component]
pub(super) fn LabelMapCard() -> impl IntoView {
    let session = use_session();
    let state = session.state;
    let rows: StoredValue<Vec<Draft>> = StoredValue::new(Vec::new());
    let table = move || {
        let counts = state.unmapped.get();
        let map = state.label_map.get_untracked();
        let drafts: Vec<Draft> = counts
            .keys()
            .map(|class| {
                let now = map.apply(class);
                Draft {
                    class: StoredValue::new(class.clone()),
                    name: RwSignal::new(now.clone().unwrap_or_else(|| class.clone())),
                    drop: RwSignal::new(now.is_none()),
                }
            })
            .collect();
        rows.set_value(drafts.clone());
        drafts
            .into_iter()
            .zip(counts.into_values())
            .map(|(d, n)| view! { <MapRow draft=d rows=n /> })
            .collect_view()
    };
    let apply = move |_| {
        let map = rows.with_value(|r| map_of(r, &state.label_map.get_untracked()));
        session.set_label_map(map);
    };
    let reset = move |_| session.set_label_map(LabelMap::default());
    let rules = move || state.label_map.with(|m| m.rules.len());
    view! {
        <Show when=move || state.unmapped.with(|u| !u.is_empty())>
            <section class="card" data-testid="label-map">
                <h2>"Rename, merge or drop classes"</h2>
                <p class="hint">
                    "Give classes the same name to merge them; a dropped class's rows count as "
                    "unlabelled (not trained on, not scored). Models trained from now on save "
                    "the mapping and apply it to the files they predict."
                </p>
                <table class="table">
                    <thead>
                        <tr>
                            <th>"Class"</th><th class="num">"Rows"</th><th>"New name"</th>
                            <th>"Drop"</th>
                        </tr>
                    </thead>
                    <tbody>{table}</tbody>
                </table>
                <div class="toolbar">
                    <button class="button primary" data-testid="label-map-apply" on:click=apply>
                        "Apply"
                    </button>
                    <button class="button" data-testid="label-map-reset" on:click=reset>
                        "Reset"
                    </button>
                    <span class="hint" data-testid="label-map-rules">
                        {move || format!("{} rules in use", rules())}
                    </span>
                </div>
            </section>
        </Show>
    }
}

/// One class of the mapping table.
#[component]
fn MapRow(
    /// The class and what it is being mapped to.
    draft: Draft,
    /// Its rows before the mapping.
    rows: u64,
) -> impl IntoView {
    let class = draft.class.get_value();
    let key = class.clone();
    let (key_name, key_drop) = (class.clone(), class.clone());
    view! {
        <tr data-class=key>
            <th scope="row" class="label-name">{class}</th>
            <td class="num">{thousands(rows)}</td>
            <td>
                <input type="text" data-testid="map-name" aria-label=format!("New name for {key_name}")
                    prop:value=move || draft.name.get()
                    prop:disabled=move || draft.drop.get()
                    on:input=move |ev| draft.name.set(event_target_value(&ev)) />
            </td>
            <td>
                <input type="checkbox" data-testid="map-drop" aria-label=format!("Drop the rows of {key_drop}")
                    prop:checked=move || draft.drop.get()
                    on:change=move |ev| draft.drop.set(event_target_checked(&ev)) />
            </td>
        </tr>
    }
}
