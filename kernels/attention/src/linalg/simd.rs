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
    f32x4_add, f32x4_extract_lane, f32x4_lt, f32x4_mul, f32x4_pmax, f32x4_pmin, f32x4_splat,
    f32x4_sub, i32x4_shl, i32x4_shuffle, i32x4_splat, i32x4_sub, i64x2_shuffle, v128, v128_andnot,
    v128_load, v128_store,
};

use super::{exp_consts, MR, NR};

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

/// Store two vectors to `s[at..at + 8]`, with one bounds check.
#[inline(always)]
fn store8(s: &mut [f32], at: usize, low: v128, high: v128) {
    let lanes = &mut s[at..at + 8];
    let ptr = lanes.as_mut_ptr();
    // SAFETY: `lanes` is 8 writable f32s; both 16-byte unaligned writes are inside it.
    unsafe {
        v128_store(ptr as *mut v128, low);
        v128_store(ptr.add(4) as *mut v128, high);
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
    // One bounds check per row of the tile (8 values) rather than per vector:
    // fewer branches keep this hottest function small, and V8 compiles it
    // (while the first calls run unoptimised) in time roughly proportional
    // to its size.
    let (mut c00, mut c01) = load8(c, col);
    let (mut c10, mut c11) = load8(c, ldc + col);
    let (mut c20, mut c21) = load8(c, 2 * ldc + col);
    let (mut c30, mut c31) = load8(c, 3 * ldc + col);
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
    store8(c, col, c00, c01);
    store8(c, ldc + col, c10, c11);
    store8(c, 2 * ldc + col, c20, c21);
    store8(c, 3 * ldc + col, c30, c31);
}

/// `portable::max` on f32x4 lanes. `pmax(m, x)` is `m < x ? x : m`, so a NaN
/// `x` is skipped as by `f32::max` (the running maximum is never NaN).
#[target_feature(enable = "simd128")]
pub(super) fn max(row: &[f32]) -> f32 {
    let (blocks, tail) = row.as_chunks::<8>();
    let mut acc = [f32x4_splat(f32::NEG_INFINITY); 2];
    for block in blocks {
        let (x0, x1) = load8(block, 0);
        acc[0] = f32x4_pmax(acc[0], x0);
        acc[1] = f32x4_pmax(acc[1], x1);
    }
    let m = f32x4_pmax(acc[0], acc[1]);
    let lanes = [
        f32x4_extract_lane::<0>(m),
        f32x4_extract_lane::<1>(m),
        f32x4_extract_lane::<2>(m),
        f32x4_extract_lane::<3>(m),
    ];
    lanes
        .iter()
        .chain(tail)
        .fold(f32::NEG_INFINITY, |m, &x| m.max(x))
}

/// `portable::exp_sum` on f32x4 lanes: the operations of `super::exp` in the
/// same order, so the entries and the sum have the same bits.
#[target_feature(enable = "simd128")]
pub(super) fn exp_sum(row: &mut [f32], shift: f32) -> f32 {
    // The constants come through `black_box`, so LLVM keeps them as values
    // splatted once: as `v128.const` operands V8 would rebuild each of them
    // in every loop iteration (four instructions apiece).
    let c = core::hint::black_box([
        exp_consts::LOG2E,
        exp_consts::ROUND,
        exp_consts::LN2_HI,
        exp_consts::LN2_LO,
        exp_consts::MIN,
        exp_consts::MAX,
        exp_consts::P[0],
        exp_consts::P[1],
        exp_consts::P[2],
        exp_consts::P[3],
        exp_consts::P[4],
        exp_consts::P[5],
        1.0,
        shift,
        f32::from_bits(exp_consts::ROUND.to_bits() - 127),
    ]);
    let k = ExpConstants {
        log2e: f32x4_splat(c[0]),
        round: f32x4_splat(c[1]),
        ln2_hi: f32x4_splat(c[2]),
        ln2_lo: f32x4_splat(c[3]),
        min: f32x4_splat(c[4]),
        max: f32x4_splat(c[5]),
        p: [6, 7, 8, 9, 10, 11].map(|i| f32x4_splat(c[i])),
        one: f32x4_splat(c[12]),
        bias: i32x4_splat(c[14].to_bits() as i32),
        shift: f32x4_splat(c[13]),
    };
    let (blocks, tail) = row.as_chunks_mut::<8>();
    let mut acc = [f32x4_splat(0.0); 2];
    for block in blocks {
        let (x0, x1) = load8(block, 0);
        let (e0, e1) = (
            exp4(f32x4_sub(x0, k.shift), &k),
            exp4(f32x4_sub(x1, k.shift), &k),
        );
        store4(block, 0, e0);
        store4(block, 4, e1);
        acc[0] = f32x4_add(acc[0], e0);
        acc[1] = f32x4_add(acc[1], e1);
    }
    let mut sum = horizontal_sum(f32x4_add(acc[0], acc[1]));
    for x in tail {
        *x = super::exp(*x - shift);
        sum += *x;
    }
    sum
}

/// Splatted constants of [`exp4`].
struct ExpConstants {
    log2e: v128,
    round: v128,
    ln2_hi: v128,
    ln2_lo: v128,
    min: v128,
    max: v128,
    p: [v128; 6],
    one: v128,
    bias: v128,
    shift: v128,
}

/// `super::exp` on four lanes.
#[inline(always)]
fn exp4(x: v128, k: &ExpConstants) -> v128 {
    // clamp: pmax/pmin keep a NaN `x` (they return their first operand when
    // the comparison fails), as `f32::clamp` does.
    let xc = f32x4_pmin(f32x4_pmax(x, k.min), k.max);
    let t = f32x4_add(f32x4_mul(xc, k.log2e), k.round);
    let n = f32x4_sub(t, k.round);
    let r = f32x4_sub(
        f32x4_sub(xc, f32x4_mul(n, k.ln2_hi)),
        f32x4_mul(n, k.ln2_lo),
    );
    let mut p = k.p[0];
    for &c in &k.p[1..] {
        p = f32x4_add(f32x4_mul(p, r), c);
    }
    let e = f32x4_add(f32x4_add(f32x4_mul(p, f32x4_mul(r, r)), r), k.one);
    let scale = i32x4_shl(i32x4_sub(t, k.bias), 23);
    // x < MIN (including -inf) gives 0.
    v128_andnot(f32x4_mul(e, scale), f32x4_lt(x, k.min))
}

#[target_feature(enable = "simd128")]
pub(super) fn scale(alpha: f32, y: &mut [f32]) {
    let a = f32x4_splat(alpha);
    let (blocks, tail) = y.as_chunks_mut::<8>();
    for block in blocks {
        let (y0, y1) = load8(block, 0);
        store4(block, 0, f32x4_mul(y0, a));
        store4(block, 4, f32x4_mul(y1, a));
    }
    for v in tail {
        *v *= alpha;
    }
}

#[target_feature(enable = "simd128")]
pub(super) fn scale_add(alpha: f32, y: &mut [f32], add: &[f32]) {
    let len = y.len().min(add.len());
    let (y, add) = (&mut y[..len], &add[..len]);
    let a = f32x4_splat(alpha);
    let (blocks, tail) = y.as_chunks_mut::<4>();
    let (add_blocks, add_tail) = add.as_chunks::<4>();
    for (block, m) in blocks.iter_mut().zip(add_blocks) {
        let v = f32x4_add(f32x4_mul(load4(block, 0), a), load4(m, 0));
        store4(block, 0, v);
    }
    for (v, &m) in tail.iter_mut().zip(add_tail) {
        *v = *v * alpha + m;
    }
}

/// `portable::transpose` by 4 × 4 blocks: four row loads, eight shuffles,
/// four column stores, instead of sixteen scalar loads and stores. Leftover
/// columns and rows are moved one value at a time.
#[target_feature(enable = "simd128")]
pub(super) fn transpose(src: &[f32], rows: usize, cols: usize, src_stride: usize, dst: &mut [f32]) {
    let (rows4, cols4) = (rows - rows % 4, cols - cols % 4);
    for r0 in (0..rows4).step_by(4) {
        for c0 in (0..cols4).step_by(4) {
            let [a, b, c, d] = [0, 1, 2, 3].map(|i| load4(src, (r0 + i) * src_stride + c0));
            // Interleave pairs of rows, then pairs of pairs: column j of the
            // block becomes [a_j, b_j, c_j, d_j].
            let (ab_lo, ab_hi) = (
                i32x4_shuffle::<0, 4, 1, 5>(a, b),
                i32x4_shuffle::<2, 6, 3, 7>(a, b),
            );
            let (cd_lo, cd_hi) = (
                i32x4_shuffle::<0, 4, 1, 5>(c, d),
                i32x4_shuffle::<2, 6, 3, 7>(c, d),
            );
            let columns = [
                i64x2_shuffle::<0, 2>(ab_lo, cd_lo),
                i64x2_shuffle::<1, 3>(ab_lo, cd_lo),
                i64x2_shuffle::<0, 2>(ab_hi, cd_hi),
                i64x2_shuffle::<1, 3>(ab_hi, cd_hi),
            ];
            for (j, column) in columns.into_iter().enumerate() {
                store4(dst, (c0 + j) * rows + r0, column);
            }
        }
        for c in cols4..cols {
            for i in 0..4 {
                dst[c * rows + r0 + i] = src[(r0 + i) * src_stride + c];
            }
        }
    }
    for r in rows4..rows {
        for c in 0..cols {
            dst[c * rows + r] = src[r * src_stride + c];
        }
    }
}
