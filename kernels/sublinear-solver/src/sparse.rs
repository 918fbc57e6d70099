//! Compressed sparse row matrices: structural validation and the operator
//! the methods iterate with.

use crate::error::{invalid, KernelError};
use crate::iterative::{check_dominance, Operator};
use crate::linalg::{all_below, all_finite, non_decreasing, Kernels};
use crate::types::CsrMatrix;

/// A validated square CSR matrix, borrowed.
///
/// Validation guarantees every slice below is in bounds, so the product
/// cannot panic; column indices may be unsorted and duplicates add up.
pub(crate) struct CsrOperator<'a> {
    values: &'a [f64],
    col_indices: &'a [u32],
    row_ptr: &'a [u32],
    n: usize,
}

impl<'a> CsrOperator<'a> {
    /// Check the CSR structure of `matrix` and that `b` fits it.
    pub(crate) fn new(matrix: &CsrMatrix<'a>, b: &[f64]) -> Result<Self, KernelError> {
        let CsrMatrix { values, col_indices, row_ptr, rows, cols } = *matrix;
        if rows != cols {
            return Err(invalid(format!("the matrix must be square, got {rows} rows × {cols} columns")));
        }
        let n = rows as usize;
        check_row_ptr(row_ptr, n, values.len())?;
        if col_indices.len() != values.len() {
            return Err(invalid(format!(
                "col_indices has {} entries but values has {}",
                col_indices.len(),
                values.len()
            )));
        }
        // One fast pass for the verdict; the offender is looked for only
        // when there is one (also below, for `row_ptr`).
        if !all_below(col_indices, cols) {
            if let Some(k) = col_indices.iter().position(|&c| c >= cols) {
                return Err(invalid(format!(
                    "col_indices[{k}] = {} is out of range for {cols} columns",
                    col_indices[k]
                )));
            }
        }
        if !all_finite(values) {
            return Err(invalid("the matrix contains NaN or infinite values"));
        }
        if b.len() != n {
            return Err(invalid(format!("the right-hand side needs {n} values, got {}", b.len())));
        }
        if !all_finite(b) {
            return Err(invalid("the right-hand side contains NaN or infinite values"));
        }
        Ok(CsrOperator { values, col_indices, row_ptr, n })
    }

    /// The entries of each row: `(values, col_indices)` slices.
    fn rows(&self) -> impl Iterator<Item = (&'a [f64], &'a [u32])> + '_ {
        self.row_ptr.windows(2).map(|bounds| {
            let range = bounds[0] as usize..bounds[1] as usize;
            (&self.values[range.clone()], &self.col_indices[range])
        })
    }
}

/// `Σ values[k] · x[col_indices[k]]` over `k in start..end`, in order,
/// unchecked; rows of up to four entries without a loop.
///
/// # Safety
///
/// `start <= end <= values.len()`, `end <= col_indices.len()`, and
/// `col_indices[k] < x.len()` for every `k` in `start..end`.
#[inline(always)]
unsafe fn row_sum(values: &[f64], col_indices: &[u32], x: &[f64], start: usize, end: usize) -> f64 {
    // SAFETY: `k` stays in `start..end`: the caller's contract.
    let t = |k: usize| unsafe { values.get_unchecked(k) * x.get_unchecked(*col_indices.get_unchecked(k) as usize) };
    match end - start {
        0 => 0.0,
        1 => t(start),
        2 => t(start) + t(start + 1),
        3 => t(start) + t(start + 1) + t(start + 2),
        4 => t(start) + t(start + 1) + t(start + 2) + t(start + 3),
        _ => (start..end).fold(0.0, |sum, k| sum + t(k)),
    }
}

