"""Hand-written TypeScript helpers (`[npm] extra_sources`) compiled for the package.

Each helper module is compiled twice with tsc, strict: as an ES module
(`helpers/<name>.js` + `.d.ts`) for `import` and the browser entries, and as
CommonJS (`helpers/<name>.cjs` + `.d.cts`) for `require` and the classic
script. Every entry re-exports them. Helpers must be self-contained (no
relative imports): the CommonJS copies are renamed and could not find
each other.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from .. import proc
from ..errors import BuildFailed
from ..toolchain.tools import Toolchain

COMMON_OPTIONS = ["--strict", "--declaration", "--target", "es2020", "--skipLibCheck", "--lib", "es2020",
                  "--noEmitOnError"]
_RELATIVE_IMPORT = re.compile(r"""(?:require\(|from\s+)['"]\.{1,2}/""")


def compile_helpers(toolchain: Toolchain, sources: list[Path], destination: Path) -> list[str]:
    """Compile `sources` into `destination`; returns the helper names (file stems)."""
    destination.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wasmforge-helpers-") as tmp:
        esm, cjs = Path(tmp) / "esm", Path(tmp) / "cjs"
        _tsc(toolchain, sources, esm, ["--module", "es2020", "--moduleResolution", "bundler"])
        _tsc(toolchain, sources, cjs, ["--module", "commonjs", "--moduleResolution", "node10"])
        for source in sources:
            stem = source.stem
            _copy(esm / f"{stem}.js", destination / f"{stem}.js")
            _copy(esm / f"{stem}.d.ts", destination / f"{stem}.d.ts")
            _copy(cjs / f"{stem}.js", destination / f"{stem}.cjs")
            _copy(cjs / f"{stem}.d.ts", destination / f"{stem}.d.cts")
            _reject_relative_imports(destination / f"{stem}.cjs", source)
    return [source.stem for source in sources]


def _tsc(toolchain: Toolchain, sources: list[Path], out_dir: Path, module_options: list[str]) -> None:
    proc.run(
        [*toolchain.tsc, *COMMON_OPTIONS, *module_options, "--outDir", str(out_dir), *map(str, sources)],
        hint="the TypeScript compiler's messages above point at the helper's mistake",
    )


def _copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BuildFailed(f"tsc did not write {source.name}", hint="helpers must be modules with exports")
    shutil.copyfile(source, target)


def _reject_relative_imports(compiled: Path, source: Path) -> None:
    if _RELATIVE_IMPORT.search(compiled.read_text("utf-8")):
        raise BuildFailed(
            f"{source} imports another file; package helpers must be self-contained",
            hint="inline what it imports, or list a single helper module",
        )
