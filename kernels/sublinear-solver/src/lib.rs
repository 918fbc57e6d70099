//! Linear solvers behind the `sublinear-solver` npm package.
//!
//! Plain Rust with no WebAssembly dependencies: wasmforge generates the
//! wasm-bindgen wrappers from `kernel.toml`, and the same code compiles
//! natively for tests and benchmarks. Every public function returns
//! `Result<T, KernelError>`; the variants of [`KernelError`] are declared in
//! the spec's `[[error]]` tables (the generated wrapper matches on them, so the
//! two cannot drift apart).

use std::fmt;

mod dense;

pub use dense::{residual_norm, solve};

/// Everything the kernel can report to its caller.
#[derive(Debug, Clone, PartialEq)]
pub enum KernelError {
    /// Operand shapes do not fit together.
    DimensionMismatch { what: String, expected: u32, actual: u32 },
    /// Conjugate gradient met a direction with p·Ap <= 0.
    NotPositiveDefinite { iteration: u32, curvature: f64 },
    /// The iteration budget ran out before the residual reached the tolerance.
    NotConverged { iterations: u32, residual: f64 },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::DimensionMismatch { what, expected, actual } => {
                write!(f, "{what}: expected {expected}, got {actual}")
            }
            KernelError::NotPositiveDefinite { iteration, curvature } => write!(
                f,
                "the matrix is not symmetric positive-definite (p·Ap = {curvature:e} at iteration {iteration})"
            ),
            KernelError::NotConverged { iterations, residual } => write!(
                f,
                "did not converge in {iterations} iterations (relative residual {residual:e})"
            ),
        }
    }
}

impl std::error::Error for KernelError {}
