"""Render an inline spec and check facts about the output (no toolchain)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from tests.conftest import MINIMAL_SPEC, write_kernel
from wasmforge.render.context import crate_files, npm_files, write_tree
from wasmforge.settings import pins
from wasmforge.kernelspec.load import load_spec


def render(kernel: Path) -> tuple[dict[str, str], dict[str, str]]:
    spec = load_spec(kernel)
    return crate_files(spec, kernel / "target" / "wasmforge" / "crate"), npm_files(spec)


def test_cargo_toml_pins_wasm_bindgen_and_sets_the_release_profile(kernel_dir: Path) -> None:
    crate, _ = render(kernel_dir)
    cargo = tomllib.loads(crate["Cargo.toml"])
    assert cargo["dependencies"]["wasm-bindgen"] == f"={pins().wasm_bindgen}"
    assert cargo["dependencies"]["kernel"] == {"package": "demo-kernel-rs", "path": "../../.."}
    assert cargo["lib"]["crate-type"] == ["cdylib"]
    assert cargo["profile"]["release"] == {
        "opt-level": "z", "lto": True, "codegen-units": 1, "panic": "abort", "strip": True, "debug": False,
    }
    assert cargo["package"]["metadata"]["wasm-pack"]["profile"]["release"]["wasm-opt"] is False
    assert "workspace" in cargo


def test_speed_profile_uses_opt_level_3(tmp_path: Path) -> None:
    kernel = write_kernel(tmp_path / "k", MINIMAL_SPEC + '\n[build]\nprofile = "speed"\n')
    cargo = tomllib.loads(render(kernel)[0]["Cargo.toml"])
    assert cargo["profile"]["release"]["opt-level"] == 3


def test_wrapper_validates_before_calling_the_kernel(kernel_dir: Path) -> None:
    lib = render(kernel_dir)[0]["src/lib.rs"]
    # The export takes the array as a resident (handle, offset, length) and returns a plain
    # value: a failure is parked for the facade (`deliver`), never a Result through the glue.
    export = lib[lib.index("#[wasm_bindgen(js_name = sumAll)]"):]
    assert ("pub fn sum_all(\n    values: u32,\n    values_offset: u32,\n    values_len: u32,\n) -> f64 {\n"
            "    deliver(sum_all_call(values, values_offset, values_len))\n}") in export
    body = lib[lib.index("fn sum_all_call("):]
    resolve = body.index('let values = resident::input::<f64>("sumAll", "values", values, values_offset, values_len)?;')
    check = body.index('check::min_length("sumAll", "values", values.len(), 1)?;')
    assert resolve < check < body.index("kernel::sum_all(values).map_err(kernel_error)")
    assert 'kernel::KernelError::Overflow { limit } => raw_error(\n            "OVERFLOW"' in lib
    # Only the helpers in use are emitted, so the crate has no dead code.
    assert "pub fn min_length(" in lib and "pub fn at_least(" not in lib


def test_package_json_serves_every_target_from_one_package(kernel_dir: Path) -> None:
    manifest = json.loads(render(kernel_dir)[1]["package.json"])
    root = manifest["exports"]["."]
    assert root["node"]["require"] == {"types": "./index.d.cts", "default": "./node.cjs"}
    assert root["node"]["import"]["default"] == "./node.js"
    # Every bundler sets `module`, Node does not. Bundlers that set `production` for the browser
    # (webpack, Vite: they emit `new URL(…, import.meta.url)` assets) get asset.js, the others
    # the inlined-module entry.
    inline = {"types": "./index.d.ts", "default": "./index.js"}
    browser = {"production": {"types": "./index.d.ts", "default": "./asset.js"}, "default": inline}
    assert list(root)[:2] == ["workerd", "module"] and root["module"] == {"browser": browser, "default": inline}
    assert root["workerd"] == {"types": "./index.d.ts", "default": "./workerd.js"}
    assert root["browser"] == browser and root["import"] == inline
    assert manifest["exports"]["./bundler"] == {"module": root["module"], "import": inline}
    assert manifest["exports"]["./web"] == {"import": {"types": "./web.d.ts", "default": "./web.js"}}
    assert manifest["exports"]["./no-modules"] == "./no-modules.js"
    assert manifest["type"] == "module" and manifest["main"] == "./node.cjs" and manifest["module"] == "./index.js"
    assert manifest["files"].count("demo_kernel_bg.wasm") == 1
    assert {"wasm-inline.js", "asset.js", "demo_kernel.web.js", "bundler.d.ts", "node.d.ts"} <= set(manifest["files"])
    # One glue for bundlers, browsers and Node.js; one facade; the declarations once.
    assert not {"demo_kernel.js", "demo_kernel.node.cjs", "api.cjs"} & set(manifest["files"])
    assert manifest["sideEffects"] == ["./index.js", "./asset.js", "./workerd.js", "./no-modules.js"]
    # node.cjs require()s the ES facade and glue.
    assert manifest["engines"] == {"node": "^20.19.0 || >=22.12.0"}


def test_web_only_package_maps_import_to_the_web_build(tmp_path: Path) -> None:
    kernel = write_kernel(tmp_path / "k", MINIMAL_SPEC + '\n[build]\ntargets = ["web"]\n')
    manifest = json.loads(render(kernel)[1]["package.json"])
    assert manifest["exports"]["."]["import"] == {"types": "./web.d.ts", "default": "./web.js"}
    assert "node" not in manifest["exports"]["."]
    assert "node.cjs" not in manifest["files"]


def test_types_are_documented_from_the_spec(kernel_dir: Path) -> None:
    npm = render(kernel_dir)[1]
    # The declarations are written once; the ES entries add the default export (init, no namespace).
    assert "export * from './index.cjs';\n" in npm["index.d.ts"]
    assert npm["index.d.ts"].endswith("import { init } from './index.cjs';\nexport default init;\n")
    assert sum(line.startswith("export") for line in npm["index.d.ts"].splitlines()) == 2
    types = npm["index.d.cts"]
    assert "export declare function sumAll(values: Float64Array | ResidentArray<Float64Array>): number;" in types
    assert "export declare function allocFloat64Array(length: number): ResidentArray<Float64Array>;" in types
    assert " * @param values - The values. (length at least 1)" in types
    assert " * @throws {@link Overflow}" in types
    assert "readonly details: Readonly<{ limit: number }>;" in types
    assert "export declare class DemoKernelError extends Error {" in types


def test_facade_checks_types_and_translates_errors(kernel_dir: Path) -> None:
    npm = render(kernel_dir)[1]
    api = npm["api.js"]
    # The heap takes each array (copying plain ones), taking them again if its arena had to grow;
    # the raw call gets (handle, offset, length).
    assert "let values_handle = heap.take(0, values, F64, 'sumAll', 'values'), values_offset = heap.offset" in api
    assert "  heap.grow('sumAll');\n      values_handle = heap.take(0, values, F64, 'sumAll', 'values');" in api
    assert "raw_result = raw.sumAll(values_handle, values_offset, values_length);" in api
    assert "if (heap.failed()) throw heap.error('sumAll');" in api
    assert "OVERFLOW: [Overflow, ['limit']]," in api
    assert "const api = require('./api.js');" in npm["node.cjs"] and "export {\n  createApi," in api
    assert "@wasmforge:no-modules-glue" in npm["no-modules.js"]
    assert "globalThis.DemoKernel = Object.freeze({" in npm["no-modules.js"]


def test_write_tree_replaces_the_whole_directory(tmp_path: Path) -> None:
    destination = tmp_path / "out"
    write_tree({"a.txt": "1", "sub/b.txt": "2"}, destination)
    write_tree({"c.txt": "3"}, destination)
    assert sorted(p.relative_to(destination).as_posix() for p in destination.rglob("*")) == ["c.txt"]


def test_views_borrowed_structs_and_into_variants_render(tmp_path: Path) -> None:
    from tests.unit.test_spec_errors import MATRIX_SPEC

    crate, npm = render(write_kernel(tmp_path / "k", MATRIX_SPEC))
    lib = crate["src/lib.rs"]
    # Borrowed: the kernel's struct gets the slice itself, no `.to_vec()`.
    assert "let matrix = kernel::Matrix { data: matrix_data, rows: matrix_rows, cols: matrix_cols };" in lib
    body = lib[lib.index("fn scale_call("):]
    body = body[:body.index("\n}\n")]
    # `{ out }`: resolved without overlapping an input, checked, then filled by the kernel's into-variant.
    assert 'resident::optional_output::<f64>("scale", "out", out, out_offset, out_len, ' \
           '&[("matrix", resident::span(matrix_data))])?;' in body
    assert 'check::length("scale", "out", out.len(), i128::from(u64::from(matrix_rows) * u64::from(matrix_cols)), ' \
           '"matrix.rows * matrix.cols")?;' in body
    assert "kernel::scale_into(matrix, out).map_err(kernel_error)?;" in body
    api, types = npm["api.js"], npm["index.d.cts"]
    assert "class MatrixView {" in api and "MatrixView.prototype[VIEW_OF] = 'Matrix';" in api
    assert "data_view() {" in api and "set_data(values) {" in api
    assert "export declare class MatrixView implements Disposable {" in types
    assert "export declare function scale(matrix: AcceptsResident<Matrix> | MatrixView, options?: { out?: " \
           "Float64Array | ResidentArray<Float64Array> }): Float64Array;" in types
    # The interface keeps the declared field type; arguments take resident fields (AcceptsResident).
    assert "  data: Float64Array;\n" in types


def test_error_variants_match_whatever_shape_the_rust_has(tmp_path: Path) -> None:
    spec = MINIMAL_SPEC.replace('fields = { limit = "f64" }', 'fields = ["string", "u32"]') + """
