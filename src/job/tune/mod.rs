//! Hyper-parameter search over a model's parameter table: seeded random search and successive
//! halving (one Hyperband bracket), scored the honest way.
//!
//! The search space is the table itself: every row with a [`Search`](crate::models::params::Search)
//! range is drawn (log-uniformly where the row says so), the others keep the user's value or the
//! default. Every trial's settings are drawn up front from one seeded generator, so the same seed
//! gives the same trials, whichever way they are run.
//!
//! A [`Tuner`] is a plain state machine: [`Tuner::next_round`] hands out a [`Round`] — an ordinary
//! [`JobRequest`] with one model per trial, so a round's trials are tasks that
//! [`crate::job::scheduler`] spreads over the page's worker pool like any training — and
//! [`Tuner::record`] takes each trial's score as it comes back. Successive halving fits every
//! trial on a share of the training rows (`1/η²`, then `1/η`, then all), keeping the best `1/η` of
//! each rung. [`run`] drives a tuner in this thread (the CLI).
//!
//! The objective is macro-F1 (or another [`Metric`]) under an [`Objective`]: by capture (group
//! k-fold over the source files) when the data has at least two labelled captures — the score that
//! predicts new traffic — and repeated stratified k-fold otherwise.
//!
//! ```
//! use flowlab::job::tune::{Objective, TuneOptions, Tuner};
//! let mut options = TuneOptions::new("gbdt", 9);
//! options.seed = 5;
//! let a = Tuner::new(options.clone(), 1).unwrap();
//! let b = Tuner::new(options, 1).unwrap();
//! assert_eq!(a.trials, b.trials); // same seed, same trials
//! assert_eq!(a.objective, Objective::Cv); // one capture: repeated k-fold
//! assert_eq!(a.shares(), &[1.0 / 9.0, 1.0 / 3.0, 1.0]);
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use super::{JobRequest, TrainError};
use crate::data::rng::FlowRng;
use crate::eval::metrics::Report;
use crate::eval::split::{SplitKind, DEFAULT_FOLDS};
use crate::models::params::shown;
use crate::models::registry::{self, ModelSpec, SpecError};

mod local;

pub use local::{captures, run};

/// How trials are scored: which split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// Group k-fold over the source files (at most 5 folds): every test fold holds captures no
    /// trial was fitted on.
    ByCapture,
    /// Stratified 3-fold, repeated twice.
    Cv,
    /// One stratified 25 % hold-out.
    Holdout,
}

impl Objective {
    /// By capture with at least two labelled captures, repeated k-fold otherwise.
    pub fn default_for(captures: usize) -> Objective {
        if captures >= 2 {
            Objective::ByCapture
        } else {
            Objective::Cv
        }
    }

    /// The split a round is scored on.
    pub fn split(self, captures: usize) -> SplitKind {
        match self {
            Objective::ByCapture => SplitKind::Group {
                folds: captures.min(DEFAULT_FOLDS),
            },
            Objective::Cv => SplitKind::KFold {
                folds: 3,
                repeats: 2,
            },
            Objective::Holdout => SplitKind::Random { test_size: 0.25 },
        }
    }

    /// Parses `by-capture`, `cv` or `holdout`.
    pub fn parse(text: &str) -> Result<Objective, TuneError> {
        match text {
            "by-capture" => Ok(Objective::ByCapture),
            "cv" => Ok(Objective::Cv),
            "holdout" => Ok(Objective::Holdout),
            other => Err(TuneError::Objective(other.to_string())),
        }
    }

    /// The name [`Objective::parse`] reads.
    pub fn name(self) -> &'static str {
        match self {
            Objective::ByCapture => "by-capture",
            Objective::Cv => "cv",
            Objective::Holdout => "holdout",
        }
    }
}

/// Which score of a trial's pooled test predictions is maximised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    #[default]
    MacroF1,
    Accuracy,
    BalancedAccuracy,
    Mcc,
}

impl Metric {
    /// This metric of a report.
    pub fn of(self, r: &Report) -> f64 {
        match self {
            Metric::MacroF1 => r.macro_f1,
            Metric::Accuracy => r.accuracy,
            Metric::BalancedAccuracy => r.balanced_accuracy,
            Metric::Mcc => r.mcc,
        }
    }

