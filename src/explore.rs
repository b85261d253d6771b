//! Exploring a loaded data set: class distribution, per-column statistics, data quality,
//! per-class histograms and feature correlations. (Being built: see the Explore tab issue.)

use serde::{Deserialize, Serialize};

use crate::ingest::{Dataset, Taxonomy};

/// Everything the Explore tab shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exploration {
    pub rows: usize,
    pub taxonomy: Taxonomy,
}

/// Explores `data` with labels in `taxonomy`.
pub fn explore(data: &Dataset, taxonomy: Taxonomy) -> Exploration {
    Exploration {
        rows: data.labels.len(),
        taxonomy,
    }
}
