//! Dense f32 building blocks: dot product, axpy, transpose and a blocked
//! matrix product. Everything else in the crate is built on these, so this is
//! where the time goes.
//!
//! The portable versions are written so that LLVM auto-vectorises them
//! (fixed-width chunks, independent accumulators, iterator zips without
//! bounds checks in the inner loop). With the `simd` feature on wasm32 the
//! same functions are replaced, at compile time, by explicit `simd128`
//! versions from [`simd`]: the baseline wasm module is built without the
//! simd128 target feature, so auto-vectorisation cannot emit SIMD there.

#[cfg(all(target_arch = "wasm32", feature = "simd"))]
mod simd;

#[cfg(all(target_arch = "wasm32", feature = "simd"))]
use simd as imp;

#[cfg(not(all(target_arch = "wasm32", feature = "simd")))]
use portable as imp;

/// Rows of A handled together by the matrix-product micro-kernel: each value
/// of B loaded is used `MR` times.
pub(crate) const MR: usize = 4;
/// Columns of C handled together by the micro-kernel: two 4-lane vectors per
/// row, so the 4×8 accumulator tile (8 vectors) stays in registers on SSE2
/// and wasm simd128 alike.
pub(crate) const NR: usize = 8;
/// Depth of one pass over B: a `KC × n` panel of B (512 KiB for n = 512)
/// stays in L2 while every row block of A streams past it.
const KC: usize = 256;

/// `Σ a_i b_i` over the common length.
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    imp::dot(a, b)
}

/// `y += alpha · x` over the common length.
#[inline]
pub(crate) fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    imp::axpy(alpha, x, y)
}

/// `dst[c][r] = src[r][c]` for a `rows × cols` block of `src` whose rows are
/// `src_stride` apart; `dst` is a contiguous `cols × rows` matrix.
///
/// Used to lay K out as `Kᵀ` once, so that `Q·Kᵀ` becomes a plain row-major
/// product whose inner loop runs along contiguous memory.
pub(crate) fn transpose(src: &[f32], rows: usize, cols: usize, src_stride: usize, dst: &mut [f32]) {
    debug_assert!(rows == 0 || src.len() >= (rows - 1) * src_stride + cols);
    debug_assert!(dst.len() >= rows * cols);
    // Blocks of 8 source rows keep the 8 destination cache lines being
    // written hot while each source row is read sequentially.
    const BLOCK: usize = 8;
    for r0 in (0..rows).step_by(BLOCK) {
        let r1 = (r0 + BLOCK).min(rows);
        for c in 0..cols {
            let column = &mut dst[c * rows + r0..c * rows + r1];
            for (offset, out) in column.iter_mut().enumerate() {
                *out = src[(r0 + offset) * src_stride + c];
            }
        }
    }
}

/// `C += A · B` with `A: m × k`, `B: k × n`, `C: m × n`, all row-major with
/// row strides `lda`, `ldb`, `ldc` (so a head's column block of a wider
/// matrix can be used in place, without copying it out).
///
/// Loop order: depth panels of `KC` (B panel stays in cache), then blocks of
/// `MR` rows of A, then `NR`-wide column tiles computed by a register-blocked
/// micro-kernel. Leftover columns (n % NR) and rows (m % MR) take simpler
/// paths; rows use axpy along contiguous rows of B.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm_acc(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    lda: usize,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
) {
    if m == 0 || k == 0 || n == 0 {
        return;
    }
    debug_assert!(a.len() >= (m - 1) * lda + k);
    debug_assert!(b.len() >= (k - 1) * ldb + n);
    debug_assert!(c.len() >= (m - 1) * ldc + n);
    let n_main = n - n % NR;
    for k0 in (0..k).step_by(KC) {
        let kc = KC.min(k - k0);
        let b_panel = &b[k0 * ldb..];
        let mut i = 0;
        while i + MR <= m {
            let a_rows: [&[f32]; MR] = std::array::from_fn(|r| &a[(i + r) * lda + k0..][..kc]);
            let c_block = &mut c[i * ldc..];
            let mut j = 0;
            while j < n_main {
                imp::kernel_4x8(a_rows, b_panel, ldb, j, c_block, ldc);
                j += NR;
            }
            if n_main < n {
                for (r, a_row) in a_rows.iter().enumerate() {
                    let c_row = &mut c_block[r * ldc..][..n];
                    for (col, out) in c_row.iter_mut().enumerate().skip(n_main) {
                        let mut sum = *out;
                        for (t, &x) in a_row.iter().enumerate() {
                            sum += x * b_panel[t * ldb + col];
                        }
                        *out = sum;
                    }
                }
            }
            i += MR;
        }
        while i < m {
            let a_row = &a[i * lda + k0..][..kc];
            let c_row = &mut c[i * ldc..][..n];
            for (t, &x) in a_row.iter().enumerate() {
                axpy(x, &b_panel[t * ldb..][..n], c_row);
            }
            i += 1;
        }
    }
}

/// Portable loops, auto-vectorised by LLVM for whatever the target offers.
#[cfg_attr(all(target_arch = "wasm32", feature = "simd"), allow(dead_code))]
mod portable {
    use super::{MR, NR};

