//! Cross-module tests: every mechanism against a naive f64 implementation of
//! its textbook formula, plus shapes, errors and edge cases.

use crate::*;

const NEG: f32 = f32::NEG_INFINITY;

/// Deterministic pseudo-random values in [-scale, scale).
fn random(len: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 40) as f32 / 16_777_216.0 * 2.0 - 1.0) * scale
        })
        .collect()
}

fn assert_close(actual: &[f32], expected: &[f32], tol: f32, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!(a.is_finite(), "{what}[{i}] = {a}");
        assert!((a - e).abs() <= tol, "{what}[{i}]: {a} vs {e} (tol {tol})");
    }
}

/// softmax(q kᵀ · scale + mask) in f64, all -inf row → zeros.
fn naive_weights(
    q: &[f32],
    k: &[f32],
    b: usize,
    sq: usize,
    sk: usize,
    d: usize,
    mask: Option<&[f32]>,
) -> Vec<f64> {
    let scale = 1.0 / (d as f64).sqrt();
    let mut w = vec![0.0f64; b * sq * sk];
    for bi in 0..b {
        for i in 0..sq {
            let row = &mut w[(bi * sq + i) * sk..(bi * sq + i + 1) * sk];
            for (j, x) in row.iter_mut().enumerate() {
                let mut s = 0.0f64;
                for t in 0..d {
                    s += q[(bi * sq + i) * d + t] as f64 * k[(bi * sk + j) * d + t] as f64;
                }
                *x = s * scale + mask.map_or(0.0, |m| m[(bi * sq + i) * sk + j] as f64);
            }
            let max = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            if max == f64::NEG_INFINITY {
                row.fill(0.0);
                continue;
            }
            let sum: f64 = row.iter().map(|x| (x - max).exp()).sum();
            for x in row.iter_mut() {
                *x = (*x - max).exp() / sum;
            }
        }
    }
    w
}

fn apply_weights(w: &[f64], v: &[f32], b: usize, sq: usize, sk: usize, dv: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; b * sq * dv];
    for bi in 0..b {
        for i in 0..sq {
            for c in 0..dv {
                let mut s = 0.0f64;
                for j in 0..sk {
                    s += w[(bi * sq + i) * sk + j] * v[(bi * sk + j) * dv + c] as f64;
                }
                out[(bi * sq + i) * dv + c] = s as f32;
            }
        }
    }
    out
}

fn naive_sdpa(q: &[f32], k: &[f32], v: &[f32], dims: [usize; 5], mask: Option<&[f32]>) -> Vec<f32> {
    let [b, sq, sk, d, dv] = dims;
    apply_weights(&naive_weights(q, k, b, sq, sk, d, mask), v, b, sq, sk, dv)
}

fn is_shape_err<T: std::fmt::Debug>(r: Result<T, KernelError>) -> bool {
    matches!(r, Err(KernelError::ShapeMismatch { .. }))
}

fn is_config_err<T: std::fmt::Debug>(r: Result<T, KernelError>) -> bool {
    matches!(r, Err(KernelError::InvalidConfig { .. }))
}

// ---------------------------------------------------------------- scaled dot

#[test]
fn sdpa_matches_naive_with_and_without_mask() {
    let (b, sq, sk, d, dv) = (2, 5, 7, 8, 3);
    let q = random(b * sq * d, 1, 1.0);
    let k = random(b * sk * d, 2, 1.0);
    let v = random(b * sk * dv, 3, 1.0);
    let sdpa = ScaledDotProduct::new(d as u32, None).unwrap();
    assert_eq!(sdpa.head_dim(), 8);
    assert!((sdpa.scale() - 1.0 / 8f32.sqrt()).abs() < 1e-7);
    let out = sdpa
        .forward((&q, [b, sq, d]), (&k, [b, sk, d]), (&v, [b, sk, dv]), None)
        .unwrap();
    assert_close(
        &out,
        &naive_sdpa(&q, &k, &v, [b, sq, sk, d, dv], None),
        1e-5,
        "sdpa",
    );

    let mask = build_mask(
        MaskType::Padding,
        b as u32,
        sq as u32,
        sk as u32,
        Some(&[3, 7]),
    )
    .unwrap();
    let masked = sdpa
        .forward(
            (&q, [b, sq, d]),
            (&k, [b, sk, d]),
            (&v, [b, sk, dv]),
            Some((&mask, [b, sq, sk])),
        )
        .unwrap();
    assert_close(
        &masked,
        &naive_sdpa(&q, &k, &v, [b, sq, sk, d, dv], Some(&mask)),
        1e-5,
        "masked sdpa",
    );

    let weights = sdpa
        .attention_weights(
            (&q, [b, sq, d]),
            (&k, [b, sk, d]),
            Some((&mask, [b, sq, sk])),
        )
        .unwrap();
    let expected: Vec<f32> = naive_weights(&q, &k, b, sq, sk, d, Some(&mask))
        .iter()
        .map(|&x| x as f32)
        .collect();
    assert_close(&weights, &expected, 1e-6, "weights");
    for (r, row) in weights.chunks(sk).enumerate() {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        if r < sq {
            assert!(
                row[3..].iter().all(|&x| x == 0.0),
                "padding keys get no weight"
            );
        }
    }
}

