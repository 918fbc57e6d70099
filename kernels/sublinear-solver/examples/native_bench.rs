//! Native benchmark runner: times the kernel on systems stored as raw
//! little-endian files and prints one line of JSON.
//!
//! ```text
//! cargo run --release --example native_bench -- dense  <dir> <n> <reps>
//! cargo run --release --example native_bench -- sparse <dir> <n> <reps>
//! cargo run --release --example native_bench -- matvec <dir> <n> <reps>
//! cargo run --release --example native_bench -- residual <dir> <n> <reps>
//! ```
//!
//! * `dense`: `<dir>/matrix.f64` (n × n, row-major) and `<dir>/b.f64` (n);
//!   conjugate gradient, tolerance 1e-10, at most 10 000 iterations.
//! * `sparse`: `<dir>/values.f64`, `<dir>/col_indices.u32`,
//!   `<dir>/row_ptr.u32` (CSR) and `<dir>/b.f64`; same solver settings.
//! * `matvec`: one dense product `A b` per repetition.
//! * `residual`: one `residual_norm(A, b, b)` per repetition — the same
//!   n × n pass as `matvec`, through the function the npm package exports
//!   (`residualNorm`), so the wasm side can be timed on exactly this work.
//!
//! Every mode runs once untimed (warm-up), then `reps` timed times. Only the
//! kernel call is timed; it borrows the matrix and writes the solution into a
//! buffer of the caller (`solve_into`), as the package's resident arrays and
//! `{ out }` let it do in WebAssembly: the same work on both sides.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sublinear_solver_kernel::{dense_matvec, residual_norm, CsrMatrix, Matrix, Method, Solver, SolverConfig};

type BenchResult<T> = Result<T, Box<dyn Error>>;

struct Args {
    kind: String,
    dir: PathBuf,
    n: usize,
    reps: u32,
}

fn main() {
    match run() {
        Ok(line) => println!("{line}"),
        Err(error) => {
            eprintln!("native_bench: {error}");
            std::process::exit(1);
        }
    }
}

fn run() -> BenchResult<String> {
    let args = parse_args()?;
    match args.kind.as_str() {
        "dense" => bench_dense(&args),
        "sparse" => bench_sparse(&args),
        "matvec" => bench_matvec(&args),
        "residual" => bench_residual(&args),
        other => Err(format!("unknown kind {other:?}: expected dense, sparse, matvec or residual").into()),
    }
}

fn parse_args() -> BenchResult<Args> {
    let usage = "usage: native_bench <dense|sparse|matvec|residual> <dir> <n> <reps>";
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let [kind, dir, n, reps] = argv.as_slice() else {
        return Err(usage.into());
    };
    let reps: u32 = reps.parse().map_err(|e| format!("reps: {e}\n{usage}"))?;
    if reps == 0 {
        return Err("reps must be at least 1".into());
    }
    Ok(Args {
        kind: kind.clone(),
        dir: PathBuf::from(dir),
        n: n.parse().map_err(|e| format!("n: {e}\n{usage}"))?,
        reps,
    })
}

fn solver() -> BenchResult<Solver> {
    Ok(Solver::new(SolverConfig {
        max_iterations: 10_000,
        tolerance: 1e-10,
        stream_chunk_size: 1,
        simd_enabled: true,
        method: Method::ConjugateGradient,
        memory_limit: None,
    })?)
}

fn bench_dense(args: &Args) -> BenchResult<String> {
    let data = read_f64(&args.dir.join("matrix.f64"), args.n * args.n)?;
    let matrix = Matrix { data: &data, rows: dim(args.n)?, cols: dim(args.n)? };
    let b = read_f64(&args.dir.join("b.f64"), args.n)?;
    let mut solver = solver()?;
    let mut out = vec![0.0; args.n];
    let elapsed = time_reps(args.reps, || {
        let start = Instant::now();
        solver.solve_into(matrix, &b, &mut out)?;
        Ok(start.elapsed())
    })?;
    Ok(solve_line("dense", args, elapsed, solver.last_iterations()))
}