    /// Parses `macro-f1`, `accuracy`, `balanced-accuracy` or `mcc`.
    pub fn parse(text: &str) -> Result<Metric, TuneError> {
        match text {
            "macro-f1" => Ok(Metric::MacroF1),
            "accuracy" => Ok(Metric::Accuracy),
            "balanced-accuracy" => Ok(Metric::BalancedAccuracy),
            "mcc" => Ok(Metric::Mcc),
            other => Err(TuneError::Metric(other.to_string())),
        }
    }

    /// The name [`Metric::parse`] reads.
    pub fn name(self) -> &'static str {
        match self {
            Metric::MacroF1 => "macro-f1",
            Metric::Accuracy => "accuracy",
            Metric::BalancedAccuracy => "balanced-accuracy",
            Metric::Mcc => "mcc",
        }
    }
}

/// Random search, or successive halving on the share of training rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Every trial on every training row.
    Random,
    /// Rungs of `1/η²`, `1/η`, all rows (fewer with few trials); the best `1/η` go on.
    #[default]
    Halving,
}

/// What to search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneOptions {
    /// The model's short name (`gbdt`, `rf`, …).
    pub model: String,
    /// Settings every trial keeps (the user's `--set`); a searched row named here is not drawn.
    pub fixed: Vec<(String, Value)>,
    /// Configurations drawn (the first rung of halving holds them all).
    pub trials: usize,
    /// Stop starting trials after this many seconds (the trials done are kept).
    pub budget_seconds: Option<f64>,
    /// Seed of the draws, the split and the rungs' row subsets.
    pub seed: u64,
    /// `None`: by capture with ≥ 2 captures, repeated k-fold otherwise.
    pub objective: Option<Objective>,
    pub metric: Metric,
    pub strategy: Strategy,
    /// Halving keeps the best `1/eta` of a rung (≥ 2).
    pub eta: usize,
    pub taxonomy: crate::ingest::Taxonomy,
    pub features: crate::features::FeatureOptions,
    pub label_map: crate::ingest::LabelMap,
}

impl TuneOptions {
    /// `trials` draws of `model`, seed 42, default objective, macro-F1, halving with η = 3.
    pub fn new(model: &str, trials: usize) -> TuneOptions {
        TuneOptions {
            model: model.to_string(),
            fixed: Vec::new(),
            trials,
            budget_seconds: None,
            seed: crate::eval::split::DEFAULT_SEED,
            objective: None,
            metric: Metric::default(),
            strategy: Strategy::default(),
            eta: 3,
            taxonomy: crate::ingest::Taxonomy::default(),
            features: crate::features::FeatureOptions::default(),
            label_map: crate::ingest::LabelMap::default(),
        }
    }
}

/// Why a search cannot start or go on.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum TuneError {
    #[error("trials 0: expected at least 1")]
    NoTrials,
    #[error("eta {0}: expected at least 2")]
    Eta(usize),
    #[error("budget {0} s: expected a number of seconds above 0")]
    Budget(f64),
    #[error("unknown objective {0:?}: expected by-capture, cv or holdout")]
    Objective(String),
    #[error("unknown metric {0:?}: expected macro-f1, accuracy, balanced-accuracy or mcc")]
    Metric(String),
    #[error(
        "the by-capture objective needs at least 2 labelled captures (source files); there is {0}"
    )]
    OneCapture(usize),
    #[error("trial {trial}: {source}")]
    Trial { trial: usize, source: SpecError },
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error(transparent)]
    Train(#[from] TrainError),
}

/// One rung a trial ran: the share of training rows, its score and seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RungScore {
    pub share: f64,
    /// `None` when the fit failed (see [`Trial::error`]).
    pub score: Option<f64>,
    pub seconds: f64,
}

/// One drawn configuration and what it scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    pub id: usize,
    /// The drawn values, in table order (the settings a table shows).
    pub values: Vec<(String, Value)>,
    pub spec: ModelSpec,
    /// One entry per rung run, in order.
    pub rungs: Vec<RungScore>,
    pub error: Option<String>,
}

impl Trial {
    /// The score at the highest rung run (`None` before any, or when it failed).
    pub fn score(&self) -> Option<f64> {
        self.rungs.last().and_then(|r| r.score)
    }

    /// Seconds over every rung.
    pub fn seconds(&self) -> f64 {
        self.rungs.iter().map(|r| r.seconds).sum()
    }

