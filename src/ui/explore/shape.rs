//! Chart and table data of the Explore tab, as pure functions of the exploration (they build the
//! chart types of [`crate::ui::charts`], hence live here until those types move to a native module).

use crate::explore::{ColumnStats, Correlation, Exploration, Histograms};
use crate::report::format::thousands;
use crate::ui::charts::{Bars, ClassHistogram, HeatScale, Heatmap, HistogramMode, PieData, Series};

/// Rows per class as coloured bars and as a pie.
pub fn class_bars(e: &Exploration) -> (Bars, PieData) {
    let labels: Vec<String> = e.classes.iter().map(|c| c.name.clone()).collect();
    let values: Vec<f64> = e.classes.iter().map(|c| c.rows as f64).collect();
    let bars = Bars {
        labels: labels.clone(),
        values: values.clone(),
        x_label: String::new(),
        y_label: "rows".into(),
        colored: true,
        show_values: true,
    };
    (bars, PieData { labels, values })
}

/// Sort keys of the column table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    File,
    Name,
    Kind,
    Role,
    Missing,
    Unique,
    Min,
    Max,
    Mean,
    Std,
}

/// The column table's row order: by `key`, ties in file order, reversed when descending.
pub fn sort_columns(columns: &[ColumnStats], key: SortBy, ascending: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..columns.len()).collect();
    let num = |x: Option<f64>| x.unwrap_or(f64::NEG_INFINITY);
    idx.sort_by(|&a, &b| {
        let (x, y) = (&columns[a], &columns[b]);
        let o = match key {
            SortBy::File => a.cmp(&b),
            SortBy::Name => x.name.to_lowercase().cmp(&y.name.to_lowercase()),
            SortBy::Kind => x.kind.cmp(&y.kind),
            SortBy::Role => x.role.cmp(&y.role),
            SortBy::Missing => x.missing.cmp(&y.missing),
            SortBy::Unique => x.unique.cmp(&y.unique),
            SortBy::Min => num(x.min).total_cmp(&num(y.min)),
            SortBy::Max => num(x.max).total_cmp(&num(y.max)),
            SortBy::Mean => num(x.mean).total_cmp(&num(y.mean)),
            SortBy::Std => num(x.std).total_cmp(&num(y.std)),
        };
        let o = o.then(a.cmp(&b));
        if ascending {
            o
        } else {
            o.reverse()
        }
    });
    idx
}

/// Feature `i`'s histogram, one series per class.
pub fn class_histogram(h: &Histograms, i: usize, mode: HistogramMode) -> ClassHistogram {
    let f = &h.features[i.min(h.features.len() - 1)];
    ClassHistogram {
        edges: f.edges.clone(),
        series: h
            .series
            .iter()
            .zip(&f.counts)
            .map(|(name, counts)| Series {
                name: name.clone(),
                values: counts.iter().map(|&c| c as f64).collect(),
            })
            .collect(),
        log: f.log,
        x_label: f.column.clone(),
        mode,
    }
}

/// The line under feature `i`'s histogram: its mutual information and the rows without a value.
pub fn histogram_note(h: &Histograms, i: usize) -> String {
    let f = &h.features[i.min(h.features.len() - 1)];
    let total: u64 = f.missing.iter().sum();
    let parts: Vec<String> = h
        .series
        .iter()
        .zip(&f.missing)
        .filter(|(_, &m)| m > 0)
        .map(|(s, m)| format!("{s} {}", thousands(*m)))
        .collect();
    let missing = if total == 0 {
        "no missing values".to_string()
    } else {
        format!(
            "{} rows without a value, not drawn ({})",
            thousands(total),
            parts.join(", ")
        )
    };
    format!(
        "Mutual information with the class: {:.3} bits; {missing}.",
        f.mutual_information
    )
}

/// The five most correlated pairs, strongest first: `a ~ b (+0.93)`.
pub fn strongest_pairs(c: &Correlation) -> Vec<String> {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for i in 0..c.columns.len() {
        for j in i + 1..c.columns.len() {
            if let Some(r) = c.values[i][j] {
                pairs.push((r, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    pairs
        .iter()
        .take(5)
        .map(|&(r, i, j)| format!("{} ~ {} ({r:+.2})", c.columns[i], c.columns[j]))
        .collect()
}

/// The correlation matrix as a diverging heatmap.
pub fn correlation_heatmap(c: &Correlation) -> Heatmap {
    Heatmap {
        rows: c.columns.clone(),
        columns: c.columns.clone(),
        values: c.values.clone(),
        scale: HeatScale::Diverging,
        show_values: true,
        decimals: 2,
        x_label: String::new(),
        y_label: String::new(),
    }
}
