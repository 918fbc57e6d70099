"""The @ruvector/attention-wasm package (issue 4): every mechanism against an
independent NumPy reference (max abs error <= 1e-4), the same numbers as the
native build on every target, the config classes, enums, tensors, async and
batch APIs, and the hand-written TypeScript helpers."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO
from tests.integration.conftest import Built, npm_project, run_node
from tests.integration.test_consumers import TSC, compile_and_run, tsc, tsc_files
from tests.reference import attention_numpy as ref
from wasmforge.settings import npm_tools_dir
from wasmforge.toolchain.node import NodeRuntime
from wasmforge.toolchain.tools import chromium_path

KERNEL = REPO / "kernels" / "attention"
PACKAGE = "@ruvector/attention-wasm"
F32_TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def project(node: NodeRuntime, attention: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return npm_project(node, tmp_path_factory.mktemp("attention-consumer"), attention.pkg,
                       {"name": "consumer", "private": True, "type": "module"})


def run_json(node: NodeRuntime, project: Path, script: str) -> dict:
    return json.loads(run_node(node, project, script))


def test_package_verifies_and_fits_the_size_budget(attention: Built) -> None:
    assert attention.report["verification"]["ok"]
    # The build enforces the seed's budget ([build.size_budget] module = 500 KB by default).
    modules = [row for row in attention.report["sizes"] if row["kind"] == "module"]
    # The baseline, SIMD and threaded modules.
    assert len(modules) == 3 and all(row["raw"] <= 500_000 for row in modules), modules


# --- numerics against NumPy --------------------------------------------------------------

NUMERICS = """
import * as A from '@ruvector/attention-wasm';
import { readFileSync } from 'node:fs';
const input = JSON.parse(readFileSync('inputs.json', 'utf8'));
const t = (name) => ({ data: Float32Array.from(input[name].data, (x) => x ?? -Infinity), shape: input[name].shape });
const list = (a) => Array.from(a, (x) => (Number.isFinite(x) ? x : null));
const [q, k, v, q2] = [t('q'), t('k'), t('v'), t('q2')];
const causal = A.buildMask('causal', 2, 5, 7);
const padding = A.buildMask('padding', 2, 5, 7, new Uint32Array([3, 0]));
const mask = (data) => ({ data, shape: [2, 5, 7] });
const sdpa = new A.ScaledDotProductAttention(8);
const config = new A.AttentionConfig(2, 4);
const mha = new A.MultiHeadAttention(config, 7);
const mhaSet = new A.MultiHeadAttention(config, 1);
const w = input.weights;
mhaSet.setWeights(Float32Array.from(w.wq), Float32Array.from(w.wk), Float32Array.from(w.wv), Float32Array.from(w.wo));
const cross = new A.CrossAttention(config, 7);
const hyp = new A.HyperbolicAttention(new A.HyperbolicConfig(-0.5, 1));
const linear = new A.LinearAttention(8);
const out = {
  causal: list(causal), padding: list(padding),
  sdpa: list(sdpa.forward(q, k, v)), sdpaCausal: list(sdpa.forward(q, k, v, mask(causal))),
  sdpaPadding: list(sdpa.forward(q, k, v, mask(padding))),
  weightsCausal: list(sdpa.attentionWeights(q, k, mask(causal))),
  mha: list(mha.forward(q, k, v, mask(causal)).output), mhaWeights: list(mha.forward(q, k, v, mask(causal)).weights),
  mhaSet: list(mhaSet.forward(q, k, v, mask(padding)).output),
  cross: list(cross.forward(q, k, mask(padding))),
  hyperbolic: list(hyp.forward(q2, k, v)),
  distances: list(hyp.distanceMatrix({ data: q2.data, shape: [10, 8] }, { data: q2.data, shape: [10, 8] })),
  projected: list(hyp.projectToBall({ data: q.data, shape: [10, 8] })),
  linear: list(linear.forward(q, k, v)), features: list(linear.featureMap(q.data)),
  flash: [1, 2, 3, 64].map((block) => list(new A.FlashAttention(8, block).forward(q, k, v, mask(causal)))),
  parameters: mha.numParameters(),
};
console.log(JSON.stringify(out));
"""


def test_every_mechanism_matches_numpy(node: NodeRuntime, project: Path) -> None:
    rng = np.random.default_rng(4)
    q, k, v = (rng.standard_normal(s).astype(np.float32) for s in ((2, 5, 8), (2, 7, 8), (2, 7, 8)))
    q2 = (0.2 * rng.standard_normal((2, 5, 8))).astype(np.float32)
    set_weights = {n: (0.3 * rng.standard_normal((8, 8))).astype(np.float32) for n in ("wq", "wk", "wv", "wo")}
    tensors = {"q": q, "k": k, "v": v, "q2": q2}
    inputs = {n: {"data": t.ravel().tolist(), "shape": list(t.shape)} for n, t in tensors.items()}
    inputs["weights"] = {n: w.ravel().tolist() for n, w in set_weights.items()}
    (project / "inputs.json").write_text(json.dumps(inputs))
    got = run_json(node, project, NUMERICS)

    causal, padding = ref.build_mask("causal", 2, 5, 7), ref.build_mask("padding", 2, 5, 7, [3, 0])
    generated = ref.mha_weights(8, 7, True)
    zero_bias = {**set_weights, **{b: np.zeros(8, np.float32) for b in ("bq", "bk", "bv", "bo")}}
    expected = {
        "sdpa": ref.scaled_dot_product(q, k, v),
        "sdpaCausal": ref.scaled_dot_product(q, k, v, causal),
        "sdpaPadding": ref.scaled_dot_product(q, k, v, padding),
        "weightsCausal": ref.attention_weights(q, k, causal),
        "mha": ref.multi_head(q, k, v, generated, 2, causal)[0],
        "mhaWeights": ref.multi_head(q, k, v, generated, 2, causal)[1],
        "mhaSet": ref.multi_head(q, k, v, zero_bias, 2, padding)[0],
        "cross": ref.cross_attention(q, k, ref.mha_weights(8, 7, True), 2, padding),
        "hyperbolic": ref.hyperbolic_attention(q2, k, v, -0.5),
        "distances": ref.poincare_distance_matrix(q2.reshape(10, 8), q2.reshape(10, 8), -0.5),
        "projected": ref.project_to_ball(q.reshape(10, 8), -0.5),
        "linear": ref.linear_attention(q, k, v),
        "features": ref.feature_map(q),
    }
    for name, reference in expected.items():
        error = np.max(np.abs(np.array(got[name], dtype=np.float64) - reference.ravel()))
        assert error <= F32_TOLERANCE, (name, error)
    assert np.array_equal(np.array(got["causal"], dtype=np.float64), np.where(np.isinf(causal), np.nan, causal).ravel(),
                          equal_nan=True)
    assert np.array_equal(np.array(got["padding"], dtype=np.float64), np.where(np.isinf(padding), np.nan, padding).ravel(),
                          equal_nan=True)
    for flash in got["flash"]:  # every block size, with the full matrix never formed
        assert np.max(np.abs(np.array(flash) - np.array(got["sdpaCausal"]))) <= 1e-5
    assert got["parameters"] == 4 * 8 * 8 + 4 * 8


# --- the same numbers as native, on every target --------------------------------------------

SAME_AS_NATIVE = """
const bench = (len) => Float32Array.from({ length: len }, (_, i) => (Math.imul(i, 2654435761) >>> 8) / 16777216 - 0.5);
const [B, SQ, SK, D] = [2, 5, 7, 8];
const q = bench(B * SQ * D), kv = bench(B * SK * D * 2);
const query = { data: q, shape: [B, SQ, D] };
const key = { data: kv.slice(0, B * SK * D), shape: [B, SK, D] }, value = { data: kv.slice(B * SK * D), shape: [B, SK, D] };
const mask = { data: A.buildMask('causal', B, SQ, SK), shape: [B, SQ, SK] };
const sdpa = new A.ScaledDotProductAttention(D);
const config = new A.AttentionConfig(2, D / 2);
const multi = new A.MultiHeadAttention(config, 7).forward(query, key, value, mask);
const hyperbolic = new A.HyperbolicAttention(new A.HyperbolicConfig(-1, 1));
const small = { data: q.map((x) => x * 0.3), shape: [B, SQ, D] };
const points = { data: small.data, shape: [B * SQ, D] };
const list = (a) => Array.from(a, (x) => (Number.isFinite(x) ? x : null));
console.log(JSON.stringify({
  scaledDotProduct: list(sdpa.forward(query, key, value, mask)),
  attentionWeights: list(sdpa.attentionWeights(query, key, mask)),
  multiHeadOutput: list(multi.output), multiHeadWeights: list(multi.weights),
  cross: list(new A.CrossAttention(config, 11).forward(query, key, mask)),
  hyperbolic: list(hyperbolic.forward(small, key, value)),
  distanceMatrix: list(hyperbolic.distanceMatrix(points, points)),
  projectToBall: list(hyperbolic.projectToBall({ data: q, shape: [B * SQ, D] })),
  linear: list(new A.LinearAttention(D).forward(query, key, value)),
  featureMap: list(new A.LinearAttention(D).featureMap(q)),
  flash: list(new A.FlashAttention(D, 3).forward(query, key, value, mask)),
}));
"""

ENTRIES = {
    "nodejs": "const A = await import('@ruvector/attention-wasm');",
    "bundler": "const A = await import('@ruvector/attention-wasm/bundler');",
    "web": """const A = await import('@ruvector/attention-wasm/web');
