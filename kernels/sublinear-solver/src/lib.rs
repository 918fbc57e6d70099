//! Linear solvers behind the `sublinear-solver` npm package.
//!
//! Plain Rust with no dependencies and no WebAssembly glue: wasmforge
//! generates the wasm-bindgen wrappers from `kernel.toml`, and the same code
//! compiles natively for tests and benchmarks. Nothing here reads a clock,
//! spawns a thread or panics on bad input: every public function validates
//! its operands and returns `Result<T, KernelError>`.
//!
//! # Modules
//!
//! * `error` — [`KernelError`], the single error type (its variants are the
//!   `[[error]]` tables of `kernel.toml`).
//! * `types` — the data exchanged with the bindings: [`SolverConfig`],
//!   [`Method`], [`Matrix`] (dense, row-major), [`CsrMatrix`],
//!   [`SolutionStep`], [`MemoryUsage`].
//! * `linalg` — dot, axpy and dense matrix-vector kernels: scalar versions
//!   shaped for auto-vectorisation, and simd128 versions in a wasm32 build
//!   with the `simd` cargo feature.
//! * `workspace` — the reusable vectors of a solve (grown with
//!   `try_reserve_exact`, never shrunk) and fallible copies.
//! * `iterative` — conjugate gradient, Jacobi and the Neumann series as
//!   resumable state machines over a dense or CSR operator.
//! * `dense` / `sparse` — validation and matrix-vector products of the two
//!   storage formats; `dense` also holds the package-level [`solve`] and
//!   [`residual_norm`].
//! * `solver` — [`Solver`]: configuration plus workspace reused across calls.
//! * `stream` — [`SolveStream`], a solve performed a chunk at a time.
//!
//! # Stream protocol
//!
//! [`Solver::solve_stream`] validates the system and returns a
//! [`SolveStream`]. Each `next()` runs up to `stream_chunk_size` iterations
//! and yields a [`SolutionStep`] `{ iteration, residual, convergence }`
//! (`iteration` counts all iterations so far, `residual` is
//! `‖b − A x‖ / ‖b‖`). The step that reaches the tolerance has
//! `convergence: true` and is the last: the next call returns `None`. If
//! the budget runs out first, `next()` yields `Err(ConvergenceFailure)` once,
//! then `None`. With `b = 0` the first step is
//! `{ iteration: 0, residual: 0, convergence: true }`.
//! [`SolveStream::result`] copies the current iterate at any point.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod dense;
mod error;
mod iterative;
mod linalg;
mod solver;
mod sparse;
mod stream;
mod types;
mod workspace;

pub use dense::{residual_norm, solve, solve_into};
pub use error::KernelError;
pub use linalg::dense_matvec;
#[cfg(all(target_arch = "wasm32", feature = "simd"))]
pub use linalg::dense_matvec_simd;
pub use solver::Solver;
pub use stream::SolveStream;
pub use types::{CsrMatrix, Matrix, MemoryUsage, Method, SolutionStep, SolverConfig};

#[cfg(test)]
mod tests;
