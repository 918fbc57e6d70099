// Runs the seed's §6 measurement snippets once, with small sizes, against the installed package;
// throws if a result is wrong.
import { initSolver, residualNorm } from 'sublinear-time-solver';
import { WasmNativeBenchmark } from './wasm-vs-native.js';
import { JavaScriptOverheadBenchmark } from './js-overhead.js';
import { MemoryProfiler } from './memory-profiler.js';
import { StreamingLatencyBenchmark } from './streaming-benchmark.js';

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`check failed: ${message}`);
}
const ms = (t: number) => `${t.toFixed(3)} ms`;
const norm = (v: Float64Array) => Math.hypot(...v);

// §6.1 bench/wasm-vs-native.ts
{
  const bench = new WasmNativeBenchmark();
  const sizes = [100, 200, 400];
  const results = await bench.runComparison(sizes);
  check(results.wasm.map(r => r.size).join() === sizes.join(), '§6.1 one WASM time per size');
  check(results.wasm.every(r => Number.isFinite(r.time) && r.time > 0), '§6.1 WASM times measured');
  check(results.native.every(r => Number.isNaN(r.time)) && results.overhead.every(r => Number.isNaN(r.overhead)),
    '§6.1 Native and Overhead are NaN (nothing to measure)');
  // What was timed is a correct solve: the same kind of system, solved and checked here.
  let worst = 0;
  const solver = await initSolver();
  for (const n of sizes) {
    const matrix = bench.generateMatrix(n, n), vector = bench.generateVector(n);
    const x = solver.solve(matrix, vector);
    worst = Math.max(worst, residualNorm(matrix.data, n, n, x, vector) / norm(vector));
  }
  solver.dispose();
  check(worst <= 1e-9, `§6.1 relative residual ${worst} <= 1e-9`);
  console.log(`§6.1 ok: WASM solve timed at n = ${sizes.join(', ')} ` +
    `(${results.wasm.map(r => ms(r.time)).join(', ')}), relative residual <= ${worst.toExponential(1)}; ` +
    'Native and Overhead not measured (NaN): no native addon exists for an npm package');
}

// §6.2 bench/js-overhead.ts
{
  const bench = new JavaScriptOverheadBenchmark();
  const {results, summary} = await bench.measureDataTransferOverhead();
  check(results.map(r => r.size).join() === '100,1000,10000,100000', '§6.2 one row per size');
  check(results.every(r => [r.directTime, r.wrapperTime, r.copyTime].every(t => Number.isFinite(t) && t >= 0)),
    '§6.2 times measured');
  check(Number.isFinite(summary.meanWrapperOverhead) && Number.isFinite(summary.meanCopyOverhead),
    '§6.2 summary computed');
  // The two timed paths compute the same value, |data[0] − Σ data[i]²|.
  const data = Float64Array.from({length: 1000}, () => Math.random());
  const expected = Math.abs(data[0] - data.reduce((s, v) => s + v * v, 0));
  const wrapped = bench.solver.computeWithWrapper(data);
  const resident = (await import('sublinear-time-solver')).allocFloat64Array(data.length);
  resident.set(data);
  const direct = bench.wasmModule.direct_computation(resident, data.length);
  resident.free();
  check(direct === wrapped && Math.abs(direct - expected) <= 1e-12 * expected,
    `§6.2 direct ${direct} = wrapper ${wrapped} = ${expected}`);
  console.log(`§6.2 ok: ${results.length} sizes; at n = 100000 direct (resident) ${ms(results[3].directTime)}, ` +
    `wrapper (copies in) ${ms(results[3].wrapperTime)}, JS copy ${ms(results[3].copyTime)}; ` +
    `both paths compute |data[0] − Σ data[i]²| exactly alike`);
}

// §6.3 bench/memory-profiler.ts
{
  const n = 300;
  const matrix = new WasmNativeBenchmark().generateMatrix(n, n);
  const vector = Float64Array.from({length: n}, () => Math.random());
  const profile = await new MemoryProfiler().profileSolverMemory(matrix, vector);
  for (const s of profile.snapshots)
    console.log(`  ${s.label}: wasm memory ${s.wasmMemory} B, JS heap ${s.jsHeap} B`);
  const labels = ['initialization', 'solver_created', 'matrix_transferred', 'vector_transferred',
    'solution_complete', 'cleanup_complete'];
  check(profile.snapshots.map(s => s.label).join() === labels.join(), '§6.3 six snapshots in order');
  check(profile.snapshots.every(s => s.wasmMemory > 0 && s.jsHeap > 0 && s.totalMemory > 0),
    '§6.3 every snapshot measured');
  check(profile.snapshots.every((s, i) => i === 0 || s.wasmMemory >= profile.snapshots[i - 1].wasmMemory),
    '§6.3 wasm memory never shrinks');
  check(profile.peakUsage === Math.max(...profile.snapshots.map(s => s.totalMemory)), '§6.3 peak');
  check(profile.potentialLeaks.length === 0, `§6.3 no leak: ${profile.potentialLeaks.join('; ')}`);
  console.log(`§6.3 ok: ${profile.snapshots.length} snapshots of a ${n}×${n} solve, ` +
    `wasm memory grew ${profile.memoryGrowth.wasmMemory} B, JS heap peak ${profile.peakUsage} B, ` +
    `wasm heap back to its start after cleanup (no potential leaks); ` +
    `${profile.recommendations.length} recommendation(s)`);
}

// §6.4 bench/streaming-benchmark.ts
{
  const n = 300;
  const metrics = await new StreamingLatencyBenchmark().measureStreamingPerformance(n);
  const steps = metrics.bufferUtilization.length;
  check(steps >= 2, `§6.4 ${steps} steps (at least 2, for a latency between steps)`);
  check(metrics.firstYield > 0 && Number.isFinite(metrics.averageLatency) && metrics.averageLatency > 0 &&
    metrics.throughput > 0, '§6.4 latencies measured');
  check(metrics.bufferUtilization.every(u => u === 0) && metrics.backpressureEvents === 0,
    '§6.4 pull-based stream: nothing buffered');
  console.log(`§6.4 ok: ${n}×${n} streamed to convergence in ${steps} steps (one per CG iteration): ` +
    `first step after ${ms(metrics.firstYield)}, ${ms(metrics.averageLatency)} between steps, ` +
    `${metrics.throughput.toFixed(0)} steps/s; buffer utilization and backpressure not measured ` +
    '(solveStream is pull-based: nothing is buffered, so 0 by construction)');
}
