//! Scaled dot-product attention: `softmax(Q·Kᵀ / sqrt(d) + mask) · V`.
//!
//! The per-(batch, head) core [`attend_one`] is shared with multi-head and
//! cross attention, which call it on column blocks of their projections.

use crate::config::{at_least_one, validate_dropout};
use crate::error::KernelError;
use crate::linalg::{gemm_acc, transpose};
use crate::softmax::{scale_and_mask, softmax_in_place};
use crate::tensor::{expect_dim, mask3, tensor3, zeros_for, Tensor3};

/// Scratch buffers reused across batch entries and heads (no allocation in
/// the loops): `Kᵀ` of one head and its `[seq_q, seq_k]` probabilities.
pub(crate) struct Scratch {
    pub key_t: Vec<f32>,
    pub probs: Vec<f32>,
}

impl Scratch {
    pub fn new(head_dim: usize, seq_q: usize, seq_k: usize) -> Result<Self, KernelError> {
        Ok(Scratch {
            key_t: zeros_for("transposed keys", &[head_dim, seq_k])?,
            probs: zeros_for("attention scores", &[seq_q, seq_k])?,
        })
    }
}

/// Operands of one (batch entry, head): row-major matrices given as a slice
/// starting at their first element plus a row stride, so a head's column block
/// inside a `[seq, model_dim]` projection is used in place.
#[derive(Clone, Copy)]
pub(crate) struct HeadOperands<'a> {
    pub query: &'a [f32],
    pub query_stride: usize,
    pub key: &'a [f32],
    pub key_stride: usize,
    pub seq_q: usize,
    pub seq_k: usize,
    pub dim: usize,
    pub scale: f32,
    /// `[seq_q, seq_k]` additive mask of this batch entry.
    pub mask: Option<&'a [f32]>,
}

impl<'a> HeadOperands<'a> {
    /// Batch entry `b` of `[b, s, d]` query and key tensors, all features as one head.
    pub(crate) fn whole(
        query: &Tensor3<'a>,
        key: &Tensor3<'a>,
        mask: Option<Tensor3<'a>>,
        b: usize,
        scale: f32,
    ) -> Self {
        HeadOperands {
            query: query.batch_slice(b),
            query_stride: query.cols,
            key: key.batch_slice(b),
            key_stride: key.cols,
            seq_q: query.rows,
            seq_k: key.rows,
            dim: query.cols,
            scale,
            mask: mask.map(|m| m.batch_slice(b)),
        }
    }
}

/// `probs ← softmax(Q·Kᵀ·scale + mask)` into `probs[..seq_q * seq_k]`.
///
/// K is transposed once into `key_t` so that `Q·Kᵀ` is a row-major product
/// whose inner loop runs along contiguous key positions.
pub(crate) fn attention_probs(op: &HeadOperands<'_>, key_t: &mut [f32], probs: &mut [f32]) {
    let (sq, sk, d) = (op.seq_q, op.seq_k, op.dim);
    let key_t = &mut key_t[..d * sk];
    let probs = &mut probs[..sq * sk];
    transpose(op.key, sk, d, op.key_stride, key_t);
    probs.fill(0.0);
    gemm_acc(sq, d, sk, op.query, op.query_stride, key_t, sk, probs, sk);
    for (i, row) in probs.chunks_exact_mut(sk).enumerate() {
        scale_and_mask(row, op.scale, op.mask.map(|m| &m[i * sk..(i + 1) * sk]));
        softmax_in_place(row);
    }
}

/// Full attention for one (batch, head): probabilities into `probs`, then
/// `out += probs · V` (`out` rows `out_stride` apart, expected zeroed).
#[allow(clippy::too_many_arguments)]
pub(crate) fn attend_one(
    op: &HeadOperands<'_>,
    value: &[f32],
    value_stride: usize,
    value_dim: usize,
    key_t: &mut [f32],
    probs: &mut [f32],
    out: &mut [f32],
    out_stride: usize,
) {
    attention_probs(op, key_t, probs);
    gemm_acc(
        op.seq_q,
        op.seq_k,
        value_dim,
        probs,
        op.seq_k,
        value,
        value_stride,
        out,
        out_stride,
    );
}

/// Validate query `[b, sq, d]` and key `[b, sk, d]` against each other and
/// against the expected feature size `d`.
/// The logit scale `1 / sqrt(head_dim)`.
pub(crate) fn attention_scale(head_dim: usize) -> f32 {
    (1.0 / (head_dim as f64).sqrt()) as f32
}

