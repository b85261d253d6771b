//! Honest evaluation: splits (random and by capture), metrics exactly as scikit-learn defines
//! them, and the leakage detector.

pub mod leakage;
pub mod metrics;
pub mod split;