    pub(super) fn dot(a: &[f32], b: &[f32]) -> f32 {
        let len = a.len().min(b.len());
        let (a, b) = (&a[..len], &b[..len]);
        // Eight independent partial sums: without them the additions form one
        // serial chain that LLVM may not reorder (no fast-math), so it could
        // not vectorise the reduction.
        let mut acc = [0.0f32; 8];
        let a_chunks = a.chunks_exact(8);
        let b_chunks = b.chunks_exact(8);
        let (a_tail, b_tail) = (a_chunks.remainder(), b_chunks.remainder());
        for (x, y) in a_chunks.zip(b_chunks) {
            for lane in 0..8 {
                acc[lane] += x[lane] * y[lane];
            }
        }
        let mut sum =
            (acc[0] + acc[4]) + (acc[1] + acc[5]) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
        for (x, y) in a_tail.iter().zip(b_tail) {
            sum += x * y;
        }
        sum
    }

    pub(super) fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
        for (out, &v) in y.iter_mut().zip(x) {
            *out += alpha * v;
        }
    }

    #[inline(always)]
    fn load8(s: &[f32], at: usize) -> [f32; NR] {
        let mut out = [0.0f32; NR];
        out.copy_from_slice(&s[at..at + NR]);
        out
    }

    /// `C[0..4][col..col+8] += A_rows · B[.., col..col+8]` over the depth
    /// `a[r].len()`, with the 4×8 tile of C held in locals.
    #[inline(always)]
    pub(super) fn kernel_4x8(
        a: [&[f32]; MR],
        b: &[f32],
        ldb: usize,
        col: usize,
        c: &mut [f32],
        ldc: usize,
    ) {
        let mut acc = [[0.0f32; NR]; MR];
        for (r, row) in acc.iter_mut().enumerate() {
            *row = load8(c, r * ldc + col);
        }
        let [a0, a1, a2, a3] = a;
        let depth = a0.len();
        let rows = a0
            .iter()
            .zip(&a1[..depth])
            .zip(&a2[..depth])
            .zip(&a3[..depth]);
        for (t, (((&x0, &x1), &x2), &x3)) in rows.enumerate() {
            let bt = load8(b, t * ldb + col);
            for lane in 0..NR {
                acc[0][lane] += x0 * bt[lane];
                acc[1][lane] += x1 * bt[lane];
                acc[2][lane] += x2 * bt[lane];
                acc[3][lane] += x3 * bt[lane];
            }
        }
        for (r, row) in acc.iter().enumerate() {
            c[r * ldc + col..r * ldc + col + NR].copy_from_slice(row);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(m: usize, k: usize, n: usize, a: &[f32], b: &[f32]) -> Vec<f32> {
        let mut c = vec![0.0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0f64;
                for t in 0..k {
                    s += a[i * k + t] as f64 * b[t * n + j] as f64;
                }
                c[i * n + j] = s as f32;
            }
        }
        c
    }

    fn data(len: usize, salt: f32) -> Vec<f32> {
        (0..len).map(|i| ((i as f32) * 0.37 + salt).sin()).collect()
    }

    #[test]
    fn gemm_matches_naive_for_awkward_sizes() {
        for &(m, k, n) in &[
            (1, 1, 1),
            (3, 5, 7),
            (4, 8, 8),
            (9, 300, 17),
            (13, 257, 24),
            (5, 3, 33),
        ] {
            let a = data(m * k, 0.1);
            let b = data(k * n, 0.7);
            let mut c = vec![0.0f32; m * n];
            gemm_acc(m, k, n, &a, k, &b, n, &mut c, n);
            let expected = naive(m, k, n, &a, &b);
            for (x, y) in c.iter().zip(&expected) {
                assert!((x - y).abs() < 1e-4, "{m}x{k}x{n}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn gemm_accumulates_and_respects_strides() {
        // A is the column block 2..5 of a 6×7 matrix, B the block 1..10 of a 3×12 one.
        let (m, k, n) = (6, 3, 9);
        let big_a = data(6 * 7, 0.3);
        let big_b = data(3 * 12, 0.9);
        let mut c = vec![1.0f32; m * 11];
        gemm_acc(m, k, n, &big_a[2..], 7, &big_b[1..], 12, &mut c, 11);
        for i in 0..m {
            for j in 0..11 {
                let expected = if j < n {
                    1.0 + (0..k)
                        .map(|t| big_a[i * 7 + 2 + t] * big_b[t * 12 + 1 + j])
                        .sum::<f32>()
                } else {
                    1.0
                };
                assert!((c[i * 11 + j] - expected).abs() < 1e-5);
            }
        }
    }

    #[test]
    fn dot_axpy_transpose() {
        let a = data(19, 0.2);
        let b = data(19, 0.5);
        let expected: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - expected).abs() < 1e-5);
        let mut y = b.clone();
        axpy(2.0, &a, &mut y);
        for i in 0..19 {
            assert!((y[i] - (b[i] + 2.0 * a[i])).abs() < 1e-6);
        }
        let src = data(5 * 4, 0.0); // 5 rows × 3 cols with stride 4
        let mut dst = vec![0.0; 15];
        transpose(&src, 5, 3, 4, &mut dst);
        for r in 0..5 {
            for c in 0..3 {
                assert_eq!(dst[c * 5 + r], src[r * 4 + c]);
            }
        }
    }
}
