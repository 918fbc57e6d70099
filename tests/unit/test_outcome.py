"""The typed build outcome and the one place a failed verification becomes an error."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from tests.conftest import write_kernel
from wasmforge.errors import VerificationFailed
from wasmforge.kernelspec.load import load_spec
from wasmforge.pipeline.outcome import BuildOutcome
from wasmforge.pipeline.sizes import SizeRow
from wasmforge.render.npm import Layout
from wasmforge.verify import Check, VerifyReport, require_passed
from wasmforge.verify.consumers import Cell


def outcome(report: VerifyReport | None) -> BuildOutcome:
    return BuildOutcome(
        Path("/k/demo"), "demo", "1.2.3", "targets=nodejs,web backend=wasm-bindgen profile=release",
        Layout(("nodejs", "web"), "demo", simd=True, helpers=("shapes",)),
        (SizeRow("module", "module", ("demo_bg.wasm",), 80, 40, before_opt=100),
         SizeRow("web", "entry", ("web.js", "api.js", "demo.web.js", "demo_bg.wasm"), 280, 110)),
        ("bulk-memory", "sign-ext"), ("bulk-memory", "simd"), MappingProxyType({"compile": 1.5, "verify": 2.0}),
        report)


def test_the_outcome_is_frozen_and_its_json_round_trips() -> None:
    report = VerifyReport("/k/demo", "demo", (Check("nodejs", "sumAll", "example 1", True),))
    built = outcome(report)
    with pytest.raises(AttributeError):
        built.version = "2.0.0"  # type: ignore[misc]
    data = built.to_json()
    assert data["up_to_date"] is False and data["verification"]["ok"] is True
    assert data["sizes"][1] == {"name": "web", "kind": "entry", "files": ["web.js", "api.js", "demo.web.js",
                                "demo_bg.wasm"], "raw": 280, "gzip": 110, "before_opt": None}
    assert BuildOutcome.from_json(data) == built
    assert BuildOutcome.from_json(outcome(None).to_json()).verification is None
    assert BuildOutcome.from_json(data).reused().up_to_date


def test_a_passed_report_raises_nothing(tmp_path: Path) -> None:
    spec = load_spec(write_kernel(tmp_path / "k"))
    require_passed(spec, VerifyReport("k", "demo", (Check("web", "sumAll", "example 1", True),)), where="for pkg")


def test_a_failed_report_becomes_one_located_error(tmp_path: Path) -> None:
    spec = load_spec(write_kernel(tmp_path / "k"))
    checks = (Check("web", "sumAll", "example 1", False, "got 5, expected 6"),
              Check("nodejs", "sumAll", "example 1", True))
    cells = [Cell("vite", True, 1.0, "", (Check("vite", "sumAll", "example 1", False, "got NaN"),)),
             Cell("esbuild", True, 1.0, "")]

    with pytest.raises(VerificationFailed) as caught:
        require_passed(spec, VerifyReport("k", "demo", checks), cells, where="for k/pkg", hint="look")

    failure = caught.value
    assert failure.message == ("1 of 2 checks and 1 of 2 consumers failed for k/pkg:\n"
                               "  web · sumAll · example 1: got 5, expected 6\n"
                               "  vite: sumAll · example 1: got NaN")
    assert failure.hint == "look" and failure.checks == checks
    # Both failures point at the function's table in kernel.toml.
    assert [(location.file, location.line) for location in failure.locations] == [(spec.file, 11)] * 2
