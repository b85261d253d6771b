//! Chart data of the Predict tab, as pure functions of the prediction summary.

use crate::predictions::PredictionSummary;
use crate::ui::charts::{Bars, HeatScale, Heatmap};

/// Rows per predicted class as coloured bars.
pub fn distribution_bars(summary: &PredictionSummary) -> Bars {
    Bars {
        labels: summary.classes.clone(),
        values: summary.distribution.iter().map(|&c| c as f64).collect(),
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
