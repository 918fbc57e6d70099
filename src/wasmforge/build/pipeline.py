"""Run a build plan (build/plan.py) for one kernel.

Each step kind has one small function; they share a `_Run` holding what
earlier steps produced. Nothing touches KERNEL_DIR/pkg/ until the last step,
which swaps the finished (and verified) package in with a rename: a failed
build, at any step, leaves the previous package exactly as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import ui
from ..errors import VerificationFailed
from ..render.context import crate_files, npm_files, replace_dir, write_tree
from ..render.npm import layout
from ..spec.model import KernelSpec
from ..toolchain.tools import Toolchain
from ..verify import VerifyReport, verify_package
from . import assemble, bindgen, cargo, fingerprint, optimize, sizes
from .plan import BuildRequest, Step, effective_spec, plan_build
from .workdir import WorkDir, workdir


@dataclass
class _Run:
    spec: KernelSpec
    request: BuildRequest
    toolchain: Toolchain
    dirs: WorkDir
    wasm: Path | None = None
    bindgen_dirs: dict[str, Path] = field(default_factory=dict)
    features: set[str] = field(default_factory=set)
    wasm_before: int = 0
    verification: VerifyReport | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def release(self) -> bool:
        return self.request.profile == "release"

    @property
    def optimized(self) -> Path:
        return self.dirs.root / "optimized" / f"{self.spec.ident}_bg.wasm"


@dataclass(frozen=True)
class BuildResult:
    kernel: Path
    up_to_date: bool
    report: dict[str, Any]


def build_kernel(spec: KernelSpec, request: BuildRequest, toolchain: Toolchain) -> BuildResult:
    spec = effective_spec(spec, request)
    dirs = workdir(spec)
    key = fingerprint.input_digest(spec.file, spec.crate_dir, toolchain.fingerprint(), request.describe(spec))
    if not request.force and fingerprint.is_up_to_date(dirs.state_file, key, dirs.pkg):
        return BuildResult(spec.root, True, fingerprint.last_report(dirs.state_file))
    run = _Run(spec, request, toolchain, dirs)
    for step in plan_build(spec, request):
        _execute(run, step)
    report = _report(run)
    fingerprint.record(dirs.state_file, key, dirs.pkg, report)
    return BuildResult(spec.root, False, report)


def _execute(run: _Run, step: Step) -> None:
    ui.step(step.title)
    started = time.monotonic()
    with ui.status(step.title):
        STEPS[step.kind](run, step)
    elapsed = time.monotonic() - started
    run.timings[step.kind + (f":{step.target}" if step.target else "")] = round(elapsed, 3)
    ui.detail(f"{step.kind} took {elapsed:.1f}s")


def _render_crate(run: _Run, step: Step) -> None:
    write_tree(crate_files(run.spec, run.dirs.crate), run.dirs.crate)


def _render_npm(run: _Run, step: Step) -> None:
    write_tree(npm_files(run.spec), run.dirs.npm)


def _compile(run: _Run, step: Step) -> None:
    run.wasm = cargo.compile_wasm(
        run.toolchain, run.dirs.crate / "Cargo.toml", run.dirs.cargo_target,
        release=run.release, remap=_path_remapping(run),
    )


def _path_remapping(run: _Run) -> dict[Path, str]:
    return {run.spec.crate_dir: "/kernel", run.dirs.crate: "/crate", Path.home() / ".cargo": "/cargo"}


def _bindgen(run: _Run, step: Step) -> None:
    assert run.wasm is not None and step.target
    out = run.dirs.bindgen / step.target
    run.bindgen_dirs[step.target] = bindgen.run_bindgen(
        run.toolchain, run.wasm, step.target, out, run.spec.ident, release=run.release
    )


def _wasm_pack(run: _Run, step: Step) -> None:
    assert step.target
    out = run.dirs.bindgen / step.target
    run.bindgen_dirs[step.target] = bindgen.run_wasm_pack(
        run.toolchain, run.dirs.crate, step.target, out, run.spec.ident, run.dirs.cargo_target,
        release=run.release, cargo_env=cargo.build_env(run.toolchain, _path_remapping(run)),
    )


def _optimize(run: _Run, step: Step) -> None:
    shared = bindgen.shared_module(run.bindgen_dirs, run.spec.ident)
    run.wasm_before = shared.stat().st_size
    run.features = optimize.optimize(run.toolchain, shared, run.optimized, run.request.wasm_opt_level(run.spec))


def _assemble(run: _Run, step: Step) -> None:
    assemble.assemble(run.dirs.stage, layout(run.spec), run.bindgen_dirs, run.optimized, run.dirs.npm)


def _verify(run: _Run, step: Step) -> None:
    report = verify_package(run.toolchain, run.spec, run.dirs.stage)
    run.verification = report
    if not report.ok:
        lines = "\n".join(f"  {c.target} · {c.subject} · {c.name}: {c.detail}" for c in report.failures)
        raise VerificationFailed(
            f"the new package failed verification; {run.dirs.pkg} was left as it was:\n{lines}",
            hint=f"inspect the rejected package in {run.dirs.stage}",
        )


def _publish(run: _Run, step: Step) -> None:
    replace_dir(run.dirs.stage, run.dirs.pkg)


STEPS: dict[str, Callable[[_Run, Step], None]] = {
    "render-crate": _render_crate,
    "render-npm": _render_npm,
    "compile": _compile,
    "bindgen": _bindgen,
    "wasm-pack": _wasm_pack,
    "optimize": _optimize,
    "assemble": _assemble,
    "verify": _verify,
    "publish": _publish,
}


def _report(run: _Run) -> dict[str, Any]:
    measured = sizes.measure(run.dirs.pkg, layout(run.spec), run.wasm_before)
    return {
        "kernel": str(run.spec.root),
        "package": run.spec.package.name,
        "version": run.spec.package.version,
        "options": run.request.describe(run.spec),
        "targets": list(run.spec.build.targets),
        "wasm_features": sorted(run.features),
        "sizes": [row.as_json() for row in measured],
        "timings": run.timings,
        "verification": run.verification.as_json() if run.verification else None,
    }
