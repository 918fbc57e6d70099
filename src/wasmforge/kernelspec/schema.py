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

SPEC_VERSION = 1
WASM_OPT_LEVELS = ("O0", "O1", "O2", "O3", "O4", "Os", "Oz")


@dataclass(frozen=True)
class Key:
    name: str
    kind: str  # string | integer | number | boolean | string-array | string-table | value | value-table | integer-or-string | string-or-false | size-or-false
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

SIZE_BUDGET = Table(
    "size_budget",
    "Sizes the build refuses to exceed: a size as bytes (an integer) or text like \"500 KB\", \"1.5 MiB\" "
    "(KB/MB are 1000-based, KiB/MiB 1024-based), or false for no limit. Over budget, the build stops "
    "(exit 5) and leaves pkg/ as it was.",
    (
        Key("module", "size-or-false", "Each optimised .wasm module, raw bytes (the seed's bundle-size goal).",
            default="500 KB"),
        Key("module_gzip", "size-or-false", "Each optimised .wasm module, gzip -9.", default=False),
        Key("entry", "size-or-false", "What a consumer of one entry loads (its JavaScript files and the module "
            "it fetches, per target and per module build), raw bytes.", default=False),
        Key("entry_gzip", "size-or-false", "The same, each file gzip -9 (as served with compression).",
            default=False),
    ),
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
        Key("simd_feature", "string", "Cargo feature of the kernel that enables its simd128 code: the package "
            "then ships a SIMD module beside the baseline and picks it when the engine supports SIMD."),
        Key("threads_feature", "string", "Cargo feature of the kernel that enables its rayon-parallel code: the "
            "package then also ships a threaded module (shared memory, atomics; with the SIMD feature too), which "
            "the workers of `init({ workers, threads })` run where shared memory is allowed. Needs npm.workers."),
        Key("cache", "string", "`sccache`: run rustc through sccache, a compile cache shared by builds, "
            "checkouts and (with one of sccache's remote backends) machines; `none`: no cache. "
            "WASMFORGE_CACHE overrides it.", default="none", choices=("none", "sccache")),
        Key("memory_stats", "boolean", "Count the module's live heap bytes for `memoryUsage()` (a counting "
            "global allocator); turn off if the kernel brings its own allocator.", default=True),
    ),
    children=(SIZE_BUDGET,),
)

NPM = Table(
    "npm",
    "Names used by the generated JavaScript.",
    (
        Key("global", "string", "Global name the no-modules script defines; default: PascalCase of the package name."),
        Key("error_base", "string", "Base class of all the package's errors; default: PascalCase name + `Error`."),
        Key("extra_sources", "string-array", "Hand-written TypeScript modules (paths relative to kernel.toml) "
            "compiled and shipped with the package; their exports are re-exported by every entry.", default=[]),
        Key("workers", "boolean", "Ship worker execution: `init({ workers: N | 'auto' })` runs the async variants "
            "(`*Async`, streams, batches) in a pool of workers, each with its own instance of the module.",
            default=False),
    ),
)

ERROR = Table(
    "error",
    "A named error kind: a variant of the kernel's error enum and a JS error class.",
    (
        Key("name", "string", "PascalCase name: the Rust enum variant and the JS class.", required=True),
        Key("code", "string", "Stable `code` field of the JS error; default: SCREAMING_CASE of the name."),
        Key("doc", "string", "When this error is raised.", required=True),
        Key("fields", "string-table-or-array", "Fields of the variant, copied into `details`: a table for a "
            "struct variant (name = scalar type), an array for a tuple variant (`[\"string\"]`: details `0`, `1`…). "
            "Without it the variant may have any shape and passes nothing.", default={}),
    ),
    array=True,
)

