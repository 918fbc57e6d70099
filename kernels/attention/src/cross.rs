//! Cross attention: decoder queries attend to an encoder context; keys and
//! values are both projected from the context, whose length may differ from
//! the query's.

use crate::config::AttentionConfig;
use crate::error::KernelError;
use crate::multi_head::Projections;
use crate::tensor::{expect_dim, mask3, tensor3};

/// Multi-head cross attention (same projections and weight layout as
/// [`crate::MultiHeadAttention`]).
#[derive(Clone, Debug, PartialEq)]
pub struct CrossAttention {
    projections: Projections,
}

impl CrossAttention {
    /// Projections drawn from `seed` exactly as for `MultiHeadAttention::new`.
    pub fn new(config: &AttentionConfig, seed: u32) -> Result<Self, KernelError> {
        Ok(CrossAttention {
            projections: Projections::new(config, seed)?,
        })
    }

    /// Replace the projections (each `model_dim²` values); biases become zero.
    pub fn set_weights(
        &mut self,
        wq: &[f32],
        wk: &[f32],
        wv: &[f32],
        wo: &[f32],
    ) -> Result<(), KernelError> {
        self.projections.set_weights(wq, wk, wv, wo)
    }

    /// `4·D² + (use_bias ? 4·D : 0)`.
    pub fn num_parameters(&self) -> u32 {
        self.projections.num_parameters()
    }

    pub fn num_heads(&self) -> u32 {
        self.projections.num_heads() as u32
    }

    pub fn model_dim(&self) -> u32 {
        self.projections.model_dim() as u32
    }

    /// query `[b, sq, D]` (decoder), context `[b, sk, D]` (encoder), mask
    /// `[b, sq, sk]`. Returns `[b, sq, D]`.
    pub fn forward(
        &self,
        query: (&[f32], [usize; 3]),
        context: (&[f32], [usize; 3]),
        mask: Option<(&[f32], [usize; 3])>,
    ) -> Result<Vec<f32>, KernelError> {
        let d = self.projections.model_dim();
        let q = tensor3("query", query)?;
        let c = tensor3("context", context)?;
        let feature = "feature size (last dimension, must equal model_dim)";
        expect_dim("query", feature, q.cols, d)?;
        expect_dim("context", feature, c.cols, d)?;
        expect_dim("context", "batch size", c.batch, q.batch)?;
        let mask = mask3(mask, q.batch, q.rows, c.rows)?;
        self.projections.forward(q, c, c, mask, None)
    }
}
