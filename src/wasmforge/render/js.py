"""JavaScript and TypeScript fragments for the npm side of a package:
argument checks, signatures, JSDoc and literals of example values."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from ..spec.model import Arg, ErrorKind, Example, Function
from ..spec.types import ARRAY_ELEMENTS, TypeRef


@dataclass(frozen=True)
class JsFunction:
    name: str
    params: tuple[str, ...]  # JS parameter names
    checks: tuple[str, ...]  # statements
    ts_params: tuple[str, ...]  # "tolerance?: number"
    ts_return: str
    doc: str
    param_docs: tuple[tuple[str, str], ...]  # (name, description with constraints)
    throws: tuple[str, ...]  # error class names
    jsdoc: tuple[str, ...]  # lines without the leading " * "


@dataclass(frozen=True)
class JsError:
    name: str
    code: str
    doc: str
    fields: tuple[str, ...]
    ts_details: str  # "{ iterations: number; residual: number }"


def function(spec_function: Function) -> JsFunction:
    return JsFunction(
        name=spec_function.name,
        params=tuple(a.name for a in spec_function.args),
        checks=tuple(check_statement(spec_function.name, a) for a in spec_function.args),
        ts_params=tuple(ts_param(a) for a in spec_function.args),
        ts_return=spec_function.returns.ts,
        doc=_escape(spec_function.doc.strip()),
        param_docs=tuple((a.name, _escape(a.doc) + _constraint_text(a)) for a in spec_function.args),
        throws=(*spec_function.errors, "InvalidArgument"),
        jsdoc=tuple(_jsdoc(spec_function)),
    )


def check_statement(function_name: str, arg: Arg) -> str:
    """The facade's runtime type check for one argument."""
    where = f"'{function_name}', '{arg.name}'"
    if arg.type.array:
        call = f"check.array({ARRAY_ELEMENTS[arg.type.base]}, {arg.name}, {where});"
    else:
        call = f"check.{arg.type.base}({arg.name}, {where});"
    if arg.type.optional:
        return f"if ({arg.name} !== undefined && {arg.name} !== null) {call}"
    return call


def ts_param(arg: Arg) -> str:
    if arg.type.optional:
        return f"{arg.name}?: {arg.type.required.ts}"
    return f"{arg.name}: {arg.type.ts}"


def error(kind: ErrorKind) -> JsError:
    details = "{ " + "; ".join(f"{f.name}: {f.type.ts}" for f in kind.fields) + " }" if kind.fields else "{}"
    return JsError(kind.name, kind.code, kind.doc, tuple(f.name for f in kind.fields),
                   details if kind.fields else "Record<string, never>")


def _jsdoc(spec_function: Function) -> list[str]:
    lines = [*_escape(spec_function.doc.strip()).splitlines(), ""]
    for arg in spec_function.args:
        lines.append(f"@param {arg.name} - {_escape(arg.doc)}{_constraint_text(arg)}")
    if not spec_function.returns.is_void:
        lines.append(f"@returns {spec_function.returns.ts}")
    for name in spec_function.errors:
        lines.append(f"@throws {{@link {name}}}")
    lines.append("@throws {@link InvalidArgument} when an argument breaks the constraints above.")
    for example in spec_function.examples:
        lines += ["@example", *_example_lines(spec_function, example)]
    return lines


def _constraint_text(arg: Arg) -> str:
    notes = []
    if arg.length_text is not None:
        notes.append(f"length `{arg.length_text}`")
    if arg.min_length is not None:
        notes.append(f"length at least {arg.min_length}")
    if arg.minimum is not None:
        notes.append(f"at least {arg.minimum}")
    if arg.maximum is not None:
        notes.append(f"at most {arg.maximum}")
    if arg.finite:
        notes.append("finite")
    if arg.has_default:
        notes.append(f"default `{literal(arg.default, arg.type.required)}`")
    return f" ({'; '.join(notes)})" if notes else ""


def _example_lines(spec_function: Function, example: Example) -> list[str]:
    call = call_expression(spec_function, example)
    if example.error:
        outcome = f"// throws {example.error}"
    elif spec_function.returns.is_void:
        outcome = ""
    else:
        outcome = f"// → {literal(example.expect, spec_function.returns.required)}"
    lines = ["```ts"]
    if example.doc:
        lines.append(f"// {_escape(example.doc)}")
    lines += [f"{call};{(' ' + outcome) if outcome else ''}", "```"]
    return lines


def call_expression(spec_function: Function, example: Example) -> str:
    """`solve(new Float64Array([4, 1]), 2)` for an example's arguments."""
    values = []
    for arg in spec_function.args:
        values.append(literal(example.arg(arg.name), arg.type.required) if example.has_arg(arg.name) else "undefined")
    while values and values[-1] == "undefined":
        values.pop()
    return f"{spec_function.name}({', '.join(values)})"


def literal(value: Any, type_ref: TypeRef) -> str:
    """JavaScript source for a TOML value of the given type."""
    if type_ref.array:
        return f"new {ARRAY_ELEMENTS[type_ref.base]}([{', '.join(_number(v) for v in value)}])"
    if type_ref.base in ("i64", "u64"):
        return f"{int(value)}n"
    if type_ref.base == "string":
        return json.dumps(value)
    if type_ref.base == "bool":
        return "true" if value else "false"
    return _number(value)


def _number(value: Any) -> str:
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)


def _escape(text: str) -> str:
    """Keep documentation text from closing the surrounding comment."""
    return text.replace("*/", "*\u2215")
