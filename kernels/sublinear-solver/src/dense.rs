//! Dense, row-major matrices: validation, the operator the methods iterate
//! with, and the package-level functions `solve` (conjugate gradient) and
//! `residual_norm`.

use crate::error::{invalid, KernelError};
use crate::iterative::{check_dominance, run_to_convergence, Operator};
use crate::linalg::{all_finite, scalar, Kernels};
use crate::types::Method;
use crate::workspace::Workspace;

/// A validated `n × n` row-major matrix, borrowed.
pub(crate) struct DenseOperator<'a> {
    data: &'a [f64],
    n: usize,
}

impl<'a> DenseOperator<'a> {
    /// Check that `data` is a finite square `rows × cols` matrix and `b` a
    /// finite vector of matching length.
    pub(crate) fn new(data: &'a [f64], rows: u32, cols: u32, b: &[f64]) -> Result<Self, KernelError> {
        if rows != cols {
            return Err(invalid(format!("the matrix must be square, got {rows} rows × {cols} columns")));
        }
        let n = rows as usize;
        let expected = n.checked_mul(n).ok_or_else(|| invalid(format!("a {n} × {n} matrix does not fit in memory")))?;
        if data.len() != expected {
            return Err(invalid(format!("a {n} × {n} matrix needs {expected} values, got {}", data.len())));
        }
        if b.len() != n {
            return Err(invalid(format!("the right-hand side needs {n} values, got {}", b.len())));
        }
        if !all_finite(data) {
            return Err(invalid("the matrix contains NaN or infinite values"));
        }
        if !all_finite(b) {
            return Err(invalid("the right-hand side contains NaN or infinite values"));
        }
        Ok(DenseOperator { data, n })
    }

    /// Rebuild an operator that [`DenseOperator::new`] accepted before
    /// (`data.len() == n * n`), without repeating the O(n²) checks.
    pub(crate) fn validated(data: &'a [f64], n: usize) -> Self {
        debug_assert_eq!(Some(data.len()), n.checked_mul(n));
        DenseOperator { data, n }
    }
}

impl Operator for DenseOperator<'_> {
    fn dim(&self) -> usize {
        self.n
    }

    fn apply(&self, x: &[f64], out: &mut [f64], kernels: Kernels) {
        if self.n > 0 {
            kernels.dense_matvec(self.data, self.n, x, out);
        }
    }

    fn diagonal_if_dominant(&self, diag: &mut [f64]) -> Result<(), KernelError> {
        if self.n == 0 {
            return Ok(());
        }
        for (i, (row, d)) in self.data.chunks_exact(self.n).zip(diag.iter_mut()).enumerate() {
            let (before, rest) = row.split_at(i);
            let Some((&diagonal, after)) = rest.split_first() else { continue };
            // Sum the two sides separately rather than `Σ|a_ij| − |a_ii|`, which
            // could round a borderline row to the wrong side.
            let off_diagonal = abs_sum(before) + abs_sum(after);
            check_dominance(i, diagonal, off_diagonal)?;
            *d = diagonal;
        }
        Ok(())
    }
}

fn abs_sum(values: &[f64]) -> f64 {
    values.iter().map(|v| v.abs()).sum()
}

/// Solve `A x = b` for a symmetric positive-definite `A` (row-major, `rows × cols`)
/// by conjugate gradient, to a relative residual `‖b − A x‖ / ‖b‖ <= tolerance`.
///
/// `max_iterations` defaults to `10 * rows`. Starts from `x = 0`; `b = 0`
/// gives `x = 0`. Uses the simd128 kernels when the build has them.
///
/// Errors: `InvalidMatrix` (not square, wrong lengths, NaN, negative or
/// non-finite tolerance, not positive-definite), `ConvergenceFailure`,
/// `MemoryError`.
pub fn solve(
    matrix: &[f64],
    rows: u32,
    cols: u32,
    b: &[f64],
    tolerance: f64,
    max_iterations: Option<u32>,
) -> Result<Vec<f64>, KernelError> {
    let mut ws = Workspace::default();
    solve_in(matrix, rows, cols, b, tolerance, max_iterations, &mut ws)?;
    Ok(std::mem::take(&mut ws.x).into_vec())
}

