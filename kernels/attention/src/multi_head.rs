//! Multi-head attention: project, split into heads, attend, concatenate,
//! project back. The projection weights and the per-head loop live in
//! [`Projections`], shared with cross attention.

use crate::config::AttentionConfig;
use crate::error::KernelError;
use crate::linalg::gemm_acc;
use crate::rng::{bias_bound, xavier_bound, SplitMix64};
use crate::scaled_dot::{attend_one, attention_scale, validate_qkv, HeadOperands, Scratch};
use crate::tensor::{checked_len, expect_dim, mask3, saturating_u32, zeros, zeros_for, Tensor3};

/// The four `D × D` projections (`x · W`, `W[in][out]` row-major) and their
/// biases, plus the head layout. Heads are contiguous blocks of `head_dim`
/// columns of the projected `[seq, D]` matrices.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Projections {
    num_heads: usize,
    head_dim: usize,
    model_dim: usize,
    use_bias: bool,
    wq: Vec<f32>,
    wk: Vec<f32>,
    wv: Vec<f32>,
    wo: Vec<f32>,
    /// Empty when `use_bias` is false.
    bq: Vec<f32>,
    bk: Vec<f32>,
    bv: Vec<f32>,
    bo: Vec<f32>,
}

/// The projected operands of one forward pass, as every head reads them.
struct Heads<'a> {
    q: &'a [f32],
    k: &'a [f32],
    v: &'a [f32],
    mask: Option<Tensor3<'a>>,
    seq_q: usize,
    seq_k: usize,
    scale: f32,
}

/// Multi-head attention on rayon's threads (the `parallel` feature: the
/// package's threaded module, or a native build). Every value is computed as
/// it is serially, so the results are the same to the bit.
#[cfg(feature = "parallel")]
mod parallel {
    use crate::linalg::{gemm_acc, MR};
    use crate::scaled_dot::Scratch;
    use rayon::prelude::*;

    /// Multiply-adds below which a projection stays on one thread (handing
    /// halves to other threads costs tens of microseconds in wasm).
    pub(super) const MIN_PRODUCT: usize = 1 << 21;

    /// `out += x · w` (`rows` rows of `d`), split by rows in tasks of a
    /// multiple of the micro-kernel's rows, about four per thread.
    pub(super) fn project(x: &[f32], rows: usize, d: usize, w: &[f32], out: &mut [f32]) {
        let task = rows.div_ceil(4 * rayon::current_num_threads()).next_multiple_of(MR);
        out.par_chunks_mut(task * d).zip(x[..rows * d].par_chunks(task * d)).for_each(|(out, x)| {
            gemm_acc(out.len() / d, d, d, x, d, w, d, out, d);
        });
    }

    /// `attend(b, concat rows of entry b, its weights, a scratch)` for every
    /// batch entry at once.
    pub(super) fn each_entry<F>(
        concat: &mut [f32],
        entry_len: usize,
        weights: Vec<Option<&mut [f32]>>,
        scratches: &mut [Scratch],
        attend: F,
    ) where
        F: Fn(usize, &mut [f32], Option<&mut [f32]>, &mut Scratch) + Sync,
    {
        concat
            .par_chunks_mut(entry_len)
            .zip(weights.into_par_iter())
            .zip(scratches.par_iter_mut())
            .enumerate()
            .for_each(|(b, ((concat, weights), scratch))| attend(b, concat, weights, scratch));
    }
}

/// Sink for the attention probabilities of every (batch, head): either the
/// caller's `[b, heads, sq, sk]` output or nothing (scratch space is used).
pub(crate) type WeightsOut<'a> = Option<&'a mut [f32]>;