fn bench_sparse(args: &Args) -> BenchResult<String> {
    let row_ptr = read_u32(&args.dir.join("row_ptr.u32"), args.n + 1)?;
    let nnz = row_ptr.last().copied().unwrap_or(0) as usize;
    let values = read_f64(&args.dir.join("values.f64"), nnz)?;
    let col_indices = read_u32(&args.dir.join("col_indices.u32"), nnz)?;
    let matrix = CsrMatrix {
        values: &values,
        col_indices: &col_indices,
        row_ptr: &row_ptr,
        rows: dim(args.n)?,
        cols: dim(args.n)?,
    };
    let b = read_f64(&args.dir.join("b.f64"), args.n)?;
    let mut solver = solver()?;
    let mut out = vec![0.0; args.n];
    let elapsed = time_reps(args.reps, || {
        let start = Instant::now();
        solver.solve_sparse_into(matrix, &b, &mut out)?;
        Ok(start.elapsed())
    })?;
    Ok(solve_line("sparse", args, elapsed, solver.last_iterations()))
}

fn bench_matvec(args: &Args) -> BenchResult<String> {
    let matrix = read_f64(&args.dir.join("matrix.f64"), args.n * args.n)?;
    let x = read_f64(&args.dir.join("b.f64"), args.n)?;
    let mut out = vec![0.0; args.n];
    let elapsed = time_reps(args.reps, || {
        let start = Instant::now();
        dense_matvec(&matrix, args.n, &x, &mut out)?;
        Ok(start.elapsed())
    })?;
    // Keep the product observable so the optimiser cannot drop it.
    std::hint::black_box(&out);
    Ok(format!(
        r#"{{"kind":"matvec","n":{},"reps":{},"ms_per_op":{}}}"#,
        args.n,
        args.reps,
        ms_per_rep(elapsed, args.reps)
    ))
}

fn bench_residual(args: &Args) -> BenchResult<String> {
    let matrix = read_f64(&args.dir.join("matrix.f64"), args.n * args.n)?;
    let b = read_f64(&args.dir.join("b.f64"), args.n)?;
    let n = dim(args.n)?;
    let mut norm = 0.0;
    let elapsed = time_reps(args.reps, || {
        let start = Instant::now();
        norm = residual_norm(&matrix, n, n, &b, &b)?;
        Ok(start.elapsed())
    })?;
    Ok(format!(
        r#"{{"kind":"residual","n":{},"reps":{},"ms_per_op":{},"norm":{norm}}}"#,
        args.n,
        args.reps,
        ms_per_rep(elapsed, args.reps)
    ))
}

/// One untimed warm-up call, then the sum of `reps` timed calls.
fn time_reps(reps: u32, mut run: impl FnMut() -> BenchResult<Duration>) -> BenchResult<Duration> {
    run()?;
    let mut total = Duration::ZERO;
    for _ in 0..reps {
        total += run()?;
    }
    Ok(total)
}

fn solve_line(kind: &str, args: &Args, elapsed: Duration, iterations: u32) -> String {
    format!(
        r#"{{"kind":"{kind}","n":{},"reps":{},"ms_per_solve":{},"iterations":{iterations}}}"#,
        args.n,
        args.reps,
        ms_per_rep(elapsed, args.reps)
    )
}

fn ms_per_rep(total: Duration, reps: u32) -> f64 {
    total.as_secs_f64() * 1000.0 / f64::from(reps)
}

fn dim(n: usize) -> BenchResult<u32> {
    Ok(u32::try_from(n).map_err(|_| format!("n = {n} does not fit in u32"))?)
}

fn read_bytes(path: &Path, width: usize, count: usize) -> BenchResult<Vec<u8>> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() % width != 0 {
        return Err(format!("{}: {} bytes is not a multiple of {width}", path.display(), bytes.len()).into());
    }
    if bytes.len() != count * width {
        return Err(format!("{}: expected {count} values, found {}", path.display(), bytes.len() / width).into());
    }
    Ok(bytes)
}

fn read_f64(path: &Path, count: usize) -> BenchResult<Vec<f64>> {
    let bytes = read_bytes(path, 8, count)?;
    Ok(bytes.as_chunks::<8>().0.iter().map(|b| f64::from_le_bytes(*b)).collect())
}

fn read_u32(path: &Path, count: usize) -> BenchResult<Vec<u32>> {
    let bytes = read_bytes(path, 4, count)?;
    Ok(bytes.as_chunks::<4>().0.iter().map(|b| u32::from_le_bytes(*b)).collect())
}
