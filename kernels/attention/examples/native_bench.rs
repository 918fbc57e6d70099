//! Native timing of one mechanism, for comparison with the wasm build.
//!
//! ```text
//! cargo run --release --example native_bench -- <mechanism> <batch> <seq> <model_dim> <heads> <reps>
//! ```
//!
//! `mechanism` is `multihead` (MultiHeadAttention with `heads` heads, weights
//! from seed 0, no mask) or `flash` (FlashAttention with head_dim = model_dim,
//! block 64, no mask; `heads` is only echoed). Query, key and value are the
//! consecutive thirds of `bench_inputs(3 · batch · seq · model_dim)`, all
//! `[batch, seq, model_dim]`. One warm-up call, then `reps` timed calls.
//! Prints one JSON line with the mean milliseconds per call and the first
//! output element (bench/attention.py checks the wasm side computed the same).

use std::process::ExitCode;
use std::time::Instant;

use attention_kernel::{bench_inputs, AttentionConfig, FlashAttention, MultiHeadAttention};

/// Seed of the multi-head weights (the wasm benchmark uses the same).
const SEED: u32 = 0;
/// Flash tile size.
const BLOCK: u32 = 64;

fn parse(args: &[String], index: usize, name: &str) -> Result<usize, String> {
    let raw = args.get(index).ok_or_else(|| format!("missing <{name}>"))?;
    raw.parse()
        .map_err(|_| format!("<{name}> must be a non-negative integer, got {raw:?}"))
}

fn run(args: &[String]) -> Result<String, String> {
    let mechanism = args.first().ok_or("missing <mechanism>")?.as_str();
    let batch = parse(args, 1, "batch")?;
    let seq = parse(args, 2, "seq")?;
    let model_dim = parse(args, 3, "model_dim")?;
    let heads = parse(args, 4, "heads")?;
    let reps = parse(args, 5, "reps")?.max(1);

    let len = batch * seq * model_dim;
    let inputs = bench_inputs(3 * len);
    if inputs.len() != 3 * len {
        return Err("inputs too large to allocate".into());
    }
    let shape = [batch, seq, model_dim];
    let (q, rest) = inputs.split_at(len);
    let (k, v) = rest.split_at(len);
    let to_u32 = |x: usize, name: &str| u32::try_from(x).map_err(|_| format!("<{name}> too large"));

    let mut forward: Box<dyn FnMut() -> Result<f32, String>> = match mechanism {
        "multihead" => {
            let heads32 = to_u32(heads, "heads")?;
            if heads == 0 || model_dim % heads != 0 {
                return Err(format!(
                    "model_dim {model_dim} must be a positive multiple of heads {heads}"
                ));
            }
            let config = AttentionConfig::new(heads32, to_u32(model_dim / heads, "model_dim")?)
                .map_err(|e| e.to_string())?;
            let mha = MultiHeadAttention::new(&config, SEED).map_err(|e| e.to_string())?;
            Box::new(move || {
                let out = mha
                    .forward((q, shape), (k, shape), (v, shape), None)
                    .map_err(|e| e.to_string())?;
                Ok(out.output[0])
            })
        }
        "flash" => {
            let flash = FlashAttention::new(to_u32(model_dim, "model_dim")?, Some(BLOCK))
                .map_err(|e| e.to_string())?;
            Box::new(move || {
                let out = flash
                    .forward((q, shape), (k, shape), (v, shape), None)
                    .map_err(|e| e.to_string())?;
                Ok(out[0])
            })
        }
        other => {
            return Err(format!(
                "unknown mechanism {other:?} (expected multihead or flash)"
            ))
        }
    };

    let mut sink = forward()?; // warm-up
    let start = Instant::now();
    for _ in 0..reps {
        sink += forward()?;
    }
    let ms_per_call = start.elapsed().as_secs_f64() * 1e3 / reps as f64;
    // Printed, so the calls cannot be optimised away and the wasm side can
    // check it computed the same thing (the first output element).
    let first_output = sink / (reps + 1) as f32;
    Ok(format!(
        "{{\"mechanism\":\"{mechanism}\",\"batch\":{batch},\"seq\":{seq},\"model_dim\":{model_dim},\"heads\":{heads},\"reps\":{reps},\"ms_per_call\":{ms_per_call:.4},\"first_output\":{first_output}}}"
    ))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("native_bench: {message}");
            eprintln!(
                "usage: native_bench <multihead|flash> <batch> <seq> <model_dim> <heads> <reps>"
            );
            ExitCode::from(2)
        }
    }
}