impl Projections {
    /// Weights drawn from the SplitMix64 stream of `seed` (see `src/rng.rs`).
    pub fn new(config: &AttentionConfig, seed: u32) -> Result<Self, KernelError> {
        let d = config.model_dim() as usize;
        let use_bias = config.use_bias();
        // num_parameters() is a u32: refuse layers whose count would not fit
        // (u128 so the check itself cannot overflow for any u32 model_dim).
        let params = 4 * (d as u128) * (d as u128) + if use_bias { 4 * d as u128 } else { 0 };
        if params > u32::MAX as u128 {
            return Err(KernelError::config(
                "model_dim",
                format!("model_dim {d} gives {params} parameters, more than u32::MAX"),
            ));
        }
        let square = checked_len("projection weights", &[d, d])?;
        let mut rng = SplitMix64::new(seed);
        let matrix = |rng: &mut SplitMix64| -> Result<Vec<f32>, KernelError> {
            let mut w = zeros("projection weights", square)?;
            rng.fill_symmetric(&mut w, xavier_bound(d, d));
            Ok(w)
        };
        let (wq, wk, wv, wo) = (
            matrix(&mut rng)?,
            matrix(&mut rng)?,
            matrix(&mut rng)?,
            matrix(&mut rng)?,
        );
        let bias = |rng: &mut SplitMix64| -> Result<Vec<f32>, KernelError> {
            if !use_bias {
                return Ok(Vec::new());
            }
            let mut b = zeros("projection biases", d)?;
            rng.fill_symmetric(&mut b, bias_bound(d));
            Ok(b)
        };
        let (bq, bk, bv, bo) = (
            bias(&mut rng)?,
            bias(&mut rng)?,
            bias(&mut rng)?,
            bias(&mut rng)?,
        );
        Ok(Projections {
            num_heads: config.num_heads() as usize,
            head_dim: config.head_dim() as usize,
            model_dim: d,
            use_bias,
            wq,
            wk,
            wv,
            wo,
            bq,
            bk,
            bv,
            bo,
        })
    }

    /// Replace the four matrices (each `D·D` values); biases become zero.
    pub fn set_weights(
        &mut self,
        wq: &[f32],
        wk: &[f32],
        wv: &[f32],
        wo: &[f32],
    ) -> Result<(), KernelError> {
        let expected = self.model_dim * self.model_dim;
        for w in [wq, wk, wv, wo] {
            if w.len() != expected {
                return Err(KernelError::InvalidWeights {
                    expected: saturating_u32(expected),
                    actual: saturating_u32(w.len()),
                });
            }
        }
        // Validated all four first, so a failed call changes nothing.
        self.wq.copy_from_slice(wq);
        self.wk.copy_from_slice(wk);
        self.wv.copy_from_slice(wv);
        self.wo.copy_from_slice(wo);
        for b in [&mut self.bq, &mut self.bk, &mut self.bv, &mut self.bo] {
            b.fill(0.0);
        }
        Ok(())
    }

