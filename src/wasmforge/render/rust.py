"""Rust fragments for the generated crate's lib.rs: literals, parameters,
argument checks. The template (templates/crate/src/lib.rs.jinja) lays them out."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..spec import expr
from ..spec.model import Arg, ErrorKind, Function
from ..spec.names import snake_case
from ..spec.types import TypeRef


@dataclass(frozen=True)
class RustFunction:
    js_name: str
    rust_name: str
    doc_lines: tuple[str, ...]
    params: tuple[str, ...]  # "matrix: Vec<f64>"
    defaults: tuple[str, ...]  # "let tolerance = tolerance.unwrap_or(1e-10_f64);"
    checks: tuple[str, ...]  # "check::min_length(...)?;"
    kernel_call: str  # "kernel::solve(&matrix, rows, …)"
    return_type: str  # "Result<Vec<f64>, JsValue>"

    @property
    def too_many_arguments(self) -> bool:
        return len(self.params) > 7  # clippy::too_many_arguments threshold


@dataclass(frozen=True)
class RustErrorArm:
    pattern: str  # "kernel::KernelError::NotConverged { iterations, residual }"
    code: str
    details: tuple[str, ...]  # expressions converted with .into()


def literal(value: Any, type_ref: TypeRef) -> str:
    """A Rust literal of `value` typed as `type_ref` (without the Option)."""
    if type_ref.array:
        return "vec![" + ", ".join(scalar_literal(v, type_ref.base) for v in value) + "]"
    return scalar_literal(value, type_ref.base)


def scalar_literal(value: Any, base: str) -> str:
    if base == "bool":
        return "true" if value else "false"
    if base == "string":
        escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}".to_string()'
    if base in ("f32", "f64"):
        number = float(value)
        if math.isinf(number):
            return f"{base}::{'INFINITY' if number > 0 else 'NEG_INFINITY'}"
        text = repr(number)
        return f"{text}_{base}"
    return f"{int(value)}_{base}"


def function(spec_function: Function, kernel_crate: str = "kernel") -> RustFunction:
    args = spec_function.args
    return RustFunction(
        js_name=spec_function.name,
        rust_name=spec_function.rust_name,
        doc_lines=_doc_lines(spec_function),
        params=tuple(f"{a.rust_name}: {a.type.rust_owned}" for a in args),
        defaults=tuple(_default(a) for a in args if a.has_default),
        # Scalars first: array lengths are expressions over them.
        checks=tuple(check for a in sorted(args, key=lambda a: a.type.array)
                     for check in arg_checks(spec_function.name, a)),
        kernel_call=f"{kernel_crate}::{spec_function.rust_path}("
        + ", ".join(a.kernel_type.rust_borrow(a.rust_name) for a in args) + ")",
        return_type=f"Result<{spec_function.returns.rust_owned}, JsValue>",
    )


def _doc_lines(spec_function: Function) -> tuple[str, ...]:
    lines = spec_function.doc.strip().splitlines()
    if spec_function.errors:
        lines += ["", "Errors: " + ", ".join(f"`{e}`" for e in spec_function.errors)
                  + ", and `InvalidArgument` for arguments that break the spec's constraints."]
    return tuple(lines)


def _default(arg: Arg) -> str:
    value = literal(arg.default, arg.type.required)
    method = "unwrap_or_else(|| " + value + ")" if arg.type.array or arg.type.base == "string" else f"unwrap_or({value})"
    return f"let {arg.rust_name} = {arg.rust_name}.{method};"


def arg_checks(function_name: str, arg: Arg) -> list[str]:
    """Statements validating `arg` against the spec's constraints, in order.

    An optional argument is checked only when present: the statements then
    refer to `value`, bound by `if let Some(value) = …`.
    """
    optional = arg.kernel_type.optional
    name = "value" if optional else arg.rust_name
    # Inside `if let Some(value) = array.as_ref()` the binding is already a reference.
    borrowed = name if optional else f"&{name}"
    where = f'"{function_name}", "{arg.name}"'
    checks = []
    if arg.length is not None:
        expected = expr.render(arg.length, lambda var: f"i128::from({snake_case(var)})")
        checks.append(f'check::length({where}, {name}.len(), {expected}, "{arg.length_text}")?;')
    if arg.min_length is not None:
        checks.append(f"check::min_length({where}, {name}.len(), {arg.min_length})?;")
    if arg.finite:
        checks.append(f"check::all_finite({where}, {borrowed})?;" if arg.type.array
                      else f"check::finite({where}, {name})?;")
    if arg.minimum is not None:
        checks.append(f"check::at_least({where}, {name}, {scalar_literal(arg.minimum, arg.type.base)})?;")
    if arg.maximum is not None:
        checks.append(f"check::at_most({where}, {name}, {scalar_literal(arg.maximum, arg.type.base)})?;")
    if not (optional and checks):
        return checks
    source = f"{arg.rust_name}.as_ref()" if arg.type.array or arg.type.base == "string" else arg.rust_name
    return [f"if let Some(value) = {source} {{", *(f"    {c}" for c in checks), "}"]


def checks_used(functions: list[RustFunction]) -> set[str]:
    """Which helpers of the `check` module the wrappers call (only those are emitted,
    so the generated crate has no dead code)."""
    used = set()
    for fn in functions:
        for statement in fn.checks:
            for helper in ("length", "min_length", "all_finite", "finite", "at_least", "at_most"):
                if f"check::{helper}(" in statement:
                    used.add(helper)
    return used


def error_arm(kind: ErrorKind, error_type: str, kernel_crate: str = "kernel") -> RustErrorArm:
    variant = f"{kernel_crate}::{error_type}::{kind.name}"
    if kind.fields:
        pattern = variant + " { " + ", ".join(f.rust_name for f in kind.fields) + " }"
    else:
        pattern = variant
    return RustErrorArm(pattern, kind.code, tuple(f.rust_name for f in kind.fields))