await A.default((await import('node:fs')).readFileSync('node_modules/@ruvector/attention-wasm/attention_wasm_bg.wasm'));""",
    "no-modules": """const { readFileSync } = await import('node:fs');
(await import('node:vm')).default.runInThisContext(readFileSync('node_modules/@ruvector/attention-wasm/no-modules.js', 'utf8'));
const A = globalThis.RuVectorAttention;
await A.init(readFileSync('node_modules/@ruvector/attention-wasm/attention_wasm_bg.wasm'));""",
}


@pytest.fixture(scope="module")
def native_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    result = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--example", "reference_outputs", "--target-dir",
         str(tmp_path_factory.mktemp("native-target"))], cwd=KERNEL, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.mark.parametrize("baseline", [False, True], ids=["simd", "baseline"])
@pytest.mark.parametrize("entry", list(ENTRIES))
def test_every_target_returns_the_native_numbers(node: NodeRuntime, project: Path, native_outputs: dict,
                                                 entry: str, baseline: bool) -> None:
    prelude = "WebAssembly.validate = ((v) => (bytes) => bytes.byteLength > 64 && v(bytes))(WebAssembly.validate);\n"
    script = (prelude if baseline else "") + ENTRIES[entry] + SAME_AS_NATIVE
    if entry == "web" and not baseline:
        script = script.replace("attention_wasm_bg.wasm'));", "simd/attention_wasm_bg.wasm'));", 1)
    if entry == "no-modules" and not baseline:
        script = script.replace("attention_wasm/attention_wasm_bg.wasm'));", "attention_wasm/simd/attention_wasm_bg.wasm'));")
    got = run_json(node, project, script)
    assert set(got) == set(native_outputs)
    for name, values in native_outputs.items():
        wasm = np.array([np.nan if x is None else x for x in got[name]], dtype=np.float64)
        native = np.array([np.nan if x is None else x for x in values], dtype=np.float64)
        assert wasm.shape == native.shape, name
        assert np.allclose(wasm, native, rtol=0, atol=1e-6, equal_nan=True), (name, np.nanmax(np.abs(wasm - native)))


# --- the JS API ------------------------------------------------------------------------------------

API = """
import * as A from '@ruvector/attention-wasm';
const attempt = (thunk) => { try { thunk(); return 'no error'; } catch (e) { return `${e.name}: ${e.details?.argument ?? e.details?.field ?? ''}`; } };
const config = new A.AttentionConfig(8, 64);
config.dropout = 0.1;
config.useBias = false;
const hyperbolic = new A.HyperbolicConfig(-1, 4);
hyperbolic.manifoldType = 'lorentz';
const t = (shape) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.1), shape });
const same = new A.MultiHeadAttention(new A.AttentionConfig(2, 4), 5), twin = new A.MultiHeadAttention(new A.AttentionConfig(2, 4), 5);
const other = new A.MultiHeadAttention(new A.AttentionConfig(2, 4), 6);
const x = { data: Float32Array.from({ length: 16 }, (_, i) => Math.sin(i)), shape: [1, 2, 8] };
const order = [];
setImmediate(() => order.push('event loop'));
const pending = new A.FlashAttention(8).forwardAsync(x, x, x).then(() => order.push('computed'));
order.push('called');
await pending;
const processor = new A.BatchProcessor(8);
const batch = await processor.processBatch([{ query: x, key: x, value: x }, { query: t([1, 2, 4]), key: t([1, 2, 4]), value: t([1, 2, 4]) }, { query: x, key: x, value: 'x' }]);
console.log(JSON.stringify({
  config: [config.numHeads, config.headDim, config.modelDim, Math.round(config.dropout * 10) / 10, config.useBias],
  hyperbolic: [hyperbolic.curvature, hyperbolic.numHeads, hyperbolic.manifoldType],
  headDimZero: attempt(() => new A.AttentionConfig(8, 0)),
  nanCurvature: attempt(() => { hyperbolic.curvature = NaN; }),
  positiveCurvature: attempt(() => { hyperbolic.curvature = 2; }),
  dropoutTooHigh: attempt(() => { config.dropout = 1.5; }),
  badEnum: attempt(() => { hyperbolic.manifoldType = 'klein'; }),
  badMaskType: attempt(() => A.buildMask('diagonal', 1, 2, 2)),
  batchMismatch: attempt(() => new A.ScaledDotProductAttention(4).forward(t([2, 3, 4]), t([1, 3, 4]), t([1, 3, 4]))),
  dimMismatch: attempt(() => new A.ScaledDotProductAttention(4).forward(t([1, 3, 4]), t([1, 3, 5]), t([1, 3, 4]))),
  lengthMismatch: attempt(() => new A.ScaledDotProductAttention(4).forward(t([1, 3, 4]), t([1, 3, 4]), t([1, 2, 4]))),
  message: (() => { try { new A.ScaledDotProductAttention(4).forward(t([1, 3, 4]), t([1, 3, 4]), t([1, 2, 4])); } catch (e) { return e.message; } })(),
  deterministic: Array.from(same.forward(x, x, x).output).join() === Array.from(twin.forward(x, x, x).output).join(),
  seeded: Array.from(same.forward(x, x, x).output).join() !== Array.from(other.forward(x, x, x).output).join(),
  order,
  batch: batch.map((r) => (r instanceof A.AttentionError ? r.name : r.length)),
  version: A.version(),
  memory: (({ used, capacity }) => used > 0 && capacity >= used && capacity % 65536 === 0)(A.memoryUsage()),
  maskTypes: A.MaskType,
}));
"""


def test_config_classes_enums_tensors_async_and_batch(node: NodeRuntime, project: Path) -> None:
    got = run_json(node, project, API)
    assert got["config"] == [8, 64, 512, 0.1, False]
    assert got["hyperbolic"] == [-1, 4, "lorentz"]
    assert got["headDimZero"] == "InvalidArgument: headDim"
    assert got["nanCurvature"] == "InvalidArgument: curvature"
    assert got["positiveCurvature"].startswith("InvalidConfig")
    assert got["dropoutTooHigh"].startswith("InvalidConfig")
    assert got["badEnum"] == "InvalidArgument: manifoldType" and got["badMaskType"] == "InvalidArgument: maskType"
    assert got["batchMismatch"] == "InvalidArgument: key.shape[0]"
    assert got["dimMismatch"] == "InvalidArgument: key.shape[2]"
    assert got["lengthMismatch"] == "InvalidArgument: value.shape[1]"
    assert got["message"] == ("ScaledDotProductAttention.forward(): `value.shape[1]` must be 3 "
                              "(seqK, as in key.shape[1]), got 2")
    assert got["deterministic"] and got["seeded"]
    assert got["order"] == ["called", "event loop", "computed"]
    assert got["batch"] == [16, "ShapeMismatch", "InvalidArgument"]
    assert got["version"] == "0.1.0" and got["memory"] is True
    assert got["maskTypes"] == {"Causal": "causal", "Padding": "padding", "None": "none"}


HELPERS = """
import { createCausalMask, createPaddingMask, computeStats, normalize, createTensor, validateTensorShape } from '@ruvector/attention-wasm';
const attempt = (thunk) => { try { thunk(); return 'no error'; } catch (e) { return e.constructor.name; } };
const values = Float32Array.from([1, 2, 3, 4, 10]);
console.log(JSON.stringify({
  causal: Array.from(createCausalMask(3), (x) => (x === -Infinity ? null : x)),
  padding: Array.from(createPaddingMask([2, 0, 3], 3), (x) => (x === -Infinity ? null : x)),
  stats: computeStats(values),
  normalized: computeStats(normalize(values)),
  tensor: (({ data, shape }) => [data.constructor.name, Array.from(data), shape])(createTensor([1, 2, 3, 4, 5, 6], [2, 3])),
  valid: [validateTensorShape(createTensor([1, 2], [1, 2]), 2), validateTensorShape(createTensor([1, 2], [1, 2]), 3)],
  errors: [attempt(() => createTensor([1, 2, 3], [2, 2])), attempt(() => createPaddingMask([4], 3)), attempt(() => computeStats([]))],
}));
"""


def test_typescript_helpers(node: NodeRuntime, project: Path) -> None:
    got = run_json(node, project, HELPERS)
    assert got["causal"] == [0, None, None, 0, 0, None, 0, 0, 0]
    assert got["padding"] == [0, 0, None, None, None, None, 0, 0, 0]
    values = np.array([1, 2, 3, 4, 10], dtype=np.float32)
    assert got["stats"] == pytest.approx({"mean": values.mean(), "std": values.std(), "min": 1, "max": 10})
    assert got["normalized"]["mean"] == pytest.approx(0, abs=1e-6) and got["normalized"]["std"] == pytest.approx(1, abs=1e-6)
    assert got["tensor"] == ["Float32Array", [1, 2, 3, 4, 5, 6], [2, 3]]
    assert got["valid"] == [True, False]
    assert got["errors"] == ["RangeError", "RangeError", "RangeError"]


CONSUMER = """
import {
  AttentionConfig, HyperbolicConfig, ScaledDotProductAttention, MultiHeadAttention, CrossAttention,
  HyperbolicAttention, LinearAttention, FlashAttention, BatchProcessor, buildMask, createMultiHead, MaskType,
  ManifoldType, AttentionError, ShapeMismatch, version, memoryUsage, features, init,
  createCausalMask, createPaddingMask, computeStats, normalize, createTensor, validateTensorShape,
  type AttentionOutput, type Tensor, type TensorStats,
} from '@ruvector/attention-wasm';

