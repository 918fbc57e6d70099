"""The spec's type system and the TypeScript spelling of each type.

A type string is one of
  * a scalar: `bool`, `i32`, `u32`, `f32`, `f64`, `i64`, `u64`, `string`;
  * a typed array: `f64[]` (element `f32`, `f64`, `i32`, `u32` or `u8`);
  * a tensor, a typed array with named dimensions: `f32[batch, seq, dim]`
    (JS `{ data: Float32Array, shape: number[] }`; dimensions with the same
    name must agree across the arguments of a call);
  * the name of a `[[struct]]`, `[[enum]]` or `[[class]]` of the spec;
and may end in `?` (the value may be undefined).

How each kind crosses the boundary is rendering's business (render/marshal.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

SCALARS: dict[str, str] = {
    # name: TypeScript type
    "bool": "boolean", "i32": "number", "u32": "number", "f32": "number", "f64": "number",
    "i64": "bigint", "u64": "bigint", "string": "string",
}
SCALAR_RANGES: dict[str, tuple[int, int]] = {
    "i32": (-(2**31), 2**31 - 1), "u32": (0, 2**32 - 1), "i64": (-(2**63), 2**63 - 1), "u64": (0, 2**64 - 1),
}
ARRAY_ELEMENTS: dict[str, str] = {
    "f32": "Float32Array", "f64": "Float64Array", "i32": "Int32Array", "u32": "Uint32Array", "u8": "Uint8Array",
}
ARRAY_RANGES: dict[str, tuple[int, int] | None] = {
    "f32": None, "f64": None, "i32": (-(2**31), 2**31 - 1), "u32": (0, 2**32 - 1), "u8": (0, 255),
}
FLOATS = frozenset({"f32", "f64"})
INTEGERS = frozenset({"i32", "u32", "i64", "u64"})
BIGINTS = frozenset({"i64", "u64"})
_DIM = re.compile(r"^(?:[a-z][A-Za-z0-9]*|\d+)$")


def all_type_names() -> list[str]:
    """Every built-in spelling (used for "did you mean")."""
    names = list(SCALARS) + [f"{element}[]" for element in ARRAY_ELEMENTS]
    return names + [f"{name}?" for name in names]


class TypeParseError(ValueError):
    pass


@dataclass(frozen=True)
class TypeRef:
    kind: str  # void | scalar | array | tensor | struct | enum | class
    base: str  # scalar name, element type, or the struct/enum/class name
    optional: bool = False
    shape: tuple[str, ...] = ()  # tensor dimensions: names or integer literals

    # --- parsing ------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, named: Mapping[str, str] | None = None, *, allow_void: bool = False) -> TypeRef:
        """`named` maps the spec's struct/enum/class names to their kind."""
        raw = text.strip()
        if allow_void and raw == "void":
            return VOID
        optional = raw.endswith("?")
        core = raw[:-1].strip() if optional else raw
        if "[" in core:
            return cls._parse_array(raw, core, optional)
        if core in SCALARS:
            return cls("scalar", core, optional)
        if named and core in named:
            return cls(named[core], core, optional)
        raise TypeParseError(f"unknown type `{raw}`")

    @classmethod
    def _parse_array(cls, raw: str, core: str, optional: bool) -> TypeRef:
        base, _, rest = core.partition("[")
        base = base.strip()
        if not rest.endswith("]"):
            raise TypeParseError(f"`{raw}` is not a type: a `[` without its `]`")
        if base not in ARRAY_ELEMENTS:
            raise TypeParseError(f"`{raw}` is not a type: typed arrays exist for {', '.join(ARRAY_ELEMENTS)}")
        inside = rest[:-1].strip()
        if not inside:
            return cls("array", base, optional)
        dims = tuple(part.strip() for part in inside.split(","))
        bad = [d for d in dims if not _DIM.match(d)]
        if bad:
            raise TypeParseError(f"`{raw}`: tensor dimensions are camelCase names or integers, not {bad[0]!r}")
        return cls("tensor", base, optional, dims)

    def __str__(self) -> str:
        if self.is_void:
            return "void"
        if self.kind == "array":
            core = f"{self.base}[]"
        elif self.kind == "tensor":
            core = f"{self.base}[{', '.join(self.shape)}]"
        else:
            core = self.base
        return core + ("?" if self.optional else "")

    # --- classification -------------------------------------------------------------

    @property
    def is_void(self) -> bool:
        return self.kind == "void"

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"

    @property
    def array(self) -> bool:
        """A plain typed array (tensors are not)."""
        return self.kind == "array"

    @property
    def is_tensor(self) -> bool:
        return self.kind == "tensor"

    @property
    def is_float(self) -> bool:
        return self.is_scalar and self.base in FLOATS

    @property
    def is_integer(self) -> bool:
        return self.is_scalar and self.base in INTEGERS

    @property
    def is_numeric_scalar(self) -> bool:
        return self.is_float or self.is_integer

    @property
    def required(self) -> TypeRef:
        return replace(self, optional=False)

    @property
    def typed_array(self) -> str:
        """JS constructor of the data of an array or tensor."""
        return ARRAY_ELEMENTS[self.base]

    # --- TypeScript ---------------------------------------------------------------------

    @property
    def ts(self) -> str:
        if self.is_void:
            return "void"
        if self.kind == "scalar":
            inner = SCALARS[self.base]
        elif self.kind == "array":
            inner = ARRAY_ELEMENTS[self.base]
        elif self.kind == "tensor":
            inner = f"Tensor<{ARRAY_ELEMENTS[self.base]}>"
        else:
            inner = self.base
        return f"{inner} | undefined" if self.optional else inner


VOID = TypeRef("void", "void")


# --- example values (TOML) -------------------------------------------------------------

def toml_kind(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


def check_array_value(base: str, value: object) -> str | None:
    if not isinstance(value, list):
        return f"expected an array of numbers for {base}[], got {toml_kind(value)}"
    for index, item in enumerate(value):
        problem = _check_element(base, item)
        if problem:
            return f"element {index}: {problem}"
    return None


def _check_element(base: str, item: object) -> str | None:
    if isinstance(item, bool) or not isinstance(item, int | float):
        return f"expected a number, got {toml_kind(item)}"
    limits = ARRAY_RANGES[base]
    if limits is None:
        return None
    if not isinstance(item, int) and not float(item).is_integer():
        return f"expected an integer for {base}[], got {item}"
    low, high = limits
    return None if low <= item <= high else f"{item} is out of range for {base}"


def check_scalar_value(base: str, value: object) -> str | None:
    if base == "bool":
        return None if isinstance(value, bool) else f"expected a boolean, got {toml_kind(value)}"
    if base == "string":
        return None if isinstance(value, str) else f"expected a string, got {toml_kind(value)}"
    if base in BIGINTS and isinstance(value, str):
        # TOML integers stop at i64::MAX; larger u64 values are written as strings.
        if not value.lstrip("-").isdigit():
            return f"expected an integer (or a string of digits) for {base}, got {value!r}"
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"expected a number for {base}, got {toml_kind(value)}"
    limits = SCALAR_RANGES.get(base)
    if limits is None:
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return f"expected an integer for {base}, got {value}"
    low, high = limits
    return None if low <= int(value) <= high else f"{value} is out of range for {base}"
