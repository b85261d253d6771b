//! Chart data of the Predict tab, as pure functions of the prediction summary's parts.

use crate::report::plot::{Bars, HeatScale, Heatmap};

/// Rows per predicted class (`distribution[i]` rows predicted `classes[i]`) as coloured bars.
pub fn distribution_bars(classes: &[String], distribution: &[u64]) -> Bars {
    Bars {
        labels: classes.to_vec(),
        values: distribution.iter().map(|&c| c as f64).collect(),
        x_label: "predicted class".into(),
        y_label: "rows".into(),
        colored: true,
        show_values: true,
    }
}

/// The confusion matrix (counts) as a heatmap.
pub fn confusion_counts(classes: &[String], confusion: &[Vec<u64>]) -> Heatmap {
    Heatmap {
        rows: classes.to_vec(),
        columns: classes.to_vec(),
        values: confusion
            .iter()
            .map(|row| row.iter().map(|&v| Some(v as f64)).collect())
            .collect(),
        scale: HeatScale::Sequential,
        show_values: true,
        decimals: 0,
        x_label: "predicted".into(),
        y_label: "true".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn distribution_bars_count_rows_per_class() {
        let b = distribution_bars(&strings(&["benign", "attack", "scan"]), &[1200, 34, 0]);
        assert_eq!(b.labels, strings(&["benign", "attack", "scan"]));
        assert_eq!(b.values, vec![1200.0, 34.0, 0.0]);
        assert_eq!(
            (b.x_label.as_str(), b.y_label.as_str()),
            ("predicted class", "rows")
        );
        assert!(b.colored && b.show_values);
    }

    #[test]
    fn confusion_counts_are_whole_numbers() {
        let classes = strings(&["a", "b"]);
        let h = confusion_counts(&classes, &[vec![7, 1], vec![2, 0]]);
        assert_eq!(h.rows, classes);
        assert_eq!(h.columns, classes);
        assert_eq!(
            h.values,
            vec![vec![Some(7.0), Some(1.0)], vec![Some(2.0), Some(0.0)]]
        );
        assert_eq!(h.scale, HeatScale::Sequential);
        assert_eq!(h.decimals, 0);
        assert_eq!(
            (h.x_label.as_str(), h.y_label.as_str()),
            ("predicted", "true")
        );
    }
}
