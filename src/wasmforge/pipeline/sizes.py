"""What the package weighs, and the size budget that keeps it there.

Two kinds of row: each optimised module (raw, gzip -9, and its size before
wasm-opt), and each entry as a consumer of it loads it — its JavaScript files
and the module it fetches, once per module build it can pick. An entry's gzip
size is the sum of its files' (a server compresses each file on its own).
[build.size_budget] limits both kinds; `check_budget` is run on the staged
package, so a package over budget never replaces pkg/.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

from ..errors import SizeBudgetExceeded, SourceLocation
from ..kernelspec.locate import find_line, index_lines
from ..kernelspec.model import KernelSpec, SizeBudget
from ..kernelspec.units import format_against, format_budget
from ..render.npm import ASSET_ENTRY, INLINE_MODULE, Layout, glue_files


@dataclass(frozen=True)
class SizeRow:
    name: str  # "module", "module (simd)", "bundler", "web (simd)" …
    kind: str  # "module" | "entry"
    files: tuple[str, ...]  # package paths, the module last for an entry that fetches one
    raw: int
    gzip: int
    before_opt: int | None = None  # modules: the size wasm-bindgen produced

    def as_json(self) -> dict[str, object]:
        return {**self.__dict__, "files": list(self.files)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SizeRow:
        return cls(**{**data, "files": tuple(data["files"])})  # type: ignore[arg-type]


def gzip_size(data: bytes) -> int:
    # mtime=0: the number depends on the bytes only.
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def measure(package: Path, layout: Layout, wasm_before: dict[str, int]) -> list[SizeRow]:
    """The module rows, then one row per entry and module build it can load."""
    cache: dict[str, tuple[int, int]] = {}

    def weigh(name: str) -> tuple[int, int]:
        if name not in cache:  # each file is compressed once, however many entries load it
            data = (package / name).read_bytes()
            cache[name] = (len(data), gzip_size(data))
        return cache[name]

    modules = {"baseline": layout.wasm, "simd": layout.simd_wasm, "threads": layout.threads_wasm}
    variants = [variant for variant in ("baseline", "simd") if variant in wasm_before]
    # The threaded module: a module row (the budget applies), no entry loads it on its own.
    threaded = ["threads"] if "threads" in wasm_before and layout.uses_threads else []
    rows = [SizeRow(_label("module", variant), "module", (modules[variant],), *weigh(modules[variant]),
                    before_opt=wasm_before[variant]) for variant in variants + threaded]
    for name, files in _entries(layout, variants, modules):
        sizes = [weigh(file) for file in files]
        rows.append(SizeRow(name, "entry", files, sum(s[0] for s in sizes), sum(s[1] for s in sizes)))
    return rows


def _label(name: str, variant: str) -> str:
    return name if variant == "baseline" else f"{name} ({variant})"


def _entries(layout: Layout, variants: list[str], modules: dict[str, str]) -> list[tuple[str, tuple[str, ...]]]:
    """(row name, files) for what each entry loads: its JavaScript, then the module it fetches."""
    web_glue = glue_files(layout.ident)["web"][f"{layout.ident}.js"]
    entries: list[tuple[str, tuple[str, ...]]] = []
    if layout.has["bundler"]:  # esbuild-like bundlers: both builds inlined, nothing fetched
        entries.append(("bundler (inline)", ("index.js", "api.js", web_glue, INLINE_MODULE)))
    present = {"bundler (asset)": layout.has["bundler"], "nodejs": layout.has["nodejs"],
               "web": layout.has["web"], "no-modules": layout.has["no-modules"]}
    for name in (name for name, wanted in present.items() if wanted):
        for variant in variants:
            module = modules[variant]
            files = {"bundler (asset)": (ASSET_ENTRY, "web.js", "api.js", web_glue, module),
                     "nodejs": ("node.cjs", "api.js", web_glue, module),
                     "web": ("web.js", "api.js", web_glue, module),
                     "no-modules": ("no-modules.js", module)}[name]
            entries.append((_label(name, variant), files))
    return entries


@dataclass(frozen=True)
class Overrun:
    row: SizeRow
    key: str  # the [build.size_budget] key it breaks
    size: int
    limit: int

    def describe(self) -> str:
        what = self.row.files[0] if self.row.kind == "module" else f"the {self.row.name} entry ({len(self.row.files)} files)"
        measure_ = "gzipped" if self.key.endswith("_gzip") else "raw"
        return (f"{what} is {format_against(self.size, self.limit)} {measure_}, over build.size_budget.{self.key}"
                f" = {format_budget(self.limit)} by {format_against(self.size - self.limit, self.limit)}")


def headroom(row: SizeRow, budget: SizeBudget) -> list[tuple[str, int, int]]:
    """(budget key, limit, bytes left — negative when over) for each limit that applies to the row."""
    limits = [(row.kind, row.raw), (f"{row.kind}_gzip", row.gzip)]
    return [(key, getattr(budget, key), getattr(budget, key) - size)
            for key, size in limits if getattr(budget, key) is not None]


def overruns(rows: list[SizeRow], budget: SizeBudget) -> list[Overrun]:
    found = []
    for row in rows:
        for key, limit, left in headroom(row, budget):
            if left < 0:
                found.append(Overrun(row, key, limit - left, limit))
    return found


def check_budget(spec: KernelSpec, rows: list[SizeRow]) -> None:
    """Raise SizeBudgetExceeded (exit 5) naming every file over its budget."""
    found = overruns(rows, spec.build.size_budget)
    if not found:
        return
    lines = index_lines(spec.file.read_text("utf-8"))
    locations = []
    for overrun in found:
        line = find_line(lines, f"build.size_budget.{overrun.key}")
        default = "" if line else " (the default budget; [build.size_budget] in kernel.toml changes it)"
        locations.append(SourceLocation(spec.file, line, overrun.describe() + default))
    raise SizeBudgetExceeded(spec.file, locations, hint=_advice(spec))


def _advice(spec: KernelSpec) -> str:
    tips = []
    if spec.build.profile != "size":
        tips.append('profile = "size" (opt-level z and wasm-opt -Oz) usually shrinks a module by a third')
    elif spec.build.wasm_opt not in ("Oz", "Os"):
        tips.append('wasm_opt = "Oz"')
    if spec.build.features:
        tips.append(f"build without cargo features you do not need (build.features = {list(spec.build.features)})")
    tips.append("check which dependencies the module pulls in (`twiggy top` on the .wasm), or raise the budget "
                "in [build.size_budget] of kernel.toml")
    return "; ".join(tips)
