"""The spec's type system (v1) and how each type looks in Rust, TypeScript and JS.

A type string is a base name, optionally `[]` (a typed array of that element)
and optionally `?` (may be undefined): `f64`, `u32[]`, `string?`, `f32[]?`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SCALARS: dict[str, dict[str, object]] = {
    # name: TypeScript type, integer range (None for floats/others)
    "bool": {"ts": "boolean", "range": None},
    "i32": {"ts": "number", "range": (-(2**31), 2**31 - 1)},
    "u32": {"ts": "number", "range": (0, 2**32 - 1)},
    "f32": {"ts": "number", "range": None},
    "f64": {"ts": "number", "range": None},
    "i64": {"ts": "bigint", "range": (-(2**63), 2**63 - 1)},
    "u64": {"ts": "bigint", "range": (0, 2**64 - 1)},
    "string": {"ts": "string", "range": None},
}
ARRAY_ELEMENTS: dict[str, str] = {
    "f32": "Float32Array",
    "f64": "Float64Array",
    "i32": "Int32Array",
    "u32": "Uint32Array",
    "u8": "Uint8Array",
}
ARRAY_RANGES: dict[str, tuple[int, int] | None] = {
    "f32": None, "f64": None, "i32": (-(2**31), 2**31 - 1), "u32": (0, 2**32 - 1), "u8": (0, 255),
}
FLOATS = frozenset({"f32", "f64"})
INTEGERS = frozenset({"i32", "u32", "i64", "u64"})
BIGINTS = frozenset({"i64", "u64"})


def all_type_names() -> list[str]:
    """Every spelling accepted as an argument type (used for "did you mean")."""
    names = list(SCALARS) + [f"{element}[]" for element in ARRAY_ELEMENTS]
    return names + [f"{name}?" for name in names]


class TypeParseError(ValueError):
    pass


@dataclass(frozen=True)
class TypeRef:
    base: str
    array: bool = False
    optional: bool = False

    # --- parsing ----------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, *, allow_void: bool = False) -> TypeRef:
        raw = text.strip()
        if allow_void and raw == "void":
            return VOID
        optional = raw.endswith("?")
        core = raw[:-1] if optional else raw
        array = core.endswith("[]")
        base = core[:-2] if array else core
        if array and base not in ARRAY_ELEMENTS:
            raise TypeParseError(
                f"`{raw}` is not a type: typed arrays exist for {', '.join(ARRAY_ELEMENTS)}"
            )
        if not array and base not in SCALARS:
            raise TypeParseError(f"unknown type `{raw}`")
        return cls(base, array, optional)

    def __str__(self) -> str:
        if self.is_void:
            return "void"
        return self.base + ("[]" if self.array else "") + ("?" if self.optional else "")

    # --- classification -----------------------------------------------------------

    @property
    def is_void(self) -> bool:
        return self.base == "void"

    @property
    def is_float(self) -> bool:
        return self.base in FLOATS and not self.array

    @property
    def is_integer(self) -> bool:
        return self.base in INTEGERS and not self.array

    @property
    def is_numeric_scalar(self) -> bool:
        return self.is_float or self.is_integer

    @property
    def required(self) -> TypeRef:
        return TypeRef(self.base, self.array, False)

    # --- Rust ---------------------------------------------------------------------

    @property
    def rust_owned(self) -> str:
        """Type of a value owned by Rust: wrapper parameters and kernel results."""
        if self.is_void:
            return "()"
        inner = f"Vec<{self.base}>" if self.array else ("String" if self.base == "string" else self.base)
        return f"Option<{inner}>" if self.optional else inner

    def rust_borrow(self, name: str) -> str:
        """How the wrapper passes its owned parameter `name` to the kernel function."""
        if self.array or self.base == "string":
            return f"{name}.as_deref()" if self.optional else f"&{name}"
        return name

    @property
    def rust_kernel_param(self) -> str:
        """The parameter type the kernel function is expected to declare (docs)."""
        if self.array:
            inner = f"&[{self.base}]"
        elif self.base == "string":
            inner = "&str"
        else:
            inner = self.base
        return f"Option<{inner}>" if self.optional else inner

    # --- TypeScript / JavaScript -------------------------------------------------------

    @property
    def ts(self) -> str:
        if self.is_void:
            return "void"
        inner = ARRAY_ELEMENTS[self.base] if self.array else str(SCALARS[self.base]["ts"])
        return f"{inner} | undefined" if self.optional else inner

    @property
    def js_check(self) -> str:
        """Name of the facade's runtime check for this type (see templates/npm/api.js.jinja)."""
        if self.array:
            return f"check.array({ARRAY_ELEMENTS[self.base]}, "
        return f"check.{self.base}("

    @property
    def js_description(self) -> str:
        if self.array:
            return f"a {ARRAY_ELEMENTS[self.base]}"
        return {
            "bool": "a boolean", "string": "a string", "f32": "a number", "f64": "a number",
            "i32": "an integer in [-2147483648, 2147483647]", "u32": "an integer in [0, 4294967295]",
            "i64": "a bigint in the i64 range", "u64": "a bigint in the u64 range",
        }[self.base]

    # --- example values (TOML) ----------------------------------------------------------

    def check_value(self, value: object) -> str | None:
        """None when `value` (from TOML) fits this type, else what is wrong."""
        if self.array:
            if not isinstance(value, list):
                return f"expected an array of numbers for {self}, got {_toml_kind(value)}"
            for index, item in enumerate(value):
                problem = _check_element(self.base, item)
                if problem:
                    return f"element {index}: {problem}"
            return None
        return _check_scalar(self.base, value)


VOID = TypeRef("void")


def _toml_kind(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


def _check_element(base: str, item: object) -> str | None:
    if isinstance(item, bool) or not isinstance(item, int | float):
        return f"expected a number, got {_toml_kind(item)}"
    limits = ARRAY_RANGES[base]
    if limits is None:
        return None
    if not isinstance(item, int) and not float(item).is_integer():
        return f"expected an integer for {base}[], got {item}"
    low, high = limits
    return None if low <= item <= high else f"{item} is out of range for {base}"


def _check_scalar(base: str, value: object) -> str | None:
    if base == "bool":
        return None if isinstance(value, bool) else f"expected a boolean, got {_toml_kind(value)}"
    if base == "string":
        return None if isinstance(value, str) else f"expected a string, got {_toml_kind(value)}"
    if base in BIGINTS and isinstance(value, str):
        # TOML integers stop at i64::MAX; larger u64 values are written as strings.
        if not value.lstrip("-").isdigit():
            return f"expected an integer (or a string of digits) for {base}, got {value!r}"
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"expected a number for {base}, got {_toml_kind(value)}"
    limits = SCALARS[base]["range"]
    if limits is None:
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return f"expected an integer for {base}, got {value}"
    low, high = limits  # type: ignore[misc]
    return None if low <= int(value) <= high else f"{value} is out of range for {base}"
