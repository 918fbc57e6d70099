//! Vector and dense matrix kernels: portable scalar versions and, in a
//! wasm32 build with the `simd` feature, simd128 versions.
//!
//! The scalar kernels are written for the auto-vectoriser: fixed-size array
//! chunks (`as_chunks`) with one independent accumulator per lane, because
//! LLVM never reassociates a plain floating-point `sum()` and would otherwise
//! leave the reduction serial. [`Kernels`] picks one family per solve, so the
//! choice costs one predictable branch per kernel call, not per element.

use crate::error::{invalid, KernelError};

/// Whether this build contains the simd128 kernels.
pub(crate) const SIMD_BUILD: bool = cfg!(all(target_arch = "wasm32", feature = "simd"));

/// Accumulator lanes of the single-vector reductions: enough independent
/// chains to hide the latency of floating-point adds (four f64x2 registers).
/// [`reduce8`] fixes the order in which they are summed.
const LANES: usize = 8;

/// The kernel family used by one solve.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Kernels {
    /// True only in a SIMD build whose caller asked for SIMD.
    #[cfg_attr(not(all(target_arch = "wasm32", feature = "simd")), allow(dead_code))]
    simd: bool,
}

impl Kernels {
    /// SIMD kernels if `requested` and this build has them, else scalar.
    pub(crate) fn new(requested: bool) -> Self {
        Kernels { simd: requested && SIMD_BUILD }
    }

    /// The fastest family this build has.
    pub(crate) fn best() -> Self {
        Kernels::new(true)
    }

    /// Whether this family is the simd128 one (for kernels kept next to
    /// their data structure, such as the CSR product).
    #[cfg(all(target_arch = "wasm32", feature = "simd"))]
    pub(crate) fn simd(self) -> bool {
        self.simd
    }

    /// `a · b` over the common length.
    pub(crate) fn dot(self, a: &[f64], b: &[f64]) -> f64 {
        #[cfg(all(target_arch = "wasm32", feature = "simd"))]
        if self.simd {
            // A safe call: see the `simd` module on why wasm needs no `unsafe` here.
            return simd::dot(a, b);
        }
        scalar::dot(a, b)
    }

    /// `y += alpha * x`.
    pub(crate) fn axpy(self, alpha: f64, x: &[f64], y: &mut [f64]) {
        #[cfg(all(target_arch = "wasm32", feature = "simd"))]
        if self.simd {
            return simd::axpy(alpha, x, y);
        }
        scalar::axpy(alpha, x, y)
    }

    /// `y += alpha * x`, then return `y · y` (one pass instead of two).
    pub(crate) fn axpy_norm_sq(self, alpha: f64, x: &[f64], y: &mut [f64]) -> f64 {
        #[cfg(all(target_arch = "wasm32", feature = "simd"))]
        if self.simd {
            return simd::axpy_norm_sq(alpha, x, y);
        }
        scalar::axpy_norm_sq(alpha, x, y)
    }

    /// `y = x + beta * y`.
    pub(crate) fn xpby(self, x: &[f64], beta: f64, y: &mut [f64]) {
        #[cfg(all(target_arch = "wasm32", feature = "simd"))]
        if self.simd {
            return simd::xpby(x, beta, y);
        }
        scalar::xpby(x, beta, y)
    }

    /// `out = A x` for a row-major matrix with `n` columns (`n > 0`) and
    /// `out.len()` rows; with the `parallel` feature, large products are
    /// split over rayon's threads by rows (each row is computed as it would
    /// be serially, so the result is the same to the bit).
    pub(crate) fn dense_matvec(self, matrix: &[f64], n: usize, x: &[f64], out: &mut [f64]) {
        #[cfg(feature = "parallel")]
        if matrix.len() >= parallel::MIN_ENTRIES && rayon::current_num_threads() > 1 {
            return parallel::dense_matvec(self, matrix, n, x, out);
        }
        self.dense_matvec_rows(matrix, n, x, out)
    }

    fn dense_matvec_rows(self, matrix: &[f64], n: usize, x: &[f64], out: &mut [f64]) {
        #[cfg(all(target_arch = "wasm32", feature = "simd"))]
        if self.simd {
            return simd::dense_matvec(matrix, n, x, out);
        }
        scalar::dense_matvec(matrix, n, x, out)
    }
}