    /// The drawn values as `NAME=VALUE`, as `flowlab train --set` reads them.
    pub fn settings(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|(k, v)| format!("{k}={}", shown(v)))
            .collect()
    }

    /// Orders trials best first: more rungs, then higher score, then lower id.
    fn rank_key(&self) -> (usize, f64) {
        (self.rungs.len(), self.score().unwrap_or(f64::NEG_INFINITY))
    }
}

/// One point of the best-so-far curve: after `done` results and `seconds`, the best score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    pub done: usize,
    pub seconds: f64,
    pub best: f64,
}

/// Trials to fit now, as one ordinary job (model `m` of the request is trial `trials[m]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Round {
    pub rung: usize,
    pub share: f64,
    pub trials: Vec<usize>,
    pub request: JobRequest,
}

/// A search in progress: its trials, where it is, and the best so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tuner {
    pub options: TuneOptions,
    pub objective: Objective,
    pub split: SplitKind,
    pub trials: Vec<Trial>,
    /// Shares of training rows per rung (the last is 1).
    shares: Vec<f64>,
    /// The rung of the round handed out last (`None` before the first).
    rung: Option<usize>,
    /// Trials of the current round not recorded yet.
    pending: Vec<usize>,
    /// The best score after each result.
    pub curve: Vec<CurvePoint>,
    /// Set when the budget ran out or the user cancelled: no more rounds.
    pub stopped: bool,
}

/// Rungs of successive halving for `trials` draws: `η^-r` for r = R … 0, with R the halvings the
/// draws allow (`η^R ≤ trials`), at most 2 (a trial's first fit sees at least 1/η² of the rows).
fn rung_shares(strategy: Strategy, trials: usize, eta: usize) -> Vec<f64> {
    if strategy == Strategy::Random {
        return vec![1.0];
    }
    let mut halvings = 0;
    while halvings < 2 && eta.pow(halvings + 1) <= trials {
        halvings += 1;
    }
    (0..=halvings)
        .rev()
        .map(|r| 1.0 / eta.pow(r) as f64)
        .collect()
}

/// The random stream of the trials' draws.
const DRAW_STREAM: u64 = 0x7E_1000;

impl Tuner {
    /// Draws every trial for data with `captures` labelled source files. Refuses a search that
    /// cannot run (no trials, an unknown model or setting, by capture with one capture).
    pub fn new(options: TuneOptions, captures: usize) -> Result<Tuner, TuneError> {
        if options.trials == 0 {
            return Err(TuneError::NoTrials);
        }
        if options.eta < 2 {
            return Err(TuneError::Eta(options.eta));
        }
        if let Some(b) = options.budget_seconds {
            if !(b > 0.0 && b.is_finite()) {
                return Err(TuneError::Budget(b));
            }
        }
        let objective = options
            .objective
            .unwrap_or_else(|| Objective::default_for(captures));
        if objective == Objective::ByCapture && captures < 2 {
            return Err(TuneError::OneCapture(captures));
        }
        let kind = registry::kind(&options.model)?;
        // The user's settings alone must make a model (an unknown name is refused here).
        ModelSpec::with_json(kind.name, &options.fixed)?;
        let mut rng = FlowRng::new(options.seed, DRAW_STREAM);
        let trials = (0..options.trials)
            .map(|id| {
                // Every row is drawn even when fixed, so a fixed row does not shift the others.
                let values: Vec<(String, Value)> = kind
                    .sample(&mut rng)
                    .into_iter()
                    .filter(|(n, _)| !options.fixed.iter().any(|(f, _)| f == n))
                    .map(|(n, v)| (n.to_string(), v))
                    .collect();
                let all: Vec<(String, Value)> = options
                    .fixed
                    .iter()
                    .cloned()
                    .chain(values.clone())
                    .collect();
                let spec = ModelSpec::with_json(kind.name, &all)
                    .map_err(|source| TuneError::Trial { trial: id, source })?;
                Ok(Trial {
                    id,
                    values,
                    spec,
                    rungs: Vec::new(),
                    error: None,
                })
            })
            .collect::<Result<Vec<_>, TuneError>>()?;
        Ok(Tuner {
            split: objective.split(captures),
            shares: rung_shares(options.strategy, options.trials, options.eta),
            objective,
            options,
            trials,
            rung: None,
            pending: Vec::new(),
            curve: Vec::new(),
            stopped: false,
        })
    }

    /// Shares of training rows per rung.
    pub fn shares(&self) -> &[f64] {
        &self.shares
    }

