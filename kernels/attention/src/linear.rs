//! Linear attention (Katharopoulos et al., 2020): replace `exp(q·k)` by the
//! kernel `φ(q)·φ(k)` with `φ(x) = elu(x) + 1`, so the sums over keys can be
//! computed once per batch entry and the cost is O(n) in sequence length:
//!
//! `out_i = φ(q_i)ᵀ S / (φ(q_i)ᵀ z)` with `S = Σ_j φ(k_j) v_jᵀ` (`d × dv`) and
//! `z = Σ_j φ(k_j)` (`d`). The `sq × sk` matrix is never built.
//!
//! `φ > 0`, so the denominator is positive unless every term underflows
//! (inputs far below zero); such a row is returned as zeros rather than `NaN`.
//!
//! With a feature dimension `f` (seed 001's `new(model_dim, feature_dim)`), queries
//! and keys are first projected by a fixed `dim × f` matrix `P`: `φ(x P)`, so the
//! summaries are `f × dv` and `f` whatever `dim` is. `P` is Xavier-uniform,
//! `sqrt(6 / (dim + f))`, drawn from the SplitMix64 stream of seed 0 (see `rng`),
//! row-major `P[in][feature]`: the NumPy reference rebuilds it bit for bit.

use crate::config::at_least_one;
use crate::error::KernelError;
use crate::linalg::{dot, gemm_acc, transpose};
use crate::rng::{xavier_bound, SplitMix64};
use crate::softmax::normalize_or_zero;
use crate::tensor::{expect_dim, tensor3, zeros, zeros_for};

/// `elu(x) + 1`: `x + 1` for `x > 0`, `exp(x)` otherwise (positive everywhere).
#[inline]
fn phi(x: f32) -> f32 {
    if x > 0.0 {
        x + 1.0
    } else {
        x.exp()
    }
}

/// Linear-complexity attention with the `elu + 1` feature map.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearAttention {
    dim: u32,
    feature_dim: u32,
    /// `P`, `dim × feature_dim` row-major, when a feature dimension was given.
    projection: Option<Vec<f32>>,
}

impl LinearAttention {
    /// `dim >= 1`: the feature size of queries and keys; `feature_dim >= 1`, when
    /// given, the size of the feature map's output (a fixed random projection first).
    pub fn new(dim: u32, feature_dim: Option<u32>) -> Result<Self, KernelError> {
        at_least_one("dim", dim)?;
        let Some(features) = feature_dim else {
            return Ok(LinearAttention { dim, feature_dim: dim, projection: None });
        };
        at_least_one("feature_dim", features)?;
        let (d, f) = (dim as usize, features as usize);
        let mut projection = zeros("feature projection", d * f)?;
        SplitMix64::new(0).fill_symmetric(&mut projection, xavier_bound(d, f));
        Ok(LinearAttention { dim, feature_dim: features, projection: Some(projection) })
    }

    pub fn dim(&self) -> u32 {
        self.dim
    }

    pub fn feature_dim(&self) -> u32 {
        self.feature_dim
    }

    /// `φ(x) = elu(x) + 1` elementwise for any non-empty input; with a projection,
    /// `φ(x P)` for each row of `dim` values (the input's length a multiple of `dim`).
    pub fn feature_map(&self, input: &[f32]) -> Result<Vec<f32>, KernelError> {
        if input.is_empty() {
            return Err(KernelError::shape("feature_map input is empty"));
        }
        let d = self.dim as usize;
        if self.projection.is_some() && input.len() % d != 0 {
            return Err(KernelError::shape(format!(
                "feature_map input of {} values is not whole rows of dim = {d}",
                input.len()
            )));
        }
        let rows = if self.projection.is_some() { input.len() / d } else { input.len() };
        let mut out = zeros("feature map", rows * self.width())?;
        self.map_rows(input, rows, &mut out);
        Ok(out)
    }

    /// Columns of φ's output: `feature_dim` with a projection, else one per input value.
    fn width(&self) -> usize {
        if self.projection.is_some() {
            self.feature_dim as usize
        } else {
            1
        }
    }

    /// `out = φ(input P)` for `rows` rows of `dim` (or `φ(input)` elementwise).
    fn map_rows(&self, input: &[f32], rows: usize, out: &mut [f32]) {
        match &self.projection {
            Some(p) => {
                let (d, f) = (self.dim as usize, self.feature_dim as usize);
                out.fill(0.0);
                gemm_acc(rows, d, f, input, d, p, f, out, f);
                for o in out.iter_mut() {
                    *o = phi(*o);
                }
            }
            None => {
                for (o, &x) in out.iter_mut().zip(input) {
                    *o = phi(x);
                }
            }
        }
    }

    /// query `[b, sq, d]`, key `[b, sk, d]`, value `[b, sk, dv]` (`d == dim`)
    /// → `[b, sq, dv]`.
    pub fn forward(
        &self,
        query: (&[f32], [usize; 3]),
        key: (&[f32], [usize; 3]),
        value: (&[f32], [usize; 3]),
    ) -> Result<Vec<f32>, KernelError> {
        let d = self.dim as usize;
        let q = tensor3("query", query)?;
        let k = tensor3("key", key)?;
        let v = tensor3("value", value)?;
        let feature = "feature size (last dimension, must equal dim)";
        expect_dim("query", feature, q.cols, d)?;
        expect_dim("key", feature, k.cols, d)?;
        expect_dim("key", "batch size", k.batch, q.batch)?;
        expect_dim("value", "batch size", v.batch, q.batch)?;
        expect_dim(
            "value",
            "sequence length (must equal key's)",
            v.rows,
            k.rows,
        )?;
        let (sq, sk, dv) = (q.rows, k.rows, v.cols);
        let (rows_q, rows_k) = if self.projection.is_some() { (sq, sk) } else { (sq * d, sk * d) };
        let d = self.feature_dim as usize; // from here on: the feature map's width

        let mut out = zeros_for("output", &[q.batch, sq, dv])?;
        // Per-batch scratch, reused: φ(Q), φ(K), φ(K)ᵀ, S and z.
        let mut phi_q = zeros_for("feature-mapped queries", &[sq, d])?;
        let mut phi_k = zeros_for("feature-mapped keys", &[sk, d])?;
        let mut phi_k_t = zeros("feature-mapped keys", phi_k.len())?;
        let mut kv = zeros_for("key-value summary", &[d, dv])?;
        let mut z = zeros("key summary", d)?;

        for (b, out_b) in out.chunks_exact_mut(sq * dv).enumerate() {
            self.map_rows(q.batch_slice(b), rows_q, &mut phi_q);
            self.map_rows(k.batch_slice(b), rows_k, &mut phi_k);
            // S = φ(K)ᵀ V as a row-major product (φ(K)ᵀ laid out once), and
            // z = column sums of φ(K) = row sums of φ(K)ᵀ.
            transpose(&phi_k, sk, d, d, &mut phi_k_t);
            kv.fill(0.0);
            gemm_acc(d, sk, dv, &phi_k_t, sk, v.batch_slice(b), dv, &mut kv, dv);
            for (zt, row) in z.iter_mut().zip(phi_k_t.chunks_exact(sk)) {
                *zt = row.iter().sum();
            }
            // Numerators φ(Q) S, then divide each row by φ(q_i)·z.
            gemm_acc(sq, d, dv, &phi_q, d, &kv, dv, out_b, dv);
            for (row, phi_qi) in out_b.chunks_exact_mut(dv).zip(phi_q.chunks_exact(d)) {
                let denom = dot(phi_qi, &z);
                normalize_or_zero(row, denom);
            }
        }
        Ok(out)
    }
}