/// The dense product on rayon's threads (the `parallel` feature: the
/// package's threaded module, or a native build).
#[cfg(feature = "parallel")]
mod parallel {
    use super::Kernels;
    use rayon::prelude::*;

    /// Below this many entries (a 512 × 512 matrix) a product takes about
    /// as long as handing its halves to other threads and waiting for them.
    pub(super) const MIN_ENTRIES: usize = 512 * 512;

    /// Rows in tasks of a multiple of four (the kernels' row blocks), about
    /// four tasks per thread so that a slow thread does not hold the rest up.
    pub(super) fn dense_matvec(kernels: Kernels, matrix: &[f64], n: usize, x: &[f64], out: &mut [f64]) {
        let tasks = 4 * rayon::current_num_threads();
        let rows = out.len().div_ceil(tasks).next_multiple_of(4);
        out.par_chunks_mut(rows)
            .zip(matrix.par_chunks(rows * n))
            .for_each(|(out, block)| kernels.dense_matvec_rows(block, n, x, out));
    }
}

/// `out = A x` for an `n × n` row-major matrix, with the portable scalar kernels.
///
/// A public entry point for benchmarks of the product alone.
/// Errors: `InvalidMatrix` unless `matrix.len() == n * n` and `x.len() == out.len() == n`.
pub fn dense_matvec(matrix: &[f64], n: usize, x: &[f64], out: &mut [f64]) -> Result<(), KernelError> {
    check_matvec_operands(matrix, n, x, out)?;
    if n > 0 {
        scalar::dense_matvec(matrix, n, x, out);
    }
    Ok(())
}

/// [`dense_matvec`] with the simd128 kernels (wasm32 builds with the `simd` feature only).
#[cfg(all(target_arch = "wasm32", feature = "simd"))]
pub fn dense_matvec_simd(matrix: &[f64], n: usize, x: &[f64], out: &mut [f64]) -> Result<(), KernelError> {
    check_matvec_operands(matrix, n, x, out)?;
    if n > 0 {
        Kernels { simd: true }.dense_matvec(matrix, n, x, out);
    }
    Ok(())
}

fn check_matvec_operands(matrix: &[f64], n: usize, x: &[f64], out: &[f64]) -> Result<(), KernelError> {
    if n.checked_mul(n) != Some(matrix.len()) {
        return Err(invalid(format!("matrix has {} values, expected {n} × {n}", matrix.len())));
    }
    if x.len() != n || out.len() != n {
        return Err(invalid(format!("vector lengths {} (x) and {} (out) must both be {n}", x.len(), out.len())));
    }
    Ok(())
}

/// True when no value is NaN or infinite (about one pass over the data),
/// with the simd128 kernel when the build has it: every solve checks its
/// whole matrix, so this pass is as hot as one product.
pub(crate) fn all_finite(values: &[f64]) -> bool {
    #[cfg(all(target_arch = "wasm32", feature = "simd"))]
    return simd::all_finite(values);
    #[cfg(not(all(target_arch = "wasm32", feature = "simd")))]
    scalar::all_finite(values)
}

/// True when every value is below `bound` (the CSR column check).
pub(crate) fn all_below(values: &[u32], bound: u32) -> bool {
    #[cfg(all(target_arch = "wasm32", feature = "simd"))]
    return simd::scan_u32(values).max < bound || values.is_empty();
    #[cfg(not(all(target_arch = "wasm32", feature = "simd")))]
    values.iter().all(|&v| v < bound)
}

/// True when the values never decrease (the CSR row offsets check).
pub(crate) fn non_decreasing(values: &[u32]) -> bool {
    #[cfg(all(target_arch = "wasm32", feature = "simd"))]
    return simd::scan_u32(values).non_decreasing;
    #[cfg(not(all(target_arch = "wasm32", feature = "simd")))]
    values.windows(2).all(|w| w[0] <= w[1])
}