await init();
const [batch, seq, dim] = [1, 4, 8];
const tensor: Tensor<Float32Array> = createTensor(new Float32Array(batch * seq * dim).fill(0.5), [batch, seq, dim]);
const mask: Tensor<Float32Array> = { data: buildMask(MaskType.Causal, batch, seq, seq), shape: [batch, seq, seq] };
const config = new AttentionConfig(2, 4);
config.dropout = 0.1;
const kind: ManifoldType = 'poincare';
const hyperbolicConfig = new HyperbolicConfig(-1, 2);
hyperbolicConfig.manifoldType = kind;
const sdpa: Float32Array = new ScaledDotProductAttention(dim).forward(tensor, tensor, tensor, mask);
const weights: Float32Array = new ScaledDotProductAttention(dim).attentionWeights(tensor, tensor);
const multi: AttentionOutput = new MultiHeadAttention(config, 3).forward(tensor, tensor, tensor, mask);
const later: AttentionOutput = await (await createMultiHead(config)).forwardAsync(tensor, tensor, tensor);
const cross: Float32Array = new CrossAttention(config).forward(tensor, tensor);
const hyperbolic = new HyperbolicAttention(hyperbolicConfig);
const distances: Float32Array = hyperbolic.distanceMatrix({ data: tensor.data, shape: [seq, dim] }, { data: tensor.data, shape: [seq, dim] });
const linear: Float32Array = new LinearAttention(dim).forward(tensor, tensor, tensor);
const flash: Float32Array = await new FlashAttention(dim, 2).forwardAsync(tensor, tensor, tensor, mask);
const results: Array<Float32Array | AttentionError> = await new BatchProcessor(dim).processBatch([{ query: tensor, key: tensor, value: tensor }]);
const stats: TensorStats = computeStats(normalize(sdpa));
const masks: Float32Array[] = [createCausalMask(seq), createPaddingMask([2, 4], seq)];
const ok: boolean = validateTensorShape(tensor, 3);
const { simd }: { simd: boolean } = features();
try { new ScaledDotProductAttention(3).forward(tensor, tensor, tensor); } catch (error) {
  if (error instanceof ShapeMismatch) console.log('shape mismatch:', error.details.reason);
}
console.log(version(), memoryUsage().capacity, sdpa.length, weights.length, multi.weights.length, later.output.length,
  cross.length, distances.length, linear.length, flash.length, results.length, stats.mean.toFixed(3), masks.length, ok, simd);
