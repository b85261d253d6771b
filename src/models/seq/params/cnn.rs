//! The 1D-CNN's parameter table.

use serde::{Deserialize, Serialize};

use super::{rows, Grouping, SeqParams, Training};
use crate::data::rng::FlowRng;
use crate::models::params::{int_in, linear, right_open, Param, Params, Range, Search};
use crate::models::seq::conv::ConvLayer;
use crate::models::seq::net::Readout;
use crate::models::tree::{rows as tree_rows, ClassWeight};

/// Where a convolution's taps sit around the step it computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Padding {
    /// The taps end at the step: a flow's output reads it and earlier flows only.
    #[default]
    Causal,
    /// The taps are centred on the step (later flows of the window too).
    Same,
}

/// How the top layer's channels become one vector per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pooling {
    /// The mean over the window's real flows.
    Mean,
    /// The largest value over the window's real flows.
    #[default]
    Max,
}

/// Hyper-parameters of [`crate::models::seq::Cnn1d`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cnn1dParams {
    /// Flows per window (the row's own flow last).
    pub window: usize,
    /// Which flows make one sequence.
    pub grouping: Grouping,
    /// Convolution layers.
    pub layers: usize,
    /// Output channels of every layer.
    pub channels: usize,
    /// Taps per convolution.
    pub kernel: usize,
    /// Dilation growth: layer `l` (from 0) spaces its taps `dilation^l` flows apart.
    pub dilation: usize,
    /// Causal or same padding.
    pub padding: Padding,
    /// Global mean or max pooling over the window's real flows.
    pub pooling: Pooling,
    /// Share of the pooled channels dropped while training.
    pub dropout: f64,
    /// Adam step size.
    pub learning_rate: f64,
    /// Windows per mini-batch.
    pub batch_size: usize,
    /// Most passes over the training windows.
    pub max_epochs: usize,
    /// Share of the windows held out for early stopping (0: none).
    pub validation_fraction: f64,
    /// Epochs without improvement before stopping (0: never stop early).
    pub patience: usize,
    /// `None`, or `Balanced` to weight rare classes up in the loss.
    pub class_weight: ClassWeight,
    /// Seed of the initial weights, the validation split, the shuffles and the dropout.
    pub seed: u64,
}

impl Default for Cnn1dParams {
    fn default() -> Self {
        Cnn1dParams {
            window: 16,
            grouping: Grouping::Host,
            layers: 2,
            channels: 64,
            kernel: 3,
            dilation: 2,
            padding: Padding::Causal,
            pooling: Pooling::Max,
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

impl Params for Cnn1dParams {
    const TABLE: &'static [Param] = &[
        rows::WINDOW,
        rows::GROUPING,
        Param {
            name: "layers",
            range: int_in(1, 4),
            help: "convolution layers, each with ReLU",
            search: Search::OneOf(&["1", "2", "3"]),
        },
        Param {
            name: "channels",
            range: int_in(1, 1024),
            help: "output channels of each convolution",
            search: Search::OneOf(&["32", "64", "128"]),
        },
        Param {
            name: "kernel",
            range: int_in(1, 16),
            help: "taps per convolution",
            search: Search::OneOf(&["2", "3", "5"]),
        },
        Param {
            name: "dilation",
            range: int_in(1, 4),
            help: "layer l (from 0) spaces its taps dilation^l flows apart (1: no dilation)",
            search: Search::OneOf(&["1", "2"]),
        },
        Param {
            name: "padding",
            range: Range::Choice(&["causal", "same"]),
            help: "taps end at the flow (causal) or are centred on it (same); padding reads as 0",
            search: Search::OneOf(&["\"causal\"", "\"same\""]),
        },
        Param {
            name: "pooling",
            range: Range::Choice(&["mean", "max"]),
            help: "global pooling over the window's real flows (padding left out)",
            search: Search::OneOf(&["\"mean\"", "\"max\""]),
        },
        Param {
            name: "dropout",
            range: right_open(0.0, 1.0),
            help: "share of the pooled channels dropped while training",
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

    /// Per step and layer, `kernel × channels` multiply-adds per input against the GRU's
    /// `3 × hidden` (and no step-by-step recurrence), scaled to the GRU's weight at the defaults.
    fn work(&self) -> f64 {
        self.max_epochs as f64
            * self.window as f64
            * self.layers as f64
            * (self.kernel * self.channels) as f64
            / 192.0
            * 0.2
    }
}

impl SeqParams for Cnn1dParams {
    type Layer = ConvLayer;
    const NAME: &'static str = "cnn1d";
    const TITLE: &'static str = "1D-CNN";

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

    /// `layers` convolutions of `channels` channels, layer `l` with dilation `dilation^l`.
    fn layers(&self, d: usize, rng: &mut FlowRng) -> Vec<ConvLayer> {
        (0..self.layers)
            .map(|l| {
                let n_in = if l == 0 { d } else { self.channels };
                let dilation = self.dilation.pow(l as u32);
                let causal = self.padding == Padding::Causal;
                ConvLayer::init(n_in, self.channels, self.kernel, dilation, causal, rng)
            })
            .collect()
    }

    fn readout(&self) -> Readout {
        match self.pooling {
            Pooling::Mean => Readout::Mean,
            Pooling::Max => Readout::Max,
        }
    }
}
