"""Verify a built package: wasmtime on the module, Node on every target."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SourceLocation, VerificationFailed
from ..kernelspec.locate import index_lines
from ..kernelspec.model import KernelSpec
from ..toolchain.tools import Toolchain
from .report import Check, VerifyReport

if TYPE_CHECKING:
    from .consumers import Cell

__all__ = ["Check", "VerifyReport", "failure_locations", "require_passed", "verify_package"]


def verify_package(toolchain: Toolchain, spec: KernelSpec, package_dir: Path) -> VerifyReport:
    """Every check; the report says what passed. Raises nothing for failed checks
    (`require_passed` turns a failed report into the error)."""
    # Imported here: reading a report (an up-to-date build does) needs none of the verifiers.
    from .module import check_module
    from .node import verify_in_node

    modules = [f"{spec.ident}_bg.wasm"] + ([f"simd/{spec.ident}_bg.wasm"] if spec.build.simd_feature else [])
    checks = [check for module in modules for check in check_module(package_dir / module, spec)]
    if all(check.ok for check in checks if check.name == "valid"):
        checks += verify_in_node(toolchain, spec, package_dir)
    return VerifyReport(str(spec.root), spec.package.name, tuple(checks))


def require_passed(spec: KernelSpec, report: VerifyReport, cells: Sequence[Cell] = (), *, where: str,
                   hint: str | None = None) -> None:
    """Raise VerificationFailed when a check of `report` or a consumer cell failed: the
    one place its message is made (`where` says of what, e.g. "for kernels/x/pkg")."""
    failed_cells = [cell for cell in cells if not cell.passed]
    if report.ok and not failed_cells:
        return
    counts = [f"{len(report.failures)} of {len(report.checks)} checks"] if report.checks else []
    if cells:
        counts.append(f"{len(failed_cells)} of {len(cells)} consumers")
    lines = [check.describe() for check in report.failures]
    lines += [f"{cell.name}: {cell.problem}" for cell in failed_cells]
    located = report.failures + [check for cell in failed_cells for check in cell.checks if not check.ok]
    raise VerificationFailed(f"{' and '.join(counts)} failed {where}:\n" + "\n".join(f"  {line}" for line in lines),
                             hint=hint, locations=failure_locations(spec, located), checks=report.checks)


def failure_locations(spec: KernelSpec, failures: Sequence[Check]) -> list[SourceLocation]:
    """Each failed check, pointed at the spec table of the function, class or
    member it is about (the module and package checks point at the file)."""
    lines = index_lines(spec.file.read_text())
    tables = _subject_tables(spec)
    return [SourceLocation(spec.file, lines.get(tables.get(check.subject, "")), check.describe())
            for check in failures]


def _subject_tables(spec: KernelSpec) -> dict[str, str]:
    tables = {function.name: f"function[{i}]" for i, function in enumerate(spec.functions)}
    for i, klass in enumerate(spec.classes):
        tables[klass.name] = f"class[{i}].constructor"
        tables.update({f"{klass.name}.{m.name}": f"class[{i}].method[{j}]" for j, m in enumerate(klass.methods)})
        tables.update({f"{klass.name}.{p.name}": f"class[{i}].property[{j}]" for j, p in enumerate(klass.properties)})
    return tables