#[test]
fn sdpa_fully_masked_rows_are_zero() {
    let (b, s, d) = (1, 4, 4);
    let q = random(s * d, 4, 1.0);
    let k = random(s * d, 5, 1.0);
    let v = random(s * d, 6, 1.0);
    let mut mask = build_mask(MaskType::Causal, 1, 4, 4, None).unwrap();
    mask[2 * 4..3 * 4].fill(NEG); // query 2 sees nothing
    let sdpa = ScaledDotProduct::new(4, Some(0.1)).unwrap();
    assert_eq!(sdpa.dropout(), 0.1);
    let out = sdpa
        .forward(
            (&q, [b, s, d]),
            (&k, [b, s, d]),
            (&v, [b, s, d]),
            Some((&mask, [1, 4, 4])),
        )
        .unwrap();
    assert!(out.iter().all(|x| x.is_finite()));
    assert_eq!(&out[2 * d..3 * d], &[0.0; 4]);
    assert_close(
        &out,
        &naive_sdpa(&q, &k, &v, [b, s, s, d, d], Some(&mask)),
        1e-5,
        "causal sdpa",
    );
    // Causal: the first query only sees the first key.
    assert_close(&out[..d], &v[..d], 1e-6, "first row");
    let w = sdpa
        .attention_weights((&q, [b, s, d]), (&k, [b, s, d]), Some((&mask, [1, 4, 4])))
        .unwrap();
    assert_eq!(&w[8..12], &[0.0; 4]);
}

#[test]
fn sdpa_rejects_bad_shapes() {
    let sdpa = ScaledDotProduct::new(4, None).unwrap();
    let x = [0.5f32; 2 * 3 * 4];
    let ok = (&x[..], [2, 3, 4]);
    assert!(sdpa.forward(ok, ok, ok, None).is_ok());
    let wrong_dim = (&x[..], [2, 4, 3]);
    assert!(is_shape_err(sdpa.forward(wrong_dim, wrong_dim, ok, None)));
    assert!(is_shape_err(sdpa.forward(ok, wrong_dim, ok, None)));
    // data length does not match the shape
    assert!(is_shape_err(sdpa.forward(
        (&x[..5], [2, 3, 4]),
        ok,
        ok,
        None
    )));
    // zero-sized dimension
    assert!(is_shape_err(sdpa.forward(
        (&x[..0], [0, 3, 4]),
        ok,
        ok,
        None
    )));
    // batch mismatch
    let one = (&x[..12], [1, 3, 4]);
    assert!(is_shape_err(sdpa.forward(ok, one, ok, None)));
    assert!(is_shape_err(sdpa.forward(ok, ok, one, None)));
    // value length differs from key length
    let v_short = (&x[..16], [2, 2, 4]);
    assert!(is_shape_err(sdpa.forward(ok, ok, v_short, None)));
    // mask shape
    let m = vec![0.0f32; 2 * 3 * 2];
    assert!(is_shape_err(sdpa.forward(
        ok,
        ok,
        ok,
        Some((&m, [2, 3, 2]))
    )));
    assert!(is_shape_err(sdpa.attention_weights(
        ok,
        ok,
        Some((&m, [2, 3, 2]))
    )));
    // overflowing shape product
    assert!(is_shape_err(sdpa.forward(
        (&x[..], [usize::MAX, 2, 4]),
        ok,
        ok,
        None
    )));
    assert!(is_config_err(ScaledDotProduct::new(0, None)));
    assert!(is_config_err(ScaledDotProduct::new(4, Some(1.0))));
    assert!(is_config_err(ScaledDotProduct::new(4, Some(f32::NAN))));
}

// ---------------------------------------------------------------- flash

#[test]
fn flash_matches_sdpa_for_many_block_sizes() {
    let (b, sq, sk, d, dv) = (2, 37, 53, 16, 24);
    let q = random(b * sq * d, 10, 2.0);
    let k = random(b * sk * d, 11, 2.0);
    let v = random(b * sk * dv, 12, 1.0);
    let sdpa = ScaledDotProduct::new(d as u32, None).unwrap();
    let causal = build_mask(MaskType::Causal, b as u32, sq as u32, sk as u32, None).unwrap();
    let padding = build_mask(
        MaskType::Padding,
        b as u32,
        sq as u32,
        sk as u32,
        Some(&[0, 20]),
    )
    .unwrap();
    let masks: [Option<&[f32]>; 3] = [None, Some(&causal), Some(&padding)];
    for mask in masks {
        let mask_arg = mask.map(|m| (m, [b, sq, sk]));
        let expected = sdpa
            .forward(
                (&q, [b, sq, d]),
                (&k, [b, sk, d]),
                (&v, [b, sk, dv]),
                mask_arg,
            )
            .unwrap();
        for block in [1, 3, 7, 16, 32, 64, 100] {
            let flash = FlashAttention::new(d as u32, Some(block)).unwrap();
            let out = flash
                .forward(
                    (&q, [b, sq, d]),
                    (&k, [b, sk, d]),
                    (&v, [b, sk, dv]),
                    mask_arg,
                )
                .unwrap();
            assert_close(&out, &expected, 1e-5, &format!("flash block {block}"));
        }
    }
}