"""


@pytest.mark.parametrize("resolution", ["node16", "nodenext", "bundler"])
def test_typescript_consumer_of_every_class_and_helper_compiles(node: NodeRuntime, project: Path,
                                                                 resolution: str) -> None:
    result = tsc_files(node, project, {"consumer.ts": CONSUMER}, resolution)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("entry", ["nodejs", "web"])
def test_typescript_consumer_runs_on_node_and_web_entries(node: NodeRuntime, project: Path, entry: str) -> None:
    source = CONSUMER
    runner = "out/run.js"
    if entry == "web":
        # The web entry is initialised from bytes, which a small launcher reads and hands over.
        source = source.replace("from '@ruvector/attention-wasm';", "from '@ruvector/attention-wasm/web';", 1)
        source = source.replace("await init();", "declare const wasmBytes: Uint8Array;\nawait init(wasmBytes);")
        (project / "launch.mjs").write_text(
            "import { readFileSync } from 'node:fs';\n"
            "globalThis.wasmBytes = readFileSync('node_modules/@ruvector/attention-wasm/attention_wasm_bg.wasm');\n"
            "await import('./out/run.js');\n")
        runner = "launch.mjs"
    (project / "run.ts").write_text(source)
    config = {"compilerOptions": {"strict": True, "target": "es2022", "module": "nodenext", "moduleResolution": "nodenext",
                                  "outDir": "out", "lib": ["es2022", "dom"], "types": [], "skipLibCheck": True},
              "files": ["run.ts"]}
    (project / "tsconfig.run.json").write_text(json.dumps(config))
    compiled = subprocess.run(node.script(TSC, "-p", "tsconfig.run.json"), cwd=project, capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stdout
    ran = subprocess.run([str(node.node), runner], cwd=project, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("shape mismatch:") and "0.1.0" in ran.stdout


NAMESPACE = """
const { ruVector, RuVectorAttention, AttentionConfig, MultiHeadAttention, FlashAttention, NotInitialized } = A;
const fresh = new RuVectorAttention();
let before;
try { fresh.createMultiHead(new AttentionConfig(2, 2)); } catch (error) {
  before = [error instanceof NotInitialized, error.code, error.details.function];
}
await fresh.init();
const layer = fresh.createMultiHead(new AttentionConfig(2, 4));
const flash = ruVector === undefined ? null : fresh.createFlash(4);
const memory = fresh.getMemoryUsage();
console.log(JSON.stringify({
  before, created: layer instanceof MultiHeadAttention && flash instanceof FlashAttention, modelDim: layer.modelDim,
  memory: Object.keys(memory).sort(), positive: memory.allocated > 0 && memory.total >= memory.allocated,
  singleton: ruVector instanceof RuVectorAttention, distinct: ruVector !== fresh,
}));
"""


@pytest.mark.parametrize("entry", list(ENTRIES))
def test_the_namespace_object_on_every_entry(node: NodeRuntime, project: Path, entry: str) -> None:
    # [namespace] (seed 001's ruVector): factories throw NotInitialized until that object's init().
    got = run_json(node, project, ENTRIES[entry] + NAMESPACE)
    assert got == {"before": [True, "NOT_INITIALIZED", "createMultiHead"], "created": True, "modelDim": 8,
                   "memory": ["allocated", "total"], "positive": True, "singleton": True, "distinct": True}


def test_the_namespace_is_the_default_export_of_import_and_require(node: NodeRuntime, project: Path) -> None:
    script = """
