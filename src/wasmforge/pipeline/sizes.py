"""Sizes per target: the module before and after wasm-opt, gzipped, and the JS."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

from ..render.npm import INLINE_MODULE, Layout, glue_files


@dataclass(frozen=True)
class TargetSize:
    target: str
    wasm_before: int
    wasm_after: int
    wasm_gzip: int
    js: int
    js_gzip: int

    def as_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def gzip_size(data: bytes) -> int:
    # mtime=0: the number depends on the bytes only.
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def measure(package: Path, layout: Layout, wasm_before: dict[str, int]) -> list[TargetSize]:
    """One row per target (and per target's SIMD module, when there is one)."""
    # Each module and each target's JS measured once (gzip -9 of the inlined
    # module is not cheap), then combined into the rows.
    js_sizes = {}
    for target in layout.targets:
        js = b"".join((package / name).read_bytes() for name in _js_files(layout, target))
        js_sizes[target] = (len(js), gzip_size(js))
    rows = []
    for variant, module in (("baseline", layout.wasm), ("simd", layout.simd_wasm)):
        if variant not in wasm_before:
            continue
        wasm = (package / module).read_bytes()
        wasm_gzip = gzip_size(wasm)
        for target in layout.targets:
            label = target if variant == "baseline" else f"{target} (simd)"
            rows.append(TargetSize(label, wasm_before[variant], len(wasm), wasm_gzip, *js_sizes[target]))
    return rows


def _js_files(layout: Layout, target: str) -> list[str]:
    """The JavaScript a consumer of `target` loads (for bundlers: with the inlined module)."""
    if target == "no-modules":
        return ["no-modules.js"]
    web_glue = glue_files(layout.ident)["web"][f"{layout.ident}.js"]
    files = {"bundler": ["index.js", "api.js", web_glue, INLINE_MODULE],
             "nodejs": [*glue_files(layout.ident)["nodejs"].values(), "node.cjs", "api.cjs"],
             "web": ["web.js", "api.js", web_glue]}
    return files[target]
