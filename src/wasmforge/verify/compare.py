"""Compare what a target returned with what the spec's example expects.

Numbers match when |actual − expected| <= tolerance · max(1, |expected|): an
absolute tolerance near zero, a relative one for large values. Tolerance 0
means exact equality.
"""

from __future__ import annotations

import math
from typing import Any

from ..kernelspec.model import KernelSpec
from ..kernelspec.types import ARRAY_ELEMENTS, TypeRef


def decode_number(value: Any) -> float:
    if isinstance(value, dict) and "$number" in value:
        return float(value["$number"])
    return float(value)


def close(actual: float, expected: float, tolerance: float) -> bool:
    if math.isnan(expected):
        return math.isnan(actual)
    if math.isinf(expected) or math.isinf(actual):
        return actual == expected
    return abs(actual - expected) <= tolerance * max(1.0, abs(expected))


def mismatch(actual: Any, expected: Any, type_ref: TypeRef, tolerance: float,
             spec: KernelSpec | None = None) -> str | None:
    """None when `actual` (harness encoding) matches `expected` (TOML value)."""
    if type_ref.optional:
        if expected is None:
            return None if _is_undefined(actual) else f"expected undefined, got {_show(actual)}"
        type_ref = type_ref.required
    if type_ref.array:
        return _array_mismatch(actual, expected, type_ref, tolerance)
    if type_ref.is_tensor:
        return _tensor_mismatch(actual, expected, type_ref, tolerance)
    if type_ref.kind == "struct":
        return _struct_mismatch(actual, expected, type_ref, tolerance, spec)
    if type_ref.base in ("i64", "u64"):
        got = actual.get("$bigint") if isinstance(actual, dict) else None
        return None if got is not None and int(got) == int(expected) else f"expected {expected}n, got {_show(actual)}"
    if type_ref.base in ("f32", "f64", "i32", "u32"):
        if isinstance(actual, bool) or not isinstance(actual, int | float | dict):
            return f"expected a number, got {_show(actual)}"
        value = decode_number(actual)
        return None if close(value, float(expected), tolerance) else f"expected {expected}, got {value!r}"
    return None if actual == expected else f"expected {expected!r}, got {_show(actual)}"


def _struct_mismatch(actual: Any, expected: dict[str, Any], type_ref: TypeRef, tolerance: float,
                     spec: KernelSpec | None) -> str | None:
    if not isinstance(actual, dict) or "$typed" in actual:
        return f"expected a {type_ref.base} object, got {_show(actual)}"
    assert spec is not None, "comparing structs needs the spec"
    struct = spec.struct(type_ref.base)
    for f in struct.fields:
        if f.name in struct.clock_fields:
            continue  # Date.now(): nothing to compare with
        problem = mismatch(actual.get(f.name, {"$undefined": True}), expected.get(f.name), f.type, tolerance, spec)
        if problem:
            return f"{f.name}: {problem}"
    extra = set(actual) - {f.name for f in spec.struct(type_ref.base).fields}
    return f"unexpected fields {sorted(extra)}" if extra else None


def _tensor_mismatch(actual: Any, expected: dict[str, Any], type_ref: TypeRef, tolerance: float) -> str | None:
    if not isinstance(actual, dict) or "data" not in actual or "shape" not in actual:
        return f"expected a tensor {{data, shape}}, got {_show(actual)}"
    shape = [int(decode_number(d)) for d in actual["shape"]]
    if shape != list(expected["shape"]):
        return f"expected shape {expected['shape']}, got {shape}"
    problem = _array_mismatch(actual["data"], expected["data"], TypeRef("array", type_ref.base), tolerance)
    return f"data: {problem}" if problem else None


def _is_undefined(value: Any) -> bool:
    return isinstance(value, dict) and value.get("$undefined") is True


def _array_mismatch(actual: Any, expected: list[Any], type_ref: TypeRef, tolerance: float) -> str | None:
    wanted = ARRAY_ELEMENTS[type_ref.base]
    if not isinstance(actual, dict) or actual.get("$typed") != wanted:
        return f"expected a {wanted}, got {_show(actual)}"
    values = [decode_number(v) for v in actual["values"]]
    if len(values) != len(expected):
        return f"expected {len(expected)} values, got {len(values)}"
    for index, (got, want) in enumerate(zip(values, expected, strict=True)):
        if not close(got, float(want), tolerance):
            return f"element {index}: expected {want}, got {got!r} (tolerance {tolerance})"
    return None


def _show(value: Any) -> str:
    if isinstance(value, dict) and "$typed" in value:
        return f"{value['$typed']}({len(value['values'])})"
    if isinstance(value, dict) and "$undefined" in value:
        return "undefined"
    text = repr(value)
    return text if len(text) < 80 else text[:77] + "..."
