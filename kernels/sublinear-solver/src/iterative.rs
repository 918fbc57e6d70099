//! The three iterative methods as resumable state machines.
//!
//! An [`Iteration`] holds the scalars of a method; the vectors live in a
//! [`Workspace`] and the matrix behind an [`Operator`] (dense or CSR), so the
//! same code serves a whole solve ([`run_to_convergence`]) and a stream that
//! runs a few iterations per step ([`Iteration::advance`]). Every method
//! starts from `x0 = 0`, performs exactly one matrix-vector product per
//! iteration and tracks the relative residual `‖b − A x‖ / ‖b‖` of its iterate.

use crate::error::{invalid, KernelError};
use crate::linalg::{scalar, Kernels};
use crate::types::Method;
use crate::workspace::Workspace;

/// A square matrix as the methods see it.
pub(crate) trait Operator {
    /// Number of rows (and columns).
    fn dim(&self) -> usize;
    /// `out = A x`; both of length `dim()`.
    fn apply(&self, x: &[f64], out: &mut [f64], kernels: Kernels);
    /// Write `diag(A)` into `diag` if every row is strictly diagonally
    /// dominant, else report the first row that is not.
    fn diagonal_if_dominant(&self, diag: &mut [f64]) -> Result<(), KernelError>;
}

/// `NotDiagonallyDominant` unless `|diagonal| > off_diagonal`. Written so that
/// NaN fails too.
pub(crate) fn check_dominance(row: usize, diagonal: f64, off_diagonal: f64) -> Result<(), KernelError> {
    if diagonal.abs() > off_diagonal {
        return Ok(());
    }
    Err(KernelError::NotDiagonallyDominant {
        row: u32::try_from(row).unwrap_or(u32::MAX),
        diagonal: diagonal.abs(),
        off_diagonal,
    })
}

/// Where a method stands.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Iteration {
    method: Method,
    /// Iterations performed.
    pub(crate) count: u32,
    /// Relative residual of the current iterate.
    pub(crate) residual: f64,
    /// `‖b‖`; 0 means `x = 0` is exact.
    b_norm: f64,
    /// CG: `r · r` of the current residual.
    rs: f64,
}

impl Iteration {
    /// Check what `method` needs of the matrix, size `ws` and set `x0 = 0`.
    pub(crate) fn start<O: Operator>(
        method: Method,
        op: &O,
        b: &[f64],
        ws: &mut Workspace,
        kernels: Kernels,
    ) -> Result<Self, KernelError> {
        ws.prepare(op.dim(), method)?;
        if method != Method::ConjugateGradient {
            // Dominance is the convergence guarantee of Jacobi and Neumann, and
            // it also makes every diagonal entry non-zero for the divisions.
            op.diagonal_if_dominant(&mut ws.diag)?;
        }
        let rs = kernels.dot(b, b);
        if !rs.is_finite() {
            return Err(invalid("the right-hand side is too large: ‖b‖² overflows"));
        }
        match method {
            Method::ConjugateGradient => {
                ws.r.copy_from_slice(b);
                ws.p.copy_from_slice(b);
            }
            Method::Jacobi => ws.r.copy_from_slice(b),
            // The first term of the series: y0 = D⁻¹ b.
            Method::Neumann => {
                for ((y, b), d) in ws.p.iter_mut().zip(b).zip(ws.diag.iter()) {
                    *y = b / d;
                }
            }
        }
        let b_norm = rs.sqrt();
        let residual = if b_norm == 0.0 { 0.0 } else { 1.0 };
        Ok(Iteration { method, count: 0, residual, b_norm, rs })
    }

    /// Whether the current iterate meets `tolerance`.
    pub(crate) fn converged(&self, tolerance: f64) -> bool {
        self.residual <= tolerance
    }

    /// Iterate until the residual meets `tolerance` (returns true) or
    /// `count` reaches `limit` (returns false).
    pub(crate) fn advance<O: Operator>(
        &mut self,
        op: &O,
        b: &[f64],
        ws: &mut Workspace,
        kernels: Kernels,
        tolerance: f64,
        limit: u32,
    ) -> Result<bool, KernelError> {
        while !self.converged(tolerance) {
            if self.count >= limit {
                return Ok(false);
            }
            self.step(op, b, ws, kernels)?;
        }
        Ok(true)
    }