ARG = Table(
    "args",
    "An argument of the function, in order.",
    (
        Key("name", "string", "camelCase JS name; the Rust parameter is its snake_case.", required=True),
        Key("type", "string", "Type: a scalar, a typed array (`f64[]`), a tensor (`f32[batch, seq, dim]`) or a "
            "struct/enum/class of the spec; `?` makes it optional.", required=True),
        Key("doc", "string", "What the argument means.", required=True),
        Key("default", "value", "Value used when the caller passes undefined; makes the argument optional."),
        Key("min", "number", "Smallest allowed value (numeric scalars)."),
        Key("max", "number", "Largest allowed value (numeric scalars)."),
        Key("gt", "number", "The value must be greater than this (numeric scalars; NaN fails it), e.g. `gt = 0`."),
        Key("lt", "number", "The value must be less than this (numeric scalars; NaN fails it)."),
        Key("length", "integer-or-string", "Exact length of a typed array: an integer or an expression over "
            "integer arguments, e.g. `rows * cols`."),
        Key("min_length", "integer", "Smallest allowed length of a typed array."),
        Key("finite", "boolean", "Reject NaN and ±Infinity (float scalars and float arrays).", default=False),
    ),
    array=True,
)

FIELD = Table("fields", "A field of the struct, in order.", (
    *ARG.keys,
    Key("js_clock", "boolean", "Filled in JavaScript with `Date.now()` when the struct reaches JS (results only); "
        "the kernel's struct has no such field. Must be `f64`.", default=False),
), array=True)

EXAMPLE = Table(
    "example",
    "A call with its expected outcome: rendered into the README and checked on every target.",
    (
        Key("doc", "string", "What the example shows."),
        Key("new", "value-table", "Constructor arguments of the instance a method example runs on."),
        Key("args", "value-table", "Argument values by name (arrays for typed arrays).", default={}),
        Key("expect", "value", "Expected return value (omit for void functions)."),
        Key("error", "string", "Name of the error the call must raise (instead of `expect`)."),
        Key("tolerance", "number", "Allowed difference for floats: |actual-expected| <= tolerance * max(1, |expected|).",
            default=0.0),
    ),
    array=True,
)

PROGRESS = Table(
    "progress",
    "Progress reports for a stream: `ProgressTracker` and the `progress` events.",
    (
        Key("iteration", "string", "Item field counting iterations.", required=True),
        Key("measure", "string", "Item field that falls towards the target (e.g. a residual).", required=True),
        Key("target", "string", "Class property holding the measure to reach (e.g. `tolerance`).", required=True),
        Key("limit", "string", "Class property bounding the iterations (e.g. `maxIterations`).", required=True),
    ),
)

STREAM = Table(
    "stream",
    "The method returns an async iterator: the kernel method returns an iterator "
    "(`Iterator<Item = Result<Item, KernelError>>`) whose `next()` does one chunk of work in wasm.",
    (
        Key("rust", "string", "The kernel's iterator type, e.g. `SolveStream`.", required=True),
        Key("item", "string", "The struct each step yields.", required=True),
        Key("result", "string", "Type of the value the stream produces at its end (the async iterator's "
            "return value and the `complete` event's detail)."),
        Key("result_rust", "string", "Method of the kernel iterator returning that value once exhausted.",
            default="result"),
        Key("events", "string", "Name of an EventTarget-style variant, e.g. `solveAsync`: it runs the stream "
            "and dispatches `progress`, `complete` and `error` events on the instance."),
    ),
    children=(PROGRESS,),
)