[[error]]
name = "Empty"
doc = "Nothing to sum."
"""
    lib = render(write_kernel(tmp_path / "k", spec))[0]["src/lib.rs"]
    # A tuple variant binds its positional fields, each converted through its declared type.
    assert "kernel::KernelError::Overflow(field0, field1) => raw_error(" in lib
    assert "declared_text(&field0)" in lib and "JsValue::from(declared::<u32>(field1))" in lib
    # A variant without fields matches unit, tuple and struct variants alike.
    assert "kernel::KernelError::Empty { .. } => raw_error(" in lib
    # Every item names the spec entry it comes from, for located compiler errors.
    assert "// From kernel.toml: error[0].fields[1] (`Overflow`)" in lib
    assert "// From kernel.toml: function[0] (`sumAll`)" in lib


def test_strict_bounds_and_lengths_over_other_arrays_render(tmp_path: Path) -> None:
    spec = MINIMAL_SPEC.replace("[[function.example]]", """
[[function.args]]
name = "weights"
type = "f64[]"
doc = "One weight per value."
length = "len(values)"

[[function.args]]
name = "scale"
type = "f64"
doc = "A positive scale."
gt = 0
lt = 10

[[function.example]]""").replace("args = { values = [1, 2, 3] }", "args = { values = [1, 2, 3], weights = [1, 1, 1], scale = 1.0 }")
    crate, npm = render(write_kernel(tmp_path / "k", spec))
    lib = crate["src/lib.rs"]
    assert 'check::greater_than("sumAll", "scale", scale, 0.0_f64)?;' in lib
    assert 'check::less_than("sumAll", "scale", scale, 10.0_f64)?;' in lib
    assert 'check::length("sumAll", "weights", weights.len(), i128::from(values.len() as u64), "len(values)")?;' \
        in lib
    # `values` is resolved before the length of `weights` refers to it.
    assert lib.index('resident::input::<f64>("sumAll", "values"') < lib.index("weights.len(), i128::from(values.len()")
    assert "A positive scale. (greater than 0; less than 10)" in npm["index.d.cts"]
