"""Identifier rules and case conversion shared by the spec and the templates."""

from __future__ import annotations

import re

JS_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
CAMEL = re.compile(r"^[a-z][A-Za-z0-9]*$")
PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
SCREAMING = re.compile(r"^[A-Z][A-Z0-9_]*$")
NPM_NAME = re.compile(r"^(@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)

RUST_KEYWORDS = frozenset(
    "as async await break const continue crate dyn else enum extern false fn for if impl in "
    "let loop match mod move mut pub ref return self Self static struct super trait true type "
    "unsafe use where while abstract become box do final macro override priv typeof unsized "
    "virtual yield try gen".split()
)
JS_RESERVED = frozenset(
    "await break case catch class const continue debugger default delete do else enum export "
    "extends false finally for function if implements import in instanceof interface let new "
    "null package private protected public return static super switch this throw true try "
    "typeof var void while with yield arguments eval undefined NaN Infinity".split()
)
SCALAR_NAMES = frozenset("bool i32 u32 f32 f64 i64 u64 string".split())
# Names the generated package defines itself.
GENERATED_NAMES = frozenset(
    "init initSync default memory wasm raw createApi version memoryUsage features alloc allocFloat32Array "
    "allocFloat64Array allocInt32Array allocUint32Array allocUint8Array".split()
)
# Classes every package exports besides the spec's.
GENERATED_CLASSES = frozenset({"ResidentArray", "Tensor", "ProgressTracker"})
# Raw parameters of the `{ out }` of an array-returning wrapper, and the facade's options parameter.
OUT_PARAMS = frozenset({"out", "out_offset", "out_len"})


def snake_case(name: str) -> str:
    """solveBatch -> solve_batch, numHeads -> num_heads, URLParser -> url_parser."""
    step = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    step = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", step)
    return step.replace("-", "_").lower()


def screaming_case(name: str) -> str:
    return snake_case(name).upper()


def pascal_case(name: str) -> str:
    """sublinear-solver -> SublinearSolver, @scope/attention-wasm -> AttentionWasm."""
    bare = name.rsplit("/", 1)[-1]
    parts = re.split(r"[^A-Za-z0-9]+", bare)
    return "".join(part[:1].upper() + part[1:] for part in parts if part)


def crate_ident(npm_name: str) -> str:
    """The Rust/wasm file stem for a package: @scope/my-kernel -> my_kernel."""
    bare = npm_name.rsplit("/", 1)[-1]
    return re.sub(r"[^a-z0-9_]", "_", bare.lower())
