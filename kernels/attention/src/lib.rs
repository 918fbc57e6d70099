//! Attention mechanisms behind the `attention` npm package.
//!
//! Plain Rust with no WebAssembly dependencies: wasmforge generates the
//! wasm-bindgen wrappers from `kernel.toml`, and the same code compiles
//! natively for tests and benchmarks. Every public function validates its
//! inputs and returns `Result<_, KernelError>`; nothing panics on bad input,
//! and nothing uses clocks or threads (unavailable on wasm32).
//!
//! Tensors are passed as `(&[f32], [usize; N])`: row-major data and its
//! shape. Mechanisms:
//!
//! * [`ScaledDotProduct`]: `softmax(Q·Kᵀ/√d + mask)·V`;
//! * [`MultiHeadAttention`] / [`CrossAttention`]: projections, heads of
//!   contiguous columns, scaled dot-product per head, output projection;
//! * [`FlashAttention`]: the same result, tiled with an online softmax;
//! * [`LinearAttention`]: `elu + 1` kernel feature map, O(n) in length;
//! * [`HyperbolicAttention`]: scores are negative Poincaré/Lorentz distances.
//!
//! Masks are additive (`0` allowed, `-inf` hidden, see [`build_mask`]); a
//! query whose keys are all hidden gets all-zero weights and output.
//!
//! Performance: everything is f32 and reduces to a few loops in `linalg`
//! (a register-blocked matrix product, dot, axpy) written to auto-vectorise;
//! the `simd` feature swaps in explicit wasm simd128 versions on wasm32.

mod batch;
mod config;
mod cross;
mod error;
mod flash;
mod hyperbolic;
mod linalg;
mod linear;
mod mask;
mod multi_head;
mod rng;
mod scaled_dot;
mod softmax;
mod tensor;

#[cfg(test)]
mod tests;

pub use batch::BatchProcessor;
pub use config::{AttentionConfig, HyperbolicConfig, ManifoldType};
pub use cross::CrossAttention;
pub use error::KernelError;
pub use flash::FlashAttention;
pub use hyperbolic::HyperbolicAttention;
pub use linear::LinearAttention;
pub use mask::{build_mask, MaskType};
pub use multi_head::{AttentionOutput, MultiHeadAttention};
pub use scaled_dot::ScaledDotProduct;

/// Deterministic benchmark inputs, identical on every platform.
///
/// `x_i = (((i mod 2³²) · 2654435761 mod 2³²) >> 8) / 2²⁴ − 0.5`, in
/// `[−0.5, 0.5)`: a multiplicative (Knuth) hash of the index, computed with
/// integer arithmetic and exact f32 conversions only, so native and wasm
/// builds (and JavaScript, with `Math.imul`) produce bit-identical values.
///
/// The benchmarks take query, key and value as consecutive thirds of
/// `bench_inputs(3 · len)`. Returns an empty vector if `len` values cannot be
/// allocated (this function has no error channel and must not abort).
pub fn bench_inputs(len: usize) -> Vec<f32> {
    let mut values = Vec::new();
    if values.try_reserve_exact(len).is_err() {
        return values;
    }
    values.extend((0..len).map(|i| {
        let hashed = (i as u32).wrapping_mul(2_654_435_761) >> 8;
        hashed as f32 / 16_777_216.0 - 0.5
    }));
    values
}
