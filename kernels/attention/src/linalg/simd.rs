//! Explicit wasm `simd128` versions of the hot loops in [`super`].
//!
//! Compiled only for `wasm32` with the crate's `simd` feature. The package
//! ships this build as a second module that is loaded only on engines that
//! support SIMD; the baseline module is built without `simd128`, so these
//! functions carry `#[target_feature(enable = "simd128")]` themselves.
//!
//! Calling them is safe on wasm: an engine without SIMD rejects the whole
//! module at validation time, so an unsupported instruction can never run.
//! Each function processes whole rows, so the call boundary (which
//! `target_feature` prevents from being inlined away) is not in a hot loop.

use core::arch::wasm32::{
    f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, v128, v128_load, v128_store,
};

use super::{MR, NR};

/// Load 4 lanes from `s[at..at + 4]` (bounds-checked slice, unaligned load).
#[inline(always)]
fn load4(s: &[f32], at: usize) -> v128 {
    let lanes = &s[at..at + 4];
    // SAFETY: `lanes` is 4 valid f32s (16 bytes); v128_load allows unaligned reads.
    unsafe { v128_load(lanes.as_ptr() as *const v128) }
}

/// Store 4 lanes to `s[at..at + 4]`.
#[inline(always)]
fn store4(s: &mut [f32], at: usize, value: v128) {
    let lanes = &mut s[at..at + 4];
    // SAFETY: `lanes` is 4 writable f32s; v128_store allows unaligned writes.
    unsafe { v128_store(lanes.as_mut_ptr() as *mut v128, value) }
}

/// Load 8 lanes from `s[at..at + 8]` as two vectors, with one bounds check.
#[inline(always)]
fn load8(s: &[f32], at: usize) -> (v128, v128) {
    let lanes = &s[at..at + 8];
    let ptr = lanes.as_ptr();
    // SAFETY: `lanes` is 8 valid f32s; both 16-byte unaligned reads are inside it.
    unsafe {
        (
            v128_load(ptr as *const v128),
            v128_load(ptr.add(4) as *const v128),
        )
    }
}

#[inline(always)]
fn horizontal_sum(v: v128) -> f32 {
    (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<2>(v))
        + (f32x4_extract_lane::<1>(v) + f32x4_extract_lane::<3>(v))
}

#[target_feature(enable = "simd128")]
pub(super) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    // Two accumulators hide the latency of the dependent adds.
    let mut acc0 = f32x4_splat(0.0);
    let mut acc1 = f32x4_splat(0.0);
    let main = len - len % 8;
    let mut i = 0;
    while i < main {
        let (a0, a1) = load8(a, i);
        let (b0, b1) = load8(b, i);
        acc0 = f32x4_add(acc0, f32x4_mul(a0, b0));
        acc1 = f32x4_add(acc1, f32x4_mul(a1, b1));
        i += 8;
    }
    let mut sum = horizontal_sum(f32x4_add(acc0, acc1));
    for (x, y) in a[main..].iter().zip(&b[main..]) {
        sum += x * y;
    }
    sum
}

#[target_feature(enable = "simd128")]
pub(super) fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    let len = x.len().min(y.len());
    let (x, y) = (&x[..len], &mut y[..len]);
    let alpha4 = f32x4_splat(alpha);
    let main = len - len % 4;
    let mut i = 0;
    while i < main {
        store4(y, i, f32x4_add(load4(y, i), f32x4_mul(alpha4, load4(x, i))));
        i += 4;
    }
    for (out, &v) in y[main..].iter_mut().zip(&x[main..]) {
        *out += alpha * v;
    }
}

/// simd128 twin of `portable::kernel_4x8`: the 4×8 tile of C lives in eight
/// `v128` accumulators for the whole depth loop.
#[target_feature(enable = "simd128")]
pub(super) fn kernel_4x8(
    a: [&[f32]; MR],
    b: &[f32],
    ldb: usize,
    col: usize,
    c: &mut [f32],
    ldc: usize,
) {
    const _: () = assert!(MR == 4 && NR == 8);
    let [a0, a1, a2, a3] = a;
    let depth = a0.len();
    let (a1, a2, a3) = (&a1[..depth], &a2[..depth], &a3[..depth]);
    let mut c00 = load4(c, col);
    let mut c01 = load4(c, col + 4);
    let mut c10 = load4(c, ldc + col);
    let mut c11 = load4(c, ldc + col + 4);
    let mut c20 = load4(c, 2 * ldc + col);
    let mut c21 = load4(c, 2 * ldc + col + 4);
    let mut c30 = load4(c, 3 * ldc + col);
    let mut c31 = load4(c, 3 * ldc + col + 4);
    for t in 0..depth {
        let (b0, b1) = load8(b, t * ldb + col);
        let x0 = f32x4_splat(a0[t]);
        c00 = f32x4_add(c00, f32x4_mul(x0, b0));
        c01 = f32x4_add(c01, f32x4_mul(x0, b1));
        let x1 = f32x4_splat(a1[t]);
        c10 = f32x4_add(c10, f32x4_mul(x1, b0));
        c11 = f32x4_add(c11, f32x4_mul(x1, b1));
        let x2 = f32x4_splat(a2[t]);
        c20 = f32x4_add(c20, f32x4_mul(x2, b0));
        c21 = f32x4_add(c21, f32x4_mul(x2, b1));
        let x3 = f32x4_splat(a3[t]);
        c30 = f32x4_add(c30, f32x4_mul(x3, b0));
        c31 = f32x4_add(c31, f32x4_mul(x3, b1));
    }
    store4(c, col, c00);
    store4(c, col + 4, c01);
    store4(c, ldc + col, c10);
    store4(c, ldc + col + 4, c11);
    store4(c, 2 * ldc + col, c20);
    store4(c, 2 * ldc + col + 4, c21);
    store4(c, 3 * ldc + col, c30);
    store4(c, 3 * ldc + col + 4, c31);
}
