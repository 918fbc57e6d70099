"""Compare what a target returned with what the spec's example expects.

Numbers match when |actual − expected| <= tolerance · max(1, |expected|): an
absolute tolerance near zero, a relative one for large values. Tolerance 0
means exact equality.
"""

from __future__ import annotations

import math
from typing import Any

from ..spec.types import ARRAY_ELEMENTS, TypeRef


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


def mismatch(actual: Any, expected: Any, type_ref: TypeRef, tolerance: float) -> str | None:
    """None when `actual` (harness encoding) matches `expected` (TOML value)."""
    if type_ref.array:
        return _array_mismatch(actual, expected, type_ref, tolerance)
    if type_ref.base in ("i64", "u64"):
        got = actual.get("$bigint") if isinstance(actual, dict) else None
        return None if got is not None and int(got) == int(expected) else f"expected {expected}n, got {_show(actual)}"
    if type_ref.base in ("f32", "f64", "i32", "u32"):
        if isinstance(actual, bool) or not isinstance(actual, int | float | dict):
            return f"expected a number, got {_show(actual)}"
        value = decode_number(actual)
        return None if close(value, float(expected), tolerance) else f"expected {expected}, got {value!r}"
    return None if actual == expected else f"expected {expected!r}, got {_show(actual)}"


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