/// The portable kernels.
///
/// Their summation orders are the contract the simd128 kernels reproduce lane
/// for lane (see [`reduce8`] and [`reduce4`]), so a wasm SIMD solve and a
/// native one give bit-identical results.
pub(crate) mod scalar {
    use super::{reduce4, reduce8, LANES};

    /// `a · b` over the common length.
    #[inline]
    pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len().min(b.len());
        let (a_blocks, a_tail) = a[..n].as_chunks::<LANES>();
        let (b_blocks, b_tail) = b[..n].as_chunks::<LANES>();
        let mut acc = [0.0; LANES];
        for (x, y) in a_blocks.iter().zip(b_blocks) {
            for ((s, x), y) in acc.iter_mut().zip(x).zip(y) {
                *s += x * y;
            }
        }
        reduce8(acc) + tail_dot(a_tail, b_tail)
    }

    /// `[r · x for r in rows]` for four rows of `x.len()` values each: every
    /// value of `x` loaded serves four rows, and the 4 × 4 accumulators (eight
    /// 128-bit registers) keep sixteen independent add chains in flight.
    #[inline]
    pub(crate) fn dot4(rows: [&[f64]; 4], x: &[f64]) -> [f64; 4] {
        let n = x.len();
        let [r0, r1, r2, r3] = rows.map(|row| row[..n].as_chunks::<4>());
        let (x_blocks, x_tail) = x.as_chunks::<4>();
        let mut acc = [[0.0; 4]; 4];
        let blocks = x_blocks.iter().zip(r0.0).zip(r1.0).zip(r2.0).zip(r3.0);
        for ((((x, a0), a1), a2), a3) in blocks {
            for lane in 0..4 {
                acc[0][lane] += a0[lane] * x[lane];
                acc[1][lane] += a1[lane] * x[lane];
                acc[2][lane] += a2[lane] * x[lane];
                acc[3][lane] += a3[lane] * x[lane];
            }
        }
        let tails = [r0.1, r1.1, r2.1, r3.1];
        std::array::from_fn(|r| reduce4(acc[r]) + tail_dot(tails[r], x_tail))
    }

    /// The leftover products in order (fewer than one block).
    #[inline]
    pub(crate) fn tail_dot(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).fold(0.0, |s, (x, y)| s + x * y)
    }

    /// `y += alpha * x` (no reduction: vectorises as a plain loop).
    pub(crate) fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
        for (y_i, x_i) in y.iter_mut().zip(x) {
            *y_i += alpha * x_i;
        }
    }

    /// `y += alpha * x`, returning `y · y`.
    pub(crate) fn axpy_norm_sq(alpha: f64, x: &[f64], y: &mut [f64]) -> f64 {
        let n = x.len().min(y.len());
        let (x_blocks, x_tail) = x[..n].as_chunks::<LANES>();
        let (y_blocks, y_tail) = y[..n].as_chunks_mut::<LANES>();
        let mut acc = [0.0; LANES];
        for (yb, xb) in y_blocks.iter_mut().zip(x_blocks) {
            for ((s, y), x) in acc.iter_mut().zip(yb.iter_mut()).zip(xb) {
                *y += alpha * x;
                *s += *y * *y;
            }
        }
        let mut tail = 0.0;
        for (y_i, x_i) in y_tail.iter_mut().zip(x_tail) {
            *y_i += alpha * x_i;
            tail += *y_i * *y_i;
        }
        reduce8(acc) + tail
    }

    /// `out = b - ax`, returning `out · out` (the Jacobi residual update).
    pub(crate) fn sub_norm_sq(b: &[f64], ax: &[f64], out: &mut [f64]) -> f64 {
        let n = b.len().min(ax.len()).min(out.len());
        let (b_blocks, b_tail) = b[..n].as_chunks::<LANES>();
        let (ax_blocks, ax_tail) = ax[..n].as_chunks::<LANES>();
        let (out_blocks, out_tail) = out[..n].as_chunks_mut::<LANES>();
        let mut acc = [0.0; LANES];
        for ((ob, bb), ab) in out_blocks.iter_mut().zip(b_blocks).zip(ax_blocks) {
            for (((s, o), b), a) in acc.iter_mut().zip(ob.iter_mut()).zip(bb).zip(ab) {
                *o = b - a;
                *s += *o * *o;
            }
        }
        let mut tail = 0.0;
        for ((o, b), a) in out_tail.iter_mut().zip(b_tail).zip(ax_tail) {
            *o = b - a;
            tail += *o * *o;
        }
        reduce8(acc) + tail
    }

    /// `y = x + beta * y`.
    pub(crate) fn xpby(x: &[f64], beta: f64, y: &mut [f64]) {
        for (y_i, x_i) in y.iter_mut().zip(x) {
            *y_i = x_i + beta * *y_i;
        }
    }

    /// `out = A x`, `A` row-major with `n > 0` columns and `out.len()` rows:
    /// four rows per pass over `x` ([`dot4`]). A last block of fewer rows
    /// repeats its last row and drops the extra products, so every row is
    /// summed in the same order and there is no second code path.
    pub(crate) fn dense_matvec(matrix: &[f64], n: usize, x: &[f64], out: &mut [f64]) {
        let x = &x[..n];
        for (block, out_block) in matrix.chunks(4 * n).zip(out.chunks_mut(4)) {
            let last = out_block.len() - 1;
            let rows = std::array::from_fn(|r| &block[r.min(last) * n..][..n]);
            out_block.copy_from_slice(&dot4(rows, x)[..=last]);
        }
    }

    /// True when no value is NaN or infinite. A non-short-circuiting `&`
    /// fold, so that it vectorises: the check costs about one pass.
    pub(crate) fn all_finite(values: &[f64]) -> bool {
        values.iter().fold(true, |ok, v| ok & v.is_finite())
    }
}