/// `row_ptr` must have `rows + 1` non-decreasing offsets from 0 to `nnz`.
fn check_row_ptr(row_ptr: &[u32], rows: usize, nnz: usize) -> Result<(), KernelError> {
    if row_ptr.len() != rows.saturating_add(1) {
        return Err(invalid(format!("row_ptr needs {} entries (rows + 1), got {}", rows as u64 + 1, row_ptr.len())));
    }
    if row_ptr[0] != 0 {
        return Err(invalid(format!("row_ptr[0] must be 0, got {}", row_ptr[0])));
    }
    if !non_decreasing(row_ptr) {
        if let Some(i) = row_ptr.windows(2).position(|w| w[1] < w[0]) {
            return Err(invalid(format!(
                "row_ptr must be non-decreasing, but row_ptr[{}] = {} > row_ptr[{}] = {}",
                i,
                row_ptr[i],
                i + 1,
                row_ptr[i + 1]
            )));
        }
    }
    let last = row_ptr[rows] as usize;
    if last != nnz {
        return Err(invalid(format!("row_ptr[{rows}] must equal values.len() = {nnz}, got {last}")));
    }
    Ok(())
}

impl Operator for CsrOperator<'_> {
    fn dim(&self) -> usize {
        self.n
    }

    /// Row-wise gather; no SIMD: wasm has no gather instruction, and the
    /// loop is bound by the irregular loads of `x`.
    ///
    /// Rows are consecutive in CSR, so each one runs from the previous row's
    /// end to its own (one offset load per row), two rows per loop trip (V8
    /// checks for interrupts on every trip). Rows of up to four entries, the
    /// common case of banded and stencil matrices, are straight-line code
    /// ([`row_sum`]): with so few entries a loop's setup, trip-count checks
    /// and (in wasm) the remainder code of its unrolling cost about as much
    /// as the arithmetic.
    ///
    /// Never inlined: as a small function of its own, V8 compiles it with
    /// its optimising tier within the first solve, instead of running it in
    /// the baseline tier until the whole (large) solve function is compiled.
    #[inline(never)]
    fn apply(&self, x: &[f64], out: &mut [f64], _kernels: Kernels) {
        assert!(x.len() == self.n && out.len() == self.n, "operands must have dim() values");
        let (values, cols) = (self.values, self.col_indices);
        let mut pairs = out.chunks_exact_mut(2);
        let mut ends = self.row_ptr[1..].chunks_exact(2);
        let mut start = 0;
        // SAFETY (every `row_sum` below): `CsrOperator::new` checked that
        // `row_ptr` rises from 0 to `values.len() == col_indices.len()`, so
        // each `start..end` is in bounds of both, and that every column index
        // is below `cols == n == x.len()` (asserted above).
        for (out2, end2) in pairs.by_ref().zip(ends.by_ref()) {
            let (middle, end) = (end2[0] as usize, end2[1] as usize);
            out2[0] = unsafe { row_sum(values, cols, x, start, middle) };
            out2[1] = unsafe { row_sum(values, cols, x, middle, end) };
            start = end;
        }
        for (out_i, &end) in pairs.into_remainder().iter_mut().zip(ends.remainder()) {
            *out_i = unsafe { row_sum(values, cols, x, start, end as usize) };
        }
    }

    fn diagonal_if_dominant(&self, diag: &mut [f64]) -> Result<(), KernelError> {
        for (i, ((values, cols), d)) in self.rows().zip(diag.iter_mut()).enumerate() {
            let (mut diagonal, mut off_diagonal) = (0.0, 0.0);
            for (v, &c) in values.iter().zip(cols) {
                if c as usize == i {
                    diagonal += v;
                } else {
                    off_diagonal += v.abs();
                }
            }
            check_dominance(i, diagonal, off_diagonal)?;
            *d = diagonal;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csr<'a>(values: &'a [f64], col_indices: &'a [u32], row_ptr: &'a [u32], rows: u32, cols: u32) -> CsrMatrix<'a> {
        CsrMatrix { values, col_indices, row_ptr, rows, cols }
    }

    fn reason(m: &CsrMatrix, b: &[f64]) -> String {
        match CsrOperator::new(m, b) {
            Err(KernelError::InvalidMatrix { reason }) => reason,
            Err(other) => panic!("unexpected {other:?}"),
            Ok(_) => panic!("accepted an invalid matrix"),
        }
    }

    #[test]
    fn structural_errors_are_precise() {
        let b = [1.0, 1.0];
        let good = || csr(&[2.0, 1.0, 3.0], &[0, 1, 1], &[0, 2, 3], 2, 2);
        assert!(CsrOperator::new(&good(), &b).is_ok());

        let cases: [(CsrMatrix, &str); 7] = [
            (CsrMatrix { row_ptr: &[0, 2], ..good() }, "row_ptr needs 3 entries"),
            (CsrMatrix { row_ptr: &[1, 2, 3], ..good() }, "row_ptr[0] must be 0"),
            (CsrMatrix { row_ptr: &[0, 3, 2], ..good() }, "non-decreasing"),
            (CsrMatrix { row_ptr: &[0, 1, 2], ..good() }, "must equal values.len()"),
            (CsrMatrix { col_indices: &[0, 1], ..good() }, "col_indices has 2 entries"),
            (CsrMatrix { col_indices: &[0, 2, 1], ..good() }, "col_indices[1] = 2"),
            (CsrMatrix { cols: 3, ..good() }, "square"),
        ];
        for (matrix, expected) in cases {
            assert!(reason(&matrix, &b).contains(expected), "{expected}");
        }
        let infinite = [f64::INFINITY, 1.0, 3.0];
        assert!(reason(&CsrMatrix { values: &infinite, ..good() }, &b).contains("NaN or infinite"));
        assert!(reason(&good(), &[1.0]).contains("right-hand side needs 2"));
    }

    #[test]
    fn product_and_diagonal_with_duplicates() {
        // [[2 + 1, 1], [0, 3]] with the (0, 0) entry split in two.
        let m = csr(&[2.0, 1.0, 1.0, 3.0], &[0, 1, 0, 1], &[0, 3, 4], 2, 2);
        let op = CsrOperator::new(&m, &[0.0, 0.0]).unwrap();
        let mut out = [0.0; 2];
        op.apply(&[1.0, 2.0], &mut out, Kernels::best());
        assert_eq!(out, [5.0, 6.0]);
        let mut diag = [0.0; 2];
        op.diagonal_if_dominant(&mut diag).unwrap();
        assert_eq!(diag, [3.0, 3.0]);
    }

    #[test]
    fn product_of_rows_of_every_length() {
        // Row i holds i % 8 entries (0 to 7: the straight-line and the looped
        // cases), in scattered columns.
        let n = 24u32;
        let (mut values, mut col_indices, mut row_ptr) = (vec![], vec![], vec![0]);
        for i in 0..n {
            for j in 0..i % 8 {
                values.push(1.0 + (i * 8 + j) as f64 * 0.25);
                col_indices.push((i * 5 + j * 7) % n);
            }
            row_ptr.push(values.len() as u32);
        }
        let m = csr(&values, &col_indices, &row_ptr, n, n);
        let x: Vec<f64> = (0..n).map(|i| (i as f64 - 7.5) / 3.0).collect();
        let op = CsrOperator::new(&m, &x).unwrap();
        let mut out = vec![f64::NAN; n as usize];
        op.apply(&x, &mut out, Kernels::best());
        for (i, w) in row_ptr.windows(2).enumerate() {
            let expected = (w[0]..w[1]).fold(0.0, |s, k| s + values[k as usize] * x[col_indices[k as usize] as usize]);
            assert_eq!(out[i], expected, "row {i}");
        }
    }

    #[test]
    fn empty_rows_are_not_dominant() {
        let m = csr(&[1.0], &[0], &[0, 1, 1], 2, 2);
        let op = CsrOperator::new(&m, &[0.0, 0.0]).unwrap();
        let err = op.diagonal_if_dominant(&mut [0.0; 2]).unwrap_err();
        assert_eq!(err, KernelError::NotDiagonallyDominant { row: 1, diagonal: 0.0, off_diagonal: 0.0 });
    }
}
