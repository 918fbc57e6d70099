"""Independent NumPy reference for the ``attention`` kernel (kernels/attention).

Straightforward textbook formulas, vectorised, computed in float64 and
returned as float32 arrays. Full score matrices are materialised on purpose:
this module is the yardstick the Rust kernel (tiled, streaming, f32) is
compared against, so it favours obviousness over speed.

Conventions shared with the kernel:

* Tensors are row-major arrays: query ``[b, sq, d]``, key ``[b, sk, d]``,
  value ``[b, sk, dv]``; masks are additive ``[b, sq, sk]`` (``0`` allowed,
  ``-inf`` hidden).
* Softmax subtracts the row maximum; a row that is entirely ``-inf`` (a fully
  masked query) gives all-zero weights and therefore a zero output row.
* Multi-head attention: ``x @ W + b`` with ``W[in][out]`` of shape ``D x D``,
  heads are contiguous blocks of ``D // num_heads`` columns, scale
  ``1 / sqrt(head_dim)``, the same mask for every head, concatenation, then
  ``@ Wo + bo``.
* Weights generator (bit-for-bit equal to the kernel): SplitMix64 with initial
  state ``seed ^ 0x9E3779B97F4A7C15``; each draw adds that constant to the
  state and mixes it; ``u = (draw >> 40) / 2**24`` in float32; value
  ``(2u - 1) * a`` in float32 with ``a = float32(sqrt(6 / (D + D)))`` for the
  matrices and ``a = float32(1 / sqrt(D))`` for the biases. One stream, in the
  order Wq, Wk, Wv, Wo (each ``D x D`` row-major), then bq, bk, bv, bo.
* Hyperbolic: curvature ``c < 0``, ``k = sqrt(|c|)``; points are first clipped
  to norm ``(1 - 1e-5) / k``; ``d(x, y) = (2/k) artanh(k ||(-x) (+) y||)`` with
  Möbius addition, the ``artanh`` argument clamped to ``1 - 1e-7``.
* Linear attention: ``phi(x) = elu(x) + 1``;
  ``out_i = sum_j (phi(q_i).phi(k_j)) v_j / sum_j phi(q_i).phi(k_j)``. With a
  feature dimension ``f``, ``phi(x P)`` with ``P`` the ``dim x f`` matrix drawn
  from the seed-0 stream (``a = float32(sqrt(6 / (dim + f)))``), row-major.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "build_mask",
    "scaled_dot_product",
    "attention_weights",
    "mha_weights",
    "multi_head",
    "cross_attention",
    "project_to_ball",
    "poincare_distance_matrix",
    "hyperbolic_attention",
    "linear_attention",
    "linear_projection",
    "feature_map",
]

_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_BALL_MARGIN = 1e-5
_ARTANH_LIMIT = 1.0 - 1e-7


def _f64(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _softmax(scores: np.ndarray) -> np.ndarray:
    """Row softmax over the last axis; rows that are all -inf become zeros."""
    scores = _f64(scores)
    row_max = scores.max(axis=-1, keepdims=True)
    row_max = np.where(np.isneginf(row_max), 0.0, row_max)
    exps = np.exp(scores - row_max)
    sums = exps.sum(axis=-1, keepdims=True)
    return np.divide(exps, sums, out=np.zeros_like(exps), where=sums > 0)


# --------------------------------------------------------------------- masks

def build_mask(mask_type: str, batch: int, seq_q: int, seq_k: int, key_lengths=None) -> np.ndarray:
    """Additive mask ``[batch, seq_q, seq_k]``.

    ``'causal'`` hides keys ``j > i``; ``'padding'`` hides keys
    ``j >= key_lengths[b]`` (``key_lengths`` required); ``'none'`` is zeros.
    """
    i = np.arange(seq_q)[:, None]
    j = np.arange(seq_k)[None, :]
    if mask_type == "none":
        hidden = np.zeros((batch, seq_q, seq_k), dtype=bool)
    elif mask_type == "causal":
        hidden = np.broadcast_to(j > i, (batch, seq_q, seq_k))
    elif mask_type == "padding":
        if key_lengths is None:
            raise ValueError("key_lengths is required for a padding mask")
        lengths = np.asarray(key_lengths).reshape(batch, 1, 1)
        hidden = np.broadcast_to(j[None] >= lengths, (batch, seq_q, seq_k))
    else:
        raise ValueError(f"unknown mask type {mask_type!r}")
    return np.where(hidden, -np.inf, 0.0).astype(np.float32)


# ---------------------------------------------------------- scaled dot-product

def _weights64(q, k, mask=None) -> np.ndarray:
    q, k = _f64(q), _f64(k)
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores + _f64(mask)
    return _softmax(scores)


def attention_weights(q, k, mask=None) -> np.ndarray:
    """``softmax(q k^T / sqrt(d) + mask)``: ``[b, sq, sk]``."""
    return _weights64(q, k, mask).astype(np.float32)


def scaled_dot_product(q, k, v, mask=None) -> np.ndarray:
    """``softmax(q k^T / sqrt(d) + mask) v``: ``[b, sq, dv]`` (``d = q.shape[-1]``)."""
    return (_weights64(q, k, mask) @ _f64(v)).astype(np.float32)


# ----------------------------------------------------------------- multi-head

def _splitmix64(seed: int, count: int) -> np.ndarray:
    """The first ``count`` SplitMix64 outputs for the kernel's seeding."""
    state0 = np.uint64(seed) ^ _GOLDEN_GAMMA
    # state after draw n (1-based) is state0 + n * gamma, wrapping mod 2**64
    # (NumPy's uint64 array arithmetic wraps silently).
    z = state0 + _GOLDEN_GAMMA * np.arange(1, count + 1, dtype=np.uint64)
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def _symmetric(units: np.ndarray, bound: float) -> np.ndarray:
    """``(2u - 1) * bound`` in float32 (``2u - 1`` is exact, the product rounds once)."""
    return (np.float32(2.0) * units - np.float32(1.0)) * np.float32(bound)


