"""The validated kernel spec: frozen dataclasses passed from the loader to
the renderer, the build planner and the verifier. Built only by kernelspec/load.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import expr
from .names import crate_ident, pascal_case, screaming_case, snake_case
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
class SizeBudget:
    """Limits in bytes ([build.size_budget]); None is no limit."""

    module: int | None = 500_000  # the seed's "bundle size < 500 KB"
    module_gzip: int | None = None
    entry: int | None = None
    entry_gzip: int | None = None


# `[build] cache` (and WASMFORGE_CACHE): what rustc runs through (pipeline/cache.py).
CACHES = ("none", "sccache")


@dataclass(frozen=True)
class BuildOptions:
    targets: tuple[str, ...]
    profile: str  # "size" | "speed"
    wasm_opt: str | None  # level like "Oz", or None to skip wasm-opt
    features: tuple[str, ...]
    simd_feature: str | None = None  # cargo feature of the kernel that enables its simd128 code
    memory_stats: bool = True  # count allocations for memoryUsage()
    size_budget: SizeBudget = SizeBudget()
    cache: str = "none"  # "sccache": rustc runs through sccache (pipeline/cache.py)
    threads_feature: str | None = None  # cargo feature of the kernel that enables its rayon code

    @property
    def rust_opt_level(self) -> str:
        return '"z"' if self.profile == "size" else "3"


@dataclass(frozen=True)
class NpmOptions:
    global_name: str
    error_base: str
    extra_sources: tuple[str, ...] = ()  # TypeScript files shipped with the package
    workers: bool = False  # worker execution of the async variants (init({ workers }))


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
    builtin: bool = False  # raised by the generated code, not by the kernel
    positional: bool = False  # a tuple variant: the fields are `0`, `1`… (`fields = ["string"]`)


@dataclass(frozen=True)
class Arg:
    """An argument, a struct field or a class property: a named, typed,
    documented value with optional constraints."""

    name: str
    type: TypeRef  # as JavaScript sees it (optional when a default exists)
    doc: str
    default: Any = None
    minimum: float | int | None = None
    maximum: float | int | None = None
    length: expr.Expr | None = None
    min_length: int | None = None
    finite: bool = False
    above: float | int | None = None  # `gt`: a strict lower bound
    below: float | int | None = None  # `lt`: a strict upper bound

    @property
    def rust_name(self) -> str:
        return snake_case(self.name)

    @property
    def has_default(self) -> bool:
        return self.default is not None

    @property
    def kernel_type(self) -> TypeRef:
        """What the kernel receives: a defaulted value is never absent."""
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
    new: tuple[tuple[str, Any], ...] | None = None  # constructor args, for method examples

    def arg(self, name: str, default: Any = None) -> Any:
        return dict(self.args).get(name, default)

    def has_arg(self, name: str) -> bool:
        return any(key == name for key, _ in self.args)


@dataclass(frozen=True)
class Progress:
    """How to turn a stream's items into progress reports."""

    iteration: str  # item field counting iterations
    measure: str  # item field that falls towards `target` (a residual)
    target: str  # property of the class (or a number) the measure must reach
    limit: str  # property of the class bounding the iterations


@dataclass(frozen=True)
class Stream:
    """A method whose kernel counterpart returns an iterator of items."""

    rust_type: str  # the kernel's iterator type: Iterator<Item = Result<Item, KernelError>>
    item: TypeRef  # a struct
    result: TypeRef | None = None  # the value produced at the end, if any
    result_rust: str | None = None  # method of the iterator returning it
    progress: Progress | None = None
    events: str | None = None  # name of the EventTarget-style variant, e.g. "solveAsync"


@dataclass(frozen=True)
class Function:
    name: str
    rust_path: str
    doc: str
    args: tuple[Arg, ...]
    returns: TypeRef
    errors: tuple[str, ...]
    examples: tuple[Example, ...]
    async_name: str | None = None  # a Promise variant that yields to the event loop first
    batch_name: str | None = None  # a variant taking an array of argument objects
    stream: Stream | None = None
    infallible: bool = False  # the kernel returns T, not Result<T, KernelError>
    into: str | None = None  # kernel variant writing an array result into `out: &mut [T]`
    returns_length: expr.Expr | None = None  # length of an array result, over integer arguments
    # A second call form with flat arrays and shape arrays (`positional_shape(s)`): the dimension
    # names of its one shape array, or ("*",) for one shape array per leading tensor.
    positional: tuple[str, ...] = ()
    mutates: bool = False  # a method that changes the instance's hidden state (replayed in workers)
    aliases: tuple[str, ...] = ()  # other names of the same method

    @property
    def leading_tensors(self) -> tuple[Arg, ...]:
        """The required tensor arguments the signature starts with (the flat call form's arrays)."""
        leading = []
        for arg in self.args:
            if not (arg.type.is_tensor and not arg.type.optional and arg.default is None):
                break
            leading.append(arg)
        return tuple(leading)

    @property
    def returns_array(self) -> bool:
        """Whether the result is a typed array or tensor (it then takes `{ out }`)."""
        return self.returns.array or self.returns.is_tensor

    @property
    def rust_name(self) -> str:
        return snake_case(self.name)


