//! What every layer of a sequence network does: map a masked batch of sequences to another
//! sequence (`t × b × n_in` → `t × b × n_out`, time-major), keep what its backward pass needs,
//! and pass gradients back to its weights and its input. The GRU ([`super::gru`]), the LSTM
//! ([`super::lstm`]) and the temporal convolution ([`super::conv`]) implement it;
//! [`super::net::Net`] stacks any of them under one readout and softmax head, and one training
//! loop ([`super::SeqModel`]) fits them all.

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// One layer of a sequence network. `mask[s * b + i]` is 1 where step `s` of window `i` is a
/// real flow and 0 where it is padding (padding only ever comes before a group's first flow).
pub trait SeqLayer: Clone + Debug + PartialEq + Serialize + DeserializeOwned {
    /// What the forward pass keeps for the backward pass (buffers reused across batches).
    type Trace: Default;
    /// Gradients of the layer's weights.
    type Grads;

    /// Inputs per step.
    fn n_in(&self) -> usize;
    /// Outputs per step.
    fn n_out(&self) -> usize;
    /// Whether the weight vectors have the sizes the layer's dimensions say.
    fn shapes_ok(&self) -> bool;

    /// Runs the layer over `x` (`t × b × n_in`), leaving its outputs in `tr`.
    fn forward(&self, x: &[f32], mask: &[f32], t: usize, b: usize, tr: &mut Self::Trace);
    /// The outputs of the last forward pass, `t × b × n_out`.
    fn output<'a>(&self, tr: &'a Self::Trace, t: usize, b: usize) -> &'a [f32];
    /// Backward pass: `dout` (`t × b × n_out`, consumed) is the loss's gradient with respect to
    /// each step's output; weight gradients are added to `grads`; with `dx`, the input's
    /// gradient (`t × b × n_in`) is written there (overwritten, not added).
    #[allow(clippy::too_many_arguments)]
    fn backward(
        &self,
        x: &[f32],
        mask: &[f32],
        t: usize,
        b: usize,
        tr: &Self::Trace,
        dout: &mut [f32],
        grads: &mut Self::Grads,
        dx: Option<&mut [f32]>,
    );

    /// Zero gradients shaped like this layer.
    fn zero_grads(&self) -> Self::Grads;
    /// Every weight vector, in a fixed order.
    fn params_mut(&mut self) -> Vec<&mut [f32]>;
    /// Every gradient, in [`SeqLayer::params_mut`]'s order.
    fn grad_slices(g: &Self::Grads) -> Vec<&[f32]>;
}
