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

/// Largest entry of `row`, `-inf` for an empty row (NaN entries are skipped,
/// as by `f32::max`).
#[inline]
pub(crate) fn max(row: &[f32]) -> f32 {
    imp::max(row)
}

/// `row ← exp(row − shift)` with [`exp`]; returns the sum of the new entries.
#[inline]
pub(crate) fn exp_sum(row: &mut [f32], shift: f32) -> f32 {
    imp::exp_sum(row, shift)
}

/// `y ← alpha · y`.
#[inline]
pub(crate) fn scale(alpha: f32, y: &mut [f32]) {
    imp::scale(alpha, y)
}

/// `y ← alpha · y + add` over the common length.
#[inline]
pub(crate) fn scale_add(alpha: f32, y: &mut [f32], add: &[f32]) {
    imp::scale_add(alpha, y, add)
}

/// Constants of [`exp`], shared with the simd128 version (which must compute
/// exactly the same operations to give the same bits).
pub(crate) mod exp_consts {
    /// log2(e).
    pub const LOG2E: f32 = std::f32::consts::LOG2_E;
    /// 1.5 · 2^23: adding it rounds a float of magnitude below 2^22 to the
    /// nearest integer, which then sits in the low mantissa bits.
    pub const ROUND: f32 = 12_582_912.0;
    /// ln 2 split in two (Cody–Waite): `n · LN2_HI` is exact for |n| < 2^9.
    pub const LN2_HI: f32 = 0.693_359_4;
    pub const LN2_LO: f32 = -2.121_944_4e-4;
    /// ln(2^-126): below it e^x is subnormal, and [`super::exp`] returns 0.
    pub const MIN: f32 = -87.336_54;
    /// Inputs are clamped here so that `n <= 127` (2^n stays a normal float).
    pub const MAX: f32 = 88.37;
    /// Cephes `expf` polynomial: e^r ≈ 1 + r + r²·P(r) on |r| <= ln2/2.
    pub const P: [f32; 6] = [
        1.987_569_1e-4,
        1.398_199_9e-3,
        8.333_452e-3,
        4.166_579_6e-2,
        0.166_666_65,
        0.5,
    ];
}

/// `e^x` in f32 within 1 ulp (relative error below 1e-7, checked against
/// f64 over `-87.3 <= x <= 88.3`), 0 below that range, NaN for NaN; above
/// 88.37 it saturates at e^88.37 (the callers only pass `x <= 0`: logits
/// minus their maximum).
///
/// Why not `f32::exp`: in wasm that is a libm routine called per element,
/// several times slower than the glibc one native code calls, and neither
/// vectorises. This is straight-line arithmetic (round, reduce, polynomial,
/// scale by 2^n through the exponent bits) that LLVM vectorises natively and
/// that `simd::exp_sum` computes with the same operations on f32x4 lanes, so
/// both builds give the same bits.
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    use exp_consts::*;
    let xc = x.clamp(MIN, MAX);
    let t = xc * LOG2E + ROUND;
    let n = t - ROUND;
    let r = (xc - n * LN2_HI) - n * LN2_LO;
    let p = ((((P[0] * r + P[1]) * r + P[2]) * r + P[3]) * r + P[4]) * r + P[5];
    let e = p * (r * r) + r + 1.0;
    // `t`'s bits minus ROUND's are n; n + 127 shifted into the exponent field is 2^n.
    let scale = f32::from_bits(t.to_bits().wrapping_sub(ROUND.to_bits() - 127) << 23);
    if x < MIN {
        0.0
    } else {
        e * scale
    }
}

/// `dst[c][r] = src[r][c]` for a `rows × cols` block of `src` whose rows are
/// `src_stride` apart; `dst` is a contiguous `cols × rows` matrix.
///
/// Used to lay K out as `Kᵀ` once, so that `Q·Kᵀ` becomes a plain row-major
/// product whose inner loop runs along contiguous memory.
pub(crate) fn transpose(src: &[f32], rows: usize, cols: usize, src_stride: usize, dst: &mut [f32]) {
    debug_assert!(rows == 0 || src.len() >= (rows - 1) * src_stride + cols);
    debug_assert!(dst.len() >= rows * cols);
    imp::transpose(src, rows, cols, src_stride, dst)
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
    assert!(
        a.len() >= (m - 1) * lda + k
            && b.len() >= (k - 1) * ldb + n
            && c.len() >= (m - 1) * ldc + n,
        "gemm_acc operands are shorter than their shapes"
    );
    let (m_main, n_main) = (m - m % MR, n - n % NR);
    for k0 in (0..k).step_by(KC) {
        let kc = KC.min(k - k0);
        let (a_panel, b_panel) = (&a[k0..], &b[k0 * ldb..]);
        for i in (0..m_main).step_by(MR) {
            let a_rows: [&[f32]; MR] = std::array::from_fn(|r| &a_panel[(i + r) * lda..][..kc]);
            let c_block = &mut c[i * ldc..];
            for j in (0..n_main).step_by(NR) {
                imp::kernel_4x8(a_rows, b_panel, ldb, j, c_block, ldc);
            }
        }
        // The right edge (the last n % NR columns of those rows), then the
        // bottom edge (the last m % MR rows, all columns).
        if n_main < n {
            let (b_edge, c_edge) = (&b_panel[n_main..], &mut c[n_main..]);
            gemm_edge(
                m_main,
                kc,
                n - n_main,
                a_panel,
                lda,
                b_edge,
                ldb,
                c_edge,
                ldc,
            );
        }
        if m_main < m {
            let (a_edge, c_edge) = (&a_panel[m_main * lda..], &mut c[m_main * ldc..]);
            gemm_edge(m - m_main, kc, n, a_edge, lda, b_panel, ldb, c_edge, ldc);
        }
    }
}

