"""Put the package together in the staging directory.

wasm-bindgen's output is copied under its per-target name (see
render/npm.py), the optimised module once, the rendered npm sources as they
are. Composed here: `wasm-inline.js` (the optimised modules LZMA-compressed, for the
bundler entry of esbuild-like bundlers) and the no-modules script, which wraps wasm-bindgen's glue
and our facade in one function so it defines a single global.

Two textual edits to wasm-bindgen's output, each checked to apply exactly
once (the wasm-bindgen version is pinned): the web glue loses its default
`new URL('<ident>_bg.wasm', import.meta.url)` — dead code, since our entries
always pass the module, but bundlers would emit the .wasm into every bundle
because of it; and the no-modules glue's `exports` parameter is renamed, so
that package linters do not take the classic script for CommonJS.
"""

from __future__ import annotations

import base64
import json
import os
import re
import lzma
import shutil
from collections.abc import Callable
from pathlib import Path

from ..errors import BuildFailed
from .. import __version__
from ..render.npm import HELPERS_DIR, INLINE_MODULE, SIMD_DIR, THREADS_DIR, WORKER_SOURCE, Layout, glue_files
from ..render.templates import GLUE_PLACEHOLDER, HELPERS_PLACEHOLDER, render

# npm pack records modes; fixed ones keep tarballs identical across machines.
FILE_MODE = 0o644
DIR_MODE = 0o755


def assemble(stage: Path, layout: Layout, bindgen_dirs: dict[str, dict[str, Path]], modules: dict[str, Path],
             npm_sources: Path, minify: Callable[[str], str] | None = None) -> None:
    """`bindgen_dirs` and `modules` are keyed by variant ("baseline", "simd", "threads"); `minify` makes
    the worker source of `npm.workers` (the no-modules script, minified)."""
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    for target, out_dir in bindgen_dirs["baseline"].items():
        if target != "no-modules":
            _copy_glue(out_dir, stage, layout.ident, target)
    if "web" in bindgen_dirs["baseline"]:
        _drop_default_url(stage / glue_files(layout.ident)["web"][f"{layout.ident}.js"], layout.ident)
    shutil.copyfile(modules["baseline"], stage / layout.wasm)
    if "simd" in modules:
        (stage / SIMD_DIR).mkdir(exist_ok=True)
        shutil.copyfile(modules["simd"], stage / layout.simd_wasm)
    if "threads" in modules and layout.uses_threads:
        (stage / THREADS_DIR).mkdir(exist_ok=True)
        shutil.copyfile(modules["threads"], stage / layout.threads_wasm)
        shutil.copyfile(bindgen_dirs["threads"]["web"] / f"{layout.ident}.js", stage / layout.threads_glue)
    if layout.has["bundler"]:
        _write_inline_module(stage / INLINE_MODULE, {v: m for v, m in modules.items() if v != "threads"})
    for source in sorted(npm_sources.iterdir()):
        if source.is_dir():
            shutil.copytree(source, stage / source.name)
        else:
            shutil.copyfile(source, stage / source.name)
    if "no-modules" in bindgen_dirs["baseline"]:
        glue = bindgen_dirs["baseline"]["no-modules"] / f"{layout.ident}.js"
        _compose_no_modules(stage / "no-modules.js", glue, [stage / HELPERS_DIR / f"{h}.cjs" for h in layout.helpers])
    if layout.has["bundler"] and layout.workers:
        assert minify is not None, "the worker source needs a minifier"
        _write_worker_source(stage / WORKER_SOURCE, stage / "no-modules.js", minify)
    _check_complete(stage, layout)
    for path in stage.rglob("*"):
        os.chmod(path, DIR_MODE if path.is_dir() else FILE_MODE)


def _copy_glue(out_dir: Path, destination: Path, ident: str, target: str) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    for produced, shipped in glue_files(ident)[target].items():
        shutil.copyfile(out_dir / produced, destination / shipped)


def _drop_default_url(glue: Path, ident: str) -> None:
    default = f"module_or_path = new URL('{ident}_bg.wasm', import.meta.url);"
    replacement = "throw new Error('init() needs the module: a URL, a Response, bytes or a WebAssembly.Module');"
    _edit_once(glue, default, replacement)


def _edit_once(file: Path, old: str, new: str) -> None:
    text = file.read_text("utf-8")
    if text.count(old) != 1:
        raise BuildFailed(f"{file.name}: expected `{old}` exactly once in wasm-bindgen's output "
                             "(a different wasm-bindgen version?)", hint="run `wasmforge doctor`")
    file.write_text(text.replace(old, new), "utf-8")


