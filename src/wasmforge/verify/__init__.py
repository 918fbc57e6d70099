"""Verify a built package: wasmtime on the module, Node on every target."""

from __future__ import annotations

from pathlib import Path

from ..spec.model import KernelSpec
from ..toolchain.tools import Toolchain
from .module import check_module
from .node import verify_in_node
from .report import Check, VerifyReport

__all__ = ["Check", "VerifyReport", "verify_package"]


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
