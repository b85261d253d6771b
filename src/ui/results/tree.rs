//! The first levels of a decision tree as nested, expandable boxes (`<details>`:
//! keyboard-accessible), or why there is none.

use leptos::prelude::*;

use crate::models::describe::TreeView;
use crate::ui::charts::series_css;

/// The tree card.
#[component]
pub(super) fn TreeCard(
    /// The drawn levels, when the model is a single tree.
    tree: Option<TreeView>,
    /// The model's class names (legend and bars).
    classes: Vec<String>,
    /// The model's kind (`dt`, `rf`, …): says why an ensemble is not drawn.
    kind: String,
) -> impl IntoView {
    view! {
        <div class="card" data-testid="results-tree">
            <h2>"Decision tree"</h2>
            {match tree {
                Some(t) => tree_view(&t, &classes).into_any(),
                None => view! { <p class="muted" data-testid="results-tree-missing">{if matches!(kind.as_str(), "rf" | "gbdt") {
                            "Only the decision tree model (dt) is drawn: an ensemble holds many trees. Train a decision tree to see one."
                        } else {
                            "No tree to draw: this model is not made of trees."
                        }}</p> }.into_any(),
            }}
        </div>
    }
}

/// The tree's facts, the class legend, and the root.
fn tree_view(t: &TreeView, classes: &[String]) -> impl IntoView {
    let legend = classes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            view! {
                <span class="tree-legend-item">
                    <span class="swatch" style=format!("background:{}", series_css(i))></span>
                    {c.clone()}
                </span>
            }
        })
        .collect_view();
    let root = if t.nodes.is_empty() {
        view! { <p class="muted">"The tree is empty."</p> }.into_any()
    } else {
        view! { <ul class="tree">{tree_node(t, classes, 0, 0, None)}</ul> }.into_any()
    };
    view! {
        <p class="muted small" data-testid="results-tree-info">
            {format!(
                "Depth {}, {} leaves; the first {} levels are drawn. Open a node to see its children; \
                 the left branch is where the test holds. Bars: class mix of the node's training rows.",
                t.depth, t.leaves, t.shown_depth
            )}
        </p>
        <div class="tree-legend">{legend}</div>
        {root}
    }
}

/// Node `i` at `depth`, reached by a branch where the parent's test was `branch`.
fn tree_node(
    t: &TreeView,
    classes: &[String],
    i: usize,
    depth: usize,
    branch: Option<bool>,
) -> AnyView {
    let Some(n) = t.nodes.get(i) else {
        return ().into_any();
    };
    let bar = n
        .distribution
        .iter()
        .enumerate()
        .filter(|(_, &w)| w > 0.0)
        .map(|(c, &w)| {
            let name = classes.get(c).cloned().unwrap_or_default();
            view! {
                <span class="dist-part" title=format!("{name}: {:.1} %", w * 100.0)
                    style=format!("width:{:.2}%;background:{}", w * 100.0, series_css(c))></span>
            }
        })
        .collect_view();
    let branch = branch.map(|b| {
        view! { <span class=if b { "branch yes" } else { "branch no" }>{if b { "yes" } else { "no" }}</span> }
    });
    let head = view! {
        {branch}
        <span class="tree-test">{n.test.clone().unwrap_or_else(|| format!("leaf → {}", n.class))}</span>
        <span class="tree-meta muted">
            {format!("{} rows · majority {} · impurity {:.3}", n.samples, n.class, n.impurity)}
        </span>
        <span class="dist">{bar}</span>
    };
    let body = if !n.children.is_empty() {
        let kids = n
            .children
            .iter()
            .enumerate()
            .map(|(k, &c)| tree_node(t, classes, c, depth + 1, Some(k == 0)))
            .collect_view();
        view! {
            <details open=depth < 2 data-testid=format!("results-tree-node-{i}")>
                <summary class="tree-node">{head}</summary>
                <ul class="tree">{kids}</ul>
            </details>
        }
        .into_any()
    } else if n.test.is_some() {
        view! {
            <div class="tree-node cut" data-testid=format!("results-tree-node-{i}")>
                {head}
                <span class="muted small">" … deeper levels not drawn"</span>
            </div>
        }
        .into_any()
    } else {
        view! { <div class="tree-node leaf" data-testid=format!("results-tree-node-{i}")>{head}</div> }.into_any()
    };
    view! { <li>{body}</li> }.into_any()
}
