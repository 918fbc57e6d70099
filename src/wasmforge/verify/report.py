"""Verification results: one Check per (target, subject, check), a table and JSON."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Check:
    target: str  # "wasm" for module checks, else the wasm-bindgen target
    subject: str  # a function name, or "module" / "package"
    name: str
    ok: bool
    detail: str = ""

    def as_json(self) -> dict[str, object]:
        return {"target": self.target, "subject": self.subject, "check": self.name, "ok": self.ok,
                "detail": self.detail}

    def describe(self) -> str:
        """One line for messages: `target · subject · check: detail`."""
        return f"{self.target} · {self.subject} · {self.name}: {self.detail}"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Check:
        return cls(data["target"], data["subject"], data["check"], data["ok"], data["detail"])


@dataclass(frozen=True)
class VerifyReport:
    """Every check of one verification, passed and failed."""

    kernel: str
    package: str
    checks: tuple[Check, ...] = ()

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    def grid(self) -> tuple[list[str], list[list[str]]]:
        """Rows per subject, a column per target — its SIMD and baseline runs together, so the
        table fits a 100-column terminal: 'passed/total' in each cell."""
        targets = list(dict.fromkeys(_target_column(check.target) for check in self.checks))
        cells: dict[tuple[str, str], list[bool]] = defaultdict(list)
        subjects: list[str] = []
        for check in self.checks:
            cells[(check.subject, _target_column(check.target))].append(check.ok)
            if check.subject not in subjects:
                subjects.append(check.subject)
        rows = []
        for subject in subjects:
            row = [subject]
            for target in targets:
                results = cells.get((subject, target))
                row.append(_cell(results) if results else "—")
            rows.append(row)
        return ["", *targets], rows

    def as_json(self) -> dict[str, object]:
        return {"kernel": self.kernel, "package": self.package, "ok": self.ok,
                "checks": [check.as_json() for check in self.checks]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VerifyReport:
        return cls(data["kernel"], data["package"], tuple(Check.from_json(c) for c in data["checks"]))


def _target_column(target: str) -> str:
    """"web (baseline)" and "wasm (simd)" count under "web" and "wasm"."""
    return target.removesuffix(" (simd)").removesuffix(" (baseline)")


def _cell(results: list[bool]) -> str:
    passed = sum(results)
    return f"{passed}/{len(results)}" if passed == len(results) else f"FAIL {passed}/{len(results)}"
