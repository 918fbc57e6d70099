"""Put the package together in the staging directory.

wasm-bindgen's output is copied under its per-target name (see
render/npm.py), the optimised module once, the rendered npm sources as they
are; the only composition is the no-modules script, which wraps wasm-bindgen's
glue and our facade in one function so it defines a single global.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..errors import WasmforgeError
from ..render.npm import HELPERS_DIR, SIMD_DIR, SIMD_GLUE_TARGETS, Layout, glue_files
from ..render.templates import GLUE_PLACEHOLDER, HELPERS_PLACEHOLDER

# npm pack records modes; fixed ones keep tarballs identical across machines.
FILE_MODE = 0o644
DIR_MODE = 0o755


def assemble(stage: Path, layout: Layout, bindgen_dirs: dict[str, dict[str, Path]], modules: dict[str, Path],
             npm_sources: Path) -> None:
    """`bindgen_dirs` and `modules` are keyed by variant ("baseline", "simd")."""
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    for target, out_dir in bindgen_dirs["baseline"].items():
        if target != "no-modules":
            _copy_glue(out_dir, stage, layout.ident, target)
    for target, out_dir in bindgen_dirs.get("simd", {}).items():
        if target in SIMD_GLUE_TARGETS:
            _copy_glue(out_dir, stage / SIMD_DIR, layout.ident, target)
    shutil.copyfile(modules["baseline"], stage / layout.wasm)
    if "simd" in modules:
        (stage / SIMD_DIR).mkdir(exist_ok=True)
        shutil.copyfile(modules["simd"], stage / layout.simd_wasm)
    for source in sorted(npm_sources.iterdir()):
        if source.is_dir():
            shutil.copytree(source, stage / source.name)
        else:
            shutil.copyfile(source, stage / source.name)
    if "no-modules" in bindgen_dirs["baseline"]:
        glue = bindgen_dirs["baseline"]["no-modules"] / f"{layout.ident}.js"
        _compose_no_modules(stage / "no-modules.js", glue, [stage / HELPERS_DIR / f"{h}.cjs" for h in layout.helpers])
    _check_complete(stage, layout)
    for path in stage.rglob("*"):
        os.chmod(path, DIR_MODE if path.is_dir() else FILE_MODE)


def _copy_glue(out_dir: Path, destination: Path, ident: str, target: str) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    for produced, shipped in glue_files(ident)[target].items():
        shutil.copyfile(out_dir / produced, destination / shipped)


def _compose_no_modules(script: Path, glue: Path, helpers: list[Path]) -> None:
    """Fill the script's placeholders: wasm-bindgen's glue, and the helpers'
    CommonJS code, each evaluated in a function scope of its own."""
    text = script.read_text("utf-8")
    for placeholder in (GLUE_PLACEHOLDER, HELPERS_PLACEHOLDER):
        if text.count(placeholder) != 1:
            raise WasmforgeError(f"{script.name} template lost its placeholder {placeholder} (broken template?)")
    modules = "\n".join(
        f"  const {path.stem}Helpers = (function () {{\n    const module = {{ exports: {{}} }};\n"
        f"    const exports = module.exports;\n{path.read_text('utf-8').rstrip()}\n    return module.exports;\n  }})();"
        for path in helpers)
    text = text.replace(GLUE_PLACEHOLDER, glue.read_text("utf-8").rstrip())
    script.write_text(text.replace(HELPERS_PLACEHOLDER, modules), "utf-8")


def _check_complete(stage: Path, layout: Layout) -> None:
    expected = set(layout.shipped_files()) | {"package.json"}
    present = {p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()}
    missing, extra = expected - present, present - expected
    if missing or extra:
        raise WasmforgeError(
            f"assembled package does not match its manifest (missing {sorted(missing)}, unexpected {sorted(extra)})"
        )