pub(crate) fn validate_qk<'a>(
    query: (&'a [f32], [usize; 3]),
    key: (&'a [f32], [usize; 3]),
    dim: usize,
    dim_name: &str,
) -> Result<(Tensor3<'a>, Tensor3<'a>), KernelError> {
    let q = tensor3("query", query)?;
    let k = tensor3("key", key)?;
    let feature = format!("feature size (last dimension, must equal {dim_name})");
    expect_dim("query", &feature, q.cols, dim)?;
    expect_dim("key", &feature, k.cols, dim)?;
    expect_dim("key", "batch size", k.batch, q.batch)?;
    Ok((q, k))
}

/// [`validate_qk`], and value `[b, sk, dv]` against both.
pub(crate) fn validate_qkv<'a>(
    query: (&'a [f32], [usize; 3]),
    key: (&'a [f32], [usize; 3]),
    value: (&'a [f32], [usize; 3]),
    dim: usize,
    dim_name: &str,
) -> Result<(Tensor3<'a>, Tensor3<'a>, Tensor3<'a>), KernelError> {
    let (q, k) = validate_qk(query, key, dim, dim_name)?;
    let v = tensor3("value", value)?;
    expect_dim("value", "batch size", v.batch, q.batch)?;
    expect_dim(
        "value",
        "sequence length (must equal the key's)",
        v.rows,
        k.rows,
    )?;
    Ok((q, k, v))
}

/// Scaled dot-product attention over `[batch, seq, dim]` tensors.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaledDotProduct {
    head_dim: u32,
    dropout: f32,
    scale: f32,
}

impl ScaledDotProduct {
    /// `head_dim >= 1`; `dropout` (default 0) in `[0, 1)`. Dropout is kept for
    /// the API only: this is inference, where dropout is the identity.
    pub fn new(head_dim: u32, dropout: Option<f32>) -> Result<Self, KernelError> {
        at_least_one("head_dim", head_dim)?;
        let dropout = dropout.unwrap_or(0.0);
        validate_dropout(dropout)?;
        Ok(ScaledDotProduct {
            head_dim,
            dropout,
            scale: attention_scale(head_dim as usize),
        })
    }

    /// `1 / sqrt(head_dim)`.
    pub fn scale(&self) -> f32 {
        self.scale
    }

    pub fn head_dim(&self) -> u32 {
        self.head_dim
    }

    /// The dropout probability given to `new` (not applied at inference).
    pub fn dropout(&self) -> f32 {
        self.dropout
    }

    /// `softmax(Q·Kᵀ·scale + mask) · V`: query `[b, sq, d]`, key `[b, sk, d]`,
    /// value `[b, sk, dv]`, mask `[b, sq, sk]`; `d` must equal `head_dim`.
    /// Returns `[b, sq, dv]`.
    pub fn forward(
        &self,
        query: (&[f32], [usize; 3]),
        key: (&[f32], [usize; 3]),
        value: (&[f32], [usize; 3]),
        mask: Option<(&[f32], [usize; 3])>,
    ) -> Result<Vec<f32>, KernelError> {
        let d = self.head_dim as usize;
        let (q, k, v) = validate_qkv(query, key, value, d, "head_dim")?;
        let mask = mask3(mask, q.batch, q.rows, k.rows)?;
        let (sq, sk, dv) = (q.rows, k.rows, v.cols);
        let mut out = zeros_for("output", &[q.batch, sq, dv])?;
        let mut scratch = Scratch::new(d, sq, sk)?;
        for (b, out_b) in out.chunks_exact_mut(sq * dv).enumerate() {
            let op = HeadOperands::whole(&q, &k, mask, b, self.scale);
            attend_one(
                &op,
                v.batch_slice(b),
                dv,
                dv,
                &mut scratch.key_t,
                &mut scratch.probs,
                out_b,
                dv,
            );
        }
        Ok(out)
    }

    /// `softmax(Q·Kᵀ·scale + mask)` as `[b, sq, sk]`; fully masked rows are zero.
    pub fn attention_weights(
        &self,
        query: (&[f32], [usize; 3]),
        key: (&[f32], [usize; 3]),
        mask: Option<(&[f32], [usize; 3])>,
    ) -> Result<Vec<f32>, KernelError> {
        let d = self.head_dim as usize;
        let (q, k) = validate_qk(query, key, d, "head_dim")?;
        let mask = mask3(mask, q.batch, q.rows, k.rows)?;
        let (sq, sk) = (q.rows, k.rows);
        let mut weights = zeros_for("attention weights", &[q.batch, sq, sk])?;
        let mut key_t = zeros_for("transposed keys", &[d, sk])?;
        for (b, weights_b) in weights.chunks_exact_mut(sq * sk).enumerate() {
            let op = HeadOperands::whole(&q, &k, mask, b, self.scale);
            attention_probs(&op, &mut key_t, weights_b);
        }
        Ok(weights)
    }
}