_CALLABLE_KEYS = (
    Key("name", "string", "camelCase JS name.", required=True),
    Key("rust", "string", "Path of the kernel function (or method) inside the crate; default: snake_case of the name."),
    Key("doc", "string", "Documentation: JSDoc, rustdoc and README.", required=True),
    Key("returns", "string", "Return type, or `void`.", default="void"),
    Key("errors", "string-array", "Names of the errors (from [[error]]) it may raise.", default=[]),
    Key("async", "string", "Name of a Promise-returning variant that yields to the event loop before "
        "computing, e.g. `forwardAsync`."),
    Key("batch", "string", "Name of a batch variant taking an array of argument objects, e.g. `solveBatch`: one "
        "call into wasm with the arrays packed, per-item results and errors."),
    Key("infallible", "boolean", "The kernel function returns its value directly instead of a Result.",
        default=False),
    Key("returns_length", "integer-or-string", "Length of a typed-array result: an integer or an expression over "
        "integer arguments, e.g. `rows`. Lets `{ out }` be checked before the kernel runs."),
    Key("into", "string", "Path of a kernel variant that writes an array result into a caller's slice, "
        "`fn(args…, out: &mut [T]) -> Result<(), KernelError>`: used when the caller passes `{ out }`, so "
        "the result is never allocated. Needs `returns_length` for typed-array results."),
    Key("positional_shape", "string-array", "Also accept the leading tensor arguments as flat typed arrays "
        "followed by ONE shape array holding these dimensions, in this order (e.g. `[\"batch\", \"seqQ\", "
        "\"seqK\", \"modelDim\"]`); later tensor arguments then are flat arrays too."),
    Key("positional_shapes", "boolean", "Also accept the leading tensor arguments as flat typed arrays followed "
        "by one shape array EACH (`forward(q, k, v, qShape, kShape, vShape, mask?)`); later tensor arguments "
        "then are flat arrays too.", default=False),
)

FUNCTION = Table(
    "function",
    "A package-level function wrapping a kernel function.",
    _CALLABLE_KEYS,
    array=True,
    children=(ARG, EXAMPLE),
)

METHOD = Table(
    "method",
    "A method of the class: calls the kernel struct's method of the same (snake_case) name.",
    (*_CALLABLE_KEYS,
     Key("mutates", "boolean", "The method changes the instance's state other than through its properties "
         "(e.g. `setWeights`): with `npm.workers`, the workers' copies of the instance replay each call before "
         "their next one.", default=False),
     Key("aliases", "string-array", "Other names of the method (e.g. seed 001's snake_case `num_parameters`): "
         "the same method, declared under each.", default=[])),
    array=True,
    children=(ARG, EXAMPLE, STREAM),
)

CONSTRUCTOR = Table(
    "constructor",
    "The class constructor: calls the kernel's `new` (or `rust`) associated function.",
    (
        Key("rust", "string", "Associated function of the kernel struct that builds it.", default="new"),
        Key("doc", "string", "Documentation of the constructor.", required=True),
        Key("errors", "string-array", "Errors the constructor may raise.", default=[]),
        Key("infallible", "boolean", "The associated function returns the struct itself instead of a Result.",
            default=False),
    ),
    children=(ARG, EXAMPLE),
)

PROPERTY = Table(
    "property",
    "A getter (and, unless readonly, a setter validated with the same constraints as an argument).",
    (*ARG.keys, Key("readonly", "boolean", "Only a getter.", default=False),
     Key("aliases", "string-array", "Other names of the property (e.g. seed 001's `feature_dim`): getters (and "
         "setters) of the same property.", default=[]),
     Key("setters", "string-array", "Methods that set the property (e.g. seed 001's `set_dropout(value)`): "
         "`instance.set_dropout(v)` is `instance.dropout = v`. Not for a readonly property.", default=[])),
    array=True,
)

VIEW = Table(
    "view",
    "A JS class whose arrays live in the module's memory (resident): accepted wherever the struct is, "
    "with no copy. Its constructor takes the struct's scalar fields, then the names `lengths` introduces.",
    (
        Key("name", "string", "PascalCase class name, e.g. `MatrixView`.", required=True),
        Key("doc", "string", "What an instance is; default: generated from the struct's doc."),
        Key("lengths", "string-table", "Length of each array field that has no `length` of its own, as an "
            "expression over the struct's integer fields and new names (constructor parameters), e.g. "
            "`{ values = \"nnz\" }`.", default={}),
    ),
)

