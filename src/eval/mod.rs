//! Honest evaluation: splits (random and by capture), metrics exactly as scikit-learn defines
//! them, the leakage and capture detectors, permutation importance and learning curves.

pub mod capture;
pub mod importance;
pub mod leakage;
pub mod learning_curve;
pub mod metrics;
pub mod split;