/// [`solve`] writing the solution into `out` (`rows` values) instead of allocating it.
///
/// Errors: as [`solve`], plus `InvalidMatrix` when `out` does not hold `rows` values.
pub fn solve_into(
    matrix: &[f64],
    rows: u32,
    cols: u32,
    b: &[f64],
    tolerance: f64,
    max_iterations: Option<u32>,
    out: &mut [f64],
) -> Result<(), KernelError> {
    crate::solver::check_out(out, b.len())?;
    let mut ws = Workspace::default();
    solve_in(matrix, rows, cols, b, tolerance, max_iterations, &mut ws)?;
    out.copy_from_slice(&ws.x);
    Ok(())
}

/// Conjugate gradient for [`solve`] and [`solve_into`]: the solution is left in `ws.x`.
fn solve_in(
    matrix: &[f64],
    rows: u32,
    cols: u32,
    b: &[f64],
    tolerance: f64,
    max_iterations: Option<u32>,
    ws: &mut Workspace,
) -> Result<(), KernelError> {
    let op = DenseOperator::new(matrix, rows, cols, b)?;
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        return Err(invalid(format!("the tolerance must be finite and >= 0, got {tolerance}")));
    }
    let budget = max_iterations.unwrap_or_else(|| rows.saturating_mul(10));
    run_to_convergence(Method::ConjugateGradient, &op, b, ws, Kernels::best(), tolerance, budget)?;
    Ok(())
}