#[test]
fn flash_self_attention_with_causal_mask_and_large_scores() {
    // Large scores make the running maximum change from tile to tile.
    let (b, s, d) = (1, 70, 8);
    let q = random(s * d, 20, 6.0);
    let k = random(s * d, 21, 6.0);
    let v = random(s * d, 22, 1.0);
    let mask = build_mask(MaskType::Causal, 1, s as u32, s as u32, None).unwrap();
    let flash = FlashAttention::new(d as u32, None).unwrap();
    assert_eq!((flash.block_size(), flash.head_dim()), (64, 8));
    let out = flash
        .forward(
            (&q, [b, s, d]),
            (&k, [b, s, d]),
            (&v, [b, s, d]),
            Some((&mask, [1, s, s])),
        )
        .unwrap();
    assert_close(
        &out,
        &naive_sdpa(&q, &k, &v, [b, s, s, d, d], Some(&mask)),
        1e-5,
        "flash causal",
    );
}

#[test]
fn flash_rejects_bad_input() {
    assert!(is_config_err(FlashAttention::new(0, None)));
    assert!(is_config_err(FlashAttention::new(4, Some(0))));
    let flash = FlashAttention::new(4, Some(2)).unwrap();
    let x = vec![0.1f32; 12];
    assert!(is_shape_err(flash.forward(
        (&x, [1, 4, 3]),
        (&x, [1, 4, 3]),
        (&x, [1, 4, 3]),
        None
    )));
    assert!(is_shape_err(flash.forward(
        (&x, [1, 3, 4]),
        (&x, [1, 3, 4]),
        (&x, [1, 3, 4]),
        Some((&x, [1, 3, 4]))
    )));
    let all_masked = vec![NEG; 9];
    let out = flash
        .forward(
            (&x, [1, 3, 4]),
            (&x, [1, 3, 4]),
            (&x, [1, 3, 4]),
            Some((&all_masked, [1, 3, 3])),
        )
        .unwrap();
    assert_eq!(out, vec![0.0; 12]);
}

#[test]
fn flash_forward_into_writes_the_same_output_and_checks_its_length() {
    let (b, s, d) = (2, 9, 4);
    let (q, k, v) = (random(b * s * d, 30, 1.0), random(b * s * d, 31, 1.0), random(b * s * d, 32, 1.0));
    let flash = FlashAttention::new(d as u32, Some(4)).unwrap();
    let shape = [b, s, d];
    let expected = flash.forward((&q, shape), (&k, shape), (&v, shape), None).unwrap();
    // A dirty buffer: forward_into starts the accumulator from zero itself.
    let mut out = vec![f32::NAN; b * s * d];
    flash.forward_into((&q, shape), (&k, shape), (&v, shape), None, &mut out).unwrap();
    assert_eq!(out, expected);
    let mut short = vec![0.0; b * s * d - 1];
    assert!(is_shape_err(flash.forward_into((&q, shape), (&k, shape), (&v, shape), None, &mut short)));
}

// ---------------------------------------------------------------- multi-head

/// Naive multi-head attention in f64 from explicit parameters.
fn naive_mha(
    params: [&[f32]; 8],
    q: &[f32],
    k: &[f32],
    v: &[f32],
    dims: [usize; 5],
    mask: Option<&[f32]>,
) -> (Vec<f32>, Vec<f32>) {
    let [b, sq, sk, d, heads] = dims;
    let hd = d / heads;
    let project = |x: &[f32], rows: usize, w: &[f32], bias: &[f32]| -> Vec<f32> {
        let mut out = vec![0.0f32; rows * d];
        for r in 0..rows {
            for c in 0..d {
                let mut s = if bias.is_empty() { 0.0 } else { bias[c] as f64 };
                for t in 0..d {
                    s += x[r * d + t] as f64 * w[t * d + c] as f64;
                }
                out[r * d + c] = s as f32;
            }
        }
        out
    };
    let (qp, kp, vp) = (
        project(q, b * sq, params[0], params[4]),
        project(k, b * sk, params[1], params[5]),
        project(v, b * sk, params[2], params[6]),
    );
    let mut concat = vec![0.0f32; b * sq * d];
    let mut weights = vec![0.0f32; b * heads * sq * sk];
    let column_block = |x: &[f32], rows: usize, h: usize| -> Vec<f32> {
        (0..rows)
            .flat_map(|r| x[r * d + h * hd..r * d + (h + 1) * hd].to_vec())
            .collect()
    };
    for bi in 0..b {
        for h in 0..heads {
            let qh = column_block(&qp[bi * sq * d..(bi + 1) * sq * d], sq, h);
            let kh = column_block(&kp[bi * sk * d..(bi + 1) * sk * d], sk, h);
            let vh = column_block(&vp[bi * sk * d..(bi + 1) * sk * d], sk, h);
            let m = mask.map(|m| &m[bi * sq * sk..(bi + 1) * sq * sk]);
            let w = naive_weights(&qh, &kh, 1, sq, sk, hd, m);
            let o = apply_weights(&w, &vh, 1, sq, sk, hd);
            for (x, y) in weights[(bi * heads + h) * sq * sk..].iter_mut().zip(&w) {
                *x = *y as f32;
            }
            for r in 0..sq {
                concat[(bi * sq + r) * d + h * hd..(bi * sq + r) * d + (h + 1) * hd]
                    .copy_from_slice(&o[r * hd..(r + 1) * hd]);
            }
        }
    }
    (project(&concat, b * sq, params[3], params[7]), weights)
}

