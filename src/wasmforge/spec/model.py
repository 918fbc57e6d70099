"""The validated kernel spec: frozen dataclasses passed from the loader to
the renderer, the build planner and the verifier. Built only by spec/load.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import expr
from .names import crate_ident, screaming_case, snake_case
from .types import TypeRef


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    description: str
    license: str
    repository: str | None
    homepage: str | None
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class BuildOptions:
    targets: tuple[str, ...]
    profile: str  # "size" | "speed"
    wasm_opt: str | None  # level like "Oz", or None to skip wasm-opt
    features: tuple[str, ...]

    @property
    def rust_opt_level(self) -> str:
        return '"z"' if self.profile == "size" else "3"


@dataclass(frozen=True)
class NpmOptions:
    global_name: str
    error_base: str


@dataclass(frozen=True)
class ErrorField:
    name: str  # camelCase: the key in the JS error's `details`
    type: TypeRef

    @property
    def rust_name(self) -> str:
        return snake_case(self.name)


@dataclass(frozen=True)
class ErrorKind:
    name: str
    code: str
    doc: str
    fields: tuple[ErrorField, ...]
    builtin: bool = False  # raised by the generated wrappers, not by the kernel


@dataclass(frozen=True)
class Arg:
    name: str
    type: TypeRef  # as the JS caller sees it (optional when a default exists)
    doc: str
    default: Any = None
    minimum: float | int | None = None
    maximum: float | int | None = None
    length: expr.Expr | None = None
    min_length: int | None = None
    finite: bool = False

    @property
    def rust_name(self) -> str:
        return snake_case(self.name)

    @property
    def has_default(self) -> bool:
        return self.default is not None

    @property
    def kernel_type(self) -> TypeRef:
        """What the kernel function receives: a defaulted argument is never absent."""
        return self.type.required if self.has_default else self.type

    @property
    def length_text(self) -> str | None:
        return expr.render(self.length, lambda name: name) if self.length is not None else None


@dataclass(frozen=True)
class Example:
    args: tuple[tuple[str, Any], ...]
    expect: Any = None
    error: str | None = None
    tolerance: float = 0.0
    doc: str | None = None

    def arg(self, name: str, default: Any = None) -> Any:
        return dict(self.args).get(name, default)

    def has_arg(self, name: str) -> bool:
        return any(key == name for key, _ in self.args)


@dataclass(frozen=True)
class Function:
    name: str
    rust_path: str
    doc: str
    args: tuple[Arg, ...]
    returns: TypeRef
    errors: tuple[str, ...]
    examples: tuple[Example, ...]

    @property
    def rust_name(self) -> str:
        return snake_case(self.name)

    def arg(self, name: str) -> Arg:
        return next(a for a in self.args if a.name == name)


@dataclass(frozen=True)
class KernelSpec:
    file: Path  # the kernel.toml
    package: Package
    build: BuildOptions
    npm: NpmOptions
    errors: tuple[ErrorKind, ...]  # built-in kinds first, then the spec's
    functions: tuple[Function, ...]
    crate_dir: Path  # the kernel's Rust crate (has Cargo.toml)
    crate_package: str  # its [package] name, for the generated dependency
    error_type: str

    @property
    def root(self) -> Path:
        return self.file.parent

    @property
    def ident(self) -> str:
        """Stem of the generated files: <ident>_bg.wasm, <ident>.js …"""
        return crate_ident(self.package.name)

    @property
    def kernel_errors(self) -> tuple[ErrorKind, ...]:
        return tuple(e for e in self.errors if not e.builtin)

    def error(self, name: str) -> ErrorKind:
        return next(e for e in self.errors if e.name == name)


BUILTIN_ERRORS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("InvalidArgument",
     "An argument has the wrong type, length or value; nothing was computed.",
     ("function", "argument", "expected", "actual")),
    ("NotInitialized",
     "A function was called before `init()` finished (web and no-modules entries).",
     ("function",)),
    ("InternalError",
     "The WebAssembly module trapped. This is a bug in the kernel: please report it.",
     ("function",)),
)


def builtin_errors() -> tuple[ErrorKind, ...]:
    return tuple(
        ErrorKind(name, screaming_case(name), doc,
                  tuple(ErrorField(field, TypeRef("string")) for field in fields), builtin=True)
        for name, doc, fields in BUILTIN_ERRORS
    )