import ruVector, { ruVector as named } from '@ruvector/attention-wasm';
import { createRequire } from 'node:module';
const cjs = createRequire(import.meta.url)('@ruvector/attention-wasm');
console.log(JSON.stringify([ruVector === named, cjs.default === cjs.ruVector, cjs.ruVector === named]));
"""
    assert run_json(node, project, script) == [True, True, True]


NAMESPACE_TYPES = """
import ruVector, { AttentionConfig, MultiHeadAttention, RuVectorAttention } from '@ruvector/attention-wasm';

export async function main(): Promise<number> {
  await ruVector.init();
  const layer: MultiHeadAttention = ruVector.createMultiHead(new AttentionConfig(8, 64));
  const usage: { allocated: number; total: number } = ruVector.getMemoryUsage();
  const other: RuVectorAttention = new RuVectorAttention();
  await other.init();
  return layer.modelDim + usage.allocated + other.getMemoryUsage().total;
}
"""


@pytest.mark.parametrize("resolution", ["node16", "bundler"])
def test_the_namespace_types_under_tsc_strict(node: NodeRuntime, project: Path, resolution: str) -> None:
    result = tsc_files(node, project, {"namespace.ts": NAMESPACE_TYPES}, resolution)
    assert result.returncode == 0, result.stdout
    (project / "namespace.ts").write_text(NAMESPACE_TYPES.replace("createMultiHead(new AttentionConfig(8, 64))",
                                                                 "createMultiHead(8)"))
    assert tsc(node, project, resolution).returncode != 0  # the factory takes what the constructor takes


SEED_QUICK_START = KERNEL / "examples" / "seed" / "quick-start.ts"


@pytest.mark.parametrize("resolution", ["node16", "bundler"])
def test_the_seed_quick_start_type_checks_verbatim(node: NodeRuntime, project: Path, resolution: str) -> None:
    result = tsc_files(node, project, {"quick-start.ts": SEED_QUICK_START.read_text()}, resolution)
    assert result.returncode == 0, result.stdout


def test_the_seed_quick_start_runs_verbatim(node: NodeRuntime, project: Path) -> None:
    # Seed 001's README quick start, unchanged (it has no TypeScript syntax: Node runs it as a module).
    (project / "quick-start.mjs").write_text(SEED_QUICK_START.read_text())
    ran = subprocess.run([str(node.node), "quick-start.mjs"], cwd=project, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("Output: Float32Array(10240) [")


SEED_EXAMPLES = KERNEL / "examples" / "seed"


def test_the_seed_node_example_runs(node: NodeRuntime, project: Path) -> None:
    # Seed 001 §7.2 examples/node/basic.mjs, with the two edits its README lists (its multi-head
    # shape disagreed with its arrays): every mechanism it shows, through `ruVector`.
    (project / "basic.mjs").write_text((SEED_EXAMPLES / "basic.mjs").read_text())
    ran = subprocess.run([str(node.node), "basic.mjs"], cwd=project, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0 and ran.stderr == "", ran.stderr
    lines = [line.strip() for line in ran.stdout.splitlines()]
    for expected in ("✓ RuVector initialized", "Output size: 320", "Scale factor: 0.125",
                     "Num parameters: 16640", "Output available: true", "Curvature: -1", "Feature dim: 256",
                     "Output size: 2560"):
        assert expected in lines, ran.stdout
    assert lines[-1].startswith("Memory: ") and lines[-1].endswith(" MB"), ran.stdout


def test_the_seed_performance_example_runs_verbatim(node: NodeRuntime, project: Path) -> None:
    # Seed 001 §7.3 examples/node/performance.mjs, unchanged: PerfTimer and the flat multi-head form.
    (project / "performance.mjs").write_text((SEED_EXAMPLES / "performance.mjs").read_text())
    ran = subprocess.run([str(node.node), "performance.mjs"], cwd=project, capture_output=True, text=True,
                         timeout=300)
    assert ran.returncode == 0 and ran.stderr == "", ran.stderr
    rows = [line.split("|") for line in ran.stdout.splitlines() if line.count("|") == 3 and line.strip()[0].isdigit()]
    assert [(int(b), int(s)) for b, s, _, _ in rows] == [(b, s) for b in (1, 2, 4, 8) for s in (16, 32, 64, 128, 256)]
    for _, _, milliseconds, throughput in rows:  # a real clock: positive, finite, consistent
        assert 0 < float(milliseconds) and abs(float(throughput) * float(milliseconds) - 1000) < 1000 * 0.01


@pytest.mark.parametrize("resolution", ["node16", "nodenext", "bundler"])
def test_the_seed_api_reference_type_checks(node: NodeRuntime, project: Path, resolution: str) -> None:
    result = tsc_files(node, project, {"api-reference.ts": (SEED_EXAMPLES / "api-reference.ts").read_text()},
                       resolution)
    assert result.returncode == 0, result.stdout


def test_the_seed_api_reference_runs(node: NodeRuntime, project: Path) -> None:
    ran = compile_and_run(node, project, "api-reference.ts", (SEED_EXAMPLES / "api-reference.ts").read_text(),
                          timeout=60)
    assert ran.returncode == 0 and ran.stdout == "api reference: ok\n", ran.stderr


DEMO_PAGE = """<!doctype html>
<meta charset="utf-8">
<title>seed 001 demo</title>
<script>
  // The demo logs; its last line is the memory usage: report every line then.
  const lines = [];
  const show = (value) => (ArrayBuffer.isView(value) ? `[${Array.from(value).join(', ')}]`
    : typeof value === 'object' ? JSON.stringify(value) : String(value));
  const original = console.log.bind(console);
  console.log = (...args) => {
    lines.push(args.map(show).join(' '));
    if (String(args[0]).startsWith('Memory usage')) window.__result = lines;
    original(...args);
  };
  addEventListener('error', (event) => (window.__result = [...lines, `error: ${event.message}`]));
  addEventListener('unhandledrejection', (event) => (window.__result = [...lines, `rejection: ${event.reason}`]));
