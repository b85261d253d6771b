//! Early stopping, shared by the MLP and the sequence models: an epoch improves when its watched
//! loss (validation, else training) beats the best so far by more than a tolerance; training
//! stops after `patience` epochs in a row without improvement (never with `patience = 0`).
//!
//! ```
//! # use flowlab::models::EarlyStopping;
//! let mut s = EarlyStopping::new(0.01, 2);
//! assert!(s.improved(1.0));
//! assert!(!s.improved(0.995)); // not by more than 0.01
//! assert!(!s.stop());
//! assert!(!s.improved(1.2));
//! assert!(s.stop());
//! ```

/// The state of early stopping over the epochs of one fit.
#[derive(Debug, Clone)]
pub struct EarlyStopping {
    tol: f64,
    patience: usize,
    best: f64,
    bad: usize,
}

impl EarlyStopping {
    /// No epoch seen yet.
    pub fn new(tol: f64, patience: usize) -> EarlyStopping {
        EarlyStopping {
            tol,
            patience,
            best: f64::INFINITY,
            bad: 0,
        }
    }

    /// Records an epoch's watched loss; `true` when it is the new best (by more than the
    /// tolerance), when the caller keeps that epoch's weights.
    pub fn improved(&mut self, watched: f64) -> bool {
        if watched < self.best - self.tol {
            (self.best, self.bad) = (watched, 0);
            true
        } else {
            self.bad += 1;
            false
        }
    }

    /// Whether `patience` epochs in a row did not improve.
    pub fn stop(&self) -> bool {
        self.patience > 0 && self.bad >= self.patience
    }
}
