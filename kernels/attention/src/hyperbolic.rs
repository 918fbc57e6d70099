//! Hyperbolic attention: scores are negative geodesic distances in a space of
//! constant negative curvature `c`, so queries attend to keys that are close
//! in the hyperbolic metric (suited to hierarchical data).
//!
//! With `k = sqrt(|c|)`, points live in the Poincaré ball of radius `1/k`.
//! Poincaré distance: `d(x, y) = (2/k) · artanh(k · ‖(−x) ⊕ y‖)` with Möbius
//! addition `x ⊕ y = ((1 + 2k²⟨x,y⟩ + k²‖y‖²) x + (1 − k²‖x‖²) y) /
//! (1 + 2k²⟨x,y⟩ + k⁴‖x‖²‖y‖²)`, the `artanh` argument clamped below `1 − 1e-7`.
//! Lorentz model: `p ↦ ((1 + k²‖p‖²) / (k(1 − k²‖p‖²)), 2p / (1 − k²‖p‖²))` on
//! the hyperboloid and `d = (1/k) · arcosh(max(1, k²(x₀y₀ − ⟨x_s, y_s⟩)))` —
//! the same distance (the argument minus one is evaluated from coordinate
//! differences: the same value algebraically, but accurate for nearby points
//! even close to the boundary).
//!
//! Distances are accumulated in f64 (inputs and outputs stay f32): `artanh`
//! and `arcosh` amplify rounding errors enormously near the ball's boundary
//! and for nearby points, and this mechanism is not on the hot path.

use crate::config::{HyperbolicConfig, ManifoldType};
use crate::error::KernelError;
use crate::linalg::gemm_acc;
use crate::softmax::softmax_in_place;
use crate::tensor::{checked_len, expect_dim, filled, tensor2, tensor3, zeros, zeros_for};

/// Largest `k·‖(−x) ⊕ y‖` passed to `artanh`.
const ARTANH_LIMIT: f64 = 1.0 - 1e-7;
/// Points are clipped to norm `(1 − BALL_MARGIN) / k`.
const BALL_MARGIN: f64 = 1e-5;

/// A set of points prepared for repeated distance evaluations (norms or
/// hyperboloid coordinates computed once, not per pair).
enum Prepared {
    /// Projected ball points (f32, `n × d`) and their squared norms.
    Poincare { points: Vec<f32>, norms2: Vec<f64> },
    /// Hyperboloid coordinates `n × (d + 1)`, time component first.
    Lorentz { coords: Vec<f64> },
}

fn norm2_f64(x: &[f32]) -> f64 {
    x.iter().map(|&v| v as f64 * v as f64).sum()
}

/// Hyperbolic attention (single head over the full feature dimension).
#[derive(Clone, Debug, PartialEq)]
pub struct HyperbolicAttention {
    config: HyperbolicConfig,
    /// `k = sqrt(|c|)`, used by every distance: computed once.
    k: f64,
}

impl HyperbolicAttention {
    /// A HyperbolicConfig is valid by construction (finite, negative
    /// curvature), so `k` below is finite and positive.
    pub fn new(config: &HyperbolicConfig) -> Result<Self, KernelError> {
        Ok(HyperbolicAttention {
            config: config.clone(),
            k: (config.curvature().abs() as f64).sqrt(),
        })
    }

    pub fn curvature(&self) -> f32 {
        self.config.curvature()
    }

    pub fn manifold_type(&self) -> ManifoldType {
        self.config.manifold_type()
    }

    pub fn num_heads(&self) -> u32 {
        self.config.num_heads()
    }

    /// Clip each `dim`-sized row of `points` (in place) to norm `(1 − 1e-5)/k`.
    fn project_rows(&self, points: &mut [f32], dim: usize) {
        let max_norm = (1.0 - BALL_MARGIN) / self.k;
        for row in points.chunks_exact_mut(dim) {
            let norm = norm2_f64(row).sqrt();
            if norm > max_norm {
                let shrink = max_norm / norm;
                for v in row.iter_mut() {
                    *v = (*v as f64 * shrink) as f32;
                }
            }
        }
    }

