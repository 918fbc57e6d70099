"""View models for the generated crate's lib.rs (templates/crate/src/lib.rs.jinja).

Every exported callable is split into a private `*_call` function holding the
checks and the kernel call, and the `#[wasm_bindgen]` export that calls it:
batch variants then reuse the very same body for each item.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from ..spec.model import Class, ErrorKind, Function, KernelSpec, Property, Struct
from ..spec.names import snake_case
from .marshal import KERNEL, DimScope, Marshal, Output, RawParam


@dataclass(frozen=True)
class RustCallable:
    js_name: str
    rust_name: str  # of the export
    doc_lines: tuple[str, ...]
    params: tuple[RawParam, ...]
    prelude: tuple[str, ...]
    kernel_call: str  # without error mapping
    output: Output
    receiver: str  # "" for package functions, "inner: &mut kernel::X" for methods
    call_fn: str  # the private function holding the body, when a batch variant shares it
    split: bool  # True when the body lives in `call_fn` (shared with a batch variant)

    @property
    def return_type(self) -> str:
        return f"Result<{self.output.rust_type}, JsValue>"

    @property
    def body(self) -> str:
        return self.output.rust_map(self.kernel_call)

    @property
    def signature_params(self) -> list[str]:
        return [f"{p.name}: {p.rust}" for p in self.params]

    @property
    def call_args(self) -> str:
        return ", ".join(p.name for p in self.params)

    @property
    def too_many_arguments(self) -> bool:
        return len(self.params) + (1 if self.receiver else 0) > 7


@dataclass(frozen=True)
class BatchParam:
    """One raw parameter of the single call, packed for all items of a batch."""

    packed: tuple[tuple[str, str], ...]  # (name, Rust type) parameters of the batch export
    item: str  # expression giving item `i`'s value
    validate: tuple[str, ...]  # statements checking the packing before any item runs


@dataclass(frozen=True)
class RustBatch:
    js_name: str
    rust_name: str
    single: RustCallable
    params: tuple[BatchParam, ...]
    to_js: str  # converts an item's Ok value (`value`) into a JsValue

    @property
    def signature_params(self) -> list[str]:
        return [f"{name}: {rust}" for p in self.params for name, rust in p.packed]

    @property
    def item_args(self) -> str:
        return ", ".join(p.item for p in self.params)


@dataclass(frozen=True)
class RustStream:
    handle: str  # wasm-bindgen class holding the kernel iterator
    rust_type: str
    item_to_js: str  # expression of `item`
    result_method: str | None
    result: Output | None


@dataclass(frozen=True)
class RustProperty:
    js_name: str
    getter: str
    setter: str | None
    output: Output
    setter_param: RawParam | None
    setter_prelude: tuple[str, ...]
    setter_value: str


@dataclass(frozen=True)
class RustClass:
    name: str
    handle: str
    kernel_type: str
    doc: str
    constructor: RustCallable
    methods: tuple[RustCallable, ...]
    batches: tuple[RustBatch, ...]
    streams: dict[str, RustStream] = field(default_factory=dict)  # method js name -> stream
    properties: tuple[RustProperty, ...] = ()


class RustView:
    def __init__(self, spec: KernelSpec) -> None:
        self.spec = spec
        self.marshal = Marshal(spec)

    # --- callables ---------------------------------------------------------------

    def callable(self, function: Function, *, receiver: str = "", kernel_path: str | None = None,
                 owner: str | None = None) -> RustCallable:
        scope = DimScope()
        params: list[RawParam] = []
        prelude: list[str] = []
        kernel_args = []
        fn_label = function.name if owner is None else (owner if function.name == "constructor"
                                                        else f"{owner}.{function.name}")
        # Scalars first (array lengths are expressions over them), then the rest in order.
        ordered = sorted(function.args, key=lambda a: a.type.kind != "scalar")
        inputs = {a.name: self.marshal.input(fn_label, a, scope) for a in ordered}
        for arg in function.args:
            params += inputs[arg.name].raw
            kernel_args.append(inputs[arg.name].kernel_expr)
        for arg in ordered:
            prelude += inputs[arg.name].prelude
        target = kernel_path or f"{KERNEL}::{function.rust_path}"
        call = f"{target}({', '.join(kernel_args)})"
        if function.infallible:
            call = f"Ok::<_, {KERNEL}::{self.spec.error_type}>({call})"
        output = self.marshal.output(function.returns, scope)
        prefix = f"{snake_case(owner)}_" if owner else ""
        return RustCallable(function.name, snake_case(function.name), doc_lines(function), tuple(params),
                            tuple(prelude), call, output, receiver, f"{prefix}{snake_case(function.name)}_call",
                            bool(function.batch_name))

    def functions(self) -> list[RustCallable]:
        return [self.callable(f) for f in self.spec.functions]

    def function_batches(self, functions: list[RustCallable]) -> list[RustBatch]:
        """The batch variants of the package functions (`functions` as `functions()` made them, in spec order)."""
        return [self.batch(f, single) for f, single in zip(self.spec.functions, functions, strict=True)
                if f.batch_name]

    def batch(self, function: Function, single: RustCallable) -> RustBatch:
        return RustBatch(function.batch_name or "", snake_case(function.batch_name or ""), single,
                         tuple(_pack(p) for p in single.params), _jsvalue_of(single.output.rust_type))

    # --- classes ----------------------------------------------------------------------

    def classes(self) -> list[RustClass]:
        return [self.klass(c) for c in self.spec.classes]

    def klass(self, klass: Class) -> RustClass:
        inner = f"{KERNEL}::{klass.rust_path}"
        constructor = self.callable(klass.constructor, kernel_path=f"{inner}::{klass.constructor.rust_path}",
                                    owner=klass.name)
        receiver = f"inner: &mut {inner}"
        methods = []
        streams = {}
        for method in klass.methods:
            single = self.callable(method, receiver=receiver, kernel_path=f"inner.{method.rust_path}",
                                   owner=klass.name)
            if method.stream:
                stream = method.stream
                handle = f"{klass.name}{method.name[0].upper()}{method.name[1:]}Handle"
                streams[method.name] = RustStream(
                    handle, f"{KERNEL}::{stream.rust_type}", self.marshal.to_jsvalue(stream.item, "item"),
                    stream.result_rust if stream.result else None,
                    self.marshal.output(stream.result) if stream.result else None)
                single = dataclasses.replace(single, output=Output(handle, f"{handle} {{ inner: value }}", "value", ""))
            methods.append(single)
        batches = [self.batch(m, single) for m, single in zip(klass.methods, methods, strict=True)
                   if m.batch_name]
        properties = [self.property(klass, p) for p in klass.properties]
        return RustClass(klass.name, klass.handle, inner, klass.doc, constructor, tuple(methods), tuple(batches),
                         streams, tuple(properties))

    def property(self, klass: Class, prop: Property) -> RustProperty:
        output = self.marshal.output(prop.arg.type.required)
        getter_expr = re.sub(r"\bvalue\b", f"self.inner.{prop.getter}()", output.rust_convert)
        setter_param = None
        prelude: tuple[str, ...] = ()
        value = "value"
        if not prop.readonly:
            required = dataclasses.replace(prop.arg, type=prop.arg.type.required, default=None)
            setter_input = self.marshal.input(f"{klass.name}.{prop.name}", required, DimScope())
            setter_param = setter_input.raw[0]
            prelude = setter_input.prelude
            value = setter_input.kernel_expr
        return RustProperty(prop.name, prop.getter, None if prop.readonly else prop.setter,
                            Output(output.rust_type, getter_expr, output.js_convert, output.ts),
                            setter_param, prelude, value)

    # --- structs and enums --------------------------------------------------------------

    def struct_converters(self) -> list[tuple[Struct, list[str]]]:
        """`fn x_to_js(value: kernel::X) -> JsValue` for every struct a result may contain."""
        needed = self._output_structs()
        return [(s, [self.marshal.to_jsvalue(f.type, f"value.{f.rust_name}") for f in s.rust_fields])
                for s in self.spec.structs if s.name in needed]

    def _output_structs(self) -> set[str]:
        types = [f.returns for f in self.spec.all_functions]
        types += [p.arg.type for c in self.spec.classes for p in c.properties]
        for c in self.spec.classes:
            for m in c.methods:
                if m.stream:
                    types.append(m.stream.item)
                    if m.stream.result:
                        types.append(m.stream.result)
        needed: set[str] = set()
        pending = [t.base for t in types if t.kind == "struct"]
        while pending:
            name = pending.pop()
            if name in needed:
                continue
            needed.add(name)
            pending += [f.type.base for f in self.spec.struct(name).fields if f.type.kind == "struct"]
        return needed

    def enum_helpers(self) -> list[dict[str, object]]:
        used_in = self._enum_directions()
        helpers = []
        for enum in self.spec.enums:
            parse, show = used_in.get(enum.name, (False, False))
            helpers.append({
                "enum": enum, "snake": snake_case(enum.name), "kernel": f"{KERNEL}::{enum.rust_path}",
                "variants": [(v, enum.variant(v)) for v in enum.values], "parse": parse, "show": show,
                "expected": "one of " + ", ".join(f"'{v}'" for v in enum.values),
            })
        return helpers

    def _enum_directions(self) -> dict[str, tuple[bool, bool]]:
        """Which enums are parsed from JS (inputs) and which are shown to JS (outputs)."""
        parsed: set[str] = set()
        shown: set[str] = set()

        def walk(type_name: str, into: set[str], seen: set[str]) -> None:
            if type_name in seen:
                return
            seen.add(type_name)
            if any(e.name == type_name for e in self.spec.enums):
                into.add(type_name)
            elif any(s.name == type_name for s in self.spec.structs):
                for f in self.spec.struct(type_name).fields:
                    walk(f.type.base, into, seen)

        for function in self.spec.all_functions:
            for arg in function.args:
                walk(arg.type.base, parsed, set())
            walk(function.returns.base, shown, set())
        for klass in self.spec.classes:
            for prop in klass.properties:
                walk(prop.arg.type.base, shown, set())
                if not prop.readonly:
                    walk(prop.arg.type.base, parsed, set())
        for name in self._output_structs():
            walk(name, shown, set())
        return {name: (name in parsed, name in shown) for name in parsed | shown}


def _pack(param: RawParam) -> BatchParam:
    """Columns for one raw parameter: values (arrays concatenated, with offsets)
    and, for optional ones, a presence column. Every column is checked against
    the item count first, so a malformed batch is an error, never a trap."""
    name, rust = param.name, param.rust
    optional = rust.startswith("Option<")
    inner = rust[len("Option<"):-1] if optional else rust
    if inner.startswith("Vec<"):
        packed = [(name, inner), (f"{name}_offsets", "Vec<u32>")]
        item = f"{name}[{name}_offsets[i] as usize..{name}_offsets[i + 1] as usize].to_vec()"
        validate = [f'check::offsets("{name}", &{name}_offsets, {name}.len(), count)?;']
    else:
        column = "Vec<u8>" if inner == "bool" else f"Vec<{inner}>"
        packed = [(name, column)]
        item = f"{name}[i] != 0" if inner == "bool" else f"{name}[i]"
        validate = [f'check::column("{name}", {name}.len(), count)?;']
    if optional:
        packed.append((f"{name}_present", "Vec<u8>"))
        item = f"({name}_present[i] != 0).then(|| {item})"
        validate.append(f'check::column("{name}_present", {name}_present.len(), count)?;')
    return BatchParam(tuple(packed), item, tuple(validate))


def _jsvalue_of(rust_type: str) -> str:
    if rust_type == "JsValue":
        return "value"
    if rust_type == "()":
        return "JsValue::UNDEFINED"
    if rust_type.startswith("Option<"):
        return "value.map_or(JsValue::UNDEFINED, JsValue::from)"
    return "JsValue::from(value)"


def doc_lines(function: Function) -> tuple[str, ...]:
    lines = function.doc.strip().splitlines()
    if function.errors:
        lines += ["", "Errors: " + ", ".join(f"`{e}`" for e in function.errors)
                  + ", and `InvalidArgument` for arguments that break the spec's constraints."]
    return tuple(lines)


def error_arm(kind: ErrorKind, error_type: str) -> dict[str, object]:
    variant = f"{KERNEL}::{error_type}::{kind.name}"
    pattern = f"{variant} {{ {', '.join(f.rust_name for f in kind.fields)} }}" if kind.fields else variant
    return {"pattern": pattern, "code": kind.code, "details": [f.rust_name for f in kind.fields]}


def checks_used(text: str) -> set[str]:
    """Which helpers of the `check` module the generated code calls (only those are
    emitted, so the crate has no dead code)."""
    helpers = ("length", "min_length", "all_finite", "finite", "at_least", "at_most", "tensor", "dim", "offsets",
               "column")
    return {helper for helper in helpers if f"check::{helper}(" in text}
