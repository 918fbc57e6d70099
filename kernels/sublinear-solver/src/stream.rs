//! [`SolveStream`]: a dense solve performed a chunk of iterations at a time.

use crate::dense::DenseOperator;
use crate::error::KernelError;
use crate::iterative::Iteration;
use crate::linalg::Kernels;
use crate::types::{Matrix, SolutionStep, SolverConfig};
use crate::workspace::{check_memory_limit, try_copy, workspace_bytes, Workspace};

/// A running solve, created by [`crate::Solver::solve_stream`].
///
/// It owns copies of its matrix and right-hand side, its buffers and a copy of
/// the solver's configuration, so it borrows nothing. Protocol of [`Iterator::next`]:
///
/// * each call performs up to `stream_chunk_size` iterations and yields
///   `Ok(SolutionStep)` with the total iteration count and relative residual;
/// * the step that reaches the tolerance has `convergence: true`, and the
///   next call returns `None` (with `b = 0` the very first step is
///   `{ iteration: 0, residual: 0, convergence: true }`);
/// * if the budget runs out first, one call yields `Err(ConvergenceFailure)`
///   instead of a step; any error ends the stream, later calls return `None`.
///
/// [`SolveStream::result`] returns the current iterate at any time.
#[derive(Debug)]
pub struct SolveStream {
    /// The matrix's values (row-major, `n × n`) and its size.
    data: Vec<f64>,
    n: usize,
    b: Vec<f64>,
    workspace: Workspace,
    state: Iteration,
    config: SolverConfig,
    kernels: Kernels,
    finished: bool,
}

impl SolveStream {
    /// Validate the system and set up iteration 0; nothing iterates yet.
    /// `config` is a [`crate::Solver`]'s, valid already (checked by its
    /// constructor and by every setter).
    pub(crate) fn new(config: SolverConfig, simd: bool, matrix: Matrix<'_>, vector: &[f64]) -> Result<Self, KernelError> {
        let op = DenseOperator::new(matrix.data, matrix.rows, matrix.cols, vector)?;
        let n = matrix.rows as usize;
        // The stream owns a copy of the system: its matrix and right-hand side count too.
        let system_bytes = (matrix.data.len() + vector.len()) as f64 * 8.0;
        check_memory_limit(config.memory_limit, workspace_bytes(n) + system_bytes)?;
        let (data, b) = (try_copy(matrix.data)?, try_copy(vector)?);
        let mut workspace = Workspace::default();
        let kernels = Kernels::new(simd);
        let state = Iteration::start(config.method, &op, &b, &mut workspace, kernels)?;
        Ok(SolveStream { data, n, b, workspace, state, config, kernels, finished: false })
    }

    /// A copy of the current iterate: the solution once a step has reported
    /// convergence. Errors: `MemoryError` if the copy cannot be allocated.
    pub fn result(&mut self) -> Result<Vec<f64>, KernelError> {
        self.workspace.solution()
    }

    /// Up to one chunk of iterations; `finished` is set by the caller.
    fn run_chunk(&mut self) -> Result<SolutionStep, KernelError> {
        let SolverConfig { tolerance, max_iterations, stream_chunk_size, .. } = self.config;
        // Validated when the stream was created; the matrix cannot change since.
        let op = DenseOperator::validated(&self.data, self.n);
        let limit = self.state.count.saturating_add(stream_chunk_size).min(max_iterations);
        let converged = self.state.advance(&op, &self.b, &mut self.workspace, self.kernels, tolerance, limit)?;
        if !converged && self.state.count >= max_iterations {
            return Err(self.state.budget_exhausted());
        }
        Ok(SolutionStep { iteration: self.state.count, residual: self.state.residual, convergence: converged })
    }
}

impl Iterator for SolveStream {
    type Item = Result<SolutionStep, KernelError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let step = self.run_chunk();
        self.finished = !matches!(step, Ok(SolutionStep { convergence: false, .. }));
        Some(step)
    }
}