    /// A copy of `points` (rows of `dim`) clipped into the ball.
    fn projected(&self, points: &[f32], dim: usize) -> Result<Vec<f32>, KernelError> {
        let mut out = zeros("projected points", points.len())?;
        out.copy_from_slice(points);
        self.project_rows(&mut out, dim);
        Ok(out)
    }

    /// Project `points` (rows of `dim`) and prepare them for the configured model.
    fn prepare(&self, points: &[f32], dim: usize) -> Result<Prepared, KernelError> {
        let projected = self.projected(points, dim)?;
        let count = points.len() / dim;
        let k = self.k;
        let k2 = k * k;
        match self.config.manifold_type() {
            ManifoldType::Poincare => {
                let mut norms2 = filled("point norms", count, 0.0_f64)?;
                for (n2, row) in norms2.iter_mut().zip(projected.chunks_exact(dim)) {
                    *n2 = norm2_f64(row);
                }
                Ok(Prepared::Poincare {
                    points: projected,
                    norms2,
                })
            }
            ManifoldType::Lorentz => {
                let mut coords = filled(
                    "hyperboloid points",
                    checked_len("hyperboloid points", &[count, dim + 1])?,
                    0.0_f64,
                )?;
                for (out, row) in coords
                    .chunks_exact_mut(dim + 1)
                    .zip(projected.chunks_exact(dim))
                {
                    let s = k2 * norm2_f64(row);
                    let denom = 1.0 - s;
                    out[0] = (1.0 + s) / (k * denom);
                    for (o, &p) in out[1..].iter_mut().zip(row) {
                        *o = 2.0 * p as f64 / denom;
                    }
                }
                Ok(Prepared::Lorentz { coords })
            }
        }
    }

    /// Geodesic distance between point `i` of `a` and point `j` of `b`.
    fn distance(&self, a: &Prepared, i: usize, b: &Prepared, j: usize, dim: usize) -> f64 {
        let k = self.k;
        let k2 = k * k;
        match (a, b) {
            (
                Prepared::Poincare {
                    points: pa,
                    norms2: na,
                },
                Prepared::Poincare {
                    points: pb,
                    norms2: nb,
                },
            ) => {
                let x = &pa[i * dim..(i + 1) * dim];
                let y = &pb[j * dim..(j + 1) * dim];
                let (x2, y2) = (na[i], nb[j]);
                let xy: f64 = x.iter().zip(y).map(|(&u, &v)| u as f64 * v as f64).sum();
                // (−x) ⊕ y with ⟨−x, y⟩ = −⟨x, y⟩ and ‖−x‖ = ‖x‖:
                // numerator α·(−x) + β·y, denominator γ.
                let alpha = 1.0 - 2.0 * k2 * xy + k2 * y2;
                let beta = 1.0 - k2 * x2;
                let gamma = 1.0 - 2.0 * k2 * xy + k2 * k2 * x2 * y2;
                let num2: f64 = x
                    .iter()
                    .zip(y)
                    .map(|(&u, &v)| {
                        let t = beta * v as f64 - alpha * u as f64;
                        t * t
                    })
                    .sum();
                let arg = (k * num2.sqrt() / gamma).min(ARTANH_LIMIT);
                2.0 / k * arg.atanh()
            }
            (Prepared::Lorentz { coords: ca }, Prepared::Lorentz { coords: cb }) => {
                let x = &ca[i * (dim + 1)..(i + 1) * (dim + 1)];
                let y = &cb[j * (dim + 1)..(j + 1) * (dim + 1)];
                // k²(x₀y₀ − ⟨x_s, y_s⟩) = 1 + ε with, since both points satisfy
                // x₀² − ‖x_s‖² = 1/k², ε = (k²/2)(‖x_s − y_s‖² − (x₀ − y₀)²).
                // Evaluating ε from the differences avoids subtracting two
                // numbers of size x₀² (up to ~1e10 near the boundary), which
                // would leave only ~1e-6 of absolute precision in ε and
                // ~sqrt(1e-6) in the distance of nearby points.
                // max(1, ·) becomes max(0, ε); arcosh(1 + ε) = log1p(ε + sqrt(ε(2 + ε))).
                let dt = x[0] - y[0];
                let ds: f64 = x[1..]
                    .iter()
                    .zip(&y[1..])
                    .map(|(u, v)| (u - v) * (u - v))
                    .sum();
                let eps = (0.5 * k2 * (ds - dt * dt)).max(0.0);
                (eps + (eps * (2.0 + eps)).sqrt()).ln_1p() / k
            }
            // Both sides are always prepared by the same instance.
            _ => f64::NAN,
        }
    }