#[test]
fn multi_head_matches_naive_and_has_expected_shapes() {
    let config = AttentionConfig::new(4, 4).unwrap();
    let mha = MultiHeadAttention::new(&config, 7).unwrap();
    assert_eq!(
        (mha.num_heads(), mha.model_dim(), mha.head_dim()),
        (4, 16, 4)
    );
    let (b, sq, sk, d) = (2, 5, 6, 16);
    let q = random(b * sq * d, 30, 1.0);
    let k = random(b * sk * d, 31, 1.0);
    let v = random(b * sk * d, 32, 1.0);
    let mask = build_mask(MaskType::Padding, 2, 5, 6, Some(&[6, 2])).unwrap();
    let result = mha
        .forward(
            (&q, [b, sq, d]),
            (&k, [b, sk, d]),
            (&v, [b, sk, d]),
            Some((&mask, [b, sq, sk])),
        )
        .unwrap();
    assert_eq!(result.output.len(), b * sq * d);
    assert_eq!(result.weights.len(), b * 4 * sq * sk);
    let (expected_out, expected_w) =
        naive_mha(mha.parameters(), &q, &k, &v, [b, sq, sk, d, 4], Some(&mask));
    assert_close(&result.output, &expected_out, 1e-5, "mha output");
    assert_close(&result.weights, &expected_w, 1e-6, "mha weights");
    for row in result.weights.chunks(sk) {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
}

#[test]
fn multi_head_without_bias_and_with_custom_weights() {
    let mut config = AttentionConfig::new(2, 3).unwrap();
    config.set_use_bias(false).unwrap();
    let mut mha = MultiHeadAttention::new(&config, 1).unwrap();
    assert_eq!(mha.num_parameters(), 4 * 36);
    assert!(mha.parameters()[4..].iter().all(|b| b.is_empty()));
    // Identity projections: MHA reduces to per-head SDPA on the raw inputs.
    let mut eye = vec![0.0f32; 36];
    for i in 0..6 {
        eye[i * 7] = 1.0;
    }
    mha.set_weights(&eye, &eye, &eye, &eye).unwrap();
    let (b, s, d) = (1, 4, 6);
    let x = random(s * d, 40, 1.0);
    let out = mha
        .forward((&x, [b, s, d]), (&x, [b, s, d]), (&x, [b, s, d]), None)
        .unwrap();
    let sdpa = ScaledDotProduct::new(3, None).unwrap();
    for h in 0..2 {
        let xh: Vec<f32> = (0..s)
            .flat_map(|r| x[r * d + h * 3..r * d + h * 3 + 3].to_vec())
            .collect();
        let oh = sdpa
            .forward((&xh, [1, s, 3]), (&xh, [1, s, 3]), (&xh, [1, s, 3]), None)
            .unwrap();
        for r in 0..s {
            assert_close(
                &out.output[r * d + h * 3..r * d + h * 3 + 3],
                &oh[r * 3..r * 3 + 3],
                1e-6,
                "head",
            );
        }
    }
    // Wrong lengths are InvalidWeights and leave the layer unchanged.
    let err = mha.set_weights(&eye, &eye[..35], &eye, &eye).unwrap_err();
    assert_eq!(
        err,
        KernelError::InvalidWeights {
            expected: 36,
            actual: 35
        }
    );
    let again = mha
        .forward((&x, [b, s, d]), (&x, [b, s, d]), (&x, [b, s, d]), None)
        .unwrap();
    assert_eq!(again, out);
}

#[test]
fn multi_head_set_weights_zeroes_biases() {
    let config = AttentionConfig::new(2, 2).unwrap();
    let mut mha = MultiHeadAttention::new(&config, 3).unwrap();
    assert_eq!(mha.num_parameters(), 4 * 16 + 4 * 4);
    assert!(mha.parameters()[4..]
        .iter()
        .all(|b| b.len() == 4 && b.iter().any(|&x| x != 0.0)));
    let w = random(16, 50, 0.5);
    mha.set_weights(&w, &w, &w, &w).unwrap();
    assert!(mha.parameters()[4..]
        .iter()
        .all(|b| b.iter().all(|&x| x == 0.0)));
    assert_eq!(mha.num_parameters(), 4 * 16 + 4 * 4);
}

#[test]
fn multi_head_rejects_bad_shapes() {
    let config = AttentionConfig::new(2, 4).unwrap();
    let mha = MultiHeadAttention::new(&config, 0).unwrap();
    let x = [0.2f32; 3 * 8];
    let ok = (&x[..], [1, 3, 8]);
    assert!(mha.forward(ok, ok, ok, None).is_ok());
    let narrow = (&x[..], [1, 6, 4]);
    assert!(is_shape_err(mha.forward(narrow, narrow, narrow, None)));
    assert!(is_shape_err(mha.forward(ok, ok, narrow, None)));
    assert!(mha.forward(ok, ok, ok, Some((&x[..9], [1, 3, 3]))).is_ok());
    assert!(is_shape_err(mha.forward(
        ok,
        ok,
        ok,
        Some((&x[..6], [1, 3, 2]))
    )));
    assert!(is_shape_err(mha.forward((&x[..], [1, 3, 7]), ok, ok, None)));
}

#[test]
fn weights_rng_is_deterministic_and_matches_the_documented_formula() {
    let config = AttentionConfig::new(4, 4).unwrap();
    let a = MultiHeadAttention::new(&config, 7).unwrap();
    let b = MultiHeadAttention::new(&config, 7).unwrap();
    let c = MultiHeadAttention::new(&config, 8).unwrap();
    assert_eq!(a.parameters(), b.parameters());
    assert_ne!(a.parameters()[0], c.parameters()[0]);

    // Re-derive the first values from the spec's formula, written out here.
    let mut state: u64 = 7u64 ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let bound = (6.0f64 / 32.0).sqrt() as f32;
    let mut expected = Vec::new();
    for _ in 0..4 * 256 {
        let u = (next() >> 40) as f32 / 16_777_216.0;
        expected.push((2.0 * u - 1.0) * bound);
    }
    let bias_bound = (1.0 / 4.0f64) as f32;
    for _ in 0..4 * 16 {
        let u = (next() >> 40) as f32 / 16_777_216.0;
        expected.push((2.0 * u - 1.0) * bias_bound);
    }
    let actual: Vec<f32> = a
        .parameters()
        .iter()
        .flat_map(|p| p.iter().copied())
        .collect();
    assert_eq!(actual.len(), expected.len());
    for (x, y) in actual.iter().zip(&expected) {
        assert_eq!(x.to_bits(), y.to_bits());
    }
    assert!(actual[..1024].iter().all(|x| x.abs() <= bound));
}

#[test]
fn multi_head_config_limits() {
    // 4·D² + 4·D must fit in u32 for num_parameters.
    for config in [
        AttentionConfig::new(1, 40_000).unwrap(),
        AttentionConfig::new(1, u32::MAX).unwrap(),
    ] {
        assert!(is_config_err(MultiHeadAttention::new(&config, 0)));
        assert!(is_config_err(CrossAttention::new(&config, 0)));
    }
}

// ---------------------------------------------------------------- cross

#[test]
fn cross_attention_equals_multi_head_on_context() {
    let config = AttentionConfig::new(2, 4).unwrap();
    let cross = CrossAttention::new(&config, 11).unwrap();
    let mha = MultiHeadAttention::new(&config, 11).unwrap();
    assert_eq!(cross.num_parameters(), mha.num_parameters());
    assert_eq!((cross.num_heads(), cross.model_dim()), (2, 8));
    let (b, sq, sk, d) = (2, 3, 5, 8);
    let q = random(b * sq * d, 60, 1.0);
    let ctx = random(b * sk * d, 61, 1.0);
    let mask = build_mask(MaskType::Padding, 2, 3, 5, Some(&[5, 1])).unwrap();
    let m = Some((&mask[..], [b, sq, sk]));
    let out = cross
        .forward((&q, [b, sq, d]), (&ctx, [b, sk, d]), m)
        .unwrap();
    let expected = mha
        .forward((&q, [b, sq, d]), (&ctx, [b, sk, d]), (&ctx, [b, sk, d]), m)
        .unwrap();
    assert_eq!(out, expected.output);
    // errors
    assert!(is_shape_err(cross.forward(
        (&q, [b, sq, d]),
        (&ctx[..sk * d], [1, sk, d]),
        None
    )));
    assert!(is_shape_err(cross.forward(
        (&q, [b, sq, d]),
        (&ctx, [b, 2 * sk, 4]),
        None
    )));
    assert!(is_shape_err(cross.forward(
        (&q, [b, sq, d]),
        (&ctx, [b, sk, d]),
        Some((&mask[..30], [b, sq, sq]))
    )));
    let mut custom = cross.clone();
    assert!(matches!(
        custom.set_weights(&[0.0; 64], &[0.0; 64], &[0.0; 64], &[0.0; 63]),
        Err(KernelError::InvalidWeights { .. })
    ));
    custom
        .set_weights(&[0.0; 64], &[0.0; 64], &[0.0; 64], &[0.0; 64])
        .unwrap();
    let zero = custom
        .forward((&q, [b, sq, d]), (&ctx, [b, sk, d]), None)
        .unwrap();
    assert!(zero.iter().all(|&x| x == 0.0));
}

// ---------------------------------------------------------------- hyperbolic

fn hyperbolic(curvature: f32, manifold: ManifoldType) -> HyperbolicAttention {
    let mut config = HyperbolicConfig::new(curvature, 1).unwrap();
    config.set_manifold_type(manifold).unwrap();
    HyperbolicAttention::new(&config).unwrap()
}

#[test]
fn project_to_ball_clips_only_outside_points() {
    let h = hyperbolic(-4.0, ManifoldType::Poincare);
    assert_eq!(h.curvature(), -4.0);
    let points = [0.1f32, 0.2, 3.0, 4.0, 0.0, 0.0];
    let projected = h.project_to_ball((&points, [3, 2])).unwrap();
    assert_eq!(&projected[..2], &points[..2]);
    let norm = (projected[2] * projected[2] + projected[3] * projected[3]).sqrt();
    assert!((norm - (1.0 - 1e-5) / 2.0).abs() < 1e-6);
    assert!((projected[2] / projected[3] - 0.75).abs() < 1e-6);
    assert_eq!(&projected[4..], &[0.0, 0.0]);
    assert!(is_shape_err(h.project_to_ball((&points, [2, 2]))));
    assert!(is_shape_err(h.project_to_ball((&points[..0], [0, 2]))));
}

#[test]
fn poincare_distance_properties() {
    let h = hyperbolic(-1.5, ManifoldType::Poincare);
    let k = 1.5f64.sqrt();
    let a = random(5 * 3, 70, 0.45);
    let dist = h.distance_matrix((&a, [5, 3]), (&a, [5, 3])).unwrap();
    for i in 0..5 {
        assert!(
            dist[i * 5 + i].abs() < 1e-6,
            "d(x, x) = {}",
            dist[i * 5 + i]
        );
        for j in 0..5 {
            assert!((dist[i * 5 + j] - dist[j * 5 + i]).abs() < 1e-5);
        }
    }
    // Distance from the origin: (2/k) artanh(k ‖y‖).
    let origin = [0.0f32; 3];
    let d0 = h.distance_matrix((&origin, [1, 3]), (&a, [5, 3])).unwrap();
    for j in 0..5 {
        let y = &a[j * 3..j * 3 + 3];
        let norm = y.iter().map(|&v| (v as f64).powi(2)).sum::<f64>().sqrt();
        let expected = 2.0 / k * (k * norm).atanh();
        assert!((d0[j] as f64 - expected).abs() < 1e-5);
    }
    // Triangle inequality on a few triples.
    for (i, j, l) in [(0, 1, 2), (1, 3, 4), (2, 4, 0)] {
        assert!(dist[i * 5 + l] <= dist[i * 5 + j] + dist[j * 5 + l] + 1e-5);
    }
    assert!(is_shape_err(h.distance_matrix((&a, [5, 3]), (&a, [3, 5]))));
}

#[test]
fn lorentz_and_poincare_distances_agree() {
    for curvature in [-0.25f32, -1.0, -3.0] {
        let poincare = hyperbolic(curvature, ManifoldType::Poincare);
        let lorentz = hyperbolic(curvature, ManifoldType::Lorentz);
        assert_eq!(lorentz.manifold_type(), ManifoldType::Lorentz);
        let r = 0.95 / (-curvature).sqrt() / 3f32.sqrt();
        let a = random(6 * 3, 80, r);
        let mut b = random(4 * 3, 81, r);
        b.extend_from_slice(&[5.0, 5.0, 5.0]); // clipped to the boundary region
        let dp = poincare
            .distance_matrix((&a, [6, 3]), (&b, [5, 3]))
            .unwrap();
        let dl = lorentz.distance_matrix((&a, [6, 3]), (&b, [5, 3])).unwrap();
        for (x, y) in dp.iter().zip(&dl) {
            assert!(
                (x - y).abs() <= 1e-4 * (1.0 + x.abs()),
                "c={curvature}: {x} vs {y}"
            );
        }
        // Self-distances vanish in both models, including for the clipped
        // point at the boundary, where the hyperboloid coordinates are ~1e5/k.
        for h in [&poincare, &lorentz] {
            let self_d = h.distance_matrix((&b, [5, 3]), (&b, [5, 3])).unwrap();
            for i in 0..5 {
                assert!(
                    self_d[i * 5 + i].abs() < 1e-5,
                    "c={curvature}: d(x, x) = {}",
                    self_d[i * 5 + i]
                );
            }
        }
    }
}

#[test]
fn hyperbolic_forward_matches_naive_and_manifolds_agree() {
    let (b, sq, sk, d, dv) = (2, 3, 4, 5, 2);
    let q = random(b * sq * d, 90, 0.4);
    let k = random(b * sk * d, 91, 0.4);
    let v = random(b * sk * dv, 92, 1.0);
    let h = hyperbolic(-1.0, ManifoldType::Poincare);
    let out = h
        .forward((&q, [b, sq, d]), (&k, [b, sk, d]), (&v, [b, sk, dv]))
        .unwrap();
    let mut expected = vec![0.0f32; b * sq * dv];
    for bi in 0..b {
        let dist = h
            .distance_matrix(
                (&q[bi * sq * d..(bi + 1) * sq * d], [sq, d]),
                (&k[bi * sk * d..(bi + 1) * sk * d], [sk, d]),
            )
            .unwrap();
        for i in 0..sq {
            let scores: Vec<f64> = dist[i * sk..(i + 1) * sk]
                .iter()
                .map(|&x| -(x as f64))
                .collect();
            let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = scores.iter().map(|s| (s - max).exp()).sum();
            for c in 0..dv {
                let mut acc = 0.0f64;
                for j in 0..sk {
                    acc += (scores[j] - max).exp() / sum * v[(bi * sk + j) * dv + c] as f64;
                }
                expected[(bi * sq + i) * dv + c] = acc as f32;
            }
        }
    }
    assert_close(&out, &expected, 1e-5, "hyperbolic");
    let lorentz = hyperbolic(-1.0, ManifoldType::Lorentz);
    let out_l = lorentz
        .forward((&q, [b, sq, d]), (&k, [b, sk, d]), (&v, [b, sk, dv]))
        .unwrap();
    assert_close(&out_l, &out, 1e-5, "lorentz forward");
    assert!(is_shape_err(h.forward(
        (&q, [b, sq, d]),
        (&k, [b, sk, d]),
        (&v[..6], [b, 1, 3])
    )));
    assert!(is_shape_err(h.forward(
        (&q, [b, sq, d]),
        (&k[..20], [1, sk, d]),
        (&v, [b, sk, dv])
    )));
    assert!(is_shape_err(h.forward(
        (&q, [b, d, sq]),
        (&k, [b, sk, d]),
        (&v, [b, sk, dv])
    )));
}

// ---------------------------------------------------------------- linear

#[test]
fn linear_attention_matches_quadratic_formula() {
    let (b, sq, sk, d, dv) = (2, 4, 6, 3, 5);
    let q = random(b * sq * d, 100, 2.0);
    let k = random(b * sk * d, 101, 2.0);
    let v = random(b * sk * dv, 102, 1.0);
    let lin = LinearAttention::new(d as u32, None).unwrap();
    assert_eq!(lin.dim(), 3);
    let out = lin
        .forward((&q, [b, sq, d]), (&k, [b, sk, d]), (&v, [b, sk, dv]))
        .unwrap();
    let phi = |x: f32| -> f64 {
        if x > 0.0 {
            x as f64 + 1.0
        } else {
            (x as f64).exp()
        }
    };
    let mut expected = vec![0.0f32; b * sq * dv];
    for bi in 0..b {
        for i in 0..sq {
            // Quadratic form: A_ij = φ(q_i)·φ(k_j), out_i = Σ_j A_ij v_j / Σ_j A_ij.
            let a: Vec<f64> = (0..sk)
                .map(|j| {
                    (0..d)
                        .map(|t| phi(q[(bi * sq + i) * d + t]) * phi(k[(bi * sk + j) * d + t]))
                        .sum()
                })
                .collect();
            let total: f64 = a.iter().sum();
            for c in 0..dv {
                let num: f64 = (0..sk)
                    .map(|j| a[j] * v[(bi * sk + j) * dv + c] as f64)
                    .sum();
                expected[(bi * sq + i) * dv + c] = (num / total) as f32;
            }
        }
    }
    assert_close(&out, &expected, 1e-5, "linear");
}

#[test]
fn linear_feature_map_and_errors() {
    let lin = LinearAttention::new(2, None).unwrap();
    let mapped = lin.feature_map(&[-1.0, 0.0, 2.5]).unwrap();
    assert_close(&mapped, &[(-1.0f32).exp(), 1.0, 3.5], 1e-7, "phi");
    assert!(mapped.iter().all(|&x| x > 0.0));
    assert!(is_shape_err(lin.feature_map(&[])));
    assert!(is_config_err(LinearAttention::new(0, None)));
    let x = vec![0.3f32; 12];
    assert!(is_shape_err(lin.forward(
        (&x, [1, 4, 3]),
        (&x, [1, 4, 3]),
        (&x, [1, 4, 3])
    )));
    assert!(is_shape_err(lin.forward(
        (&x, [1, 6, 2]),
        (&x, [2, 3, 2]),
        (&x, [2, 3, 2])
    )));
    assert!(is_shape_err(lin.forward(
        (&x, [1, 6, 2]),
        (&x, [1, 6, 2]),
        (&x, [1, 4, 3])
    )));
    // Extremely negative keys underflow φ to 0: zero output, never NaN.
    let neg = vec![-1000.0f32; 4];
    let out = lin
        .forward((&neg, [1, 2, 2]), (&neg, [1, 2, 2]), (&x[..4], [1, 2, 2]))
        .unwrap();
    assert_eq!(out, vec![0.0; 4]);
}

// ---------------------------------------------------------------- misc

#[test]
fn bench_inputs_are_deterministic_and_bounded() {
    let a = bench_inputs(1000);
    assert_eq!(a, bench_inputs(1000));
    assert!(a.iter().all(|x| (-0.5..0.5).contains(x)));
    assert_eq!(a[0], -0.5);
    assert_eq!(a[1], ((2_654_435_761u32 >> 8) as f32) / 16_777_216.0 - 0.5);
    assert!(bench_inputs(0).is_empty());
}

#[test]
fn errors_display() {
    let e = KernelError::InvalidWeights {
        expected: 4,
        actual: 3,
    };
    assert_eq!(e.to_string(), "invalid weights: expected 4 values, got 3");
    let e: Box<dyn std::error::Error> = Box::new(KernelError::ShapeMismatch { reason: "x".into() });
    assert_eq!(e.to_string(), "shape mismatch: x");
    assert!(KernelError::InvalidConfig {
        field: "dim".into(),
        reason: "r".into()
    }
    .to_string()
    .contains("dim"));
}

#[test]
fn linear_with_a_feature_dimension_projects_first() {
    // φ(x P) with P = dim × feature_dim from the seed-0 stream; dim and feature_dim differ.
    let (d, f) = (3usize, 5usize);
    let lin = LinearAttention::new(d as u32, Some(f as u32)).unwrap();
    assert_eq!((lin.dim(), lin.feature_dim()), (3, 5));
    let mut p = vec![0.0f32; d * f];
    crate::rng::SplitMix64::new(0).fill_symmetric(&mut p, crate::rng::xavier_bound(d, f));
    let x = [0.5f32, -1.0, 2.0, 0.0, 1.5, -0.5];
    let mapped = lin.feature_map(&x).unwrap();
    assert_eq!(mapped.len(), 2 * f);
    for row in 0..2 {
        for col in 0..f {
            let projected: f32 = (0..d).map(|i| x[row * d + i] * p[i * f + col]).sum();
            let expected = if projected > 0.0 { projected + 1.0 } else { projected.exp() };
            assert!((mapped[row * f + col] - expected).abs() < 1e-6);
        }
    }
    assert!(is_shape_err(lin.feature_map(&x[..4])));
    assert!(is_config_err(LinearAttention::new(3, Some(0))));
    // Forward: the same as the explicit kernel matrix of the projected features.
    let q = [0.1f32, 0.2, 0.3, -0.4, 0.5, 0.6];
    let v = [1.0f32, 2.0, 3.0, 4.0];
    let out = lin.forward((&q, [1, 2, 3]), (&q, [1, 2, 3]), (&v, [1, 2, 2])).unwrap();
    let phi = lin.feature_map(&q).unwrap();
    for i in 0..2 {
        let scores: Vec<f32> = (0..2).map(|j| (0..f).map(|c| phi[i * f + c] * phi[j * f + c]).sum()).collect();
        let total: f32 = scores.iter().sum();
        for c in 0..2 {
            let expected = (scores[0] * v[c] + scores[1] * v[2 + c]) / total;
            assert!((out[i * 2 + c] - expected).abs() < 1e-5, "{i} {c}");
        }
    }
}

#[cfg(feature = "parallel")]
#[test]
fn multi_head_on_threads_is_the_serial_result_to_the_bit() {
    // Large enough for the projections to split (rows · D² >= 2²¹) and 3 batch entries with a mask.
    let config = AttentionConfig::new(16, 4).unwrap(); // model_dim 64
    let mha = MultiHeadAttention::new(&config, 11).unwrap();
    let (b, sq, sk, d) = (3, 200, 130, 64);
    let q = random(b * sq * d, 40, 1.0);
    let k = random(b * sk * d, 41, 1.0);
    let v = random(b * sk * d, 42, 1.0);
    let lengths: Vec<u32> = vec![130, 7, 64];
    let mask = build_mask(MaskType::Padding, b as u32, sq as u32, sk as u32, Some(&lengths)).unwrap();
    let run = || {
        mha.forward((&q, [b, sq, d]), (&k, [b, sk, d]), (&v, [b, sk, d]), Some((&mask, [b, sq, sk]))).unwrap()
    };
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(run);
    let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap().install(run);
    assert_eq!(one, three);
}
