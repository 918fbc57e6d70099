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
from ..render.npm import Layout, glue_files
from ..render.templates import GLUE_PLACEHOLDER

# npm pack records modes; fixed ones keep tarballs identical across machines.
FILE_MODE = 0o644


def assemble(stage: Path, layout: Layout, bindgen_dirs: dict[str, Path], wasm: Path, npm_sources: Path) -> None:
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    for target, out_dir in bindgen_dirs.items():
        if target == "no-modules":
            continue
        for produced, shipped in glue_files(layout.ident)[target].items():
            shutil.copyfile(out_dir / produced, stage / shipped)
    shutil.copyfile(wasm, stage / layout.wasm)
    for source in sorted(npm_sources.iterdir()):
        shutil.copyfile(source, stage / source.name)
    if "no-modules" in bindgen_dirs:
        _compose_no_modules(stage / "no-modules.js", bindgen_dirs["no-modules"] / f"{layout.ident}.js")
    _check_complete(stage, layout)
    for path in stage.iterdir():
        os.chmod(path, FILE_MODE)


def _compose_no_modules(script: Path, glue: Path) -> None:
    text = script.read_text("utf-8")
    if text.count(GLUE_PLACEHOLDER) != 1:
        raise WasmforgeError(f"{script.name} template lost its glue placeholder (broken template?)")
    script.write_text(text.replace(GLUE_PLACEHOLDER, glue.read_text("utf-8").rstrip()), "utf-8")


def _check_complete(stage: Path, layout: Layout) -> None:
    expected = set(layout.shipped_files()) | {"package.json"}
    present = {p.name for p in stage.iterdir()}
    missing, extra = expected - present, present - expected
    if missing or extra:
        raise WasmforgeError(
            f"assembled package does not match its manifest (missing {sorted(missing)}, unexpected {sorted(extra)})"
        )
