"""wasmtime's view of the shipped module: valid, exports what the spec
declares, imports nothing but wasm-bindgen's JS glue."""

from __future__ import annotations

from pathlib import Path

import wasmtime

from ..spec.model import KernelSpec
from .report import Check


def check_module(wasm_file: Path, spec: KernelSpec) -> list[Check]:
    data = wasm_file.read_bytes()
    engine = wasmtime.Engine()
    try:
        wasmtime.Module.validate(engine, data)
    except wasmtime.WasmtimeError as exc:
        first_line = str(exc).splitlines()[0]
        return [Check("wasm", "module", "valid", False, f"{wasm_file.name} is not valid: {first_line}")]
    module = wasmtime.Module(engine, data)
    checks = [Check("wasm", "module", "valid", True, f"{wasm_file.name}, {len(data)} bytes")]
    exports = {export.name for export in module.exports}
    for function in spec.functions:
        present = function.name in exports
        checks.append(Check("wasm", function.name, "exported", present,
                            "" if present else f"the module does not export `{function.name}`"))
    glue = f"./{spec.ident}_bg.js"
    strangers = sorted({f"{imp.module}::{imp.name}" for imp in module.imports if imp.module != glue})
    checks.append(Check("wasm", "module", "imports only from the JS glue", not strangers,
                        f"{len(module.imports)} imports from {glue}" if not strangers
                        else "unexpected imports: " + ", ".join(strangers[:5])))
    return checks
