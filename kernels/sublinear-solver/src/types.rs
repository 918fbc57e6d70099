//! The plain data types the bindings exchange with the kernel.

use crate::error::{invalid, KernelError};

/// Which iterative method a [`crate::Solver`] runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// Conjugate gradient: symmetric positive-definite matrices.
    ConjugateGradient,
    /// Jacobi iteration: strictly row diagonally dominant matrices.
    Jacobi,
    /// Neumann series `x = Σ_k (I − D⁻¹A)^k D⁻¹ b`: strictly row diagonally dominant matrices.
    Neumann,
}

/// Everything a [`crate::Solver`] is configured with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SolverConfig {
    /// Iteration budget of one solve (at least 1).
    pub max_iterations: u32,
    /// Relative residual `‖b − A x‖ / ‖b‖` at which a solve stops (finite, > 0).
    pub tolerance: f64,
    /// Iterations per step of a [`crate::SolveStream`] (at least 1).
    pub stream_chunk_size: u32,
    /// Ask for the simd128 kernels; honoured only in a wasm32 build with the `simd` feature.
    pub simd_enabled: bool,
    /// The iterative method.
    pub method: Method,
    /// Most bytes of working memory one solve may claim (its vectors, and for a
    /// stream its copy of the system); `None` for no limit. Exceeding it is a
    /// `MemoryError` before anything is allocated.
    pub memory_limit: Option<f64>,
}

impl SolverConfig {
    /// Check every field; the bindings already do, this is the kernel's own guard.
    pub(crate) fn validate(&self) -> Result<(), KernelError> {
        check_max_iterations(self.max_iterations)?;
        check_tolerance(self.tolerance)?;
        check_stream_chunk_size(self.stream_chunk_size)
    }
}

pub(crate) fn check_max_iterations(value: u32) -> Result<(), KernelError> {
    if value == 0 {
        return Err(invalid("invalid configuration: max_iterations must be at least 1"));
    }
    Ok(())
}

pub(crate) fn check_tolerance(value: f64) -> Result<(), KernelError> {
    if !(value.is_finite() && value > 0.0) {
        return Err(invalid(format!("invalid configuration: tolerance must be finite and > 0, got {value}")));
    }
    Ok(())
}

pub(crate) fn check_stream_chunk_size(value: u32) -> Result<(), KernelError> {
    if value == 0 {
        return Err(invalid("invalid configuration: stream_chunk_size must be at least 1"));
    }
    Ok(())
}

/// A dense matrix, row-major: `data[i * cols + j]` is `a_ij`. It borrows its
/// values, so a caller's buffer (in WebAssembly, a resident array) is solved
/// in place, never copied.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Matrix<'a> {
    /// `rows * cols` values, row by row.
    pub data: &'a [f64],
    /// Number of rows.
    pub rows: u32,
    /// Number of columns.
    pub cols: u32,
}

/// A sparse matrix in compressed sparse row form, borrowed like [`Matrix`].
///
/// Row `i` holds the entries `row_ptr[i]..row_ptr[i + 1]` of `values` and
/// `col_indices`. Column indices need not be sorted; duplicates add up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CsrMatrix<'a> {
    /// The stored entries, row by row.
    pub values: &'a [f64],
    /// Column of each stored entry.
    pub col_indices: &'a [u32],
    /// `rows + 1` offsets into `values`, non-decreasing, from 0 to `values.len()`.
    pub row_ptr: &'a [u32],
    /// Number of rows.
    pub rows: u32,
    /// Number of columns.
    pub cols: u32,
}

/// One step of a [`crate::SolveStream`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SolutionStep {
    /// Iterations performed so far (all steps together).
    pub iteration: u32,
    /// Relative residual `‖b − A x‖ / ‖b‖` of the current iterate.
    pub residual: f64,
    /// Whether the residual reached the tolerance (the last step of the stream).
    pub convergence: bool,
}

/// Memory held by a [`crate::Solver`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemoryUsage {
    /// Bytes of the solver's reusable workspace buffers (their capacity).
    pub used: f64,
    /// Bytes of WebAssembly linear memory; 0 in a native build.
    pub capacity: f64,
}
