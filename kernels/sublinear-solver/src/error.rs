//! The kernel's single error type and the helpers that build its variants.

use std::fmt;

/// Everything the kernel can report to its caller.
///
/// The variants mirror the `[[error]]` tables of `kernel.toml`: the generated
/// wrapper matches on them, so adding or renaming one is an API change.
#[derive(Debug, Clone, PartialEq)]
pub enum KernelError {
    /// Operands do not fit (non-square, wrong lengths, bad CSR structure,
    /// indefinite matrix for CG, NaN...) or a configuration value is invalid.
    InvalidMatrix {
        /// What exactly is wrong, for a human.
        reason: String,
    },
    /// Jacobi/Neumann need strict row diagonal dominance:
    /// `|a_ii| > sum_{j != i} |a_ij|`; `row` is the first row that fails.
    NotDiagonallyDominant {
        /// Zero-based index of the first failing row.
        row: u32,
        /// `|a_ii|`.
        diagonal: f64,
        /// `sum_{j != i} |a_ij|`.
        off_diagonal: f64,
    },
    /// The iteration budget ran out; `residual` is the last relative residual
    /// `‖b − A x‖ / ‖b‖` the method tracked.
    ConvergenceFailure {
        /// Iterations performed (the budget).
        iterations: u32,
        /// Relative residual of the last iterate.
        residual: f64,
    },
    /// An allocation failed; `bytes` is the size of the request.
    MemoryError {
        /// Bytes requested by the failed allocation.
        bytes: f64,
    },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The reason is a complete sentence ("the matrix must be square, ...").
            KernelError::InvalidMatrix { reason } => f.write_str(reason),
            KernelError::NotDiagonallyDominant { row, diagonal, off_diagonal } => write!(
                f,
                "the matrix is not strictly diagonally dominant: row {row} has |diagonal| = {diagonal:e} \
                 but the off-diagonal magnitudes sum to {off_diagonal:e}"
            ),
            KernelError::ConvergenceFailure { iterations, residual } => {
                write!(f, "did not converge in {iterations} iterations (relative residual {residual:e})")
            }
            KernelError::MemoryError { bytes } => write!(f, "could not allocate {bytes} bytes"),
        }
    }
}

impl std::error::Error for KernelError {}

/// `InvalidMatrix` with the given reason.
pub(crate) fn invalid(reason: impl Into<String>) -> KernelError {
    KernelError::InvalidMatrix { reason: reason.into() }
}

/// `MemoryError` for a failed request of `count` f64 values (computed in f64
/// so that an absurd count cannot overflow).
pub(crate) fn out_of_memory_f64(count: usize) -> KernelError {
    KernelError::MemoryError { bytes: count as f64 * 8.0 }
}