    /// The next trials to fit, once every result of the previous round is in; `None` when the
    /// search is over (last rung done, stopped, or results still pending).
    pub fn next_round(&mut self) -> Option<Round> {
        if self.stopped || !self.pending.is_empty() {
            return None;
        }
        let rung = self.rung.map_or(0, |r| r + 1);
        let share = *self.shares.get(rung)?;
        let trials: Vec<usize> = match self.rung {
            None => (0..self.trials.len()).collect(),
            Some(r) => self.promoted(r),
        };
        if trials.is_empty() {
            return None;
        }
        self.rung = Some(rung);
        self.pending = trials.clone();
        let mut request = JobRequest::new(
            trials
                .iter()
                .map(|&t| self.trials[t].spec.clone())
                .collect(),
        );
        request.taxonomy = self.options.taxonomy;
        request.split = self.split;
        request.seed = self.options.seed;
        request.features = self.options.features.clone();
        request.label_map = self.options.label_map.clone();
        request.by_capture = false;
        request.permutation = false;
        request.learning_curve = false;
        request.tune_rows = Some(share);
        Some(Round {
            rung,
            share,
            trials,
            request,
        })
    }

    /// The best `1/η` (at least one) of the trials that scored at rung `r`, best first.
    fn promoted(&self, r: usize) -> Vec<usize> {
        let mut ran: Vec<&Trial> = self
            .trials
            .iter()
            .filter(|t| t.rungs.len() == r + 1 && t.score().is_some())
            .collect();
        ran.sort_by(|a, b| {
            b.score()
                .partial_cmp(&a.score())
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.id.cmp(&b.id))
        });
        let keep = ran.len().div_ceil(self.options.eta).max(1).min(ran.len());
        ran.into_iter().take(keep).map(|t| t.id).collect()
    }

    /// Takes trial `trial`'s result at the current rung: its score or why the fit failed, the
    /// seconds it took and the seconds since the search started (for the curve).
    pub fn record(
        &mut self,
        trial: usize,
        result: Result<f64, String>,
        seconds: f64,
        elapsed: f64,
    ) {
        let Some(at) = self.pending.iter().position(|&t| t == trial) else {
            return;
        };
        self.pending.remove(at);
        let share = self
            .rung
            .and_then(|r| self.shares.get(r))
            .copied()
            .unwrap_or(1.0);
        let t = &mut self.trials[trial];
        let score = match result {
            Ok(s) => Some(s),
            Err(e) => {
                t.error = Some(e);
                None
            }
        };
        t.rungs.push(RungScore {
            share,
            score,
            seconds,
        });
        let best = self.best().and_then(Trial::score).unwrap_or(f64::NAN);
        self.curve.push(CurvePoint {
            done: self.curve.len() + 1,
            seconds: elapsed,
            best,
        });
    }

    /// Stops the search (budget spent or cancelled): no more rounds; what is done is kept.
    pub fn stop(&mut self) {
        self.stopped = true;
        self.pending.clear();
    }

    /// Whether `elapsed` seconds exhaust the budget.
    pub fn over_budget(&self, elapsed: f64) -> bool {
        self.options.budget_seconds.is_some_and(|b| elapsed >= b)
    }

    /// Whether every trial of the round handed out last has its result.
    pub fn round_done(&self) -> bool {
        self.pending.is_empty()
    }

    /// Whether no more rounds will come.
    pub fn finished(&self) -> bool {
        self.pending.is_empty()
            && (self.stopped || self.rung.is_some_and(|r| r + 1 >= self.shares.len()))
    }

    /// The best trial so far: the one that went furthest, then scored highest (`None` before a
    /// trial has scored).
    pub fn best(&self) -> Option<&Trial> {
        self.trials
            .iter()
            .filter(|t| t.score().is_some())
            .max_by(|a, b| {
                let (ra, sa) = a.rank_key();
                let (rb, sb) = b.rank_key();
                ra.cmp(&rb)
                    .then(sa.partial_cmp(&sb).unwrap_or(std::cmp::Ordering::Equal))
                    .then(b.id.cmp(&a.id))
            })
    }

    /// Results recorded and results a full run would have, for progress.
    pub fn progress(&self) -> (usize, usize) {
        let mut total = 0;
        let mut n = self.trials.len();
        for _ in &self.shares {
            total += n;
            n = n.div_ceil(self.options.eta).max(1);
        }
        (self.curve.len(), total)
    }
}

#[cfg(test)]
mod tests;
