"""Judging harness outcomes, tolerances and the cases derived from a spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmforge.kernelspec.load import load_spec
from wasmforge.kernelspec.types import TypeRef
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
    cases = {c.id: c for c in cases_for(load_spec(kernel_dir))}
    assert list(cases) == ["sumAll/example-0", "sumAll/example-0/resident", "sumAll/example-0/view",
                           "sumAll/wrong-type", "resident/freed", "resident/outside", "resident/detached",
                           "resident/growth", "resident/flat"]
    wrong = cases["sumAll/wrong-type"]
    assert wrong.payload["args"] == [[1, 2, 3]] and wrong.expect.error == "InvalidArgument"
    typed = {"$typed": "Float64Array", "values": [1, 2, 3]}
    assert cases["sumAll/example-0"].payload["args"] == [typed]


def test_resident_twins_must_match_the_copy_path_and_probes_are_safety_checks(kernel_dir: Path) -> None:
    cases = {c.id: c for c in cases_for(load_spec(kernel_dir))}
    typed = {"$typed": "Float64Array", "values": [1, 2, 3]}
    assert cases["sumAll/example-0/resident"].payload["args"] == [{"$resident": typed}]
    assert cases["sumAll/example-0/view"].payload["args"] == [{"$resident": typed, "as": "view"}]
    assert cases["sumAll/example-0/view"].expect.same_as == "sumAll/example-0"
    assert cases["resident/freed"].payload["args"] == [{"$resident": typed, "freed": True}]
    assert cases["resident/detached"].expect.error == "InvalidArgument"
    assert cases["resident/growth"].payload["args"] == [{"$resident": typed, "grow": True}]
    flat = cases["resident/flat"]
    assert flat.kind == "flat" and flat.payload["calls"] == 100_000 and flat.expect.flat


def test_array_results_get_out_twins_and_an_aliasing_probe() -> None:
    from tests.conftest import REPO

    cases = {c.id: c for c in cases_for(load_spec(REPO / "tests" / "fixtures" / "all-types"))}
    outs = [c for c in cases.values() if c.id.endswith("/out")]
    assert outs, "array results take { out }"
    for case in outs:
        *_, options = case.payload["args"]
        assert set(options) == {"out"} and "$resident" in options["out"]
    alias = cases.get("resident/alias")
    if alias is not None:
        assert alias.payload["args"][-1] == {"out": {"$residentRef": "aliased"}}


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


def copy_path_cases(kernel_dir: Path) -> list:
    """The cases judged by `outcome()`: the example and the wrong-type call."""
    return [c for c in cases_for(load_spec(kernel_dir)) if c.id in ("sumAll/example-0", "sumAll/wrong-type")]


THROWN = {"name": "InvalidArgument", "code": "INVALID_ARGUMENT", "message": "bad", "details": {},
          "isBase": True, "isOwnClass": True, "isTrap": False}


def test_judge_passes_matching_outcomes(kernel_dir: Path) -> None:
    checks = judge("nodejs", copy_path_cases(kernel_dir), outcome(returned=6.0))
    assert [c.ok for c in checks] == [True, True, True]


@pytest.mark.parametrize(
    ("twin", "ok"),
    [
        ({"returned": 6.0}, True),
        ({"returned": 6.000000000000001}, False),  # within tolerance of the spec, but not bit for bit
        ({"threw": THROWN}, False),
    ],
)
def test_a_resident_twin_must_equal_the_copy_path_exactly(kernel_dir: Path, twin: dict, ok: bool) -> None:
    cases = [c for c in cases_for(load_spec(kernel_dir)) if c.id.startswith("sumAll/example-0")]
    results = {"target": "nodejs", "results": [{"id": "sumAll/example-0", "returned": 6.0},
                                               {"id": "sumAll/example-0/resident", **twin},
                                               {"id": "sumAll/example-0/view", "returned": 6.0}]}
    checks = judge("nodejs", cases, results)
    assert [c.ok for c in checks[1:]] == [True, ok, True]


def test_memory_must_stay_flat(kernel_dir: Path) -> None:
    [flat] = [c for c in cases_for(load_spec(kernel_dir)) if c.id == "resident/flat"]
    same = {"used": 4096, "capacity": 65536}
    grown = {"used": 8192, "capacity": 65536}
    for after, ok in ((same, True), (grown, False)):
        result = {"id": "resident/flat", "returned": {"before": same, "after": after}}
        checks = judge("nodejs", [flat], {"target": "nodejs", "results": [result]})
        assert checks[-1].ok is ok and "used 4096" in checks[-1].detail


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        ({"returned": 7.0}, "expected 6.0, got 7.0"),
        ({"threw": {**THROWN, "name": "TypeError", "isBase": False}}, "threw TypeError"),
    ],
)
def test_judge_fails_wrong_outcomes(kernel_dir: Path, result: dict, reason: str) -> None:
    checks = judge("nodejs", copy_path_cases(kernel_dir), outcome(**result))
    assert not checks[1].ok and reason in checks[1].detail


def test_a_trap_is_never_an_acceptable_error(kernel_dir: Path) -> None:
    trap = {**THROWN, "name": "RuntimeError", "isTrap": True, "isBase": False, "isOwnClass": False}
    results = {"target": "web", "results": [{"id": "sumAll/example-0", "returned": 6.0},
                                            {"id": "sumAll/wrong-type", "threw": trap}]}
    checks = judge("web", copy_path_cases(kernel_dir), results)
    assert not checks[2].ok and "wasm trap" in checks[2].detail


def test_a_harness_crash_fails_loading(kernel_dir: Path) -> None:
    [check] = judge("bundler", cases_for(load_spec(kernel_dir)), {"fatal": "Error: boom\n  at x"})
    assert not check.ok and check.detail == "Error: boom"
