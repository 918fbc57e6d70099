//! [`BatchProcessor`]: scaled dot-product attention over independent inputs.

use crate::error::KernelError;
use crate::scaled_dot::ScaledDotProduct;

type Tensor3<'a> = (&'a [f32], [usize; 3]);

/// Runs scaled dot-product attention on one input at a time; the bindings
/// generate `processBatch`, which sends many inputs into WebAssembly in one
/// call and returns each input's result or error.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchProcessor {
    attention: ScaledDotProduct,
}

impl BatchProcessor {
    /// A processor for inputs whose query/key dimension is `head_dim`.
    pub fn new(head_dim: u32) -> Result<Self, KernelError> {
        Ok(BatchProcessor { attention: ScaledDotProduct::new(head_dim, None)? })
    }

    /// The query/key dimension the processor expects.
    pub fn head_dim(&self) -> u32 {
        self.attention.head_dim()
    }

    /// Attention output [b, sq, dv] for one input (see [`ScaledDotProduct::forward`]).
    pub fn process(
        &mut self,
        query: Tensor3<'_>,
        key: Tensor3<'_>,
        value: Tensor3<'_>,
        mask: Option<Tensor3<'_>>,
    ) -> Result<Vec<f32>, KernelError> {
        self.attention.forward(query, key, value, mask)
    }
}
