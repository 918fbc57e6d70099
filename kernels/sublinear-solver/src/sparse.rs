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
    /// Where the product takes rows [`BLOCK`] at a time, in row order.
    runs: Vec<Run>,
}

/// Rows `row .. row + rows` all have `len` entries (1 to [`MAX_RUN_ENTRIES`]);
/// `rows` is a whole number of [`BLOCK`]s.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Run {
    row: usize,
    rows: usize,
    len: usize,
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
        Ok(CsrOperator { values, col_indices, row_ptr, n, runs: runs(row_ptr) })
    }

    /// The entries of each row: `(values, col_indices)` slices.
    fn rows(&self) -> impl Iterator<Item = (&'a [f64], &'a [u32])> + '_ {
        self.row_ptr.windows(2).map(|bounds| {
            let range = bounds[0] as usize..bounds[1] as usize;
            (&self.values[range.clone()], &self.col_indices[range])
        })
    }
}

/// Rows per block of the uniform-row path ([`Product::uniform_rows`]): two
/// f64x2 pairs of rows in the simd128 build. Blocks of eight rows measured
/// no faster.
const BLOCK: usize = 4;

/// The longest rows the block path takes (a 3-D seven-point stencil has 7).
const MAX_RUN_ENTRIES: usize = 8;

/// The runs of rows with the same number of entries in a validated
/// `row_ptr`, cut to whole blocks. Found once per solve, in one pass over
/// the row lengths, so that the products (18 in the tridiagonal benchmark)
/// do not test every block as they go: in wasm that test (four row ends
/// against a SIMD constant that V8 rebuilds on every trip) cost about 7 % of
/// the solve.
fn runs(row_ptr: &[u32]) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut close = |first: usize, end: usize, len: usize| {
        let rows = end - first;
        // A run the memory cannot hold is left out: its rows are summed one
        // by one, to the same bits (never an abort, which in wasm is a trap).
        if rows >= BLOCK && (1..=MAX_RUN_ENTRIES).contains(&len) && runs.try_reserve(1).is_ok() {
            runs.push(Run { row: first, rows: rows - rows % BLOCK, len });
        }
    };
    // The current stretch of rows of equal length: its first row and length.
    let (mut first, mut len) = (0, 0);
    for (row, bounds) in row_ptr.windows(2).enumerate() {
        let row_len = (bounds[1] - bounds[0]) as usize;
        if row_len != len {
            close(first, row, len);
            (first, len) = (row, row_len);
        }
    }
    close(first, row_ptr.len() - 1, len);
    runs
}

/// The operands of one product `A x`: a validated CSR matrix (every row's
/// `start..end` is in bounds of `values` and `col_indices`, every column
/// index is below `x.len()`) and `x`. Every row is summed in the same order
/// (its entries one after the other, from the first), whichever path sums
/// it, so every build gives the same bits.
#[derive(Clone, Copy)]
struct Product<'a> {
    values: &'a [f64],
    col_indices: &'a [u32],
    x: &'a [f64],
}