</script>
<script type="module" src="demo.js"></script>
"""


def test_the_seed_browser_demo_type_checks_and_runs_in_chromium(node: NodeRuntime, project: Path) -> None:
    # Seed 001 §7.1 examples/browser/demo.ts, its import pointed at the package: tsc --strict with
    # the DOM library, bundled by esbuild as a browser app would be, run in Chromium.
    demo = SEED_EXAMPLES / "demo.ts"
    result = tsc_files(node, project, {"demo.ts": demo.read_text()}, "bundler")
    assert result.returncode == 0, result.stdout
    site = project / "demo-site"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text(DEMO_PAGE)
    esbuild = npm_tools_dir() / "node_modules" / "esbuild" / "bin" / "esbuild"
    bundled = subprocess.run(node.script(esbuild, "demo.ts", "--bundle", "--format=esm", "--platform=browser",
                                         f"--outfile={site / 'demo.js'}", "--log-level=warning"),
                             cwd=project, capture_output=True, text=True)
    assert bundled.returncode == 0, bundled.stderr
    browser = chromium_path()
    assert browser is not None, "no Chromium: run `wasmforge toolchain install`"
    ran = subprocess.run(node.script(Path(__file__).with_name("page_console.mjs"), str(site), str(npm_tools_dir())),
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "WASMFORGE_CHROMIUM": str(browser)})
    assert ran.returncode == 0, ran.stderr
    page = json.loads(ran.stdout.strip().splitlines()[-1])
    lines = page["result"]
    assert lines[:2] == ["Initializing RuVector WASM...", "Created attention with 1050624 parameters"], page
    assert lines[2] == "Running attention..." and lines[3].startswith("Attention computed in "), page
    assert lines[4] == "Output shape: [2,10,512]" and lines[5].startswith("Output sample: ["), page
    assert len(lines[5].split(",")) == 10 and lines[6].startswith('Memory usage: {"allocated":'), page


FLAT_FORMS = """
const { MultiHeadAttention, ScaledDotProductAttention, AttentionConfig, InvalidArgument } = A;
const random = (n, seed) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 104729));
const [batch, seqQ, seqK, dim] = [2, 3, 5, 8];
const q = random(batch * seqQ * dim, 1), k = random(batch * seqK * dim, 2), v = random(batch * seqK * dim, 3);
const mask = new Float32Array(batch * seqQ * seqK);
mask[1] = -Infinity;
const multi = new MultiHeadAttention(new AttentionConfig(2, 4));
const tensors = multi.forward({ data: q, shape: [batch, seqQ, dim] }, { data: k, shape: [batch, seqK, dim] },
  { data: v, shape: [batch, seqK, dim] }, { data: mask, shape: [batch, seqQ, seqK] });
