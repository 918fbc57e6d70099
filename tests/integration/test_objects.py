"""Structs, enums, tensors, classes, streams, batches, promises, events, SIMD
and TypeScript helpers, through the objects fixture: built for real, verified
on every target, then used as consumers use them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.conftest import Built, npm_project, run_node
from tests.integration.test_consumers import tsc_files
from wasmforge.toolchain.node import NodeRuntime


def test_every_feature_verifies_on_every_target_and_module(objects: Built) -> None:
    verification = objects.report["verification"]
    failures = [c for c in verification["checks"] if not c["ok"]]
    assert not failures, failures
    columns = {c["target"] for c in verification["checks"]}
    assert columns == {"wasm", "wasm (simd)", "bundler", "nodejs", "web", "no-modules",
                       "bundler (baseline)", "nodejs (baseline)", "web (baseline)", "no-modules (baseline)"}
    labels = {c["check"] for c in verification["checks"]}
    assert {"after dispose()", "features() is truthful", "stepsForBatch of 1 item", "distanceBatch of 2 items"} <= labels


def test_package_ships_both_modules_and_the_helpers(objects: Built) -> None:
    manifest = json.loads((objects.pkg / "package.json").read_text())
    assert {"objects_bg.wasm", "simd/objects_bg.wasm", "helpers/shapes.js",
            "helpers/shapes.d.cts"} <= set(manifest["files"])
    assert objects.report["simd_wasm_features"] is not None


@pytest.fixture(scope="module")
def project(node: NodeRuntime, objects: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return npm_project(node, tmp_path_factory.mktemp("objects-consumer"), objects.pkg,
                       {"name": "consumer", "private": True, "type": "module"})


def test_breaking_out_of_a_stream_frees_its_state(node: NodeRuntime, project: Path) -> None:
    output = run_node(node, project, """
import { Countdown, memoryUsage } from '@wasmforge-test/objects';
const countdown = new Countdown(1e-300, 5000);
const before = memoryUsage().used;
const steps = countdown.run(1e300);
let seen = 0;
for await (const step of steps) { if (++seen === 3) break; }
const after = memoryUsage().used;
const again = await steps.next();
countdown.dispose();
console.log(JSON.stringify({ seen, before, after, done: again.done, final: memoryUsage().used }));
""")
    result = json.loads(output)
    assert result["seen"] == 3 and result["done"] is True
    assert result["after"] == result["before"]  # the stream's state was freed at break
    assert result["final"] < result["before"]  # dispose() freed the countdown itself


def test_stream_errors_reject_with_the_typed_error_and_events_fire(node: NodeRuntime, project: Path) -> None:
    output = run_node(node, project, """
import { Countdown, Stopped, ObjectsError } from '@wasmforge-test/objects';
const countdown = new Countdown(1);
const events = [];
for (const type of ['progress', 'complete', 'error']) countdown.addEventListener(type, (e) => events.push(type));
const result = await countdown.runAsync(8);
let caught;
try { for await (const _ of countdown.run(8, 1)) {} } catch (error) { caught = error; }
console.log(JSON.stringify({ result, events, name: caught.name, typed: caught instanceof Stopped,
  base: caught instanceof ObjectsError, at: caught.details.at, code: caught.code }));
countdown.dispose();
""")
    result = json.loads(output)
    assert result["result"] == 0.5
    assert result["events"] == ["progress", "progress", "progress", "progress", "complete"]
    assert result == {**result, "name": "Stopped", "typed": True, "base": True, "at": 1, "code": "STOPPED"}


def test_batches_return_results_and_errors_per_item(node: NodeRuntime, project: Path) -> None:
    output = run_node(node, project, """
import { distanceBatch, InvalidArgument } from '@wasmforge-test/objects';
const results = await distanceBatch([
  { a: { x: 0, y: 0 }, b: { x: 3, y: 4 } },
  { a: { x: 0, y: 0 }, b: { x: '3', y: 4 } },
  { a: { x: 1, y: 1 }, b: { x: 1, y: 2 } },
]);
console.log(JSON.stringify(results.map((r) => (r instanceof InvalidArgument ? r.details.argument : r))));
""")
    assert json.loads(output) == [5, "items[1].b.x", 1]


def test_dispose_and_symbol_dispose(node: NodeRuntime, project: Path) -> None:
    output = run_node(node, project, """
import { Countdown, Disposed } from '@wasmforge-test/objects';
const countdown = new Countdown(1);
countdown[Symbol.dispose]();
const attempts = [() => countdown.stepsFor(4), () => countdown.tolerance, () => { countdown.unit = 'feet'; }];
console.log(JSON.stringify(attempts.map((attempt) => {
  try { attempt(); return 'no error'; } catch (error) { return error instanceof Disposed ? error.details.function : String(error); }
})));
""")
    assert json.loads(output) == ["Countdown.stepsFor", "Countdown.tolerance", "Countdown.unit"]


def test_property_setters_name_the_property(node: NodeRuntime, project: Path) -> None:
    output = run_node(node, project, """