impl Product<'_> {
    /// `Σ values[k] · x[col_indices[k]]` over `k in start..end`, in order,
    /// unchecked; rows of up to four entries without a loop.
    ///
    /// # Safety
    ///
    /// `start..end` is a row's range (or a part of one).
    #[inline(always)]
    unsafe fn row(self, start: usize, end: usize) -> f64 {
        // SAFETY: `k` stays in `start..end`: the caller's contract.
        let t = |k: usize| unsafe { self.term(k) };
        match end - start {
            0 => 0.0,
            1 => t(start),
            2 => t(start) + t(start + 1),
            3 => t(start) + t(start + 1) + t(start + 2),
            4 => t(start) + t(start + 1) + t(start + 2) + t(start + 3),
            _ => (start + 1..end).fold(t(start), |sum, k| sum + t(k)),
        }
    }

    /// `values[k] · x[col_indices[k]]`, unchecked.
    ///
    /// # Safety
    ///
    /// `k` is in a row's range.
    #[inline(always)]
    unsafe fn term(self, k: usize) -> f64 {
        // SAFETY: the caller's contract and the struct's invariant.
        unsafe { self.values.get_unchecked(k) * self.x.get_unchecked(*self.col_indices.get_unchecked(k) as usize) }
    }

    /// Computes the rows of `out` one by one, two per loop trip (V8 checks
    /// for interrupts on every trip).
    ///
    /// Out of line for LLVM, like the block functions, so that native code
    /// keeps `apply` small; wasm-opt inlines every function with a single
    /// caller, so in the wasm modules all of them end up in `apply` (which
    /// measured as fast as keeping them apart).
    ///
    /// # Safety
    ///
    /// As [`Product::uniform_rows`].
    #[inline(never)]
    unsafe fn rows(self, ends: &[u32], out: &mut [f64], mut start: usize) {
        let mut pairs = out.chunks_exact_mut(2);
        let mut ends = ends.chunks_exact(2);
        for (out2, end2) in pairs.by_ref().zip(ends.by_ref()) {
            let (middle, end) = (end2[0] as usize, end2[1] as usize);
            // SAFETY: `start..middle` and `middle..end` are the two rows.
            out2[0] = unsafe { self.row(start, middle) };
            out2[1] = unsafe { self.row(middle, end) };
            start = end;
        }
        for (out_i, &end) in pairs.into_remainder().iter_mut().zip(ends.remainder()) {
            // SAFETY: `start..end` is the row.
            *out_i = unsafe { self.row(start, end as usize) };
            start = end as usize;
        }
    }

    /// Computes the rows of `out` (a whole number of [`BLOCK`]s, each row
    /// of `L` entries), a block at a time.
    ///
    /// # Safety
    ///
    /// The rows of `out` are consecutive rows of `L` entries each, the first
    /// starting at offset `start`.
    #[inline(always)]
    unsafe fn uniform_rows<const L: usize>(self, kernels: Kernels, out: &mut [f64], start: usize) {
        #[cfg(all(target_arch = "wasm32", feature = "simd"))]
        if kernels.simd() {
            // SAFETY: the caller's contract.
            return unsafe { simd::uniform_rows::<L>(self, out, start) };
        }
        let _ = kernels; // only the simd128 build has a choice to make
        // SAFETY: the caller's contract.
        unsafe { portable_uniform_rows::<L>(self, out, start) }
    }
}

/// The loop of both block paths: hands `block` each [`BLOCK`] rows of `out`
/// with their first start offset.
#[inline(always)]
fn uniform_blocks<const L: usize>(out: &mut [f64], start: usize, mut block: impl FnMut(&mut [f64; BLOCK], usize)) {
    for (i, out) in out.as_chunks_mut::<BLOCK>().0.iter_mut().enumerate() {
        block(out, start + i * BLOCK * L);
    }
}