/// Sum of eight lanes in the order the simd128 kernels use: lanes `2k` and
/// `2k + 1` live in f64x2 accumulator `k`; the four accumulators are added
/// pairwise, then the two halves.
#[inline]
fn reduce8(l: [f64; 8]) -> f64 {
    ((l[0] + l[2]) + (l[4] + l[6])) + ((l[1] + l[3]) + (l[5] + l[7]))
}

/// Sum of four lanes in the simd128 kernels' order: two f64x2 accumulators
/// added, then their halves.
#[inline]
fn reduce4(l: [f64; 4]) -> f64 {
    (l[0] + l[2]) + (l[1] + l[3])
}

/// simd128 kernels: f64x2 vectors with the portable kernels' lanes and
/// summation order (so the results are the same bits), scalar tails.
///
/// Every function is `#[target_feature(enable = "simd128")]`. On other
/// architectures calling such a function from code without the feature needs
/// `unsafe`, because running an unsupported instruction is undefined
/// behaviour. On wasm it is not: an engine validates the whole module before
/// running any of it and refuses one with instructions it does not support,
/// so rustc lets safe code call these functions (an `unsafe` block there is
/// reported as unnecessary). This module exists only in the `simd` build, and
/// the package loader picks that module only after checking SIMD support;
/// `unsafe` remains only around the raw-pointer loads and stores.
#[cfg(all(target_arch = "wasm32", feature = "simd"))]
mod simd {
    use core::arch::wasm32::{
        f64x2_add, f64x2_eq, f64x2_extract_lane, f64x2_mul, f64x2_splat, i64x2_all_true, u32x4_extract_lane,
        u32x4_gt, u32x4_max, u32x4_splat, v128, v128_any_true, v128_load, v128_or, v128_store,
    };

    use super::scalar::tail_dot;

    /// The f64x2 halves of a block of `N` values (`N` even).
    #[inline]
    #[target_feature(enable = "simd128")]
    fn load<const N: usize, const H: usize>(values: &[f64; N]) -> [v128; H] {
        const { assert!(N == 2 * H) };
        let ptr = values.as_ptr();
        // SAFETY: `values` holds 8·N readable bytes and half `h` reads 16 of
        // them at offset 16·h; `v128_load` has no alignment requirement.
        std::array::from_fn(|h| unsafe { v128_load(ptr.add(2 * h).cast()) })
    }

