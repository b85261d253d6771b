//! The recurrent models' parameter tables (`gru`, `lstm`): the same fields, rows and defaults,
//! one definition for both; only the layer, the names and the cost of a step differ.

use serde::{Deserialize, Serialize};

use super::{rows, Grouping, SeqParams, Training};
use crate::data::rng::FlowRng;
use crate::models::params::{linear, right_open, Param, Params};
use crate::models::seq::gru::GruLayer;
use crate::models::seq::lstm::LstmLayer;
use crate::models::seq::net::Readout;
use crate::models::tree::{rows as tree_rows, ClassWeight};
use crate::models::ModelError;

/// `$params`, the parameters of model `$model` (registry name `$name`, title `$title`) over
/// layers `$layer`, one epoch costing `$cost` per window step and layer (in the units of
/// [`Params::work`]).
macro_rules! recurrent_params {
    ($params:ident, $model:ident, $layer:ident, $name:literal, $title:literal, $cost:literal) => {
        #[doc = concat!("Hyper-parameters of [`crate::models::seq::", stringify!($model), "`].")]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct $params {
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

        impl Default for $params {
            fn default() -> Self {
                $params {
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

        impl Params for $params {
            const TABLE: &'static [Param] = &[
                rows::WINDOW,
                rows::GROUPING,
                rows::HIDDEN,
                rows::RECURRENT_LAYERS,
                Param {
                    name: "dropout",
                    range: right_open(0.0, 1.0),
                    help: "share of the last state dropped while training",
                    search: linear(0.0, 0.5),
                },
                rows::LEARNING_RATE,
                rows::BATCH_SIZE,
                rows::MAX_EPOCHS,
                rows::VALIDATION_FRACTION,
                rows::PATIENCE,
                tree_rows::CLASS_WEIGHT,
                rows::SEED_ROW,
            ];

            /// An epoch: `window` steps of a recurrent cell per row and layer, times the cell's cost.
            fn work(&self) -> f64 {
                self.max_epochs as f64 * self.window as f64 * self.layers as f64 * $cost
            }

            fn check_together(&self) -> Result<(), ModelError> {
                Ok(())
            }
        }

        impl SeqParams for $params {
            type Layer = $layer;
            const NAME: &'static str = $name;
            const TITLE: &'static str = $title;

            fn training(&self) -> Training {
                Training {
                    window: self.window,
                    grouping: self.grouping,
                    dropout: self.dropout,
                    learning_rate: self.learning_rate,
                    batch_size: self.batch_size,
                    max_epochs: self.max_epochs,
                    validation_fraction: self.validation_fraction,
                    patience: self.patience,
                    class_weight: self.class_weight,
                    seed: self.seed,
                }
            }

            /// `layers` recurrent layers of `hidden` units, drawn in order.
            fn layers(&self, d: usize, rng: &mut FlowRng) -> Vec<$layer> {
                (0..self.layers)
                    .map(|l| $layer::init(if l == 0 { d } else { self.hidden }, self.hidden, rng))
                    .collect()
            }

            fn readout(&self) -> Readout {
                Readout::Last
            }
        }
    };
}

// An epoch costs about as much as a few forest trees at the defaults (W steps of a recurrent
// cell per row); an LSTM step a third more than a GRU's (four gates against three).
recurrent_params!(GruParams, Gru, GruLayer, "gru", "GRU", 0.25);
recurrent_params!(LstmParams, Lstm, LstmLayer, "lstm", "LSTM", 0.33);
