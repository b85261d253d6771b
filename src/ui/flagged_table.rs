//! One table of findings with the flagged rows first: the leakage table (columns that predict
//! the label, `ui/leakage.rs`) and the capture detector's (features that name the capture,
//! `ui/capture.rs`) are both this component. Only the flagged rows show until a checkbox asks
//! for every row.

use leptos::prelude::*;

/// One cell after the row's name.
#[derive(Clone)]
pub struct Cell {
    /// The text shown.
    pub text: String,
    /// The cell's class (`num`, `num muted`, or empty).
    pub class: &'static str,
    /// When set, the text sits in a `<span>` of this class (a chip) inside the cell.
    pub chip: Option<String>,
}

impl Cell {
    /// A plain text cell of class `class`.
    pub fn text(text: String, class: &'static str) -> Cell {
        Cell {
            text,
            class,
            chip: None,
        }
    }

    /// A number with three decimals in a cell of class `class`.
    pub fn num(v: f64, class: &'static str) -> Cell {
        Cell::text(format!("{v:.3}"), class)
    }
}

/// One row: its name (the `data-column` attribute and the row header, with ⚠ when flagged),
/// whether it is flagged, and its other cells.
#[derive(Clone)]
pub struct FlaggedRow {
    pub name: String,
    pub flagged: bool,
    pub cells: Vec<Cell>,
}

/// The table: a "show every row" checkbox, then the flagged rows (or every row).
#[component]
pub fn FlaggedTable(
    /// Column headings, each with its class (`num` for numbers); the first names the rows.
    head: Vec<(&'static str, &'static str)>,
    /// The rows, in the detector's order.
    rows: Vec<FlaggedRow>,
    /// The checkbox's label, e.g. " Show every column".
    all_label: &'static str,
    /// Test id of the table; the checkbox's is this with `-table` replaced by `-all`.
    testid: String,
    /// What the table is, for assistive technology (its scrolling region's `aria-label`).
    label: &'static str,
) -> impl IntoView {
    let show_all = RwSignal::new(false);
    let all_testid = testid.replace("-table", "-all");
    view! {
        <label class="check">
            <input type="checkbox" data-testid=all_testid
                on:change=move |ev| show_all.set(event_target_checked(&ev)) />
            {all_label}
        </label>
        <div class="scroll" tabindex="0" role="region" aria-label=label>
            <table class="table" data-testid=testid>
                <thead>
                    <tr>
                        {head.into_iter().map(|(h, class)| view! { <th scope="col" class=class>{h}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let all = show_all.get();
                        rows.iter()
                            .filter(|r| all || r.flagged)
                            .map(|r| view! {
                                <tr class:warn=r.flagged data-column=r.name.clone()>
                                    <th scope="row" class="mono">{if r.flagged { "⚠ " } else { "" }}{r.name.clone()}</th>
                                    {r.cells.iter().map(|c| match &c.chip {
                                        Some(chip) => view! { <td class=c.class><span class=chip.clone()>{c.text.clone()}</span></td> }.into_any(),
                                        None => view! { <td class=c.class>{c.text.clone()}</td> }.into_any(),
                                    }).collect_view()}
                                </tr>
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
    }
}