def mha_weights(model_dim: int, seed: int, use_bias: bool = True) -> dict:
    """The projections the kernel generates for ``(model_dim, seed, use_bias)``.

    Returns float32 arrays ``wq, wk, wv, wo`` (``D x D``) and ``bq, bk, bv, bo``
    (``D``; zeros when ``use_bias`` is false).
    """
    d = int(model_dim)
    n_matrix = d * d
    count = 4 * n_matrix + (4 * d if use_bias else 0)
    units = (_splitmix64(seed, count) >> np.uint64(40)).astype(np.float32) / np.float32(16777216.0)
    matrices = _symmetric(units[: 4 * n_matrix], np.float32(np.sqrt(6.0 / (d + d))))
    names = ("wq", "wk", "wv", "wo")
    out = {name: matrices[i * n_matrix:(i + 1) * n_matrix].reshape(d, d) for i, name in enumerate(names)}
    if use_bias:
        biases = _symmetric(units[4 * n_matrix:], np.float32(1.0 / np.sqrt(d)))
        out.update({name: biases[i * d:(i + 1) * d] for i, name in enumerate(("bq", "bk", "bv", "bo"))})
    else:
        out.update({name: np.zeros(d, dtype=np.float32) for name in ("bq", "bk", "bv", "bo")})
    return out


def _param(weights: dict, name: str, shape) -> np.ndarray:
    value = weights.get(name)
    if value is None:  # biases may be omitted (set_weights zeroes them)
        return np.zeros(shape)
    return _f64(value).reshape(shape)


def multi_head(q, k, v, weights: dict, num_heads: int, mask=None):
    """Multi-head attention: returns ``(output [b, sq, D], weights [b, heads, sq, sk])``."""
    q, k, v = _f64(q), _f64(k), _f64(v)
    batch, seq_q, d = q.shape
    seq_k = k.shape[1]
    if d % num_heads:
        raise ValueError("model dim must be divisible by num_heads")
    head_dim = d // num_heads

    def project(x, w, b):
        return x @ _param(weights, w, (d, d)) + _param(weights, b, (d,))

    def split(x, seq):  # [b, seq, D] -> [b, heads, seq, head_dim]
        return x.reshape(batch, seq, num_heads, head_dim).transpose(0, 2, 1, 3)

    qh = split(project(q, "wq", "bq"), seq_q)
    kh = split(project(k, "wk", "bk"), seq_k)
    vh = split(project(v, "wv", "bv"), seq_k)
    scores = qh @ kh.transpose(0, 1, 3, 2) / np.sqrt(head_dim)
    if mask is not None:
        scores = scores + _f64(mask)[:, None, :, :]
    probs = _softmax(scores)
    context = (probs @ vh).transpose(0, 2, 1, 3).reshape(batch, seq_q, d)
    output = project(context, "wo", "bo")
    return output.astype(np.float32), probs.astype(np.float32)


