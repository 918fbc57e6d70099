//! Dense, row-major conjugate gradient.

use crate::KernelError;

/// Solve `A x = b` for a symmetric positive-definite `A` (row-major, `rows × cols`)
/// by conjugate gradient, to a relative residual `‖b − A x‖ / ‖b‖ <= tolerance`.
///
/// `max_iterations` defaults to `10 * n`.
pub fn solve(
    matrix: &[f64],
    rows: u32,
    cols: u32,
    b: &[f64],
    tolerance: f64,
    max_iterations: Option<u32>,
) -> Result<Vec<f64>, KernelError> {
    let n = check_square_system(matrix, rows, cols, b)?;
    let budget = max_iterations.unwrap_or_else(|| rows.saturating_mul(10));
    let b_norm = norm(b);
    let mut x = vec![0.0; n];
    if b_norm == 0.0 {
        return Ok(x);
    }
    let mut r = b.to_vec();
    let mut p = r.clone();
    let mut ap = vec![0.0; n];
    let mut rs_old = dot(&r, &r);
    for iteration in 0..budget {
        mat_vec(matrix, n, &p, &mut ap);
        let curvature = dot(&p, &ap);
        if curvature <= 0.0 || !curvature.is_finite() {
            return Err(KernelError::NotPositiveDefinite { iteration, curvature });
        }
        let alpha = rs_old / curvature;
        axpy(alpha, &p, &mut x);
        axpy(-alpha, &ap, &mut r);
        let rs_new = dot(&r, &r);
        if rs_new.sqrt() <= tolerance * b_norm {
            return Ok(x);
        }
        let beta = rs_new / rs_old;
        for (p_i, r_i) in p.iter_mut().zip(&r) {
            *p_i = r_i + beta * *p_i;
        }
        rs_old = rs_new;
    }
    Err(KernelError::NotConverged { iterations: budget, residual: rs_old.sqrt() / b_norm })
}

/// `‖b − A x‖₂` for a row-major `rows × cols` matrix.
pub fn residual_norm(matrix: &[f64], rows: u32, cols: u32, x: &[f64], b: &[f64]) -> Result<f64, KernelError> {
    let (n_rows, n_cols) = (rows as usize, cols as usize);
    expect_len("matrix length", n_rows * n_cols, matrix.len())?;
    expect_len("x length", n_cols, x.len())?;
    expect_len("b length", n_rows, b.len())?;
    let mut ax = vec![0.0; n_rows];
    for (row, out) in matrix.chunks_exact(n_cols.max(1)).zip(ax.iter_mut()) {
        *out = dot(row, x);
    }
    Ok(ax.iter().zip(b).map(|(a, b)| (b - a) * (b - a)).sum::<f64>().sqrt())
}

fn check_square_system(matrix: &[f64], rows: u32, cols: u32, b: &[f64]) -> Result<usize, KernelError> {
    if rows != cols {
        return Err(KernelError::DimensionMismatch { what: "columns of a square matrix".into(), expected: rows, actual: cols });
    }
    let n = rows as usize;
    expect_len("matrix length", n * n, matrix.len())?;
    expect_len("b length", n, b.len())?;
    Ok(n)
}

fn expect_len(what: &str, expected: usize, actual: usize) -> Result<(), KernelError> {
    if expected == actual {
        return Ok(());
    }
    Err(KernelError::DimensionMismatch {
        what: what.into(),
        expected: u32::try_from(expected).unwrap_or(u32::MAX),
        actual: u32::try_from(actual).unwrap_or(u32::MAX),
    })
}

fn mat_vec(matrix: &[f64], n: usize, v: &[f64], out: &mut [f64]) {
    for (row, out_i) in matrix.chunks_exact(n).zip(out.iter_mut()) {
        *out_i = dot(row, v);
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (y_i, x_i) in y.iter_mut().zip(x) {
        *y_i += alpha * x_i;
    }
}

fn norm(v: &[f64]) -> f64 {
    dot(v, v).sqrt()
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
    fn rejects_an_indefinite_matrix() {
        let err = solve(&[1.0, 2.0, 2.0, 1.0], 2, 2, &[1.0, -1.0], 1e-12, None).unwrap_err();
        assert!(matches!(err, KernelError::NotPositiveDefinite { iteration: 0, .. }));
    }

    #[test]
    fn reports_an_exhausted_budget() {
        let a = [4.0, 1.0, 0.0, 1.0, 3.0, 1.0, 0.0, 1.0, 2.0];
        let err = solve(&a, 3, 3, &[1.0, 2.0, 3.0], 1e-12, Some(1)).unwrap_err();
        assert!(matches!(err, KernelError::NotConverged { iterations: 1, .. }));
    }

    #[test]
    fn rejects_a_non_square_matrix() {
        let err = solve(&[0.0; 6], 2, 3, &[1.0, 2.0], 1e-12, None).unwrap_err();
        assert!(matches!(err, KernelError::DimensionMismatch { expected: 2, actual: 3, .. }));
    }

    #[test]
    fn residual_of_the_exact_solution_is_tiny() {
        let r = residual_norm(&[4.0, 1.0, 1.0, 3.0], 2, 2, &[1.0 / 11.0, 7.0 / 11.0], &[1.0, 2.0]).unwrap();
        assert!(r < 1e-15);
    }
}
