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

/// Accumulator lanes of the scalar reductions: enough independent chains to
/// hide the latency of floating-point adds and to fill 128/256-bit registers.
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

    /// `out = A x` for a row-major matrix with `n` columns (`n > 0`).
    pub(crate) fn dense_matvec(self, matrix: &[f64], n: usize, x: &[f64], out: &mut [f64]) {
        #[cfg(all(target_arch = "wasm32", feature = "simd"))]
        if self.simd {
            return simd::dense_matvec(matrix, n, x, out);
        }
        scalar::dense_matvec(matrix, n, x, out)
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

/// True when no value is NaN or infinite. A non-short-circuiting `&` fold, so
/// that it vectorises: the check costs about one pass over the data.
pub(crate) fn all_finite(values: &[f64]) -> bool {
    values.iter().fold(true, |ok, v| ok & v.is_finite())
}

/// The portable kernels.
pub(crate) mod scalar {
    use super::LANES;

    /// `a · b` over the common length.
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
        let tail: f64 = a_tail.iter().zip(b_tail).map(|(x, y)| x * y).sum();
        acc.iter().sum::<f64>() + tail
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
        acc.iter().sum::<f64>() + tail
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
        acc.iter().sum::<f64>() + tail
    }

    /// `y = x + beta * y`.
    pub(crate) fn xpby(x: &[f64], beta: f64, y: &mut [f64]) {
        for (y_i, x_i) in y.iter_mut().zip(x) {
            *y_i = x_i + beta * *y_i;
        }
    }

    /// `out = A x`, `A` row-major with `n > 0` columns: one dot product per row.
    pub(crate) fn dense_matvec(matrix: &[f64], n: usize, x: &[f64], out: &mut [f64]) {
        for (row, out_i) in matrix.chunks_exact(n).zip(out.iter_mut()) {
            *out_i = dot(row, x);
        }
    }
}

/// simd128 kernels: f64x2 vectors, two accumulators (four values per loop
/// trip), scalar tails.
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
    use core::arch::wasm32::{f64x2_add, f64x2_extract_lane, f64x2_mul, f64x2_splat, v128, v128_load, v128_store};

    /// The two f64x2 halves of four values.
    #[inline]
    #[target_feature(enable = "simd128")]
    fn load4(values: &[f64; 4]) -> (v128, v128) {
        let ptr = values.as_ptr();
        // SAFETY: `values` holds 32 readable bytes; `v128_load` has no alignment requirement.
        unsafe { (v128_load(ptr.cast()), v128_load(ptr.add(2).cast())) }
    }

    /// Store two f64x2 halves into four values.
    #[inline]
    #[target_feature(enable = "simd128")]
    fn store4(values: &mut [f64; 4], low: v128, high: v128) {
        let ptr = values.as_mut_ptr();
        // SAFETY: `values` holds 32 writable bytes; `v128_store` has no alignment requirement.
        unsafe {
            v128_store(ptr.cast(), low);
            v128_store(ptr.add(2).cast(), high);
        }
    }

    #[inline]
    #[target_feature(enable = "simd128")]
    fn horizontal_sum(a: v128, b: v128) -> f64 {
        let s = f64x2_add(a, b);
        f64x2_extract_lane::<0>(s) + f64x2_extract_lane::<1>(s)
    }

    #[inline]
    #[target_feature(enable = "simd128")]
    pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len().min(b.len());
        let (a_blocks, a_tail) = a[..n].as_chunks::<4>();
        let (b_blocks, b_tail) = b[..n].as_chunks::<4>();
        let (mut acc0, mut acc1) = (f64x2_splat(0.0), f64x2_splat(0.0));
        for (x, y) in a_blocks.iter().zip(b_blocks) {
            let (x0, x1) = load4(x);
            let (y0, y1) = load4(y);
            acc0 = f64x2_add(acc0, f64x2_mul(x0, y0));
            acc1 = f64x2_add(acc1, f64x2_mul(x1, y1));
        }
        let tail: f64 = a_tail.iter().zip(b_tail).map(|(x, y)| x * y).sum();
        horizontal_sum(acc0, acc1) + tail
    }

    #[target_feature(enable = "simd128")]
    pub(super) fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
        let n = x.len().min(y.len());
        let (x_blocks, x_tail) = x[..n].as_chunks::<4>();
        let (y_blocks, y_tail) = y[..n].as_chunks_mut::<4>();
        let a = f64x2_splat(alpha);
        for (yb, xb) in y_blocks.iter_mut().zip(x_blocks) {
            let (x0, x1) = load4(xb);
            let (y0, y1) = load4(yb);
            store4(yb, f64x2_add(y0, f64x2_mul(a, x0)), f64x2_add(y1, f64x2_mul(a, x1)));
        }
        for (y_i, x_i) in y_tail.iter_mut().zip(x_tail) {
            *y_i += alpha * x_i;
        }
    }

    #[target_feature(enable = "simd128")]
    pub(super) fn axpy_norm_sq(alpha: f64, x: &[f64], y: &mut [f64]) -> f64 {
        let n = x.len().min(y.len());
        let (x_blocks, x_tail) = x[..n].as_chunks::<4>();
        let (y_blocks, y_tail) = y[..n].as_chunks_mut::<4>();
        let a = f64x2_splat(alpha);
        let (mut acc0, mut acc1) = (f64x2_splat(0.0), f64x2_splat(0.0));
        for (yb, xb) in y_blocks.iter_mut().zip(x_blocks) {
            let (x0, x1) = load4(xb);
            let (y0, y1) = load4(yb);
            let (y0, y1) = (f64x2_add(y0, f64x2_mul(a, x0)), f64x2_add(y1, f64x2_mul(a, x1)));
            store4(yb, y0, y1);
            acc0 = f64x2_add(acc0, f64x2_mul(y0, y0));
            acc1 = f64x2_add(acc1, f64x2_mul(y1, y1));
        }
        let mut tail = 0.0;
        for (y_i, x_i) in y_tail.iter_mut().zip(x_tail) {
            *y_i += alpha * x_i;
            tail += *y_i * *y_i;
        }
        horizontal_sum(acc0, acc1) + tail
    }

    #[target_feature(enable = "simd128")]
    pub(super) fn xpby(x: &[f64], beta: f64, y: &mut [f64]) {
        let n = x.len().min(y.len());
        let (x_blocks, x_tail) = x[..n].as_chunks::<4>();
        let (y_blocks, y_tail) = y[..n].as_chunks_mut::<4>();
        let b = f64x2_splat(beta);
        for (yb, xb) in y_blocks.iter_mut().zip(x_blocks) {
            let (x0, x1) = load4(xb);
            let (y0, y1) = load4(yb);
            store4(yb, f64x2_add(x0, f64x2_mul(b, y0)), f64x2_add(x1, f64x2_mul(b, y1)));
        }
        for (y_i, x_i) in y_tail.iter_mut().zip(x_tail) {
            *y_i = x_i + beta * *y_i;
        }
    }

    /// `out = A x`, `A` row-major with `n > 0` columns: one SIMD dot per row.
    #[target_feature(enable = "simd128")]
    pub(super) fn dense_matvec(matrix: &[f64], n: usize, x: &[f64], out: &mut [f64]) {
        for (row, out_i) in matrix.chunks_exact(n).zip(out.iter_mut()) {
            *out_i = dot(row, x);
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

    #[test]
    fn finiteness() {
        assert!(all_finite(&[1.0, -2.0, 0.0]));
        assert!(!all_finite(&[1.0, f64::NAN]));
        assert!(!all_finite(&[f64::NEG_INFINITY]));
    }
}