def cross_attention(q, context, weights: dict, num_heads: int, mask=None) -> np.ndarray:
    """Decoder queries ``[b, sq, D]`` attending to encoder ``context [b, sk, D]``."""
    return multi_head(q, context, context, weights, num_heads, mask)[0]


# ----------------------------------------------------------------- hyperbolic

def _project64(points, curvature: float) -> np.ndarray:
    points = _f64(points)
    k = np.sqrt(abs(float(np.float32(curvature))))
    max_norm = (1.0 - _BALL_MARGIN) / k
    norms = np.linalg.norm(points, axis=-1, keepdims=True)
    shrink = np.where(norms > max_norm, max_norm / np.maximum(norms, 1e-300), 1.0)
    # Round to float32 like the kernel, whose projected points are float32.
    return (points * shrink).astype(np.float32).astype(np.float64)


def project_to_ball(points, curvature: float) -> np.ndarray:
    """Clip each point (last axis) to norm ``(1 - 1e-5) / sqrt(|c|)``."""
    return _project64(points, curvature).astype(np.float32)


def _poincare64(a, b, curvature: float) -> np.ndarray:
    k = np.sqrt(abs(float(np.float32(curvature))))
    x = _project64(a, curvature)[:, None, :]  # [na, 1, d]
    y = _project64(b, curvature)[None, :, :]  # [1, nb, d]
    mx = -x
    # Möbius addition (-x) (+) y, written out as in the definition.
    xy = np.sum(mx * y, axis=-1, keepdims=True)
    x2 = np.sum(mx * mx, axis=-1, keepdims=True)
    y2 = np.sum(y * y, axis=-1, keepdims=True)
    numerator = (1 + 2 * k**2 * xy + k**2 * y2) * mx + (1 - k**2 * x2) * y
    denominator = 1 + 2 * k**2 * xy + k**4 * x2 * y2
    mobius = numerator / denominator
    arg = np.minimum(k * np.linalg.norm(mobius, axis=-1), _ARTANH_LIMIT)
    return 2.0 / k * np.arctanh(arg)


def poincare_distance_matrix(a, b, curvature: float) -> np.ndarray:
    """Geodesic distances ``[na, nb]`` between the rows of ``a [na, d]`` and ``b [nb, d]``."""
    return _poincare64(a, b, curvature).astype(np.float32)


def hyperbolic_attention(q, k, v, curvature: float) -> np.ndarray:
    """``softmax_j(-d(q_i, k_j)) @ v`` per batch entry: ``[b, sq, dv]``."""
    v = _f64(v)
    out = [
        _softmax(-_poincare64(q[b], k[b], curvature)) @ v[b]
        for b in range(np.shape(q)[0])
    ]
    return np.stack(out).astype(np.float32)


# --------------------------------------------------------------------- linear

def _phi64(x) -> np.ndarray:
    x = _f64(x)
    return np.where(x > 0, x + 1.0, np.exp(np.minimum(x, 0.0)))


def linear_projection(dim: int, feature_dim: int) -> np.ndarray:
    """The kernel's fixed ``dim x feature_dim`` projection (seed 0), float32."""
    units = (_splitmix64(0, dim * feature_dim) >> np.uint64(40)).astype(np.float32) / np.float32(16777216.0)
    return _symmetric(units, np.float32(np.sqrt(6.0 / (dim + feature_dim)))).reshape(dim, feature_dim)


def _features64(x, projection) -> np.ndarray:
    x = _f64(x)
    return _phi64(x if projection is None else x @ _f64(projection))


def feature_map(x, projection=None) -> np.ndarray:
    """``elu(x) + 1`` elementwise, or ``elu(x P) + 1`` row by row with a projection."""
    return _features64(x, projection).astype(np.float32)


def linear_attention(q, k, v, projection=None) -> np.ndarray:
    """Kernelised attention with ``phi = elu + 1`` (of ``x P`` with a projection), via
    the explicit ``[sq, sk]`` kernel matrix (equal to the kernel's O(n) factorisation)."""
    scores = _features64(q, projection) @ np.swapaxes(_features64(k, projection), -1, -2)  # [b, sq, sk], > 0
    numerator = scores @ _f64(v)
    denominator = scores.sum(axis=-1, keepdims=True)
    out = np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)
    return out.astype(np.float32)