    /// Store f64x2 halves into a block of `N` values.
    #[inline]
    #[target_feature(enable = "simd128")]
    fn store<const N: usize, const H: usize>(values: &mut [f64; N], halves: [v128; H]) {
        const { assert!(N == 2 * H) };
        let ptr = values.as_mut_ptr();
        for (h, half) in halves.into_iter().enumerate() {
            // SAFETY: as in `load`, 16 writable bytes at offset 16·h.
            unsafe { v128_store(ptr.add(2 * h).cast(), half) };
        }
    }

    /// `s[0] + s[1]` of `a + b`: the last two steps of `reduce4`/`reduce8`.
    #[inline]
    #[target_feature(enable = "simd128")]
    fn horizontal_sum(a: v128, b: v128) -> f64 {
        let s = f64x2_add(a, b);
        f64x2_extract_lane::<0>(s) + f64x2_extract_lane::<1>(s)
    }

    /// Four f64x2 accumulators (eight lanes): `reduce8`'s order.
    #[inline]
    #[target_feature(enable = "simd128")]
    fn reduce8(acc: [v128; 4]) -> f64 {
        horizontal_sum(f64x2_add(acc[0], acc[1]), f64x2_add(acc[2], acc[3]))
    }

    #[inline]
    #[target_feature(enable = "simd128")]
    pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len().min(b.len());
        let (a_blocks, a_tail) = a[..n].as_chunks::<8>();
        let (b_blocks, b_tail) = b[..n].as_chunks::<8>();
        let mut acc = [f64x2_splat(0.0); 4];
        for (x, y) in a_blocks.iter().zip(b_blocks) {
            let (x, y) = (load::<8, 4>(x), load::<8, 4>(y));
            for k in 0..4 {
                acc[k] = f64x2_add(acc[k], f64x2_mul(x[k], y[k]));
            }
        }
        reduce8(acc) + tail_dot(a_tail, b_tail)
    }

    /// Four rows against one `x`, as `scalar::dot4`: eight f64x2
    /// accumulators, each load of `x` used four times.
    #[inline]
    #[target_feature(enable = "simd128")]
    fn dot4(rows: [&[f64]; 4], x: &[f64]) -> [f64; 4] {
        let n = x.len();
        let [r0, r1, r2, r3] = rows.map(|row| row[..n].as_chunks::<4>());
        let (x_blocks, x_tail) = x.as_chunks::<4>();
        let mut acc = [[f64x2_splat(0.0); 2]; 4];
        let blocks = x_blocks.iter().zip(r0.0).zip(r1.0).zip(r2.0).zip(r3.0);
        for ((((x, a0), a1), a2), a3) in blocks {
            let x = load::<4, 2>(x);
            for (acc, a) in acc.iter_mut().zip([a0, a1, a2, a3]) {
                let a = load::<4, 2>(a);
                acc[0] = f64x2_add(acc[0], f64x2_mul(a[0], x[0]));
                acc[1] = f64x2_add(acc[1], f64x2_mul(a[1], x[1]));
            }
        }
        let tails = [r0.1, r1.1, r2.1, r3.1];
        std::array::from_fn(|r| horizontal_sum(acc[r][0], acc[r][1]) + tail_dot(tails[r], x_tail))
    }

    /// Eight values (four vectors) per loop trip, like the reductions: V8
    /// checks for interrupts on every trip.
    #[target_feature(enable = "simd128")]
    pub(super) fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
        let n = x.len().min(y.len());
        let (x_blocks, x_tail) = x[..n].as_chunks::<8>();
        let (y_blocks, y_tail) = y[..n].as_chunks_mut::<8>();
        let a = f64x2_splat(alpha);
        for (yb, xb) in y_blocks.iter_mut().zip(x_blocks) {
            let (x, y) = (load::<8, 4>(xb), load::<8, 4>(yb));
            store(yb, std::array::from_fn::<_, 4, _>(|k| f64x2_add(y[k], f64x2_mul(a, x[k]))));
        }
        for (y_i, x_i) in y_tail.iter_mut().zip(x_tail) {
            *y_i += alpha * x_i;
        }
    }

    #[target_feature(enable = "simd128")]
    pub(super) fn axpy_norm_sq(alpha: f64, x: &[f64], y: &mut [f64]) -> f64 {
        let n = x.len().min(y.len());
        let (x_blocks, x_tail) = x[..n].as_chunks::<8>();
        let (y_blocks, y_tail) = y[..n].as_chunks_mut::<8>();
        let a = f64x2_splat(alpha);
        let mut acc = [f64x2_splat(0.0); 4];
        for (yb, xb) in y_blocks.iter_mut().zip(x_blocks) {
            let (x, mut y) = (load::<8, 4>(xb), load::<8, 4>(yb));
            for k in 0..4 {
                y[k] = f64x2_add(y[k], f64x2_mul(a, x[k]));
                acc[k] = f64x2_add(acc[k], f64x2_mul(y[k], y[k]));
            }
            store(yb, y);
        }
        let mut tail = 0.0;
        for (y_i, x_i) in y_tail.iter_mut().zip(x_tail) {
            *y_i += alpha * x_i;
            tail += *y_i * *y_i;
        }
        reduce8(acc) + tail
    }

    /// Eight values per loop trip, as `axpy`.
    #[target_feature(enable = "simd128")]
    pub(super) fn xpby(x: &[f64], beta: f64, y: &mut [f64]) {
        let n = x.len().min(y.len());
        let (x_blocks, x_tail) = x[..n].as_chunks::<8>();
        let (y_blocks, y_tail) = y[..n].as_chunks_mut::<8>();
        let b = f64x2_splat(beta);
        for (yb, xb) in y_blocks.iter_mut().zip(x_blocks) {
            let (x, y) = (load::<8, 4>(xb), load::<8, 4>(yb));
            store(yb, std::array::from_fn::<_, 4, _>(|k| f64x2_add(x[k], f64x2_mul(b, y[k]))));
        }
        for (y_i, x_i) in y_tail.iter_mut().zip(x_tail) {
            *y_i = x_i + beta * *y_i;
        }
    }

    /// `out = A x`, `A` row-major with `n > 0` columns and `out.len()` rows:
    /// `scalar::dense_matvec`'s blocking, four rows per pass over `x`.
    #[target_feature(enable = "simd128")]
    pub(super) fn dense_matvec(matrix: &[f64], n: usize, x: &[f64], out: &mut [f64]) {
        let x = &x[..n];
        for (block, out_block) in matrix.chunks(4 * n).zip(out.chunks_mut(4)) {
            let last = out_block.len() - 1;
            let rows = std::array::from_fn(|r| &block[r.min(last) * n..][..n]);
            out_block.copy_from_slice(&dot4(rows, x)[..=last]);
        }
    }

    /// `scalar::all_finite` on f64x2 lanes. `v · 0` is ±0 for a finite `v`
    /// and NaN for NaN and ±inf, and a NaN survives any sum: two arithmetic
    /// instructions per vector and one comparison at the end. (A per-lane
    /// `|v| < inf` mask compiles to integer compares against constant
    /// vectors, which V8 rebuilds in every loop iteration: a third of this
    /// speed.)
    #[target_feature(enable = "simd128")]
    pub(super) fn all_finite(values: &[f64]) -> bool {
        let (blocks, tail) = values.as_chunks::<8>();
        let zero = f64x2_splat(0.0);
        let mut acc = [zero; 4];
        for block in blocks {
            let v = load::<8, 4>(block);
            for k in 0..4 {
                acc[k] = f64x2_add(acc[k], f64x2_mul(v[k], zero));
            }
        }
        let sum = f64x2_add(f64x2_add(acc[0], acc[1]), f64x2_add(acc[2], acc[3]));
        i64x2_all_true(f64x2_eq(sum, zero)) & super::scalar::all_finite(tail)
    }

    /// What the CSR checks need of a u32 array, in one pass.
    pub(super) struct U32Scan {
        /// The largest value (0 for an empty array).
        pub(super) max: u32,
        /// Whether no value is smaller than the one before it.
        pub(super) non_decreasing: bool,
    }

    /// Both properties at once (u32x4 running maximum; each block compared
    /// with the same block shifted by one), so that the two checks share one
    /// function: binaryen inlines a function with a single call site into its
    /// caller, and a loop inlined into the large solve function would run in
    /// V8's baseline tier until that whole function is optimised.
    #[target_feature(enable = "simd128")]
    pub(super) fn scan_u32(values: &[u32]) -> U32Scan {
        let (mut max, mut decreases) = (u32x4_splat(0), u32x4_splat(0));
        let mut i = 0;
        while i + 5 <= values.len() {
            let ptr = values[i..i + 5].as_ptr();
            // SAFETY: `values[i..i + 5]` holds 20 readable bytes, and the two
            // 16-byte loads read `values[i..i + 4]` and `values[i + 1..i + 5]`.
            let (here, next) = unsafe { (v128_load(ptr.cast()), v128_load(ptr.add(1).cast())) };
            max = u32x4_max(max, here);
            decreases = v128_or(decreases, u32x4_gt(here, next));
            i += 4;
        }
        let lanes = [u32x4_extract_lane::<0>(max), u32x4_extract_lane::<1>(max), u32x4_extract_lane::<2>(max), u32x4_extract_lane::<3>(max)];
        let rest = &values[i..];
        U32Scan {
            max: lanes.iter().chain(rest).copied().max().unwrap_or(0),
            non_decreasing: !v128_any_true(decreases) && rest.windows(2).all(|w| w[0] <= w[1]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(n: usize, scale: f64) -> Vec<f64> {
        (0..n).map(|i| (i as f64 + 1.0) * scale).collect()
    }

    #[test]
    fn dot_covers_blocks_and_tail() {
        for n in [0, 1, 7, 8, 9, 17, 100] {
            let (a, b) = (ramp(n, 1.0), ramp(n, 0.5));
            let naive: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((Kernels::best().dot(&a, &b) - naive).abs() <= 1e-9 * naive.max(1.0), "n = {n}");
        }
    }

    #[test]
    fn axpy_norm_sq_updates_and_measures() {
        let x = ramp(11, 1.0);
        let mut y = ramp(11, 2.0);
        let s = Kernels::best().axpy_norm_sq(-1.0, &x, &mut y);
        assert_eq!(y, x);
        assert!((s - scalar::dot(&x, &x)).abs() < 1e-9);
    }

    #[test]
    fn xpby_and_axpy() {
        let x = ramp(5, 1.0);
        let mut y = vec![1.0; 5];
        Kernels::best().xpby(&x, 2.0, &mut y);
        assert_eq!(y, vec![3.0, 4.0, 5.0, 6.0, 7.0]);
        Kernels::best().axpy(-1.0, &x, &mut y);
        assert_eq!(y, vec![2.0; 5]);
    }

    #[test]
    fn public_matvec_validates() {
        let mut out = [0.0; 2];
        dense_matvec(&[1.0, 2.0, 3.0, 4.0], 2, &[1.0, 1.0], &mut out).unwrap();
        assert_eq!(out, [3.0, 7.0]);
        assert!(dense_matvec(&[1.0, 2.0, 3.0], 2, &[1.0, 1.0], &mut out).is_err());
        assert!(dense_matvec(&[1.0, 2.0, 3.0, 4.0], 2, &[1.0], &mut out).is_err());
        assert!(dense_matvec(&[], usize::MAX, &[], &mut []).is_err());
        assert!(dense_matvec(&[], 0, &[], &mut []).is_ok());
    }

    #[cfg(feature = "parallel")]
    #[test]
    fn parallel_product_is_the_serial_one_to_the_bit() {
        // 601 rows: tasks of a multiple of four rows and a ragged last one.
        let n = 601;
        let matrix: Vec<f64> = (0..n * n).map(|i| ((i * 7919) % 1013) as f64 / 97.0 - 5.0).collect();
        let x = ramp(n, 0.37);
        let (mut parallel, mut serial) = (vec![0.0; n], vec![0.0; n]);
        assert!(matrix.len() >= super::parallel::MIN_ENTRIES);
        Kernels::best().dense_matvec(&matrix, n, &x, &mut parallel);
        Kernels::best().dense_matvec_rows(&matrix, n, &x, &mut serial);
        assert_eq!(parallel, serial);
    }

    #[test]
    fn finiteness() {
        assert!(all_finite(&[1.0, -2.0, 0.0]));
        assert!(!all_finite(&[1.0, f64::NAN]));
        assert!(!all_finite(&[f64::NEG_INFINITY]));
    }
}
