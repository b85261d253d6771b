//! The sequence models' parameter tables: one per model ([`GruParams`], [`LstmParams`],
//! [`Cnn1dParams`]), built from the rows they share (windows, grouping, training), and what the
//! one training loop reads of them ([`SeqParams`], [`Training`]).

mod cnn;
mod recurrent;

use serde::{Deserialize, Serialize};

pub use cnn::{Cnn1dParams, Padding, Pooling};
pub use recurrent::{GruParams, LstmParams};

use super::layer::SeqLayer;
use super::net::Readout;
use crate::data::rng::FlowRng;
use crate::models::params::{
    int_in, left_open, log, right_open, Param, Params, Range, Search, SEED,
};
use crate::models::tree::ClassWeight;

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

/// The settings every sequence model trains with (windows, Adam, early stopping, weights).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Training {
    pub window: usize,
    pub grouping: Grouping,
    pub dropout: f64,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub max_epochs: usize,
    pub validation_fraction: f64,
    pub patience: usize,
    pub class_weight: ClassWeight,
    pub seed: u64,
}

/// A sequence model's parameters: what the shared training loop ([`super::SeqModel`]) needs of
/// them — its training settings, its layers and its readout.
pub trait SeqParams: Params + std::fmt::Debug + PartialEq {
    /// The layer the network stacks.
    type Layer: SeqLayer;
    /// Short name, as in the registry (`gru`).
    const NAME: &'static str;
    /// Name in messages (`GRU`).
    const TITLE: &'static str;
    /// The shared training settings.
    fn training(&self) -> Training;
    /// The layers, input side first, over `d` inputs per step (initial weights from `rng`).
    fn layers(&self, d: usize, rng: &mut FlowRng) -> Vec<Self::Layer>;
    /// How the top layer's sequence reaches the head.
    fn readout(&self) -> Readout;
}

/// Table rows the sequence models share.
pub(super) mod rows {
    use super::*;

    pub const WINDOW: Param = Param {
        name: "window",
        range: int_in(1, 256),
        help: "flows per window, the scored flow last (W)",
        search: Search::OneOf(&["8", "16", "32"]),
    };
    pub const GROUPING: Param = Param {
        name: "grouping",
        range: Range::Choice(&["host", "pair", "responder"]),
        help: "a sequence is the flows of one host, host pair, or responder",
        search: Search::OneOf(&["\"host\"", "\"pair\""]),
    };
    pub const RECURRENT_LAYERS: Param = Param {
        name: "layers",
        range: int_in(1, 2),
        help: "recurrent layers",
        search: Search::OneOf(&["1", "2"]),
    };
    pub const HIDDEN: Param = Param {
        name: "hidden",
        range: int_in(1, 1024),
        help: "state size of each recurrent layer",
        search: Search::OneOf(&["32", "64", "128"]),
    };
    pub const LEARNING_RATE: Param = Param {
        name: "learning_rate",
        range: left_open(0.0, 10.0),
        help: "Adam step size",
        search: log(1e-4, 1e-2),
    };
    pub const BATCH_SIZE: Param = Param {
        name: "batch_size",
        range: int_in(1, 65_536),
        help: "windows per mini-batch",
        search: Search::OneOf(&["64", "128", "256"]),
    };
    pub const MAX_EPOCHS: Param = Param {
        name: "max_epochs",
        range: int_in(1, 100_000),
        help: "most passes over the training windows",
        search: Search::Fixed,
    };
    pub const VALIDATION_FRACTION: Param = Param {
        name: "validation_fraction",
        range: right_open(0.0, 1.0),
        help: "share held out for early stopping (0: none)",
        search: Search::Fixed,
    };
    pub const PATIENCE: Param = Param {
        name: "patience",
        range: int_in(0, 100_000),
        help: "epochs without improvement before stopping (0: never stop early)",
        search: Search::Fixed,
    };
    pub const SEED_ROW: Param = Param {
        name: "seed",
        range: SEED,
        help: "seed of the weights, the validation split, the shuffles and the dropout",
        search: Search::Fixed,
    };
}