const flat = multi.forward(q, k, v, [batch, seqQ, seqK, dim], mask);
const sdpa = new ScaledDotProductAttention(dim);
const sdpaTensors = sdpa.forward({ data: q, shape: [batch, seqQ, dim] }, { data: k, shape: [batch, seqK, dim] },
  { data: v, shape: [batch, seqK, dim] });
const sdpaFlat = sdpa.forward(q, k, v, [batch, seqQ, dim], [batch, seqK, dim], [batch, seqK, dim], undefined);
const same = (a, b) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
// One sequence length ([batch, seq, dim]: "seqQ=seqK", "dim=dimV"): flash, linear, hyperbolic.
const qq = random(batch * seqK * dim, 4);
const t3 = (data) => ({ data, shape: [batch, seqK, dim] });
const flash = new A.FlashAttention(dim, 2), linear = new A.LinearAttention(dim, 6);
const hyperbolic = new A.HyperbolicAttention(new A.HyperbolicConfig(-1, 2));
const oneLength = [flash, linear, hyperbolic].every((layer) =>
  same(layer.forward(qq, k, v, [batch, seqK, dim]), layer.forward(t3(qq), t3(k), t3(v))));
const weightsFlat = sdpa.attentionWeights(q, k, [batch, seqQ, dim], [batch, seqK, dim], mask);
const weightsTensors = sdpa.attentionWeights({ data: q, shape: [batch, seqQ, dim] }, { data: k, shape: [batch, seqK, dim] },
  { data: mask, shape: [batch, seqQ, seqK] });
