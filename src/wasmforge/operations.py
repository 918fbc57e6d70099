"""The library calls the commands compose: find kernels, build, verify, run the
consumer matrix, pack.

`wasmforge build`, `verify`, `ci` and `release` are different sequences of these
same calls, so a kernel is built, verified and packed the same way whichever
command does it; cli.py only parses arguments and presents what they return.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import ui
from .errors import UsageError
from .kernelspec.load import SPEC_FILE, load_spec
from .kernelspec.model import KernelSpec
from .pipeline import cache, freshness
from .pipeline.outcome import BuildOutcome
from .pipeline.plan import BuildRequest, effective_spec
from .pipeline.workdir import workdir
from .render.npm import ENTRY_FILES
from .toolchain.tools import Toolchain

if TYPE_CHECKING:
    from .verify import VerifyReport
    from .verify.consumers import Cell

# The renderer, the pipeline and the verifiers are imported by the calls that use them:
# `wasmforge --help` and a build with nothing to do need none of them (docs/architecture.md,
# "Start-up").


def discover_kernels(paths: list[Path] | None) -> list[Path]:
    """The kernel directories a command works on: those given, else this directory
    if it is a kernel, else every kernels/*/ below it."""
    if paths:
        return [Path(p) for p in paths]
    here = Path.cwd()
    if (here / SPEC_FILE).is_file():
        return [here]
    found = sorted(p.parent for p in (here / "kernels").glob(f"*/{SPEC_FILE}"))
    if not found:
        raise UsageError(f"no {SPEC_FILE} here and no kernels/*/{SPEC_FILE} below {here}",
                         hint="pass a kernel directory, e.g. `wasmforge build kernels/my-kernel`")
    return found


def render(spec: KernelSpec, toolchain: Toolchain) -> dict[Path, list[str]]:
    """Write the generated crate and npm sources, formatted, into target/wasmforge/:
    the directories and the files written in each."""
    from .pipeline.format import rendered_crate, rendered_npm
    from .render.context import write_tree

    dirs = workdir(spec)
    written = {}
    for destination, files in ((dirs.crate, rendered_crate(spec, dirs.crate, toolchain)),
                               (dirs.npm, rendered_npm(spec, toolchain))):
        write_tree(files, destination)
        written[destination] = sorted(files)
    return written


def build(spec: KernelSpec, request: BuildRequest, toolchain: Toolchain) -> BuildOutcome:
    """Build (and, as the request says, verify) one kernel into its pkg/."""
    ui.step(f"building {spec.package.name} ({spec.root})")
    cache.chosen(spec)  # a WASMFORGE_CACHE typo stops the build before it starts
    return freshness.build_kernel(spec, request, toolchain)


def build_each(specs: list[KernelSpec], request: BuildRequest, toolchain: Toolchain, jobs: int) -> Iterator[BuildOutcome]:
    """Build several kernels, `jobs` at a time, yielding the outcomes in the order of `specs`.
    Most of a kernel's build after its compile is single-threaded (Prettier, wasm-opt, the Node
    harness), so two kernels at once use both cores of a small machine; cargo's lock on the
    shared target directory serialises their compiles. After a failure no new kernel starts,
    and the failure is raised once the running ones have finished."""
    if jobs <= 1 or len(specs) <= 1:
        for spec in specs:
            yield build(spec, request, toolchain)
        return
    names = {spec.root: spec.package.name for spec in specs}

    def labelled_build(spec: KernelSpec) -> BuildOutcome:
        with ui.labelled(names[spec.root]):
            return build(spec, request, toolchain)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(labelled_build, spec) for spec in specs]
        try:
            for future in futures:
                yield future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def built_package(kernel_dir: Path) -> tuple[KernelSpec, Path]:
    """A kernel's spec, narrowed to the targets its finished pkg/ serves, and the pkg/."""
    spec = load_spec(kernel_dir)
    pkg = workdir(spec).pkg
    if not (pkg / "package.json").is_file():
        raise UsageError(f"no package in {pkg}", hint=f"run `wasmforge build {kernel_dir}` first")
    served = tuple(target for target, entry in ENTRY_FILES.items() if (pkg / entry).is_file())
    return effective_spec(spec, BuildRequest(targets=served)), pkg


def verify(toolchain: Toolchain, spec: KernelSpec, pkg: Path) -> VerifyReport:
    """wasmtime on the module, then every target in Node from the packed tarball."""
    from .verify import verify_package

    return verify_package(toolchain, spec, pkg)


def consumer_matrix(toolchain: Toolchain, spec: KernelSpec, pkg: Path) -> list[Cell]:
    """The package where it is used: browsers, bundlers, Node, tsc and package linters."""
    ui.step(f"consumer matrix: {spec.package.name} in Chromium, bundlers, Node, Deno, Bun, workerd, tsc and package linters")
    from .verify.consumers import verify_consumers

    started = time.monotonic()
    with ui.status("running the consumer matrix"):
        cells = verify_consumers(toolchain, spec, pkg)
    ui.detail(f"consumer matrix took {time.monotonic() - started:.1f}s")
    return cells


@dataclass(frozen=True)
class Tarball:
    file: Path
    sha256: str
    size: int

    def as_json(self) -> dict[str, object]:
        return {"file": str(self.file), "sha256": self.sha256, "size": self.size}


def pack(toolchain: Toolchain, pkg: Path, destination: Path) -> Tarball:
    """`npm pack` of a finished package into `destination`."""
    from .verify.node import pack as npm_pack

    file = npm_pack(toolchain, pkg, destination)
    data = file.read_bytes()
    return Tarball(file, hashlib.sha256(data).hexdigest(), len(data))