# LZMA1 settings of the inlined modules. Measured on the solver's two builds (99.7 + 103.2 KB):
# 40.9 KB with lc=3 lp=0 pb=0 (pb=2, the default, 41.1 KB; DEFLATE with the builds interleaved in
# 8 KiB blocks, 54.0 KB; one build gzipped, 43.9 KB). pb=0: wasm code has no 4-byte structure.
INLINE_LZMA = {"lc": 3, "lp": 0, "pb": 0}
# The window spans both builds, so the second build is mostly matches into the first.
INLINE_DICTIONARY = 1 << 22


def _write_inline_module(destination: Path, modules: dict[str, Path]) -> None:
    data = {variant: path.read_bytes() for variant, path in modules.items()}
    simd = "simd" in data
    raw = data["simd"] + data["baseline"] if simd else data["baseline"]
    packed = base64.b64encode(_lzma_raw(raw)).decode("ascii")
    sizes = {variant: len(module) for variant, module in data.items()}
    destination.write_text(render("npm/wasm-inline.js.jinja", wasmforge_version=__version__, packed=packed,
                                  sizes=sizes, simd=simd, lzma=INLINE_LZMA), "utf-8")


def _lzma_raw(data: bytes) -> bytes:
    """A raw LZMA1 stream (no header: the decoder is told the settings and the size)."""
    settings = {"id": lzma.FILTER_LZMA1, "preset": 9 | lzma.PRESET_EXTREME, "dict_size": INLINE_DICTIONARY,
                **INLINE_LZMA}
    return lzma.compress(data, format=lzma.FORMAT_RAW, filters=[settings])


# `exports` / `module` as identifiers: not `instance.exports`, not an object key.
_EXPORTS_IDENTIFIER = re.compile(r"(?<![\w$.])exports(?![\w$]|\s*:)")
_MODULE_IDENTIFIER = re.compile(r"(?<![\w$.])module(?![\w$]|\s*:)")
# String literals and comments, which the renaming must leave alone.
_NOT_CODE = re.compile(r"""'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`|//[^\n]*|/\*.*?\*/""", re.S)


def _script_scoped(code: str, own_module: bool = False) -> str:
    """CommonJS-looking code renamed for a classic script: `exports` (and our own
    `module` shim) become plain local names, so linters see no CommonJS. Strings
    and comments are left as they are."""
    def rename(span: str) -> str:
        span = _EXPORTS_IDENTIFIER.sub("__exports", span)
        return _MODULE_IDENTIFIER.sub("__module", span) if own_module else span

    pieces, last = [], 0
    for literal in _NOT_CODE.finditer(code):
        pieces += [rename(code[last:literal.start()]), literal.group()]
        last = literal.end()
    return "".join(pieces) + rename(code[last:])


def _compose_no_modules(script: Path, glue: Path, helpers: list[Path]) -> None:
    """Fill the script's placeholders: wasm-bindgen's glue, and the helpers'
    CommonJS code, each evaluated in a function scope of its own."""
    text = script.read_text("utf-8")
    for placeholder in (GLUE_PLACEHOLDER, HELPERS_PLACEHOLDER):
        if text.count(placeholder) != 1:
            raise BuildFailed(f"{script.name} template lost its placeholder {placeholder} (broken template?)")
    modules = "\n".join(
        f"  const {path.stem}Helpers = (function () {{\n"
        + _script_scoped("    const module = { exports: {} };\n    const exports = module.exports;\n"
                         f"{path.read_text('utf-8').rstrip()}\n    return module.exports;", own_module=True)
        + "\n  })();"
        for path in helpers)
    text = text.replace(GLUE_PLACEHOLDER, _script_scoped(glue.read_text("utf-8").rstrip()))
    script.write_text(text.replace(HELPERS_PLACEHOLDER, modules), "utf-8")


def _write_worker_source(destination: Path, script: Path, minify: Callable[[str], str]) -> None:
    """The bundler entry's workers (`npm.workers`) start from a string, a blob: URL or an eval'd
    worker_threads worker: bundlers that do not bundle `new Worker(new URL(…))` (esbuild; every
    bundle for Node.js; Vite's dev server) have no worker script to point at. The string is the
    no-modules script — wasm-bindgen's glue and the facade in one function, which serves a pool
    when started as a worker — minified: it is read by no one, and shipped in every tarball."""
    source = minify(script.read_text("utf-8"))
    destination.write_text(render("npm/worker-inline.js.jinja", wasmforge_version=__version__,
                                  source=json.dumps(source)), "utf-8")


def _check_complete(stage: Path, layout: Layout) -> None:
    expected = set(layout.shipped_files()) | {"package.json"}
    present = {p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()}
    missing, extra = expected - present, present - expected
    if missing or extra:
        raise BuildFailed(
            f"assembled package does not match its manifest (missing {sorted(missing)}, unexpected {sorted(extra)})"
        )
