"""The one list of every key a kernel spec may contain.

Each table and key is declared once, here, with its kind, default and
documentation. The loader validates against it (unknown keys get "did you
mean"), `json_schema()` turns it into the committed JSON schema
(docs/kernel.schema.json, checked current by a test), and a test checks that
docs/spec.md mentions every key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..settings import TARGETS
from .types import all_type_names

SPEC_VERSION = 1
WASM_OPT_LEVELS = ("O0", "O1", "O2", "O3", "O4", "Os", "Oz")


@dataclass(frozen=True)
class Key:
    name: str
    kind: str  # string | integer | number | boolean | string-array | string-table | value | value-table | integer-or-string | string-or-false
    doc: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    keys: tuple[Key, ...]
    array: bool = False  # [[name]] (array of tables) rather than [name]
    required: bool = False
    children: tuple[Table, ...] = field(default_factory=tuple)

    def key(self, name: str) -> Key | None:
        return next((k for k in self.keys if k.name == name), None)

    def child(self, name: str) -> Table | None:
        return next((t for t in self.children if t.name == name), None)

    def names(self) -> list[str]:
        return [k.name for k in self.keys] + [t.name for t in self.children]


PACKAGE = Table(
    "package",
    "npm package metadata; also used for the generated crate and README.",
    (
        Key("name", "string", "npm package name (scoped names allowed), e.g. `sublinear-solver`.", required=True),
        Key("version", "string", "Semantic version of the package, e.g. `0.1.0`.", required=True),
        Key("description", "string", "One sentence: package.json description and README lead.", required=True),
        Key("license", "string", "SPDX license expression.", default="MIT"),
        Key("repository", "string", "Repository URL for package.json and Cargo.toml."),
        Key("homepage", "string", "Homepage URL."),
        Key("keywords", "string-array", "npm keywords.", default=[]),
        Key("crate", "string", "Directory of the kernel's Rust crate, relative to kernel.toml.", default="."),
        Key("error_type", "string", "Name of the kernel's error enum at the crate root.", default="KernelError"),
    ),
    required=True,
)

BUILD = Table(
    "build",
    "How the package is built.",
    (
        Key("targets", "string-array", "wasm-bindgen targets served by the package.", default=list(TARGETS),
            choices=TARGETS),
        Key("profile", "string", "`size` (opt-level z, wasm-opt -Oz) or `speed` (opt-level 3, wasm-opt -O3).",
            default="size", choices=("size", "speed")),
        Key("wasm_opt", "string-or-false", "wasm-opt level (O0…O4, Os, Oz) or false to skip wasm-opt; "
            "defaults to the profile's level.", choices=WASM_OPT_LEVELS),
        Key("features", "string-array", "Cargo features of the kernel crate to enable.", default=[]),
    ),
)

NPM = Table(
    "npm",
    "Names used by the generated JavaScript.",
    (
        Key("global", "string", "Global name the no-modules script defines; default: PascalCase of the package name."),
        Key("error_base", "string", "Base class of all the package's errors; default: PascalCase name + `Error`."),
    ),
)

ERROR = Table(
    "error",
    "A named error kind: a variant of the kernel's error enum and a JS error class.",
    (
        Key("name", "string", "PascalCase name: the Rust enum variant and the JS class.", required=True),
        Key("code", "string", "Stable `code` field of the JS error; default: SCREAMING_CASE of the name."),
        Key("doc", "string", "When this error is raised.", required=True),
        Key("fields", "string-table", "Named fields of the variant (name = scalar type), copied into `details`.",
            default={}),
    ),
    array=True,
)

ARG = Table(
    "args",
    "An argument of the function, in order.",
    (
        Key("name", "string", "camelCase JS name; the Rust parameter is its snake_case.", required=True),
        Key("type", "string", "Argument type.", required=True, choices=tuple(all_type_names())),
        Key("doc", "string", "What the argument means.", required=True),
        Key("default", "value", "Value used when the caller passes undefined; makes the argument optional."),
        Key("min", "number", "Smallest allowed value (numeric scalars)."),
        Key("max", "number", "Largest allowed value (numeric scalars)."),
        Key("length", "integer-or-string", "Exact length of a typed array: an integer or an expression over "
            "integer arguments, e.g. `rows * cols`."),
        Key("min_length", "integer", "Smallest allowed length of a typed array."),
        Key("finite", "boolean", "Reject NaN and ±Infinity (float scalars and float arrays).", default=False),
    ),
    array=True,
)

EXAMPLE = Table(
    "example",
    "A call with its expected outcome: rendered into the README and checked on every target.",
    (
        Key("doc", "string", "What the example shows."),
        Key("args", "value-table", "Argument values by name (arrays for typed arrays).", default={}),
        Key("expect", "value", "Expected return value (omit for void functions)."),
        Key("error", "string", "Name of the error the call must raise (instead of `expect`)."),
        Key("tolerance", "number", "Allowed difference for floats: |actual-expected| <= tolerance * max(1, |expected|).",
            default=0.0),
    ),
    array=True,
)

FUNCTION = Table(
    "function",
    "A package-level function wrapping a kernel function.",
    (
        Key("name", "string", "camelCase JS name.", required=True),
        Key("rust", "string", "Path of the kernel function inside the crate; default: snake_case of the name."),
        Key("doc", "string", "Documentation: JSDoc, rustdoc and README.", required=True),
        Key("returns", "string", "Return type, or `void`.", default="void",
            choices=("void", *all_type_names())),
        Key("errors", "string-array", "Names of the errors (from [[error]]) the function may raise.", default=[]),
    ),
    array=True,
    children=(ARG, EXAMPLE),
)

ROOT = Table(
    "",
    "A wasmforge kernel spec (kernel.toml).",
    (Key("spec_version", "integer", "Version of the spec format.", default=SPEC_VERSION),),
    children=(PACKAGE, BUILD, NPM, ERROR, FUNCTION),
)


def all_key_paths(table: Table = ROOT, prefix: str = "") -> list[str]:
    """Every documented key as a dotted path, e.g. `function.args.length`."""
    paths = [f"{prefix}{key.name}" for key in table.keys]
    for child in table.children:
        paths += all_key_paths(child, f"{prefix}{child.name}.")
    return paths


# --- JSON schema -------------------------------------------------------------------

def json_schema() -> dict[str, Any]:
    schema = _table_schema(ROOT)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://wasmforge.dev/schema/kernel-v1.json",
        "title": "wasmforge kernel spec (kernel.toml)",
        **schema,
    }


def _table_schema(table: Table) -> dict[str, Any]:
    properties: dict[str, Any] = {key.name: _key_schema(key) for key in table.keys}
    for child in table.children:
        child_schema = _table_schema(child)
        properties[child.name] = (
            {"type": "array", "description": child.doc, "items": child_schema} if child.array else child_schema
        )
    required = [k.name for k in table.keys if k.required] + [t.name for t in table.children if t.required]
    schema: dict[str, Any] = {"type": "object", "description": table.doc, "properties": properties,
                              "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def _key_schema(key: Key) -> dict[str, Any]:
    kinds: dict[str, dict[str, Any]] = {
        "string": {"type": "string"},
        "integer": {"type": "integer"},
        "number": {"type": "number"},
        "boolean": {"type": "boolean"},
        "string-array": {"type": "array", "items": {"type": "string"}},
        "string-table": {"type": "object", "additionalProperties": {"type": "string"}},
        "value": {},
        "value-table": {"type": "object"},
        "integer-or-string": {"type": ["integer", "string"]},
        "string-or-false": {"anyOf": [{"type": "string"}, {"const": False}]},
    }
    schema = {"description": key.doc, **kinds[key.kind]}
    if key.choices and key.kind == "string":
        schema["enum"] = list(key.choices)
    elif key.choices and key.kind == "string-array":
        schema["items"] = {"enum": list(key.choices)}
    elif key.choices and key.kind == "string-or-false":
        schema["anyOf"] = [{"enum": list(key.choices)}, {"const": False}]
    if key.default is not None:
        schema["default"] = key.default
    return schema
