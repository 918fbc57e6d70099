//! Row softmax with the conventions shared by every mechanism:
//! max-subtracted (so large scores do not overflow `exp`), and a row whose
//! entries are all `-inf` (a fully masked query) becomes all zeros instead of
//! `0/0 = NaN`.
//!
//! The loops are the vector kernels of [`crate::linalg`] (simd128 in the
//! wasm SIMD build), with its polynomial [`crate::linalg::exp`].

use crate::linalg;

/// Largest entry of `row`, `-inf` for an empty or fully masked row.
#[inline]
pub(crate) fn row_max(row: &[f32]) -> f32 {
    linalg::max(row)
}

/// `row ← softmax(row)` in place.
pub(crate) fn softmax_in_place(row: &mut [f32]) {
    let max = row_max(row);
    if max == f32::NEG_INFINITY {
        row.fill(0.0);
        return;
    }
    let sum = exp_shifted_sum(row, max);
    // sum >= 1 here (the maximum contributes exp(0) = 1), so no division by 0.
    linalg::scale(1.0 / sum, row);
}

/// `row ← exp(row − max)`; returns the sum of the new entries.
#[inline]
pub(crate) fn exp_shifted_sum(row: &mut [f32], max: f32) -> f32 {
    linalg::exp_sum(row, max)
}

/// `row ← row / denom`, or zeros when `denom` is not positive (nothing was
/// attended to: a fully masked row, or feature maps that underflowed).
#[inline]
pub(crate) fn normalize_or_zero(row: &mut [f32], denom: f32) {
    if denom > 0.0 {
        linalg::scale(1.0 / denom, row);
    } else {
        row.fill(0.0);
    }
}

/// `row ← row · scale (+ mask)`: turns raw `q·k` products into logits.
#[inline]
pub(crate) fn scale_and_mask(row: &mut [f32], scale: f32, mask: Option<&[f32]>) {
    match mask {
        Some(mask) => linalg::scale_add(scale, row, mask),
        None => linalg::scale(scale, row),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one_and_is_shift_invariant() {
        let mut a = [1.0f32, 2.0, 3.0, -1.0];
        let mut b = [1001.0f32, 1002.0, 1003.0, 999.0];
        softmax_in_place(&mut a);
        softmax_in_place(&mut b);
        assert!((a.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-6);
        }
    }

    #[test]
    fn fully_masked_row_is_zero() {
        let mut row = [f32::NEG_INFINITY; 5];
        softmax_in_place(&mut row);
        assert_eq!(row, [0.0; 5]);
        let mut partly = [f32::NEG_INFINITY, 0.0, f32::NEG_INFINITY];
        softmax_in_place(&mut partly);
        assert_eq!(partly, [0.0, 1.0, 0.0]);
    }
}
