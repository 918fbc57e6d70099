//! [`Solver`]: a configuration plus workspace buffers reused across solves.

use crate::dense::DenseOperator;
use crate::error::{invalid, KernelError};
use crate::iterative::{run_to_convergence, Operator};
use crate::linalg::{Kernels, SIMD_BUILD};
use crate::sparse::CsrOperator;
use crate::stream::SolveStream;
use crate::types::{
    check_max_iterations, check_stream_chunk_size, check_tolerance, CsrMatrix, Matrix, MemoryUsage, Method,
    SolverConfig,
};
use crate::workspace::{check_memory_limit, workspace_bytes, Workspace};

/// Solves linear systems with the configured method.
///
/// The vectors of a solve live in a workspace owned by the solver: after the
/// first solve of a given size, further solves of that size allocate only
/// the returned solution.
#[derive(Debug)]
pub struct Solver {
    config: SolverConfig,
    workspace: Workspace,
    last_iterations: u32,
}

impl Solver {
    /// A solver with `config`. Errors: `InvalidMatrix` ("invalid configuration: ...")
    /// when `max_iterations` or `stream_chunk_size` is 0 or `tolerance` is not finite and > 0.
    pub fn new(config: SolverConfig) -> Result<Solver, KernelError> {
        config.validate()?;
        Ok(Solver { config, workspace: Workspace::default(), last_iterations: 0 })
    }

    /// Iteration budget of one solve.
    pub fn max_iterations(&self) -> u32 {
        self.config.max_iterations
    }

    /// Set the iteration budget (at least 1).
    pub fn set_max_iterations(&mut self, value: u32) -> Result<(), KernelError> {
        check_max_iterations(value)?;
        self.config.max_iterations = value;
        Ok(())
    }

    /// Relative residual at which a solve stops.
    pub fn tolerance(&self) -> f64 {
        self.config.tolerance
    }

    /// Set the tolerance (finite, > 0).
    pub fn set_tolerance(&mut self, value: f64) -> Result<(), KernelError> {
        check_tolerance(value)?;
        self.config.tolerance = value;
        Ok(())
    }

    /// Iterations per step of a stream.
    pub fn stream_chunk_size(&self) -> u32 {
        self.config.stream_chunk_size
    }

    /// Set the iterations per stream step (at least 1); streams already
    /// started keep their own copy of the configuration.
    pub fn set_stream_chunk_size(&mut self, value: u32) -> Result<(), KernelError> {
        check_stream_chunk_size(value)?;
        self.config.stream_chunk_size = value;
        Ok(())
    }

    /// The iterative method.
    pub fn method(&self) -> Method {
        self.config.method
    }

    /// Set the iterative method (every method is valid).
    pub fn set_method(&mut self, value: Method) -> Result<(), KernelError> {
        self.config.method = value;
        Ok(())
    }

    /// Whether solves run the simd128 kernels: requested in the configuration
    /// *and* compiled in (wasm32 with the `simd` feature).
    pub fn simd_enabled(&self) -> bool {
        self.config.simd_enabled && SIMD_BUILD
    }

    /// Iterations performed by the last solve that iterated (including one
    /// that ran out of budget); 0 before the first.
    pub fn last_iterations(&self) -> u32 {
        self.last_iterations
    }

    /// Solve `A x = b` for a dense row-major `A` with the configured method.
    ///
    /// Errors: `InvalidMatrix` (shape, NaN, not positive-definite for CG),
    /// `NotDiagonallyDominant` (Jacobi, Neumann), `ConvergenceFailure`, `MemoryError`.
    pub fn solve(&mut self, matrix: Matrix<'_>, vector: &[f64]) -> Result<Vec<f64>, KernelError> {
        let op = DenseOperator::new(matrix.data, matrix.rows, matrix.cols, vector)?;
        self.run(&op, vector)?;
        self.workspace.solution()
    }

    /// [`Solver::solve`] writing the solution into `out` (one value per row)
    /// instead of allocating it.
    pub fn solve_into(&mut self, matrix: Matrix<'_>, vector: &[f64], out: &mut [f64]) -> Result<(), KernelError> {
        let op = DenseOperator::new(matrix.data, matrix.rows, matrix.cols, vector)?;
        check_out(out, vector.len())?;
        self.run(&op, vector)?;
        out.copy_from_slice(&self.workspace.x);
        Ok(())
    }

    /// Solve `A x = b` for a CSR matrix with the configured method.
    ///
    /// Errors: as [`Solver::solve`], plus `InvalidMatrix` for a bad CSR structure.
    pub fn solve_sparse(&mut self, matrix: CsrMatrix<'_>, vector: &[f64]) -> Result<Vec<f64>, KernelError> {
        let op = CsrOperator::new(&matrix, vector)?;
        self.run(&op, vector)?;
        self.workspace.solution()
    }

    /// [`Solver::solve_sparse`] writing the solution into `out`.
    pub fn solve_sparse_into(&mut self, matrix: CsrMatrix<'_>, vector: &[f64], out: &mut [f64]) -> Result<(), KernelError> {
        let op = CsrOperator::new(&matrix, vector)?;
        check_out(out, vector.len())?;
        self.run(&op, vector)?;
        out.copy_from_slice(&self.workspace.x);
        Ok(())
    }

    /// Start solving `A x = b` step by step (see [`SolveStream`]). The input
    /// is validated now (including diagonal dominance for Jacobi/Neumann);
    /// the stream takes a copy of the system, of the configuration and its
    /// own buffers.
    pub fn solve_stream(&mut self, matrix: Matrix<'_>, vector: &[f64]) -> Result<SolveStream, KernelError> {
        SolveStream::new(self.config, self.simd_enabled(), matrix, vector)
    }

    /// Bytes held by the workspace buffers, and (in wasm32) the size of linear memory.
    pub fn memory_usage(&mut self) -> Result<MemoryUsage, KernelError> {
        Ok(MemoryUsage { used: self.workspace.bytes(), capacity: linear_memory_bytes() })
    }

    /// Solve into the workspace: the solution is left in `workspace.x`.
    fn run<O: Operator>(&mut self, op: &O, b: &[f64]) -> Result<(), KernelError> {
        let SolverConfig { method, tolerance, max_iterations, memory_limit, .. } = self.config;
        check_memory_limit(memory_limit, workspace_bytes(b.len()))?;
        let kernels = Kernels::new(self.simd_enabled());
        let outcome = run_to_convergence(method, op, b, &mut self.workspace, kernels, tolerance, max_iterations);
        self.last_iterations = match &outcome {
            Ok(iterations) => *iterations,
            Err(KernelError::ConvergenceFailure { iterations, .. }) => *iterations,
            Err(_) => 0,
        };
        outcome.map(drop)
    }
}

/// `out` must hold exactly one value per unknown.
pub(crate) fn check_out(out: &[f64], n: usize) -> Result<(), KernelError> {
    if out.len() != n {
        return Err(invalid(format!("the solution needs {n} values, but out holds {}", out.len())));
    }
    Ok(())
}

/// Size of WebAssembly linear memory in bytes; 0 natively.
fn linear_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) as f64 * 65536.0
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}
