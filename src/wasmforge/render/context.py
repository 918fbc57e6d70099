"""Turn a KernelSpec into the rendered crate and npm sources.

`crate_files()` and `npm_files()` are pure: spec in, {relative path: text} out.
`write_tree()` puts such a mapping on disk atomically (a temporary sibling
directory renamed into place), so a failure never leaves half a tree.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .. import __version__
from ..settings import pins
from ..kernelspec.model import KernelSpec
from ..kernelspec.names import pascal_case
from . import js, npm, rust
from .templates import GLUE_PLACEHOLDER, HELPERS_PLACEHOLDER, render


def crate_files(spec: KernelSpec, crate_dir: Path) -> dict[str, str]:
    """The generated crate, to be written at `crate_dir`."""
    return {"Cargo.toml": cargo_toml(spec, crate_dir), "src/lib.rs": lib_rs(spec)}


def cargo_toml(spec: KernelSpec, crate_dir: Path) -> str:
    """The generated crate's manifest (the only file that depends on where the crate is)."""
    return render(
        "crate/Cargo.toml.jinja",
        **_common(spec),
        crate_name=f"{spec.ident.replace('_', '-')}-wasm",
        crate_package=spec.crate_package,
        kernel_path=Path(os.path.relpath(spec.crate_dir, crate_dir)).as_posix(),
        features=list(spec.build.features),
        simd_feature=spec.build.simd_feature,
        wasm_bindgen_version=pins().wasm_bindgen,
    )


def lib_rs(spec: KernelSpec) -> str:
    """The generated bindings: the same text wherever the crate is written."""
    view = rust.RustView(spec)
    functions = view.functions()
    classes = view.classes()
    batches = view.function_batches(functions)
    error_arms = [rust.error_arm(kind, spec.error_type, index) for index, kind in enumerate(spec.kernel_errors)]
    struct_converters = view.struct_converters()
    conversions = "\n".join([*(d for arm in error_arms for _, d in arm["details"]),  # type: ignore[attr-defined]
                             *(f for _, _, fields in struct_converters for _, f in fields),
                             *(s.item_to_js for c in classes for s in c.streams.values())])
    generated_code = _statements(functions, classes, batches)
    return render(
        "crate/src/lib.rs.jinja",
        **_common(spec),
        error_type=spec.error_type,
        error_arms=error_arms,
        functions=functions,
        function_batches=batches,
        classes=classes,
        enum_helpers=view.enum_helpers(),
        struct_converters=struct_converters,
        declared_used=[name for name, call in (("declared", "declared::<"), ("declared_text", "declared_text("))
                       if call in conversions],
        checks_used=sorted(rust.checks_used(generated_code)),
        resident_used=sorted(rust.resident_used(generated_code)),
    )


def _statements(functions: list, classes: list, batches: list) -> str:
    """All generated Rust statements, to see which check helpers they call."""
    lines: list[str] = []
    callables = [*functions, *(c.constructor for c in classes), *(m for c in classes for m in c.methods)]
    for callable_ in callables:
        lines += [*callable_.prelude, *callable_.out_statements]
    for batch in [*batches, *(b for c in classes for b in c.batches)]:
        lines += [line for p in batch.params for line in p.validate]
    for klass in classes:
        lines += [line for p in klass.properties for line in p.setter_prelude]
    return "\n".join(lines)


