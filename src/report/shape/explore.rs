//! Chart and table data of the Explore tab, as pure functions of the exploration: the class
//! distribution, the column table's order and cells, histograms by class and the correlations.

use crate::explore::{ClassCount, ColumnStats, Correlation, FeatureHistogram, Histograms};
use crate::report::format::{percent, thousands};
use crate::report::plot::{
    Bars, ClassHistogram, HeatScale, Heatmap, HistogramMode, PieData, Series,
};

/// Rows per class as coloured bars and as a pie.
pub fn class_bars(classes: &[ClassCount]) -> (Bars, PieData) {
    let labels: Vec<String> = classes.iter().map(|c| c.name.clone()).collect();
    let values: Vec<f64> = classes.iter().map(|c| c.rows as f64).collect();
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

/// How many times the largest class outnumbers the smallest (rounded down), when that is 10 or
/// more — worth a note, since macro-averaged scores weigh every class alike.
pub fn imbalance(classes: &[ClassCount]) -> Option<u64> {
    let smallest = classes.iter().map(|c| c.rows).min()?;
    let largest = classes.iter().map(|c| c.rows).max()?;
    if smallest == 0 {
        return None;
    }
    let ratio = largest / smallest;
    (ratio >= 10).then_some(ratio)
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

/// A column's missing values in the column table: `0`, or the count and its share of `rows`.
pub fn missing_cell(missing: u64, rows: usize) -> String {
    if missing == 0 {
        "0".to_string()
    } else {
        format!(
            "{} ({})",
            thousands(missing),
            percent(missing as f64 / rows.max(1) as f64)
        )
    }
}

/// A column's most frequent values with their rows: `tcp (1,200), udp (30)`.
pub fn top_values(c: &ColumnStats) -> String {
    c.top
        .iter()
        .map(|v| format!("{} ({})", v.value, thousands(v.rows)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A feature in the histogram picker: `bytes (0.42 bits, log)`.
pub fn histogram_option(f: &FeatureHistogram) -> String {
    format!(
        "{} ({:.2} bits{})",
        f.column,
        f.mutual_information,
        if f.log { ", log" } else { "" }
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::ValueCount;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn class(name: &str, rows: u64) -> ClassCount {
        ClassCount {
            name: name.into(),
            rows,
            share: 0.0,
        }
    }

    fn column(name: &str, kind: &str, missing: u64, mean: Option<f64>) -> ColumnStats {
        ColumnStats {
            name: name.into(),
            kind: kind.into(),
            role: "feature".into(),
            present: 10 - missing,
            missing,
            unique: 3,
            min: mean,
            max: mean,
            mean,
            std: None,
            top: vec![],
        }
    }

    fn histograms() -> Histograms {
        Histograms {
            series: strings(&["benign", "attack"]),
            features: vec![
                FeatureHistogram {
                    column: "bytes".into(),
                    log: true,
                    edges: vec![0.0, 1.0, 2.0],
                    counts: vec![vec![5, 1], vec![0, 3]],
                    missing: vec![0, 1234],
                    mutual_information: 0.4567,
                },
                FeatureHistogram {
                    column: "port".into(),
                    log: false,
                    edges: vec![0.0, 10.0],
                    counts: vec![vec![2], vec![2]],
                    missing: vec![0, 0],
                    mutual_information: 0.01,
                },
            ],
            numeric_features: 2,
            note: None,
        }
    }

    #[test]
    fn class_bars_and_pie_count_rows() {
        let classes = [class("benign", 900), class("attack", 60)];
        let (bars, pie) = class_bars(&classes);
        assert_eq!(bars.labels, strings(&["benign", "attack"]));
        assert_eq!(bars.values, vec![900.0, 60.0]);
        assert!(bars.colored && bars.show_values);
        assert_eq!(bars.y_label, "rows");
        assert_eq!(pie.labels, bars.labels);
        assert_eq!(pie.values, bars.values);
        assert_eq!(imbalance(&classes), Some(15));
        assert_eq!(imbalance(&[class("a", 10), class("b", 99)]), None);
        assert_eq!(imbalance(&[class("a", 0), class("b", 99)]), None);
        assert_eq!(imbalance(&[]), None);
    }

    #[test]
    fn columns_sort_by_key_with_ties_in_file_order() {
        let cols = [
            column("b", "numeric", 2, Some(5.0)),
            column("A", "text", 0, None),
            column("c", "numeric", 2, Some(-1.0)),
        ];
        assert_eq!(sort_columns(&cols, SortBy::File, true), vec![0, 1, 2]);
        assert_eq!(sort_columns(&cols, SortBy::File, false), vec![2, 1, 0]);
        // Names compare without case.
        assert_eq!(sort_columns(&cols, SortBy::Name, true), vec![1, 0, 2]);
        // Ties keep file order ascending, and are reversed descending.
        assert_eq!(sort_columns(&cols, SortBy::Missing, true), vec![1, 0, 2]);
        assert_eq!(sort_columns(&cols, SortBy::Missing, false), vec![2, 0, 1]);
        // A column without a mean sorts below every number.
        assert_eq!(sort_columns(&cols, SortBy::Mean, true), vec![1, 2, 0]);
        assert_eq!(sort_columns(&cols, SortBy::Kind, false), vec![1, 2, 0]);
    }

    #[test]
    fn column_table_cells() {
        assert_eq!(missing_cell(0, 10), "0");
        assert_eq!(missing_cell(1234, 10_000), "1,234 (12.3 %)");
        assert_eq!(missing_cell(3, 0), "3 (300.0 %)");
        let mut c = column("proto", "text", 0, None);
        assert_eq!(top_values(&c), "");
        c.top = vec![
            ValueCount {
                value: "tcp".into(),
                rows: 1200,
            },
            ValueCount {
                value: "udp".into(),
                rows: 30,
            },
        ];
        assert_eq!(top_values(&c), "tcp (1,200), udp (30)");
    }

    #[test]
    fn histogram_series_per_class_and_notes() {
        let h = histograms();
        let c = class_histogram(&h, 0, HistogramMode::Share);
        assert_eq!(c.edges, vec![0.0, 1.0, 2.0]);
        assert_eq!(c.series[0].name, "benign");
        assert_eq!(c.series[0].values, vec![5.0, 1.0]);
        assert_eq!(c.series[1].values, vec![0.0, 3.0]);
        assert!(c.log);
        assert_eq!(c.x_label, "bytes");
        assert_eq!(c.mode, HistogramMode::Share);
        // An index past the end shows the last feature.
        assert_eq!(
            class_histogram(&h, 9, HistogramMode::Stacked).x_label,
            "port"
        );
        assert_eq!(
            histogram_note(&h, 0),
            "Mutual information with the class: 0.457 bits; \
             1,234 rows without a value, not drawn (attack 1,234)."
        );
        assert_eq!(
            histogram_note(&h, 1),
            "Mutual information with the class: 0.010 bits; no missing values."
        );
        assert_eq!(histogram_option(&h.features[0]), "bytes (0.46 bits, log)");
        assert_eq!(histogram_option(&h.features[1]), "port (0.01 bits)");
    }

    #[test]
    fn strongest_pairs_and_the_correlation_heatmap() {
        let c = Correlation {
            columns: strings(&["a", "b", "c"]),
            values: vec![
                vec![Some(1.0), Some(0.3), Some(-0.93)],
                vec![Some(0.3), Some(1.0), None],
                vec![Some(-0.93), None, Some(1.0)],
            ],
            rows_used: 100,
            note: None,
        };
        assert_eq!(strongest_pairs(&c), vec!["a ~ c (-0.93)", "a ~ b (+0.30)"]);
        let h = correlation_heatmap(&c);
        assert_eq!(h.rows, c.columns);
        assert_eq!(h.values, c.values);
        assert_eq!(h.scale, HeatScale::Diverging);
        assert_eq!(h.decimals, 2);
    }
}