/// `‖b − A x‖₂` for a row-major `rows × cols` matrix (absolute, not relative).
///
/// Errors: `InvalidMatrix` when a length disagrees with `rows` and `cols`.
/// NaN or infinite inputs give a NaN or infinite norm.
pub fn residual_norm(matrix: &[f64], rows: u32, cols: u32, x: &[f64], b: &[f64]) -> Result<f64, KernelError> {
    let (n_rows, n_cols) = (rows as usize, cols as usize);
    let expected = n_rows
        .checked_mul(n_cols)
        .ok_or_else(|| invalid(format!("a {rows} × {cols} matrix does not fit in memory")))?;
    if matrix.len() != expected {
        return Err(invalid(format!("a {rows} × {cols} matrix needs {expected} values, got {}", matrix.len())));
    }
    if x.len() != n_cols {
        return Err(invalid(format!("x needs {cols} values, got {}", x.len())));
    }
    if b.len() != n_rows {
        return Err(invalid(format!("b needs {rows} values, got {}", b.len())));
    }
    if n_cols == 0 {
        // A with no columns maps everything to 0.
        return Ok(scalar::dot(b, b).sqrt());
    }
    // The fastest product this build has (SIMD in the simd128 module), a
    // block of rows at a time into a stack buffer: no allocation, and the
    // rows still go four per pass over `x`.
    const BLOCK_ROWS: usize = 64;
    let kernels = Kernels::best();
    let mut products = [0.0; BLOCK_ROWS];
    let mut squares = 0.0;
    for (block, b_block) in matrix.chunks(BLOCK_ROWS * n_cols).zip(b.chunks(BLOCK_ROWS)) {
        let ax = &mut products[..b_block.len()];
        kernels.dense_matvec(block, n_cols, x, ax);
        for (b_i, ax_i) in b_block.iter().zip(ax.iter()) {
            let r_i = b_i - ax_i;
            squares += r_i * r_i;
        }
    }
    Ok(squares.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_the_two_by_two_example() {
        let x = solve(&[4.0, 1.0, 1.0, 3.0], 2, 2, &[1.0, 2.0], 1e-12, None).unwrap();
        assert!((x[0] - 1.0 / 11.0).abs() < 1e-12);
        assert!((x[1] - 7.0 / 11.0).abs() < 1e-12);
    }

    #[test]
    fn solves_the_tridiagonal_example() {
        let a = [2.0, -1.0, 0.0, 0.0, -1.0, 2.0, -1.0, 0.0, 0.0, -1.0, 2.0, -1.0, 0.0, 0.0, -1.0, 2.0];
        let x = solve(&a, 4, 4, &[1.0, 0.0, 0.0, 1.0], 1e-10, None).unwrap();
        for v in x {
            assert!((v - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn zero_rhs_gives_zero() {
        assert_eq!(solve(&[4.0, 1.0, 1.0, 3.0], 2, 2, &[0.0, 0.0], 1e-12, None).unwrap(), vec![0.0, 0.0]);
        assert_eq!(solve(&[], 0, 0, &[], 1e-12, None).unwrap(), Vec::<f64>::new());
    }

    #[test]
    fn rejects_an_indefinite_matrix() {
        let err = solve(&[1.0, 2.0, 2.0, 1.0], 2, 2, &[1.0, -1.0], 1e-12, None).unwrap_err();
        match err {
            KernelError::InvalidMatrix { reason } => {
                assert!(reason.contains("not symmetric positive-definite"), "{reason}")
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn reports_an_exhausted_budget() {
        let a = [4.0, 1.0, 0.0, 1.0, 3.0, 1.0, 0.0, 1.0, 2.0];
        let err = solve(&a, 3, 3, &[1.0, 2.0, 3.0], 1e-12, Some(1)).unwrap_err();
        match err {
            KernelError::ConvergenceFailure { iterations: 1, residual } => assert!(residual > 1e-12 && residual < 1.0),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn rejects_bad_shapes_and_values() {
        let cases: [(&[f64], u32, u32, &[f64]); 4] = [
            (&[0.0; 6], 2, 3, &[1.0, 2.0]),
            (&[4.0, 1.0, 1.0], 2, 2, &[1.0, 2.0]),
            (&[4.0, 1.0, 1.0, 3.0], 2, 2, &[1.0]),
            (&[4.0, f64::NAN, 1.0, 3.0], 2, 2, &[1.0, 2.0]),
        ];
        for (a, rows, cols, b) in cases {
            let err = solve(a, rows, cols, b, 1e-12, None).unwrap_err();
            assert!(matches!(err, KernelError::InvalidMatrix { .. }), "{err}");
        }
        let err = solve(&[1.0], 1, 1, &[1.0], f64::NAN, None).unwrap_err();
        assert!(matches!(err, KernelError::InvalidMatrix { .. }));
        let err = solve(&[], u32::MAX, u32::MAX, &[], 1e-12, None).unwrap_err();
        assert!(matches!(err, KernelError::InvalidMatrix { .. }));
    }

    #[test]
    fn residual_of_the_exact_solution_is_tiny() {
        let r = residual_norm(&[4.0, 1.0, 1.0, 3.0], 2, 2, &[1.0 / 11.0, 7.0 / 11.0], &[1.0, 2.0]).unwrap();
        assert!(r < 1e-15);
    }

    #[test]
    fn residual_norm_handles_rectangles_and_bad_lengths() {
        // [[1, 2, 3]] · [1, 1, 1] = 6; b = 10 → residual 4.
        assert_eq!(residual_norm(&[1.0, 2.0, 3.0], 1, 3, &[1.0, 1.0, 1.0], &[10.0]).unwrap(), 4.0);
        assert_eq!(residual_norm(&[], 2, 0, &[], &[3.0, 4.0]).unwrap(), 5.0);
        assert!(residual_norm(&[1.0, 2.0], 1, 3, &[1.0, 1.0, 1.0], &[10.0]).is_err());
        assert!(residual_norm(&[1.0, 2.0, 3.0], 1, 3, &[1.0], &[10.0]).is_err());
        assert!(residual_norm(&[1.0, 2.0, 3.0], 1, 3, &[1.0, 1.0, 1.0], &[]).is_err());
    }

    #[test]
    fn dominance_reports_the_first_failing_row() {
        let a = [4.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 5.0, 1.0];
        let op = DenseOperator::new(&a, 3, 3, &[1.0; 3]).unwrap();
        let mut diag = [0.0; 3];
        let err = op.diagonal_if_dominant(&mut diag).unwrap_err();
        assert_eq!(err, KernelError::NotDiagonallyDominant { row: 1, diagonal: 1.0, off_diagonal: 2.0 });
    }
}