    /// `4·D² + 4·D` with biases, `4·D²` without (fits in u32: checked in `new`).
    pub fn num_parameters(&self) -> u32 {
        let d = self.model_dim as u64;
        let count = 4 * d * d + if self.use_bias { 4 * d } else { 0 };
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    pub fn num_heads(&self) -> usize {
        self.num_heads
    }

    pub fn model_dim(&self) -> usize {
        self.model_dim
    }

    pub fn head_dim(&self) -> usize {
        self.head_dim
    }

    /// All parameters in generation order (Wq, Wk, Wv, Wo, bq, bk, bv, bo).
    #[cfg(test)]
    pub fn parameters(&self) -> [&[f32]; 8] {
        [
            &self.wq, &self.wk, &self.wv, &self.wo, &self.bq, &self.bk, &self.bv, &self.bo,
        ]
    }

    /// `x · W + b` for `x` of `rows` rows of `D` values.
    fn project(
        &self,
        x: &[f32],
        rows: usize,
        w: &[f32],
        bias: &[f32],
    ) -> Result<Vec<f32>, KernelError> {
        let d = self.model_dim;
        let mut out = zeros_for("projection", &[rows, d])?;
        if !bias.is_empty() {
            for row in out.chunks_exact_mut(d) {
                row.copy_from_slice(bias);
            }
        }
        #[cfg(feature = "parallel")]
        if rows * d * d >= parallel::MIN_PRODUCT && rayon::current_num_threads() > 1 {
            parallel::project(x, rows, d, w, &mut out);
            return Ok(out);
        }
        gemm_acc(rows, d, d, x, d, w, d, &mut out, d);
        Ok(out)
    }

    /// The three input projections; on threads, as one parallel region (no
    /// thread waits at the end of one projection for the next to start).
    fn project_qkv(
        &self,
        query: &[f32],
        key: &[f32],
        value: &[f32],
        rows_q: usize,
        rows_kv: usize,
    ) -> Result<(Vec<f32>, Vec<f32>, Vec<f32>), KernelError> {
        let q = || self.project(query, rows_q, &self.wq, &self.bq);
        let k = || self.project(key, rows_kv, &self.wk, &self.bk);
        let v = || self.project(value, rows_kv, &self.wv, &self.bv);
        #[cfg(feature = "parallel")]
        if rayon::current_num_threads() > 1 {
            let (q, (k, v)) = rayon::join(q, || rayon::join(k, v));
            return Ok((q?, k?, v?));
        }
        Ok((q()?, k()?, v()?))
    }

    /// Every head of batch entry `b`: its context into `concat` (the entry's
    /// `[sq, D]` rows), its probabilities into `weights` (`[heads, sq, sk]`)
    /// when given, else into the scratch space.
    fn attend_entry(
        &self,
        heads: &Heads<'_>,
        b: usize,
        concat: &mut [f32],
        mut weights: Option<&mut [f32]>,
        scratch: &mut Scratch,
    ) {
        let (d, hd) = (self.model_dim, self.head_dim);
        let (sq, sk) = (heads.seq_q, heads.seq_k);
        for h in 0..self.num_heads {
            let (q_at, kv_at) = (b * sq * d + h * hd, b * sk * d + h * hd);
            let op = HeadOperands {
                query: &heads.q[q_at..],
                query_stride: d,
                key: &heads.k[kv_at..],
                key_stride: d,
                seq_q: sq,
                seq_k: sk,
                dim: hd,
                scale: heads.scale,
                mask: heads.mask.map(|m| m.batch_slice(b)),
            };
            let probs = match weights.as_deref_mut() {
                Some(entry) => &mut entry[h * sq * sk..(h + 1) * sq * sk],
                None => &mut scratch.probs[..],
            };
            attend_one(&op, &heads.v[kv_at..], d, hd, &mut scratch.key_t, probs, &mut concat[h * hd..], d);
        }
    }

    /// The shared forward pass. `query` is `[b, sq, D]`; `key` and `value` are
    /// `[b, sk, D]` (the same tensor for cross attention). Probabilities go to
    /// `weights_out` (`[b, heads, sq, sk]`) when given.
    pub fn forward(
        &self,
        query: Tensor3<'_>,
        key: Tensor3<'_>,
        value: Tensor3<'_>,
        mask: Option<Tensor3<'_>>,
        mut weights_out: WeightsOut<'_>,
    ) -> Result<Vec<f32>, KernelError> {
        let (batch, sq, sk) = (query.batch, query.rows, key.rows);
        let (d, hd, heads) = (self.model_dim, self.head_dim, self.num_heads);
        let (q, k, v) = self.project_qkv(query.data, key.data, value.data, batch * sq, batch * sk)?;
        let mut concat = zeros("attention context", q.len())?;
        let heads_in = Heads { q: &q, k: &k, v: &v, mask, seq_q: sq, seq_k: sk, scale: attention_scale(hd) };
        let weights_len = heads * sq * sk;
        let mut weights: Vec<Option<&mut [f32]>> = match weights_out.as_deref_mut() {
            Some(all) => all.chunks_mut(weights_len).map(Some).collect(),
            None => (0..batch).map(|_| None).collect(),
        };
        #[cfg(feature = "parallel")]
        if batch > 1 && rayon::current_num_threads() > 1 {
            // One entry per task, each with scratch space of its own.
            let mut scratches = (0..batch).map(|_| Scratch::new(hd, sq, sk)).collect::<Result<Vec<_>, _>>()?;
            parallel::each_entry(&mut concat, sq * d, weights, &mut scratches, |b, concat, weights, scratch| {
                self.attend_entry(&heads_in, b, concat, weights, scratch)
            });
            return self.project(&concat, batch * sq, &self.wo, &self.bo);
        }
        let mut scratch = Scratch::new(hd, sq, sk)?;
        for (b, (concat, weights)) in concat.chunks_mut(sq * d).zip(weights.drain(..)).enumerate() {
            self.attend_entry(&heads_in, b, concat, weights, &mut scratch);
        }
        self.project(&concat, batch * sq, &self.wo, &self.bo)
    }
}

/// Output of [`MultiHeadAttention::forward`].
#[derive(Clone, Debug, PartialEq)]
pub struct AttentionOutput {
    /// `[batch, seq_q, model_dim]`.
    pub output: Vec<f32>,
    /// Attention probabilities `[batch, heads, seq_q, seq_k]`.
    pub weights: Vec<f32>,
}

/// Multi-head self/encoder-decoder attention with its own projections.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiHeadAttention {
    projections: Projections,
}

