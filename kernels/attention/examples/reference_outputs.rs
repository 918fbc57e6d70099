//! Every mechanism's output on fixed inputs, computed natively, as JSON: the
//! integration tests check that every target of the wasm package returns the
//! same numbers (tests/integration/test_attention.py builds identical inputs
//! in JavaScript from the same formula, `bench_inputs`).
//!
//!     cargo run --release --example reference_outputs

use attention_kernel::{
    bench_inputs, build_mask, AttentionConfig, CrossAttention, FlashAttention, HyperbolicAttention,
    HyperbolicConfig, KernelError, LinearAttention, MaskType, MultiHeadAttention, ScaledDotProduct,
};

const BATCH: usize = 2;
const SEQ_Q: usize = 5;
const SEQ_K: usize = 7;
const DIM: usize = 8;

fn main() -> Result<(), KernelError> {
    let q = bench_inputs(BATCH * SEQ_Q * DIM);
    let kv: Vec<f32> = bench_inputs(BATCH * SEQ_K * DIM * 2);
    let (k, v) = kv.split_at(BATCH * SEQ_K * DIM);
    let query = (q.as_slice(), [BATCH, SEQ_Q, DIM]);
    let key = (k, [BATCH, SEQ_K, DIM]);
    let value = (v, [BATCH, SEQ_K, DIM]);
    let mask = build_mask(MaskType::Causal, BATCH as u32, SEQ_Q as u32, SEQ_K as u32, None)?;
    let masked = Some((mask.as_slice(), [BATCH, SEQ_Q, SEQ_K]));

    let sdpa = ScaledDotProduct::new(DIM as u32, None)?;
    let config = AttentionConfig::new(2, (DIM / 2) as u32)?;
    let multi = MultiHeadAttention::new(&config, 7)?.forward(query, key, value, masked)?;
    let hyperbolic = HyperbolicAttention::new(&HyperbolicConfig::new(-1.0, 1)?)?;
    let small: Vec<f32> = q.iter().map(|x| x * 0.3).collect();
    let points = (small.as_slice(), [BATCH * SEQ_Q, DIM]);

    let outputs = [
        ("scaledDotProduct", sdpa.forward(query, key, value, masked)?),
        ("attentionWeights", sdpa.attention_weights(query, key, masked)?),
        ("multiHeadOutput", multi.output),
        ("multiHeadWeights", multi.weights),
        ("cross", CrossAttention::new(&config, 11)?.forward(query, key, masked)?),
        ("hyperbolic", hyperbolic.forward((small.as_slice(), [BATCH, SEQ_Q, DIM]), key, value)?),
        ("distanceMatrix", hyperbolic.distance_matrix(points, points)?),
        ("projectToBall", hyperbolic.project_to_ball((q.as_slice(), [BATCH * SEQ_Q, DIM]))?),
        ("linear", LinearAttention::new(DIM as u32, None)?.forward(query, key, value)?),
        ("featureMap", LinearAttention::new(DIM as u32, None)?.feature_map(&q)?),
        ("flash", FlashAttention::new(DIM as u32, Some(3))?.forward(query, key, value, masked)?),
    ];
    let entries: Vec<String> = outputs
        .iter()
        .map(|(name, values)| {
            let numbers: Vec<String> = values.iter().map(|x| json_number(*x)).collect();
            format!("\"{name}\":[{}]", numbers.join(","))
        })
        .collect();
    println!("{{{}}}", entries.join(","));
    Ok(())
}

fn json_number(x: f32) -> String {
    if x.is_finite() {
        // f32 → f64 is exact; printing the f64 round-trips through JSON.
        format!("{}", f64::from(x))
    } else {
        "null".to_string()
    }
}