    /// points `[n, d]` → the same points with norm clipped to `(1 − 1e-5) / sqrt(|c|)`.
    pub fn project_to_ball(&self, points: (&[f32], [usize; 2])) -> Result<Vec<f32>, KernelError> {
        let p = tensor2("points", points)?;
        self.projected(p.data, p.cols)
    }

    /// points_a `[na, d]`, points_b `[nb, d]` → `[na, nb]` geodesic distances
    /// (both sets projected into the ball first).
    pub fn distance_matrix(
        &self,
        points_a: (&[f32], [usize; 2]),
        points_b: (&[f32], [usize; 2]),
    ) -> Result<Vec<f32>, KernelError> {
        let a = tensor2("points_a", points_a)?;
        let b = tensor2("points_b", points_b)?;
        expect_dim(
            "points_b",
            "dimension (must equal points_a's)",
            b.cols,
            a.cols,
        )?;
        let dim = a.cols;
        let mut out = zeros_for("distance matrix", &[a.rows, b.rows])?;
        let (pa, pb) = (self.prepare(a.data, dim)?, self.prepare(b.data, dim)?);
        for (i, row) in out.chunks_exact_mut(b.rows).enumerate() {
            for (j, out) in row.iter_mut().enumerate() {
                *out = self.distance(&pa, i, &pb, j, dim) as f32;
            }
        }
        Ok(out)
    }

    /// `softmax_j(−d(q_i, k_j)) · V` after projecting queries and keys into the
    /// ball; values are aggregated with Euclidean weights.
    /// query `[b, sq, d]`, key `[b, sk, d]`, value `[b, sk, dv]` → `[b, sq, dv]`.
    pub fn forward(
        &self,
        query: (&[f32], [usize; 3]),
        key: (&[f32], [usize; 3]),
        value: (&[f32], [usize; 3]),
    ) -> Result<Vec<f32>, KernelError> {
        let q = tensor3("query", query)?;
        let k = tensor3("key", key)?;
        let v = tensor3("value", value)?;
        expect_dim("key", "feature size (must equal query's)", k.cols, q.cols)?;
        expect_dim("key", "batch size", k.batch, q.batch)?;
        expect_dim("value", "batch size", v.batch, q.batch)?;
        expect_dim(
            "value",
            "sequence length (must equal key's)",
            v.rows,
            k.rows,
        )?;
        let (sq, sk, dim, dv) = (q.rows, k.rows, q.cols, v.cols);
        let mut out = zeros_for("output", &[q.batch, sq, dv])?;
        let mut probs = zeros_for("attention scores", &[sq, sk])?;
        // Prepared once for the whole batch: the point index is b * seq + i.
        let (pq, pk) = (self.prepare(q.data, dim)?, self.prepare(k.data, dim)?);
        for (b, out_b) in out.chunks_exact_mut(sq * dv).enumerate() {
            for (i, row) in probs.chunks_exact_mut(sk).enumerate() {
                for (j, score) in row.iter_mut().enumerate() {
                    *score = -self.distance(&pq, b * sq + i, &pk, b * sk + j, dim) as f32;
                }
                softmax_in_place(row);
            }
            gemm_acc(sq, sk, dv, &probs, sk, v.batch_slice(b), dv, out_b, dv);
        }
        Ok(out)
    }
}