impl MultiHeadAttention {
    /// Projections of `model_dim × model_dim` drawn deterministically from
    /// `seed` (Xavier-uniform SplitMix64 stream documented in `src/rng.rs`); biases if `config.use_bias()`.
    pub fn new(config: &AttentionConfig, seed: u32) -> Result<Self, KernelError> {
        Ok(MultiHeadAttention {
            projections: Projections::new(config, seed)?,
        })
    }

    /// Replace the projections (each `model_dim²` values, row-major `W[in][out]`;
    /// `InvalidWeights` otherwise). Biases become zero.
    pub fn set_weights(
        &mut self,
        wq: &[f32],
        wk: &[f32],
        wv: &[f32],
        wo: &[f32],
    ) -> Result<(), KernelError> {
        self.projections.set_weights(wq, wk, wv, wo)
    }

    /// `4·D² + (use_bias ? 4·D : 0)`.
    pub fn num_parameters(&self) -> u32 {
        self.projections.num_parameters()
    }

    pub fn num_heads(&self) -> u32 {
        self.projections.num_heads() as u32
    }

    pub fn model_dim(&self) -> u32 {
        self.projections.model_dim() as u32
    }

    pub fn head_dim(&self) -> u32 {
        self.projections.head_dim() as u32
    }

    #[cfg(test)]
    pub(crate) fn parameters(&self) -> [&[f32]; 8] {
        self.projections.parameters()
    }

    /// query `[b, sq, D]`, key `[b, sk, D]`, value `[b, sk, D]` (`D = model_dim`),
    /// mask `[b, sq, sk]` additive (the same for every head).
    /// Returns output `[b, sq, D]` and weights `[b, heads, sq, sk]`.
    pub fn forward(
        &self,
        query: (&[f32], [usize; 3]),
        key: (&[f32], [usize; 3]),
        value: (&[f32], [usize; 3]),
        mask: Option<(&[f32], [usize; 3])>,
    ) -> Result<AttentionOutput, KernelError> {
        let d = self.projections.model_dim();
        let (q, k, v) = validate_qkv(query, key, value, d, "model_dim")?;
        expect_dim(
            "value",
            "feature size (last dimension, must equal model_dim)",
            v.cols,
            d,
        )?;
        let mask = mask3(mask, q.batch, q.rows, k.rows)?;
        let mut weights = zeros_for(
            "attention weights",
            &[q.batch, self.projections.num_heads(), q.rows, k.rows],
        )?;
        let output = self
            .projections
            .forward(q, k, v, mask, Some(&mut weights))?;
        Ok(AttentionOutput { output, weights })
    }
}
