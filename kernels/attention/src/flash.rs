//! FlashAttention-style exact attention: queries and keys are processed in
//! tiles with an online (streaming) softmax, so the `sq × sk` score matrix is
//! never materialised. For each query row it keeps the running maximum `m`,
//! the running normaliser `l` and an unnormalised output accumulator; a new
//! key tile with maximum `m'` rescales the previous state by `exp(m − m')`.
//! The result equals [`crate::ScaledDotProduct::forward`] up to rounding.
//!
//! Working memory per query tile: the transposed key tile (`d × block`), the
//! tile's scores (`block × block`) and `m`, `l` (`block` each); the
//! accumulator is the tile's rows of the output itself (`block × dv`).

use crate::config::at_least_one;
use crate::error::KernelError;
use crate::linalg::{exp, gemm_acc, scale, transpose};
use crate::scaled_dot::{attention_scale, validate_qkv};
use crate::softmax::{exp_shifted_sum, normalize_or_zero, row_max, scale_and_mask};
use crate::tensor::{mask3, zeros, zeros_for};

/// Default tile edge: a 64 × 64 score tile is 16 KiB, which stays in L1.
const DEFAULT_BLOCK: u32 = 64;

/// Tiled exact attention with online softmax.
#[derive(Clone, Debug, PartialEq)]
pub struct FlashAttention {
    head_dim: u32,
    block_size: u32,
    scale: f32,
}

impl FlashAttention {
    /// `head_dim >= 1`; `block_size >= 1` (default 64) is the tile edge for
    /// both queries and keys.
    pub fn new(head_dim: u32, block_size: Option<u32>) -> Result<Self, KernelError> {
        at_least_one("head_dim", head_dim)?;
        let block_size = block_size.unwrap_or(DEFAULT_BLOCK);
        at_least_one("block_size", block_size)?;
        Ok(FlashAttention {
            head_dim,
            block_size,
            scale: attention_scale(head_dim as usize),
        })
    }

    pub fn block_size(&self) -> u32 {
        self.block_size
    }

    pub fn head_dim(&self) -> u32 {
        self.head_dim
    }

    /// `1 / sqrt(head_dim)`.
    pub fn scale(&self) -> f32 {
        self.scale
    }

    /// Same contract and result as `ScaledDotProduct::forward`: query
    /// `[b, sq, d]`, key `[b, sk, d]`, value `[b, sk, dv]`, mask `[b, sq, sk]`
    /// additive, `d == head_dim`. Returns `[b, sq, dv]`; fully masked query
    /// rows are zero.
    pub fn forward(
        &self,
        query: (&[f32], [usize; 3]),
        key: (&[f32], [usize; 3]),
        value: (&[f32], [usize; 3]),
        mask: Option<(&[f32], [usize; 3])>,
    ) -> Result<Vec<f32>, KernelError> {
        // The shapes are checked (cheaply) before allocating by their sizes, and again by forward_into.
        let (q, _, v) = validate_qkv(query, key, value, self.head_dim as usize, "head_dim")?;
        let mut out = zeros_for("output", &[q.batch, q.rows, v.cols])?;
        self.forward_into(query, key, value, mask, &mut out)?;
        Ok(out)
    }

    /// [`FlashAttention::forward`] writing the output into `out` (`[b, sq, dv]`,
    /// row-major) instead of allocating it: the accumulator the tiles add into.
    pub fn forward_into(
        &self,
        query: (&[f32], [usize; 3]),
        key: (&[f32], [usize; 3]),
        value: (&[f32], [usize; 3]),
        mask: Option<(&[f32], [usize; 3])>,
        out: &mut [f32],
    ) -> Result<(), KernelError> {
        let d = self.head_dim as usize;
        let (q, k, v) = validate_qkv(query, key, value, d, "head_dim")?;
        let mask = mask3(mask, q.batch, q.rows, k.rows)?;
        let (sq, sk, dv) = (q.rows, k.rows, v.cols);
        let block = self.block_size as usize;
        let (q_block, k_block) = (block.min(sq), block.min(sk));
        if Some(out.len()) != q.batch.checked_mul(sq).and_then(|n| n.checked_mul(dv)) {
            return Err(KernelError::shape(format!(
                "out holds {} values, the output [{}, {sq}, {dv}] needs {}",
                out.len(),
                q.batch,
                q.batch.saturating_mul(sq).saturating_mul(dv)
            )));
        }
        out.fill(0.0);

        let mut key_t = zeros_for("key tile", &[d, k_block])?;
        let mut scores = zeros_for("score tile", &[q_block, k_block])?;
        let mut running_max = zeros("running maxima", q_block)?;
        let mut running_sum = zeros("running sums", q_block)?;

        for (b, out_b) in out.chunks_exact_mut(sq * dv).enumerate() {
            let (q_b, k_b, v_b) = (q.batch_slice(b), k.batch_slice(b), v.batch_slice(b));
            let mask_b = mask.map(|m| m.batch_slice(b));
            for q0 in (0..sq).step_by(q_block) {
                let qn = q_block.min(sq - q0);
                let acc = &mut out_b[q0 * dv..(q0 + qn) * dv];
                let m = &mut running_max[..qn];
                let l = &mut running_sum[..qn];
                m.fill(f32::NEG_INFINITY);
                l.fill(0.0);
                for k0 in (0..sk).step_by(k_block) {
                    let kn = k_block.min(sk - k0);
                    let key_t = &mut key_t[..d * kn];
                    let tile = &mut scores[..qn * kn];
                    // S_tile = Q_tile · K_tileᵀ (K tile transposed so the product
                    // runs along contiguous memory).
                    transpose(&k_b[k0 * d..], kn, d, d, key_t);
                    tile.fill(0.0);
                    gemm_acc(qn, d, kn, &q_b[q0 * d..], d, key_t, kn, tile, kn);
                    for (r, row) in tile.chunks_exact_mut(kn).enumerate() {
                        let mask_row =
                            mask_b.map(|mb| &mb[(q0 + r) * sk + k0..(q0 + r) * sk + k0 + kn]);
                        scale_and_mask(row, self.scale, mask_row);
                        let tile_max = row_max(row);
                        if tile_max == f32::NEG_INFINITY {
                            // Fully masked here: contributes nothing, state unchanged.
                            row.fill(0.0);
                            continue;
                        }
                        let new_max = m[r].max(tile_max);
                        if m[r] == f32::NEG_INFINITY {
                            // The first tile this row attends to: its
                            // accumulator and sum are still zero, so there is
                            // nothing to rescale (the only tile when sk <= block).
                            l[r] = exp_shifted_sum(row, new_max);
                        } else {
                            let correction = exp(m[r] - new_max);
                            l[r] = l[r] * correction + exp_shifted_sum(row, new_max);
                            if correction != 1.0 {
                                scale(correction, &mut acc[r * dv..(r + 1) * dv]);
                            }
                        }
                        m[r] = new_max;
                    }
                    // acc += P_tile · V_tile
                    gemm_acc(qn, kn, dv, tile, kn, &v_b[k0 * dv..], dv, acc, dv);
                }
                for (row, &sum) in acc.chunks_exact_mut(dv).zip(l.iter()) {
                    normalize_or_zero(row, sum);
                }
            }
        }
        Ok(())
    }
}