/// [`Product::uniform_rows`] with portable code (LLVM's SLP vectoriser pairs
/// rows into 128-bit lanes where the target has them, as x86-64's SSE2 does).
/// Out of line: see [`Product::rows`].
///
/// # Safety
///
/// As [`Product::uniform_rows`].
#[inline(never)]
unsafe fn portable_uniform_rows<const L: usize>(p: Product, out: &mut [f64], start: usize) {
    uniform_blocks::<L>(out, start, |out, start| {
        for (row, out_i) in out.iter_mut().enumerate() {
            let first = start + row * L;
            // SAFETY: the block's rows are `start + row·L .. start + (row + 1)·L`.
            *out_i = unsafe { p.row(first, first + L) };
        }
    })
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

    /// Row-wise gather. Runs of rows with the same number of entries (one
    /// to eight: banded and stencil matrices, whose inner rows all look
    /// alike — 3 in a tridiagonal matrix, 5 in a 2-D five-point stencil, 7
    /// in a 3-D seven-point one) go [`BLOCK`] rows at a time through
    /// [`Product::uniform_rows`], where the simd128 build puts two rows side
    /// by side in f64x2 lanes (wasm has no gather instruction, but pairs of
    /// rows halve the multiplications, the additions and the stores, as
    /// LLVM's SLP vectoriser does for the native build). The runs were
    /// found when the operator was made ([`runs`]), so no block is tested
    /// here. Other rows are summed one by one ([`Product::rows`]),
    /// straight-line code for up to four entries.
    ///
    /// Measured (bench/solver.py's problem and two more, conjugate gradient,
    /// medians of 5 alternating runs, before → after, wasm simd128 / native):
    /// tridiagonal n = 100 000 3.73 → 3.27 ms / 3.27 → 3.08 ms (0.88× →
    /// 0.94× native); five-point 316 × 316 grid 20.9 → 17.1 / 17.0 → 16.3 ms
    /// (0.81× → 0.95×); random pattern, 2 to 12 entries a row, n = 100 000
    /// 30.5 → 30.3 / 28.4 → 29.6 ms. The pairs are what wasm needs: the same
    /// runs summed row by row left the tridiagonal solve at 3.5 ms.
    ///
    /// Then the runs found once per solve instead of block by block (medians
    /// of 9 alternating runs, wasm simd128 / native): tridiagonal 3.29 → 2.96
    /// / 3.00 → 2.85 ms (0.91× → 0.96×); five-point 17.1 → 15.1 / 16.0 → 14.8
    /// (0.93× → 0.98×); random pattern 29.9 → 30.4 / 28.9 → 28.7 (0.97× →
    /// 0.95×: in wasm the pass that finds no runs costs 1.6 %).
    #[inline(never)]
    fn apply(&self, x: &[f64], out: &mut [f64], kernels: Kernels) {
        assert!(x.len() == self.n && out.len() == self.n, "operands must have dim() values");
        // `CsrOperator::new` checked that `row_ptr` rises from 0 to
        // `values.len() == col_indices.len()` and that every column index is
        // below `cols == n == x.len()` (asserted above): the invariant of
        // `Product`, and the contract of every unsafe call below.
        let product = Product { values: self.values, col_indices: self.col_indices, x };
        // The rows before each run one by one, then the run; the last "run"
        // is the empty one after the last row.
        let end = Run { row: self.n, rows: 0, len: 0 };
        let mut row = 0;
        for &Run { row: first, rows, len } in self.runs.iter().chain([&end]) {
            // SAFETY: see above; `row_ptr[row]` is the start offset of `row`.
            unsafe { product.rows(&self.row_ptr[row + 1..=first], &mut out[row..first], self.row_ptr[row] as usize) };
            let (block_rows, start) = (&mut out[first..first + rows], self.row_ptr[first] as usize);
            // SAFETY: see above, and `runs`: every row of a run has `len` entries.
            unsafe {
                match len {
                    0 => {}
                    1 => product.uniform_rows::<1>(kernels, block_rows, start),
                    2 => product.uniform_rows::<2>(kernels, block_rows, start),
                    3 => product.uniform_rows::<3>(kernels, block_rows, start),
                    4 => product.uniform_rows::<4>(kernels, block_rows, start),
                    5 => product.uniform_rows::<5>(kernels, block_rows, start),
                    6 => product.uniform_rows::<6>(kernels, block_rows, start),
                    7 => product.uniform_rows::<7>(kernels, block_rows, start),
                    8 => product.uniform_rows::<8>(kernels, block_rows, start),
                    _ => unreachable!("runs() makes runs of rows with 1 to {MAX_RUN_ENTRIES} entries"),
                }
            }
            row = first + rows;
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

/// [`Product::uniform_rows`] with simd128: rows `r` and `r + 1` of a block
/// in the two lanes of an f64x2, each lane summed in the portable order.
#[cfg(all(target_arch = "wasm32", feature = "simd"))]
mod simd {
    use core::arch::wasm32::{
        f64x2_add, f64x2_mul, u64x2_shuffle, v128, v128_load, v128_load64_lane, v128_load64_zero, v128_store,
    };

    use super::{uniform_blocks, Product, BLOCK};

    /// As [`super::portable_uniform_rows`].
    ///
    /// # Safety
    ///
    /// As [`Product::uniform_rows`].
    #[inline(never)]
    #[target_feature(enable = "simd128")]
    pub(super) unsafe fn uniform_rows<const L: usize>(p: Product, out: &mut [f64], start: usize) {
        uniform_blocks::<L>(out, start, |out, start| {
            for pair in (0..BLOCK).step_by(2) {
                // SAFETY: rows `pair` and `pair + 1` of the block are the 2·L
                // entries from `start + pair·L`; `out` has BLOCK values.
                unsafe { v128_store(out.as_mut_ptr().add(pair).cast(), row_pair::<L>(p, start + pair * L)) };
            }
        })
    }

    /// The sums of two consecutive rows of `L` entries, the first starting
    /// at `first`, as an f64x2.
    ///
    /// # Safety
    ///
    /// `first .. first + 2·L` are the entries of two rows.
    #[inline]
    #[target_feature(enable = "simd128")]
    unsafe fn row_pair<const L: usize>(p: Product, first: usize) -> v128 {
        // SAFETY (every pointer below): `first + k < first + 2·L` is an entry,
        // and its column an index of `x` (the invariant of `Product`).
        let values = unsafe { p.values.as_ptr().add(first) };
        let columns = unsafe { p.col_indices.as_ptr().add(first) };
        let x = |k: usize| unsafe { p.x.as_ptr().add(*columns.add(k) as usize) };
        // The 2·L values in f64x2 halves (`v128_load` has no alignment
        // requirement); half `h` holds entries `2h` and `2h + 1`.
        let halves: [v128; L] = std::array::from_fn(|h| unsafe { v128_load(values.add(2 * h).cast()) });
        // Entry `j` of each row: the values `j` and `L + j`, and their `x`.
        let term = |j: usize| {
            let (a, b) = (halves[j / 2], halves[(L + j) / 2]);
            let values = match (j % 2, (L + j) % 2) {
                (0, 0) => u64x2_shuffle::<0, 2>(a, b),
                (0, _) => u64x2_shuffle::<0, 3>(a, b),
                (_, 0) => u64x2_shuffle::<1, 2>(a, b),
                _ => u64x2_shuffle::<1, 3>(a, b),
            };
            let xs = unsafe { v128_load64_lane::<1>(v128_load64_zero(x(j).cast()), x(L + j).cast()) };
            f64x2_mul(values, xs)
        };
        (1..L).fold(term(0), |sums, j| f64x2_add(sums, term(j)))
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
    fn runs_of_equal_rows_give_the_bits_of_row_by_row_sums() {
        // Runs of rows with 1 to 8 entries (the block path), shorter than a
        // block, starting inside a block, broken by empty and longer rows;
        // columns scattered, unsorted and repeated.
        let runs: [(usize, usize); 20] = [
            (2, 1),
            (3, 9),
            (1, 5),
            (4, 8),
            (0, 1),
            (2, 4),
            (6, 1),
            (3, 3),
            (1, 13),
            (5, 2),
            (2, 7),
            (4, 5),
            (5, 9),
            (7, 6),
            (9, 5),
            (6, 8),
            (8, 7),
            (12, 2),
            (3, 4),
            (0, 2),
        ];
        let n = runs.iter().map(|&(_, rows)| rows).sum::<usize>() as u32;
        let (mut values, mut col_indices, mut row_ptr) = (vec![], vec![], vec![0]);
        for (len, rows) in runs {
            for _ in 0..rows {
                for j in 0..len {
                    let k = values.len() as u32;
                    values.push(1.0 + f64::from(k % 17) * 0.375 - f64::from(j as u32) * 0.0625);
                    col_indices.push((k * 7 + j as u32 * 11) % n);
                }
                row_ptr.push(values.len() as u32);
            }
        }
        let m = csr(&values, &col_indices, &row_ptr, n, n);
        let x: Vec<f64> = (0..n).map(|i| (f64::from(i) - 31.5) / 7.0).collect();
        let op = CsrOperator::new(&m, &x).unwrap();
        for kernels in [Kernels::best(), Kernels::new(false)] {
            let mut out = vec![f64::NAN; n as usize];
            op.apply(&x, &mut out, kernels);
            for (i, w) in row_ptr.windows(2).enumerate() {
                let expected = (w[0]..w[1]).fold(None, |sum: Option<f64>, k| {
                    let term = values[k as usize] * x[col_indices[k as usize] as usize];
                    Some(sum.map_or(term, |s| s + term))
                });
                assert_eq!(out[i].to_bits(), expected.unwrap_or(0.0).to_bits(), "row {i}");
            }
        }
    }

    #[test]
    fn runs_are_whole_blocks_of_rows_with_one_to_eight_entries() {
        let row_ptr_of = |lengths: &[u32]| {
            let mut row_ptr = vec![0];
            for len in lengths {
                row_ptr.push(row_ptr.last().unwrap() + len);
            }
            row_ptr
        };
        let run = |row, rows, len| Run { row, rows, len };
        // Tridiagonal: the first and last rows have 2 entries, the 9 inner 3.
        let tridiagonal = row_ptr_of(&[2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2]);
        assert_eq!(runs(&tridiagonal), [run(1, 8, 3)]);
        // Shorter than a block, empty rows, rows longer than eight: no run.
        assert_eq!(runs(&row_ptr_of(&[5, 5, 5, 0, 0, 0, 0, 0, 9, 9, 9, 9, 4])), []);
        // Runs back to back, the last one up to the last row.
        let lengths = [1, 1, 1, 1, 1, 8, 8, 8, 8, 2, 2, 2, 2, 2, 2, 2, 2];
        assert_eq!(runs(&row_ptr_of(&lengths)), [run(0, 4, 1), run(5, 4, 8), run(9, 8, 2)]);
        assert_eq!(runs(&[0]), []);
    }

    #[test]
    fn empty_rows_are_not_dominant() {
        let m = csr(&[1.0], &[0], &[0, 1, 1], 2, 2);
        let op = CsrOperator::new(&m, &[0.0, 0.0]).unwrap();
        let err = op.diagonal_if_dominant(&mut [0.0; 2]).unwrap_err();
        assert_eq!(err, KernelError::NotDiagonallyDominant { row: 1, diagonal: 0.0, off_diagonal: 0.0 });
    }
}