import { Countdown } from '@wasmforge-test/objects';
const countdown = new Countdown(1);
const attempts = [() => { countdown.tolerance = -1; }, () => { countdown.tolerance = 'small'; }];
console.log(JSON.stringify(attempts.map((attempt) => {
  try { attempt(); return 'no error'; } catch (error) { return [error.message, error.details.function]; }
})));
""")
    [range_error, type_error] = json.loads(output)
    # Checked in Rust (the range) and in JavaScript (the type): both say "set", not "called".
    assert range_error == ["Countdown.tolerance must be at least 0, got -1", "Countdown.tolerance"]
    assert type_error[0].startswith("Countdown.tolerance must be a number, got") and type_error[1] == "Countdown.tolerance"


def test_tensor_shape_mismatches_name_the_dimensions(node: NodeRuntime, project: Path) -> None:
    output = run_node(node, project, """
import { matmul } from '@wasmforge-test/objects';
try {
  matmul({ data: new Float32Array(6), shape: [2, 3] }, { data: new Float32Array(4), shape: [2, 2] });
} catch (error) { console.log(error.message); }
""")
    assert "`b.shape[0]` must be 3 (k, as in a.shape[1]), got 2" in output


def test_helpers_on_the_classic_script_global(node: NodeRuntime, project: Path) -> None:
    output = run_node(node, project, """
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
const dir = 'node_modules/@wasmforge-test/objects/';
vm.runInThisContext(readFileSync(dir + 'no-modules.js', 'utf8'));
await Objects.init(readFileSync(dir + 'objects_bg.wasm'));
console.log(JSON.stringify({ corners: Array.from(Objects.squareCorners(1)), unit: Objects.Unit.Feet,
  version: Objects.version(), memory: Objects.memoryUsage().capacity > 0 }));
""")
    assert json.loads(output) == {"corners": [0, 0, 1, 0, 1, 1, 0, 1], "unit": "feet", "version": "0.2.0",
                                  "memory": True}


CONSUMER = """
import { summarize, summarizeAsync, distanceBatch, matmul, maskedSum, convert, describe, Unit, Countdown,
  initCountdown, getCountdown, trackProgress, squareCorners, Stopped, type Summary, type Tensor,
  type Polygon } from '@wasmforge-test/objects';

const polygon: Polygon = { corners: squareCorners(2), unit: Unit.Feet };
const summary: Summary = summarize(polygon, 'square');
const later: Promise<Summary> = summarizeAsync({ corners: new Float64Array([0, 0, 1, 0, 0, 1]) });
const product: Tensor<Float32Array> = matmul({ data: new Float32Array(4), shape: [2, 2] }, { data: new Float32Array(2), shape: [2, 1] });
const total: number = maskedSum({ data: new Float32Array(4), shape: [2, 2] });
const feet: number = convert(1, 'meters', Unit.Feet);
export async function main(): Promise<void> {
  using countdown = new Countdown(0.5, 10);
  countdown.unit = 'feet';
  const steps: number = countdown.stepsFor(4);
  const text: string = describe(countdown);
  for await (const step of countdown.run(16)) { const remaining: number = step.remaining; console.log(remaining); }
  for await (const report of trackProgress(countdown.run(16), { target: countdown.tolerance, limit: countdown.maxSteps })) {
    const percent: number = report.percentage; console.log(percent);
  }
  countdown.addEventListener('progress', (event) => { const p: number = event.detail.percentage; console.log(p); });
  countdown.addEventListener('error', (event) => { if (event.detail instanceof Stopped) console.log(event.detail.details.at); });
  const result: number | void = await countdown.runAsync(16);
  const batch: Array<number | Error> = await distanceBatch([{ a: { x: 0, y: 0 }, b: { x: 1, y: 1 } }]);
  const shared: Countdown = await getCountdown(1);
  const fresh: Countdown = await initCountdown(1, 5);
  console.log(summary, later, product, total, feet, steps, text, result, batch, shared, fresh);
}
"""


@pytest.mark.parametrize("resolution", ["node16", "bundler"])
def test_typescript_consumer_of_every_feature_compiles(node: NodeRuntime, project: Path, resolution: str) -> None:
    result = tsc_files(node, project, {"consumer.ts": CONSUMER}, resolution)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("snippet", [
    "import { Countdown } from '@wasmforge-test/objects'; new Countdown('1');",
    "import { convert } from '@wasmforge-test/objects'; convert(1, 'yards');",
    "import { summarize } from '@wasmforge-test/objects'; summarize({ corners: [0, 1] });",
    "import { matmul } from '@wasmforge-test/objects'; matmul(new Float32Array(4), new Float32Array(4));",
])
def test_typescript_rejects_wrong_types(node: NodeRuntime, project: Path, snippet: str) -> None:
    result = tsc_files(node, project, {"wrong.ts": snippet + "\n"}, "node16")
    assert result.returncode != 0 and "error TS" in result.stdout
