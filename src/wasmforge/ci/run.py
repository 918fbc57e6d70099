"""`wasmforge ci`: one CI step — doctor, then per kernel build (all targets),
verify, the consumer matrix, pack — that reports everything instead of
stopping at the first error.

A failing kernel does not stop the next one: CI should show every problem of
a push at once. The result is a CiReport; ci/junit.py and `to_json` turn it
into files for CI systems, and the CLI shows it as a table.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import operations, ui
from ..pipeline.plan import BuildRequest, effective_spec
from ..pipeline.workdir import workdir
from ..errors import ToolMissing, VerificationFailed, WasmforgeError
from ..settings import TARGETS
from ..kernelspec.load import load_spec
from ..kernelspec.model import KernelSpec
from ..toolchain import tools
from ..toolchain.tools import Toolchain, ToolStatus
from ..operations import Tarball
from ..pipeline.outcome import BuildOutcome
from ..verify import Check, VerifyReport, require_passed
from ..verify.consumers import Cell

STAGES = ("spec", "build", "verify", "consumers", "pack")


@dataclass
class Stage:
    name: str
    ok: bool | None = None  # None: not run (an earlier stage failed)
    seconds: float = 0.0
    detail: str = ""


@dataclass
class KernelResult:
    kernel: Path
    package: str = ""
    version: str = ""
    stages: dict[str, Stage] = field(default_factory=lambda: {name: Stage(name) for name in STAGES})
    checks: list[Check] = field(default_factory=list)
    consumers: list[Cell] = field(default_factory=list)
    build: BuildOutcome | None = None
    tarball: Tarball | None = None
    exit_code: int = 0

    @property
    def ok(self) -> bool:
        return all(stage.ok for stage in self.stages.values())


@dataclass
class CiReport:
    doctor: list[ToolStatus]
    kernels: list[KernelResult]

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.doctor) and bool(self.kernels) and all(k.ok for k in self.kernels)

    @property
    def exit_code(self) -> int:
        if not all(s.ok for s in self.doctor):
            return ToolMissing.exit_code
        return next((k.exit_code for k in self.kernels if not k.ok), 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "doctor": [status.as_json() for status in self.doctor],
            "kernels": [{
                "kernel": str(k.kernel), "package": k.package, "version": k.version, "ok": k.ok,
                "stages": [{"name": s.name, "ok": s.ok, "seconds": round(s.seconds, 3), "detail": s.detail}
                           for s in k.stages.values()],
                "checks": [check.as_json() for check in k.checks],
                "consumers": {cell.name: cell.as_json() for cell in k.consumers},
                "sizes": [row.as_json() for row in k.build.sizes] if k.build else [],
                "timings": dict(k.build.timings) if k.build else {},
                "tarball": k.tarball.as_json() if k.tarball else None,
            } for k in self.kernels],
        }


def run_ci(kernel_dirs: list[Path], pack_dir: Path, consumers: bool = True) -> CiReport:
    with ui.group("doctor"):
        statuses = tools.inspect(probe=True)
        for status in statuses:
            if not status.ok:
                ui.error(f"{status.name}: {status.note}; fix: {status.fix}")
                ui.annotate(f"{status.name}: {status.note} (fix: {status.fix})", title="wasmforge doctor")
    if not all(status.ok for status in statuses):
        return CiReport(statuses, [KernelResult(path) for path in kernel_dirs])
    toolchain = tools.resolve()
    return CiReport(statuses, [_kernel(path, toolchain, pack_dir, consumers) for path in kernel_dirs])


def _kernel(path: Path, toolchain: Toolchain, pack_dir: Path, consumers: bool) -> KernelResult:
    result = KernelResult(path)
    if not consumers:
        del result.stages["consumers"]
    with ui.group(f"spec: {path}"), _stage(result, "spec") as ok:
        spec = _load(path, result)
        ok()
    if not result.stages["spec"].ok:
        return result
    actions: dict[str, Callable[[], None]] = {
        "build": lambda: _build(spec, toolchain, result),
        "verify": lambda: _verify(spec, toolchain, result),
        "consumers": lambda: _consumers(spec, toolchain, result),
        "pack": lambda: _pack(spec, toolchain, pack_dir, result),
    }
    for name, action in actions.items():
        if name not in result.stages:
            continue
        with ui.group(f"{name}: {result.package}"), _stage(result, name) as ok:
            action()
            ok()
        if not result.stages[name].ok:
            break
    return result


@contextmanager
def _stage(result: KernelResult, name: str) -> Iterator[Callable[[], None]]:
    """Times a stage; a WasmforgeError fails it (and is annotated), anything else propagates."""
    stage = result.stages[name]
    started = time.monotonic()

    def passed() -> None:
        stage.ok = True

    try:
        yield passed
    except WasmforgeError as failure:
        stage.ok = False
        stage.detail = failure.render()
        result.exit_code = result.exit_code or failure.exit_code
        ui.error(failure.render())
        ui.annotate_error(failure, f"wasmforge {name}: {result.package or result.kernel}")
    finally:
        stage.seconds = time.monotonic() - started


def _load(path: Path, result: KernelResult) -> KernelSpec:
    spec = effective_spec(load_spec(path), BuildRequest(targets=TARGETS))
    result.package, result.version = spec.package.name, spec.package.version
    return spec


def _build(spec: KernelSpec, toolchain: Toolchain, result: KernelResult) -> None:
    request = BuildRequest(targets=TARGETS, verify=True)
    try:
        built = operations.build(spec, request, toolchain)
    except VerificationFailed as failure:
        # The build itself worked; the verify stage reports the checks.
        if not failure.checks:
            raise
        result.checks = list(failure.checks)  # type: ignore[arg-type]  # Checks, as verify made them
        result.stages["build"].detail = "built; the verify stage has the failures"
        return
    result.build = built
    if built.up_to_date:
        result.stages["build"].detail = "up to date"
    elif built.verification is not None:
        result.checks = list(built.verification.checks)


def _verify(spec: KernelSpec, toolchain: Toolchain, result: KernelResult) -> None:
    """Verification ran inside the build (its checks are in `result`) unless the
    package was up to date: then it runs now, on pkg/."""
    pkg = workdir(spec).pkg
    if not result.checks:
        result.checks = list(operations.verify(toolchain, spec, pkg).checks)
    report = VerifyReport(str(spec.root), spec.package.name, tuple(result.checks))
    result.stages["verify"].detail = f"{len(report.checks) - len(report.failures)}/{len(report.checks)} checks"
    require_passed(spec, report, where=f"for {pkg}")


def _consumers(spec: KernelSpec, toolchain: Toolchain, result: KernelResult) -> None:
    pkg = workdir(spec).pkg
    result.consumers = operations.consumer_matrix(toolchain, spec, pkg)
    failed = [cell for cell in result.consumers if not cell.passed]
    result.stages["consumers"].detail = f"{len(result.consumers) - len(failed)}/{len(result.consumers)} consumers"
    require_passed(spec, VerifyReport(str(spec.root), spec.package.name), result.consumers, where=f"for {pkg}")


def _pack(spec: KernelSpec, toolchain: Toolchain, pack_dir: Path, result: KernelResult) -> None:
    result.tarball = operations.pack(toolchain, workdir(spec).pkg, pack_dir)
    result.stages["pack"].detail = result.tarball.file.name


def summary_rows(report: CiReport) -> list[list[str]]:
    rows = []
    for kernel in report.kernels:
        cells = []
        for stage in kernel.stages.values():
            mark = "—" if stage.ok is None else "ok" if stage.ok else "FAIL"
            detail = stage.detail.splitlines()[0] if stage.detail and stage.ok is not False else ""
            cells.append(f"{mark} {detail}".strip() if mark != "—" else mark)
        seconds = sum(stage.seconds for stage in kernel.stages.values())
        rows.append([kernel.package or str(kernel.kernel), *cells, f"{seconds:.1f}s"])
    return rows
