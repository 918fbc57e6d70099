"""What verification runs on every target, derived from the spec alone.

Each spec example becomes a case; each function also gets a call with an
argument of the wrong JS type and, when an array has a length constraint, one
of the wrong length, both expecting InvalidArgument. Values cross into the
Node harness as JSON with small tags for what JSON cannot say (typed arrays,
bigints, undefined, NaN and infinities).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..spec.model import Arg, Example, Function, KernelSpec
from ..spec.types import ARRAY_ELEMENTS, TypeRef


@dataclass(frozen=True)
class Case:
    id: str
    function: str
    label: str  # shown in reports
    args: tuple[Any, ...]  # encoded for the harness
    expect: Any = None  # TOML value, compared in Python
    returns: TypeRef | None = None
    expect_error: str | None = None
    tolerance: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "function": self.function, "args": list(self.args),
                "expectError": self.expect_error}


def encode(value: Any, type_ref: TypeRef) -> Any:
    """A TOML example value as the harness's JSON encoding."""
    if value is None:
        return {"$undefined": True}
    if type_ref.array:
        return {"$typed": ARRAY_ELEMENTS[type_ref.base], "values": [encode_number(v) for v in value]}
    if type_ref.base in ("i64", "u64"):
        return {"$bigint": str(int(value))}
    if type_ref.base in ("f32", "f64", "i32", "u32"):
        return encode_number(value)
    return value


def encode_number(value: Any) -> Any:
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        return {"$number": repr(number)}
    return value


def cases_for(spec: KernelSpec) -> list[Case]:
    cases: list[Case] = []
    for function in spec.functions:
        cases += [_example_case(function, i, ex) for i, ex in enumerate(function.examples)]
        cases += _negative_cases(function)
    return cases


def _call_args(function: Function, example: Example | None) -> tuple[Any, ...]:
    args = [encode(example.arg(a.name) if example else None, a.type.required) for a in function.args]
    while args and args[-1] == {"$undefined": True}:
        args.pop()
    return tuple(args)


def _example_case(function: Function, index: int, example: Example) -> Case:
    label = example.doc or f"example {index + 1}"
    return Case(f"{function.name}/example-{index}", function.name, label, _call_args(function, example),
                example.expect, function.returns.required, example.error, example.tolerance)


def _negative_cases(function: Function) -> list[Case]:
    if not function.args:
        return []
    example = function.examples[0] if function.examples else None
    base_args = list(_call_args(function, example))
    base_args += [{"$undefined": True}] * (len(function.args) - len(base_args))
    first = function.args[0]
    wrong_type = list(base_args)
    wrong_type[0] = _wrong_type_value(first)
    cases = [Case(f"{function.name}/wrong-type", function.name,
                  f"`{first.name}` of the wrong type", tuple(wrong_type), expect_error="InvalidArgument")]
    length_case = _wrong_length_case(function, example, base_args)
    if length_case:
        cases.append(length_case)
    return cases


def _wrong_type_value(arg: Arg) -> Any:
    """A value a JavaScript caller might plausibly pass by mistake."""
    if arg.type.array:
        return [1, 2, 3]  # a plain Array where a typed array is required
    if arg.type.base == "string":
        return 42
    if arg.type.base in ("i64", "u64"):
        return 1  # a number where a bigint is required
    return "1"


def _wrong_length_case(function: Function, example: Example | None, base_args: list[Any]) -> Case | None:
    if example is None or example.error:
        return None
    for position, arg in enumerate(function.args):
        if arg.length is None or not example.has_arg(arg.name):
            continue
        values = list(example.arg(arg.name))
        shorter = encode(values[:-1] if values else [0], arg.type.required)
        args = list(base_args)
        args[position] = shorter
        return Case(f"{function.name}/wrong-length", function.name, f"`{arg.name}` of the wrong length",
                    tuple(args), expect_error="InvalidArgument")
    return None