    /// The error for a budget that ran out at the current state.
    pub(crate) fn budget_exhausted(&self) -> KernelError {
        KernelError::ConvergenceFailure { iterations: self.count, residual: self.residual }
    }

    /// One iteration: one product with A.
    fn step<O: Operator>(
        &mut self,
        op: &O,
        b: &[f64],
        ws: &mut Workspace,
        kernels: Kernels,
    ) -> Result<(), KernelError> {
        let residual_norm = match self.method {
            Method::ConjugateGradient => self.cg_step(op, ws, kernels)?,
            Method::Jacobi => jacobi_step(op, b, ws, kernels),
            Method::Neumann => neumann_step(op, ws, kernels),
        };
        self.count += 1;
        self.residual = residual_norm / self.b_norm;
        Ok(())
    }

    /// Conjugate gradient; returns the (recursively updated) residual norm.
    fn cg_step<O: Operator>(&mut self, op: &O, ws: &mut Workspace, kernels: Kernels) -> Result<f64, KernelError> {
        let Workspace { x, r, p, ap, .. } = ws;
        op.apply(p, ap, kernels);
        let curvature = kernels.dot(p, ap);
        if !(curvature > 0.0 && curvature.is_finite()) {
            return Err(invalid(format!(
                "the matrix is not symmetric positive-definite (p·Ap = {curvature:e} at iteration {})",
                self.count
            )));
        }
        let alpha = self.rs / curvature;
        kernels.axpy(alpha, p, x);
        let rs_new = kernels.axpy_norm_sq(-alpha, ap, r);
        if !rs_new.is_finite() {
            return Err(invalid(format!(
                "the matrix is not symmetric positive-definite (the residual overflowed at iteration {})",
                self.count
            )));
        }
        // Next direction; wasted on the last iteration, but one O(n) pass is
        // cheaper than branching the state machine.
        kernels.xpby(r, rs_new / self.rs, p);
        self.rs = rs_new;
        Ok(rs_new.sqrt())
    }
}

/// Jacobi: `x += D⁻¹ r`, then the exact residual `r = b − A x` (which is
/// also the next correction), so one product per iteration and no drift.
fn jacobi_step<O: Operator>(op: &O, b: &[f64], ws: &mut Workspace, kernels: Kernels) -> f64 {
    let Workspace { x, r, ap, diag, .. } = ws;
    for ((x_i, r_i), d_i) in x.iter_mut().zip(r.iter()).zip(diag.iter()) {
        *x_i += r_i / d_i;
    }
    op.apply(x, ap, kernels);
    scalar::sub_norm_sq(b, ap, r).sqrt()
}

/// Neumann series: `x += y_k`, `y_{k+1} = y_k − D⁻¹ A y_k`.
///
/// Since `A y_k = D (y_k − y_{k+1})`, the partial sum telescopes:
/// `A x_k = D y_0 − D y_{k+1} = b − D y_{k+1}`, so the residual of the new
/// iterate is `D y_{k+1}`, available without a second product.
fn neumann_step<O: Operator>(op: &O, ws: &mut Workspace, kernels: Kernels) -> f64 {
    let Workspace { x, p: y, ap: ay, diag, .. } = ws;
    op.apply(y, ay, kernels);
    let mut residual_sq = 0.0;
    for (((x_i, y_i), ay_i), d_i) in x.iter_mut().zip(y.iter_mut()).zip(ay.iter()).zip(diag.iter()) {
        *x_i += *y_i;
        let r_i = d_i * *y_i - ay_i;
        *y_i = r_i / d_i;
        residual_sq += r_i * r_i;
    }
    residual_sq.sqrt()
}

/// Run `method` from `x0 = 0` until `tolerance` or `budget`; the solution is
/// left in `ws.x`. Returns the iterations performed.
pub(crate) fn run_to_convergence<O: Operator>(
    method: Method,
    op: &O,
    b: &[f64],
    ws: &mut Workspace,
    kernels: Kernels,
    tolerance: f64,
    budget: u32,
) -> Result<u32, KernelError> {
    let mut state = Iteration::start(method, op, b, ws, kernels)?;
    if state.advance(op, b, ws, kernels, tolerance, budget)? {
        Ok(state.count)
    } else {
        Err(state.budget_exhausted())
    }
}
