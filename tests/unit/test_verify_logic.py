"""Judging harness outcomes, tolerances and the cases derived from a spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmforge.spec.load import load_spec
from wasmforge.spec.types import TypeRef
from wasmforge.verify.cases import cases_for
from wasmforge.verify.compare import close, mismatch
from wasmforge.verify.node import judge


def test_tolerance_is_absolute_near_zero_and_relative_far_from_it() -> None:
    assert close(1e-10, 0.0, 1e-9)
    assert not close(1e-8, 0.0, 1e-9)
    assert close(1_000_000.0005, 1_000_000.0, 1e-9)
    assert close(2.0, 2.0, 0.0) and not close(2.0000001, 2.0, 0.0)
    assert close(float("nan"), float("nan"), 0.0)


def test_mismatch_of_typed_arrays() -> None:
    f64 = TypeRef.parse("f64[]")
    assert mismatch({"$typed": "Float64Array", "values": [1.0, 2.0]}, [1, 2], f64, 0.0) is None
    assert "expected a Float64Array" in (mismatch({"$typed": "Float32Array", "values": [1.0]}, [1], f64, 0.0) or "")
    assert "element 1" in (mismatch({"$typed": "Float64Array", "values": [1.0, 2.5]}, [1, 2], f64, 1e-3) or "")
    assert "expected 2 values" in (mismatch({"$typed": "Float64Array", "values": [1.0]}, [1, 2], f64, 0.0) or "")


def test_cases_cover_examples_and_wrong_inputs(kernel_dir: Path) -> None:
    cases = cases_for(load_spec(kernel_dir))
    assert [c.id for c in cases] == ["sumAll/example-0", "sumAll/wrong-type"]
    wrong = cases[1]
    assert wrong.payload["args"] == [[1, 2, 3]] and wrong.expect.error == "InvalidArgument"
    assert cases[0].payload["args"] == [{"$typed": "Float64Array", "values": [1, 2, 3]}]


def test_classes_get_method_variant_and_dispose_cases() -> None:
    from tests.conftest import REPO

    cases = {c.id: c for c in cases_for(load_spec(REPO / "tests" / "fixtures" / "objects"))}
    assert cases["Countdown.stepsFor/example-0"].payload["new"] == [1.0]
    assert cases["Countdown.stepsFor/async-0"].payload["method"] == "stepsForAsync"
    batch = cases["Countdown.stepsFor/batch"]
    assert batch.payload["items"] == [{"start": 8.0}] and [e.value for e in batch.items] == [4]
    assert cases["Countdown.run/example-0"].kind == "stream"
    assert cases["Countdown.run/events-1"].expect.error == "Stopped"
    assert cases["Countdown.unit/disposed"].payload["how"] == "property"
    assert cases["describe/example-0"].payload["args"] == [{"$class": "Countdown", "args": [0.5, 10]}]
    assert cases["matmul/wrong-length"].payload["args"][0]["shape"] == [2, 2]


def outcome(**result: object) -> dict:
    return {"target": "nodejs", "results": [{"id": "sumAll/example-0", **result},
                                            {"id": "sumAll/wrong-type", "threw": THROWN}]}


THROWN = {"name": "InvalidArgument", "code": "INVALID_ARGUMENT", "message": "bad", "details": {},
          "isBase": True, "isOwnClass": True, "isTrap": False}


def test_judge_passes_matching_outcomes(kernel_dir: Path) -> None:
    checks = judge("nodejs", cases_for(load_spec(kernel_dir)), outcome(returned=6.0))
    assert [c.ok for c in checks] == [True, True, True]


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        ({"returned": 7.0}, "expected 6.0, got 7.0"),
        ({"threw": {**THROWN, "name": "TypeError", "isBase": False}}, "threw TypeError"),
    ],
)
def test_judge_fails_wrong_outcomes(kernel_dir: Path, result: dict, reason: str) -> None:
    checks = judge("nodejs", cases_for(load_spec(kernel_dir)), outcome(**result))
    assert not checks[1].ok and reason in checks[1].detail


def test_a_trap_is_never_an_acceptable_error(kernel_dir: Path) -> None:
    trap = {**THROWN, "name": "RuntimeError", "isTrap": True, "isBase": False, "isOwnClass": False}
    results = {"target": "web", "results": [{"id": "sumAll/example-0", "returned": 6.0},
                                            {"id": "sumAll/wrong-type", "threw": trap}]}
    checks = judge("web", cases_for(load_spec(kernel_dir)), results)
    assert not checks[2].ok and "wasm trap" in checks[2].detail


def test_a_harness_crash_fails_loading(kernel_dir: Path) -> None:
    [check] = judge("bundler", cases_for(load_spec(kernel_dir)), {"fatal": "Error: boom\n  at x"})
    assert not check.ok and check.detail == "Error: boom"