STRUCT = Table(
    "struct",
    "A plain-object type (JS object ↔ Rust struct); unknown keys and wrong types are rejected.",
    (
        Key("name", "string", "PascalCase name: the TypeScript interface and the kernel struct.", required=True),
        Key("doc", "string", "What the struct holds.", required=True),
        Key("rust", "string", "Path of the kernel struct; default: the name."),
        Key("borrow", "boolean", "The kernel struct borrows its arrays and strings (`&'a [T]`, `&'a str`) "
            "instead of owning them: arguments reach the kernel with no copy. Arguments only.", default=False),
    ),
    array=True,
    children=(FIELD, VIEW),
)

ENUM = Table(
    "enum",
    "A string enum: TypeScript string-literal union, Rust enum (variants are the PascalCase values).",
    (
        Key("name", "string", "PascalCase name.", required=True),
        Key("doc", "string", "What the choice means.", required=True),
        Key("rust", "string", "Path of the kernel enum; default: the name."),
        Key("values", "string-array", "The allowed strings.", required=True),
    ),
    array=True,
)

CLASS = Table(
    "class",
    "A stateful kernel struct exposed as a JS class with dispose().",
    (
        Key("name", "string", "PascalCase JS class name.", required=True),
        Key("doc", "string", "What an instance is.", required=True),
        Key("rust", "string", "Path of the kernel struct; default: the name."),
        Key("init", "string", "Name of an async factory (e.g. `initSolver`) that initialises the module "
            "first, on every target."),
        Key("singleton", "string", "Name of a function returning one lazily created, shared instance "
            "(e.g. `getSolver`)."),
        Key("create", "string", "Name of a synchronous factory on the `[namespace]` object (e.g. "
            "`createMultiHead`): `new Class(…)` once the namespace's `init()` has run, a NotInitialized "
            "error before."),
        Key("aliases", "string-array", "Other names the same class is exported under (e.g. seed 001's "
            "`WasmMultiHeadAttention`).", default=[]),
    ),
    array=True,
    children=(CONSTRUCTOR, PROPERTY, METHOD),
)

NAMESPACE = Table(
    "namespace",
    "One object grouping the package's entry points (seed 001's `ruVector`): `init()`, the classes' "
    "`create` factories and, optionally, a memory report; exported under its name, as the default "
    "export of the ES module entries, and with its class.",
    (
        Key("name", "string", "camelCase name of the exported instance (e.g. `ruVector`).", required=True),
        Key("class", "string", "PascalCase name of its class, exported too (e.g. `RuVectorAttention`); "
            "`new` of it makes another, independently initialised object.", required=True),
        Key("doc", "string", "What the object is.", required=True),
        Key("memory_usage", "string", "Name of a method returning `{ allocated, total }`: bytes of the "
            "module's memory in use and reserved (e.g. `getMemoryUsage`)."),
    ),
)

ROOT = Table(
    "",
    "A wasmforge kernel spec (kernel.toml).",
    (Key("spec_version", "integer", "Version of the spec format.", default=SPEC_VERSION),),
    children=(PACKAGE, BUILD, NPM, ERROR, FUNCTION, STRUCT, ENUM, CLASS, NAMESPACE),
)


def all_key_paths(table: Table = ROOT, prefix: str = "", seen: set[int] | None = None) -> list[str]:
    """Every key as a dotted path, e.g. `function.args.length`. A key shared by
    several tables (argument keys, example keys…) is listed once, at its first
    place: documentation describes it there."""
    seen = set() if seen is None else seen
    paths = []
    for key in table.keys:
        if id(key) not in seen:
            seen.add(id(key))
            paths.append(f"{prefix}{key.name}")
    for child in table.children:
        paths += all_key_paths(child, f"{prefix}{child.name}.", seen)
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
        "string-table-or-array": {"anyOf": [{"type": "object", "additionalProperties": {"type": "string"}},
                                            {"type": "array", "items": {"type": "string"}}]},
        "value": {},
        "value-table": {"type": "object"},
        "integer-or-string": {"type": ["integer", "string"]},
        "string-or-false": {"anyOf": [{"type": "string"}, {"const": False}]},
        "size-or-false": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string"}, {"const": False}]},
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