/// `C += A · B` for the parts of a product the micro-kernel does not cover,
/// one row of C at a time with [`axpy`] along the rows of B (the same
/// per-element order of operations as the micro-kernel). One function for
/// both edges keeps `gemm_acc` small: V8 compiles that hot function with its
/// optimising tier while the first calls run, and its compile time grows
/// with its size.
#[allow(clippy::too_many_arguments)]
fn gemm_edge(
    rows: usize,
    depth: usize,
    cols: usize,
    a: &[f32],
    lda: usize,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
) {
    for r in 0..rows {
        let c_row = &mut c[r * ldc..][..cols];
        for (t, &x) in a[r * lda..][..depth].iter().enumerate() {
            axpy(x, &b[t * ldb..][..cols], c_row);
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

    pub(super) fn transpose(
        src: &[f32],
        rows: usize,
        cols: usize,
        src_stride: usize,
        dst: &mut [f32],
    ) {
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

    /// Eight lanes of running maxima, so the loop vectorises.
    pub(super) fn max(row: &[f32]) -> f32 {
        let (blocks, tail) = row.as_chunks::<8>();
        let mut acc = [f32::NEG_INFINITY; 8];
        for block in blocks {
            for (m, &x) in acc.iter_mut().zip(block) {
                *m = m.max(x);
            }
        }
        let m = acc.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
        tail.iter().fold(m, |m, &x| m.max(x))
    }

    /// Two passes over the (L1-resident) row: the exponentials alone, a
    /// plain map that LLVM vectorises (fused with the sum, its SLP pass
    /// leaves the polynomial scalar, three times slower), then eight partial
    /// sums, where lanes `l` and `l + 4` are the two f32x4 accumulators of
    /// `simd::exp_sum`, added in its order.
    pub(super) fn exp_sum(row: &mut [f32], shift: f32) -> f32 {
        for x in row.iter_mut() {
            *x = super::exp(*x - shift);
        }
        let (blocks, tail) = row.as_chunks::<8>();
        let mut acc = [0.0f32; 8];
        for block in blocks {
            for (s, x) in acc.iter_mut().zip(block) {
                *s += x;
            }
        }
        let [l0, l1, l2, l3, l4, l5, l6, l7] = acc;
        let sum = ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7));
        tail.iter().fold(sum, |s, x| s + x)
    }

    pub(super) fn scale(alpha: f32, y: &mut [f32]) {
        for v in y {
            *v *= alpha;
        }
    }

    pub(super) fn scale_add(alpha: f32, y: &mut [f32], add: &[f32]) {
        for (v, &a) in y.iter_mut().zip(add) {
            *v = *v * alpha + a;
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
    fn exp_is_accurate_over_the_softmax_range() {
        let mut worst = 0.0f64;
        for i in 0..=200_000 {
            let x = -87.0 + 87.0 * i as f32 / 200_000.0;
            let exact = (x as f64).exp();
            worst = worst.max(((exp(x) as f64) - exact).abs() / exact);
        }
        assert!(worst < 3e-7, "max relative error {worst:e}");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp(-100.0), 0.0);
        assert!(exp(f32::NAN).is_nan());
        assert!((exp(10.0) as f64 / 10f64.exp() - 1.0).abs() < 3e-7);
    }

    #[test]
    fn row_kernels_match_their_definitions() {
        for len in [0, 1, 7, 8, 9, 64, 67] {
            let base = data(len, 0.4);
            let max_ref = base.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
            assert_eq!(max(&base), max_ref);

            let mut row = base.clone();
            let sum = exp_sum(&mut row, max_ref);
            for (e, x) in row.iter().zip(&base) {
                assert_eq!(*e, exp(x - max_ref));
            }
            assert!((sum - row.iter().sum::<f32>()).abs() <= 1e-5 * sum.max(1.0));

            let mut scaled = base.clone();
            scale_add(3.0, &mut scaled, &row);
            for ((s, x), e) in scaled.iter().zip(&base).zip(&row) {
                assert_eq!(*s, x * 3.0 + e);
            }
            scale(0.5, &mut scaled);
            for ((s, x), e) in scaled.iter().zip(&base).zip(&row) {
                assert_eq!(*s, (x * 3.0 + e) * 0.5);
            }
        }
    }

    #[test]
    fn transpose_handles_partial_blocks() {
        for (rows, cols, stride) in [(1, 1, 1), (4, 4, 4), (5, 9, 11), (64, 13, 16), (7, 3, 3)] {
            let src = data((rows - 1) * stride + cols, 0.9);
            let mut dst = vec![0.0; rows * cols];
            transpose(&src, rows, cols, stride, &mut dst);
            for r in 0..rows {
                for c in 0..cols {
                    assert_eq!(dst[c * rows + r], src[r * stride + c], "{rows}x{cols}");
                }
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
