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
from ..spec.model import KernelSpec
from . import js, npm, rust
from .templates import GLUE_PLACEHOLDER, render


def crate_files(spec: KernelSpec, crate_dir: Path) -> dict[str, str]:
    """The generated crate, to be written at `crate_dir`."""
    functions = [rust.function(f) for f in spec.functions]
    context = {
        **_common(spec),
        "crate_name": f"{spec.ident.replace('_', '-')}-wasm",
        "crate_package": spec.crate_package,
        "kernel_path": Path(os.path.relpath(spec.crate_dir, crate_dir)).as_posix(),
        "features": list(spec.build.features),
        "wasm_bindgen_version": pins().wasm_bindgen,
        "error_type": spec.error_type,
        "error_arms": [rust.error_arm(kind, spec.error_type) for kind in spec.kernel_errors],
        "functions": functions,
        "checks_used": sorted(rust.checks_used(functions)),
    }
    return {
        "Cargo.toml": render("crate/Cargo.toml.jinja", **context),
        "src/lib.rs": render("crate/src/lib.rs.jinja", **context),
    }


def npm_files(spec: KernelSpec) -> dict[str, str]:
    """The npm sources: everything in the package except wasm-bindgen's output."""
    layout = npm.layout(spec)
    context = {
        **_common(spec),
        "layout": layout,
        "exports": layout.exports(),
        "main_fields": layout.main_fields(),
        "files": layout.shipped_files(),
        "side_effects": layout.side_effect_files(),
        "errors": [js.error(kind) for kind in spec.errors],
        "functions": [js.function(f) for f in spec.functions],
        "examples": _readme_examples(spec),
        "glue_placeholder": GLUE_PLACEHOLDER,
    }
    files = {}
    for template, output in layout.rendered_sources().items():
        name, _, variant = template.partition("#")
        files[output] = render(name, module_format=variant or "esm", **context)
    return files


def _common(spec: KernelSpec) -> dict[str, Any]:
    return {
        "wasmforge_version": __version__,
        "package": spec.package,
        "build": spec.build,
        "npm": spec.npm,
        "ident": spec.ident,
        "base": spec.npm.error_base,
    }


def _readme_examples(spec: KernelSpec) -> list[dict[str, str]]:
    shown = []
    for function in spec.functions:
        for example in function.examples:
            if example.error:
                outcome = f"throws {example.error}"
            elif function.returns.is_void:
                outcome = "returns nothing"
            else:
                outcome = "→ " + js.literal(example.expect, function.returns.required)
            shown.append({"call": js.call_expression(function, example), "outcome": outcome,
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
