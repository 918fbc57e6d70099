"""Generated code, formatted by each language's own formatter.

The templates say what the code does; rustfmt (the crate) and Prettier (the
JavaScript and TypeScript) decide how it is laid out, so the shipped code reads
like code written by hand — no 190-character call, every file in the style its
readers' tools expect — and a diff between two releases shows changes of meaning,
not of layout. Both formatters are pinned with the toolchain and are part of the
build fingerprint: the generated lib.rs's line numbers end up in the module's
panic locations.
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import proc
from ..kernelspec.model import KernelSpec
from ..render.context import crate_files, npm_files
from ..settings import npm_tools_dir
from ..toolchain.tools import Toolchain

PRETTIER_SCRIPT = Path(__file__).with_name("prettier.mjs")
# Prettier's defaults, plus the templates' own conventions (single quotes) and a
# line width that keeps call sites with their three-number array arguments on one line.
PRETTIER_OPTIONS = {"singleQuote": True, "printWidth": 100, "trailingComma": "all"}
RUSTFMT_ARGS = ("--edition", "2021", "--config", "max_width=100")
_PRETTIER_SUFFIXES = (".js", ".cjs", ".mjs", ".ts", ".cts")


def rendered_crate(spec: KernelSpec, crate_dir: Path, toolchain: Toolchain) -> dict[str, str]:
    """The generated crate's files as shipped: rendered, then formatted."""
    return format_crate(crate_files(spec, crate_dir), toolchain)


def rendered_npm(spec: KernelSpec, toolchain: Toolchain) -> dict[str, str]:
    """The npm sources as shipped: rendered, then formatted."""
    return format_npm(npm_files(spec), toolchain)


def format_crate(files: dict[str, str], toolchain: Toolchain) -> dict[str, str]:
    """The crate's files with every `.rs` file through rustfmt."""
    return {name: _rustfmt(text, toolchain) if name.endswith(".rs") else text for name, text in files.items()}


def format_npm(files: dict[str, str], toolchain: Toolchain) -> dict[str, str]:
    """The npm sources with the JavaScript and TypeScript through Prettier (one process)."""
    code = {name: text for name, text in files.items() if name.endswith(_PRETTIER_SUFFIXES)}
    if not code:
        return dict(files)
    result = proc.run(
        [*toolchain.node.script(PRETTIER_SCRIPT, str(npm_tools_dir()))],
        stdin_text=json.dumps({"files": code, "options": PRETTIER_OPTIONS}),
        hint="Prettier could not parse generated code: a wasmforge template bug (please report it)",
    )
    formatted = json.loads(result.stdout)["files"]
    return {name: formatted.get(name, text) for name, text in files.items()}


def _rustfmt(text: str, toolchain: Toolchain) -> str:
    result = proc.run(["rustfmt", *RUSTFMT_ARGS, "--emit", "stdout"], env=toolchain.rust.env, stdin_text=text,
                      hint="rustfmt could not parse the generated crate: a wasmforge template bug (please report it)")
    return result.stdout


def minify_js(code: str, toolchain: Toolchain) -> str:
    """A classic script minified by esbuild (pinned with the npm tools): for code shipped as a
    string that no one reads — the worker source of `npm.workers` (see pipeline/assemble.py)."""
    esbuild = npm_tools_dir() / "node_modules" / "esbuild" / "bin" / "esbuild"
    result = proc.run(toolchain.node.script(esbuild, "--minify", "--loader=js", "--log-level=warning"),
                      stdin_text=code,
                      hint="esbuild could not minify the generated worker source: a wasmforge template bug")
    return result.stdout