def npm_files(spec: KernelSpec) -> dict[str, str]:
    """The npm sources: everything in the package except wasm-bindgen's output."""
    layout = npm.layout(spec)
    view = js.JsView(spec)
    functions = view.functions()
    classes = view.classes()
    streams = [m.stream for c in classes for m in c.methods if m.stream]
    progress = [s.progress for s in streams if s and s.progress]
    module_exports = [spec.npm.error_base, *(e.name for e in spec.errors), *(e.name for e in spec.enums)]
    if progress:
        module_exports += ["ProgressTracker", "trackProgress"]
    api_exports = ["version", "memoryUsage", "features", *RESIDENT_EXPORTS, *_api_names(spec),
                   *(alias for alias, _ in _api_aliases(spec)), *(WORKER_EXPORTS if spec.npm.workers else ())]
    context = {
        **_common(spec),
        "layout": layout,
        "simd": layout.simd,
        "exports": layout.exports(),
        "main_fields": layout.main_fields(),
        "files": layout.shipped_files(),
        "side_effects": layout.side_effect_files(),
        "errors": view.errors(),
        "functions": functions,
        "classes": classes,
        "structs": view.structs(),
        "enums": list(spec.enums),
        "uses_tensors": spec.uses_tensors,
        "has_streams": bool(streams),
        "has_batches": any(f.batch for f in functions) or any(m.batch for c in classes for m in c.methods),
        "has_events": any(c.events for c in classes),
        "has_progress": bool(progress),
        "default_progress": progress[0] if progress else {},
        "has_views": any(st.view for st in spec.structs),
        "has_class_args": any(a.type.kind == "class" for f in spec.all_functions for a in f.args),
        "api_names": _api_names(spec),
        "api_aliases": _api_aliases(spec),
        "namespace": spec.namespace,
        "workers": spec.npm.workers,
        "threads": layout.uses_threads,  # a threaded module, run by the workers
        "no_modules_function": f"wasmforge{pascal_case(spec.ident)}",  # the no-modules script's function
        "has_positional": any(f.positional for f in spec.all_functions),
        "api_exports": api_exports,
        "module_exports": module_exports,
        "all_exports": [*api_exports, "init", *module_exports],
        "examples": _readme_examples(spec, view),
        "resident_example": view.resident_example(),
        "glue_placeholder": GLUE_PLACEHOLDER,
        "helpers_placeholder": HELPERS_PLACEHOLDER,
        "helpers": list(layout.helpers),
    }
    files = {}
    for template, output in layout.rendered_sources().items():
        name, _, variant = template.partition("#")
        files[output] = render(name, module_format=variant or "esm", **context)
    return files


# What createApi() returns besides when the spec asks for worker execution (`npm.workers`).
WORKER_EXPORTS = ("disposeWorkers",)

# What every createApi() returns for resident arrays (templates/npm/api.js.jinja).
RESIDENT_EXPORTS = ("ResidentArray", "alloc", "allocFloat64Array", "allocFloat32Array", "allocInt32Array",
                    "allocUint32Array", "allocUint8Array")


def _api_names(spec: KernelSpec) -> list[str]:
    """What createApi() returns besides version/memoryUsage/features and the resident-array API."""
    names: list[str] = [s.view.name for s in spec.structs if s.view]
    for function in spec.functions:
        names += [n for n in (function.name, function.async_name, function.batch_name) if n]
    for klass in spec.classes:
        names += [n for n in (klass.name, klass.init_name, klass.singleton_name) if n]
    if spec.namespace:
        names += [spec.namespace.class_name, spec.namespace.name]
    return names


def _api_aliases(spec: KernelSpec) -> list[tuple[str, str]]:
    """(alias, class) pairs: what createApi() also returns under another name (`class.aliases`)."""
    return [(alias, klass.name) for klass in spec.classes for alias in klass.aliases]


def _common(spec: KernelSpec) -> dict[str, Any]:
    return {
        "wasmforge_version": __version__,
        "package": spec.package,
        "build": spec.build,
        "npm": spec.npm,
        "ident": spec.ident,
        "base": spec.npm.error_base,
    }


def _readme_examples(spec: KernelSpec, view: js.JsView) -> list[dict[str, str]]:
    shown = []
    owners = [(None, f) for f in spec.functions]
    owners += [(c, m) for c in spec.classes for m in (c.constructor, *c.methods)]
    for owner, function in owners:
        for example in function.examples:
            shown.append({"call": view.call_expression(function, example, owner),
                          "outcome": view.outcome_text(function, example) or "",
                          "doc": example.doc or ""})
    return shown


def write_tree(files: dict[str, str], destination: Path) -> None:
    """Replace `destination` with exactly `files`, all or nothing."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    try:
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
        replace_dir(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def replace_dir(new: Path, destination: Path) -> None:
    """Swap `new` into `destination` with two renames; the old tree is removed last."""
    old = destination.with_name(f".{destination.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if destination.exists():
        destination.rename(old)
    try:
        new.rename(destination)
    except BaseException:
        if old.exists():
            old.rename(destination)
        raise
    shutil.rmtree(old, ignore_errors=True)
