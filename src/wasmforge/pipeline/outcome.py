"""What a build produced, as one typed value.

`build_kernel` returns a BuildOutcome; the CLI, `wasmforge ci` and `wasmforge
release` read its fields. Its JSON — the `--json` document and the report kept
in the build's state file, from which an up-to-date build answers — is made
here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..render.npm import Layout
from ..verify.report import VerifyReport
from .sizes import SizeRow


@dataclass(frozen=True)
class BuildOutcome:
    kernel: Path
    package: str
    version: str
    options: str  # e.g. "targets=bundler,nodejs backend=wasm-bindgen profile=release wasm-opt=Oz"
    layout: Layout  # which files the package has
    sizes: tuple[SizeRow, ...]  # each module, then each entry (pipeline/sizes.py)
    wasm_features: tuple[str, ...]  # the baseline module's
    simd_wasm_features: tuple[str, ...] | None  # the SIMD module's, when there is one
    timings: Mapping[str, float]  # seconds per step, in plan order
    verification: VerifyReport | None  # None when the build skipped verification
    up_to_date: bool = False  # nothing changed: this is the previous build's outcome

    @property
    def pkg(self) -> Path:
        return self.kernel / "pkg"

    def reused(self) -> BuildOutcome:
        """This outcome, as the answer of a later build that had nothing to do."""
        return replace(self, up_to_date=True)

    def to_json(self) -> dict[str, Any]:
        return {
            "up_to_date": self.up_to_date,
            "kernel": str(self.kernel),
            "package": self.package,
            "version": self.version,
            "options": self.options,
            "targets": list(self.layout.targets),
            "layout": {"targets": list(self.layout.targets), "ident": self.layout.ident,
                       "simd": self.layout.simd, "helpers": list(self.layout.helpers)},
            "wasm_features": list(self.wasm_features),
            "simd_wasm_features": None if self.simd_wasm_features is None else list(self.simd_wasm_features),
            "sizes": [row.as_json() for row in self.sizes],
            "timings": dict(self.timings),
            "verification": self.verification.as_json() if self.verification else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BuildOutcome:
        layout = data["layout"]
        simd = data["simd_wasm_features"]
        return cls(
            Path(data["kernel"]), data["package"], data["version"], data["options"],
            Layout(tuple(layout["targets"]), layout["ident"], layout["simd"], tuple(layout["helpers"])),
            tuple(SizeRow.from_json(row) for row in data["sizes"]),
            tuple(data["wasm_features"]), None if simd is None else tuple(simd),
            MappingProxyType(dict(data["timings"])),
            VerifyReport.from_json(data["verification"]) if data["verification"] else None,
            bool(data.get("up_to_date", False)),
        )
