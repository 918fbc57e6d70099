"""Verify a built package: wasmtime on the module, Node on every target."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import SourceLocation
from ..kernelspec.locate import index_lines
from ..kernelspec.model import KernelSpec
from ..toolchain.tools import Toolchain
from .module import check_module
from .node import verify_in_node
from .report import Check, VerifyReport

__all__ = ["Check", "VerifyReport", "failure_locations", "verify_package"]


def verify_package(toolchain: Toolchain, spec: KernelSpec, package_dir: Path) -> VerifyReport:
    """Every check; the report says what passed. Raises nothing for failed checks."""
    report = VerifyReport(str(spec.root), spec.package.name)
    modules = [f"{spec.ident}_bg.wasm"] + ([f"simd/{spec.ident}_bg.wasm"] if spec.build.simd_feature else [])
    wasm_checks = [check for module in modules for check in check_module(package_dir / module, spec)]
    for check in wasm_checks:
        report.add(check)
    if all(check.ok for check in wasm_checks if check.name == "valid"):
        for check in verify_in_node(toolchain, spec, package_dir):
            report.add(check)
    return report


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