@dataclass(frozen=True)
class Property:
    arg: Arg  # name, type, doc and the constraints checked when it is set
    readonly: bool
    aliases: tuple[str, ...] = ()  # other names of the same property
    setters: tuple[str, ...] = ()  # methods that set it (`set_dropout(value)`)

    @property
    def name(self) -> str:
        return self.arg.name

    @property
    def getter(self) -> str:
        return self.arg.rust_name

    @property
    def setter(self) -> str:
        return f"set_{self.arg.rust_name}"


@dataclass(frozen=True)
class StructView:
    """A JS class holding a struct's arrays resident in wasm memory (seed 000's `MatrixView`)."""

    name: str
    doc: str
    params: tuple[str, ...]  # constructor parameters: scalar fields, then names `lengths` introduces
    lengths: tuple[tuple[str, expr.Expr], ...]  # array field -> its length over `params`

    def length_of(self, field: str) -> expr.Expr:
        return dict(self.lengths)[field]


@dataclass(frozen=True)
class Struct:
    name: str
    doc: str
    rust_path: str
    fields: tuple[Arg, ...]
    clock_fields: tuple[str, ...] = ()  # filled with Date.now() in JavaScript, absent in Rust
    borrow: bool = False  # the kernel struct borrows its arrays and strings (`&'a [T]`, `&'a str`)
    view: StructView | None = None

    @property
    def array_fields(self) -> tuple[Arg, ...]:
        return tuple(f for f in self.fields if f.type.array)

    @property
    def all_optional(self) -> bool:
        return all(f.type.optional for f in self.fields)

    @property
    def rust_fields(self) -> tuple[Arg, ...]:
        """The fields that cross the boundary (the kernel struct's fields)."""
        return tuple(f for f in self.fields if f.name not in self.clock_fields)


@dataclass(frozen=True)
class Enum:
    name: str
    doc: str
    rust_path: str
    values: tuple[str, ...]

    def variant(self, value: str) -> str:
        return pascal_case(value)


@dataclass(frozen=True)
class Class:
    name: str
    doc: str
    rust_path: str
    constructor: Function
    properties: tuple[Property, ...]
    methods: tuple[Function, ...]
    init_name: str | None = None  # async factory: await init, then construct
    singleton_name: str | None = None  # lazily shared instance
    create_name: str | None = None  # synchronous factory on the namespace object
    aliases: tuple[str, ...] = ()  # other names the class is exported under

    @property
    def handle(self) -> str:
        """The wasm-bindgen class wrapping the kernel struct."""
        return f"{self.name}Handle"

    @property
    def emits_events(self) -> bool:
        return any(m.stream and m.stream.events for m in self.methods)


@dataclass(frozen=True)
class Namespace:
    """`[namespace]`: one object with `init()` and the classes' `create` factories."""

    name: str  # the exported instance, also the ES entries' default export
    class_name: str
    doc: str
    memory_usage: str | None = None  # method returning { allocated, total }


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
    structs: tuple[Struct, ...] = ()
    enums: tuple[Enum, ...] = ()
    classes: tuple[Class, ...] = ()
    namespace: Namespace | None = None

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

    def struct(self, name: str) -> Struct:
        return next(s for s in self.structs if s.name == name)

    def klass(self, name: str) -> Class:
        return next(c for c in self.classes if c.name == name)

    @property
    def uses_tensors(self) -> bool:
        return any(t.is_tensor for f in self.all_functions for t in (*(a.type for a in f.args), f.returns))

    @property
    def all_functions(self) -> tuple[Function, ...]:
        """Package functions, constructors and methods: everything with arguments."""
        members = [m for c in self.classes for m in (c.constructor, *c.methods)]
        return (*self.functions, *members)


BUILTIN_ERRORS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("InvalidArgument",
     "An argument has the wrong type, length, shape or value; nothing was computed.",
     ("function", "argument", "expected", "actual")),
    ("NotInitialized",
     "A function was called before `init()` finished (web and no-modules entries).",
     ("function",)),
    ("Disposed",
     "A method was called on an object after `dispose()`.",
     ("function",)),
    ("InternalError",
     "The WebAssembly module trapped. This is a bug in the kernel: please report it.",
     ("function",)),
    ("OutOfMemory",
     "The module's memory could not grow to hold a resident array or the copy of an argument.",
     ("function",)),
)


def builtin_errors() -> tuple[ErrorKind, ...]:
    return tuple(
        ErrorKind(name, screaming_case(name), doc,
                  tuple(ErrorField(field, TypeRef("scalar", "string")) for field in fields), builtin=True)
        for name, doc, fields in BUILTIN_ERRORS
    )
