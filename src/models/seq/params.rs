//! The GRU's parameter table.

use serde::{Deserialize, Serialize};

use crate::models::params::{
    int_in, left_open, linear, log, right_open, Param, Params, Range, Search, SEED,
};
use crate::models::tree::{rows, ClassWeight};
use crate::models::ModelError;

/// Which flows make one sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grouping {
    /// The flows of one originating host.
    #[default]
    Host,
    /// The flows between one originating and one responding host.
    Pair,
    /// The flows to one responding host.
    Responder,
}

impl Grouping {
    /// What one sequence follows, in words.
    pub fn noun(self) -> &'static str {
        match self {
            Grouping::Host => "host",
            Grouping::Pair => "host pair",
            Grouping::Responder => "responder",
        }
    }

    /// Its context column (see `features::context`).
    pub fn column(self) -> usize {
        match self {
            Grouping::Host => 0,
            Grouping::Pair => 1,
            Grouping::Responder => 2,
        }
    }
}

/// Hyper-parameters of [`super::Gru`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GruParams {
    /// Flows per window (the row's own flow last).
    pub window: usize,
    /// Which flows make one sequence.
    pub grouping: Grouping,
    /// State size of every recurrent layer.
    pub hidden: usize,
    /// Recurrent layers (1 or 2).
    pub layers: usize,
    /// Share of the last state dropped while training.
    pub dropout: f64,
    /// Adam step size.
    pub learning_rate: f64,
    /// Windows per mini-batch.
    pub batch_size: usize,
    /// Most passes over the training windows.
    pub max_epochs: usize,
    /// Share of the windows held out for early stopping (0: none, train all epochs' last weights).
    pub validation_fraction: f64,
    /// Epochs without improvement before stopping (0: never stop early).
    pub patience: usize,
    /// `None`, or `Balanced` to weight rare classes up in the loss.
    pub class_weight: ClassWeight,
    /// Seed of the initial weights, the validation split, the shuffles and the dropout.
    pub seed: u64,
}

impl Default for GruParams {
    fn default() -> Self {
        GruParams {
            window: 16,
            grouping: Grouping::Host,
            hidden: 64,
            layers: 1,
            dropout: 0.0,
            learning_rate: 1e-3,
            batch_size: 256,
            max_epochs: 30,
            validation_fraction: 0.1,
            patience: 5,
            class_weight: ClassWeight::None,
            seed: 0,
        }
    }
}

impl Params for GruParams {
    const TABLE: &'static [Param] = &[
        Param {
            name: "window",
            range: int_in(1, 256),
            help: "flows per window, the scored flow last (W)",
            search: Search::OneOf(&["8", "16", "32"]),
        },
        Param {
            name: "grouping",
            range: Range::Choice(&["host", "pair", "responder"]),
            help: "a sequence is the flows of one host, host pair, or responder",
            search: Search::OneOf(&["\"host\"", "\"pair\""]),
        },
        Param {
            name: "hidden",
            range: int_in(1, 1024),
            help: "state size of each recurrent layer",
            search: Search::OneOf(&["32", "64", "128"]),
        },
        Param {
            name: "layers",
            range: int_in(1, 2),
            help: "recurrent layers",
            search: Search::OneOf(&["1", "2"]),
        },
        Param {
            name: "dropout",
            range: right_open(0.0, 1.0),
            help: "share of the last state dropped while training",
            search: linear(0.0, 0.5),
        },
        Param {
            name: "learning_rate",
            range: left_open(0.0, 10.0),
            help: "Adam step size",
            search: log(1e-4, 1e-2),
        },
        Param {
            name: "batch_size",
            range: int_in(1, 65_536),
            help: "windows per mini-batch",
            search: Search::OneOf(&["64", "128", "256"]),
        },
        Param {
            name: "max_epochs",
            range: int_in(1, 100_000),
            help: "most passes over the training windows",
            search: Search::Fixed,
        },
        Param {
            name: "validation_fraction",
            range: right_open(0.0, 1.0),
            help: "share held out for early stopping (0: none)",
            search: Search::Fixed,
        },
        Param {
            name: "patience",
            range: int_in(0, 100_000),
            help: "epochs without improvement before stopping (0: never stop early)",
            search: Search::Fixed,
        },
        rows::CLASS_WEIGHT,
        Param {
            name: "seed",
            range: SEED,
            help: "seed of the weights, the validation split, the shuffles and the dropout",
            search: Search::Fixed,
        },
    ];

    /// An epoch costs about as much as a few forest trees at the defaults (W steps of a
    /// recurrent cell per row).
    fn work(&self) -> f64 {
        self.max_epochs as f64 * self.window as f64 * self.layers as f64 * 0.25
    }

    fn check_together(&self) -> Result<(), ModelError> {
        Ok(())
    }
}
