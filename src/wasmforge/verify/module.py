"""wasmtime's view of the shipped module: valid, exports what the spec
declares, imports nothing but wasm-bindgen's JS glue."""

from __future__ import annotations

from pathlib import Path

from ..kernelspec.model import KernelSpec
from .report import Check


def check_module(wasm_file: Path, spec: KernelSpec) -> list[Check]:
    # Imported here, not at the top: every CLI start would pay for it, and
    # `doctor` must be able to report wasmtime missing rather than crash.
    import wasmtime

    data = wasm_file.read_bytes()
    column = "wasm (simd)" if wasm_file.parent.name == "simd" else "wasm"
    engine = wasmtime.Engine()
    try:
        wasmtime.Module.validate(engine, data)
    except wasmtime.WasmtimeError as exc:
        first_line = str(exc).splitlines()[0]
        return [Check(column, "module", "valid", False, f"{wasm_file.name} is not valid: {first_line}")]
    stem = wasm_file.name.removesuffix("_bg.wasm")
    module = wasmtime.Module(engine, data)
    checks = [Check(column, "module", "valid", True, f"{wasm_file.name}, {len(data)} bytes")]
    exports = {export.name.lower() for export in module.exports}
    for subject, name in expected_exports(spec):
        present = name.lower() in exports
        checks.append(Check(column, subject, "exported", present,
                            "" if present else f"the module does not export `{name}`"))
    glue = f"./{stem}_bg.js"
    strangers = sorted({f"{imp.module}::{imp.name}" for imp in module.imports if imp.module != glue})
    checks.append(Check(column, "module", "imports only from the JS glue", not strangers,
                        f"{len(module.imports)} imports from {glue}" if not strangers
                        else "unexpected imports: " + ", ".join(strangers[:5])))
    return checks


def expected_exports(spec: KernelSpec) -> list[tuple[str, str]]:
    """(report row, wasm export) for every function, constructor and method of the spec.
    wasm-bindgen names class members `<class>_<member>` (compared case-insensitively)."""
    exports = [(f.name, f.name) for f in spec.functions]
    exports += [(f.name, f.batch_name) for f in spec.functions if f.batch_name]
    for klass in spec.classes:
        handle = klass.handle.lower()
        exports.append((klass.name, f"{handle}_new"))
        for method in klass.methods:
            exports.append((f"{klass.name}.{method.name}", f"{handle}_{method.name}"))
    return exports