const errors = [];
for (const call of [() => multi.forward(q, k, v, [batch, seqQ, seqK]), () => multi.forward(q, k, v, [batch, seqQ, 4, dim]),
                    () => sdpa.forward(q, k, v, [batch, seqQ, dim], 'x', [batch, seqK, dim])]) {
  try { call(); errors.push(null); } catch (error) { errors.push([error instanceof InvalidArgument, error.details.argument]); }
}
console.log(JSON.stringify({
  multi: same(flat.output, tensors.output) && same(flat.weights, tensors.weights),
  sdpa: same(sdpaFlat, sdpaTensors), oneLength, weights: same(weightsFlat, weightsTensors), errors,
}));
"""


@pytest.mark.parametrize("entry", list(ENTRIES))
def test_the_flat_call_forms_equal_the_tensor_forms(node: NodeRuntime, project: Path, entry: str) -> None:
    # positional_shape(s): the seed's flat arrays + shape arrays, checked like tensors, the same bits.
    got = run_json(node, project, ENTRIES[entry] + FLAT_FORMS)
    assert got["multi"] and got["sdpa"] and got["oneLength"] and got["weights"]
    [short, wrong_key, bad_shape] = got["errors"]
    assert short == [True, "shape"]  # three numbers where four dimensions are named
    assert wrong_key is not None and wrong_key[0]  # key's length does not match seqK = 4
    assert bad_shape == [True, "keyShape"]


@pytest.mark.parametrize("entry", list(ENTRIES))
def test_seed_class_names_are_aliases_of_ours(node: NodeRuntime, project: Path, entry: str) -> None:
    script = ENTRIES[entry] + """
console.log(JSON.stringify([A.WasmScaledDotProduct === A.ScaledDotProductAttention,
  A.WasmMultiHeadAttention === A.MultiHeadAttention, A.WasmFlashAttention === A.FlashAttention,
  new A.WasmMultiHeadAttention(new A.AttentionConfig(2, 2)) instanceof A.MultiHeadAttention]));
"""
    assert run_json(node, project, script) == [True, True, True, True]


def test_seed_class_names_type_check(node: NodeRuntime, project: Path) -> None:
    aliases = ("import { WasmMultiHeadAttention, AttentionConfig, MultiHeadAttention } from '@ruvector/attention-wasm';\n"
               "export const layer: MultiHeadAttention = new WasmMultiHeadAttention(new AttentionConfig(2, 2));\n"
               "export const other: WasmMultiHeadAttention = layer;\n")
    result = tsc_files(node, project, {"aliases.ts": aliases}, "node16")
    assert result.returncode == 0, result.stdout
