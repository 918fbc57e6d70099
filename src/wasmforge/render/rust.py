"""View models for the generated crate's lib.rs (templates/crate/src/lib.rs.jinja).

Every exported callable is split into a private `*_call` function holding the
checks and the kernel call (a `Result`), and the `#[wasm_bindgen]` export
that hands its outcome to JavaScript with `deliver` (the value, or a
placeholder with the error parked for the facade): batch variants reuse the
very same body for each item, and no export returns a `Result`, whose glue
would cost every call a trip through wasm-bindgen's return-pointer stack.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from ..kernelspec.model import Arg, Class, ErrorKind, Function, KernelSpec, Property, Struct
from ..kernelspec.types import TypeRef
from ..kernelspec.names import snake_case
from ..kernelspec import expr
from .marshal import (
    KERNEL,
    DimScope,
    Marshal,
    Output,
    RawParam,
    array_triple,
    js_triple,
    rust_length,
    setter_label,
)


@dataclass(frozen=True)
class RustOut:
    """The optional `{ out }` of an array result: a resident slice the result is written into."""

    element: str  # Rust element type
    resolve: str  # statement binding `out` (an Option of the slice) from the triple
    expected: str | None  # i128 expression of the result's length, when known before the call
    formula: str  # how the length reads in messages
    into_call: str | None  # the kernel's variant writing into `out`, without error mapping


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
    call_fn: str  # the private function holding the checks and the call
    label: str = ""  # the name in error messages: "solve" or "Solver.solve"
    out: RustOut | None = None
    origin: str = ""  # where in kernel.toml it is declared, e.g. "function[1]" (see `marker`)
    infallible: bool = False  # the kernel returns the value itself, not a Result

    @property
    def marker(self) -> str:
        return marker(self.origin, self.label)

    @property
    def return_type(self) -> str:
        return f"Result<{self.value_type}, JsValue>"

    @property
    def value_type(self) -> str:
        """What the export returns: an `{ out }` call returns no array (`None`)."""
        return f"Option<{self.output.rust_type}>" if self.out else self.output.rust_type

    @property
    def body(self) -> list[str]:
        """The statements ending the wrapper: the kernel call and its conversion."""
        if not self.infallible:
            return [self.output.rust_map(f"{self.kernel_call}.map(Some)" if self.out else self.kernel_call)]
        if self.output.rust_type == "()":
            return [f"{self.kernel_call};", "Ok(())"]
        value = f"Some({self.kernel_call})" if self.out else self.kernel_call
        if self.output.rust_convert == "value":
            return [f"Ok({value})"]
        return [f"let value = {value};", f"Ok({self.output.rust_convert})"]

    @property
    def constructed(self) -> str:
        """The constructor's kernel call, as the `Result<Self, JsValue>` it returns."""
        if self.infallible:
            return f"Ok(Self {{ inner: {self.kernel_call} }})"
        return f"{self.kernel_call}.map(|inner| Self {{ inner }}).map_err(kernel_error)"

    @property
    def signature_params(self) -> list[str]:
        return [f"{p.name}: {p.rust}" for p in self.params]

    @property
    def call_args(self) -> str:
        return ", ".join(p.name for p in self.params)

    @property
    def too_many_arguments(self) -> bool:
        return len(self.params) + (1 if self.receiver else 0) > 7

    @property
    def out_statements(self) -> list[str]:
        """After the prelude: take `{ out }` if given, fill it and return `None`."""
        out = self.out
        if out is None:
            return []
        lines = [out.resolve, "if let Some(out) = out {"]
        if out.expected is not None:
            lines.append(f'    check::length("{self.label}", "out", out.len(), {out.expected}, "{out.formula}")?;')
        fallible = "" if self.infallible else ".map_err(kernel_error)?"
        if out.into_call is not None:
            lines.append(f"    {out.into_call}{fallible};")
        else:
            lines += [f"    let value = {self.kernel_call}{fallible};"]
            if out.expected is None:
                lines.append(f'    check::length("{self.label}", "out", out.len(), value.len() as i128, '
                             f'"the result\'s length")?;')
            lines.append("    out.copy_from_slice(&value);")
        lines += ["    return Ok(None);", "}"]
        return lines



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
    call_fn: str  # the private function holding the checks and the items
    no_out: bool = False  # the single call takes `{ out }`: items pass an absent one

    @property
    def signature_params(self) -> list[str]:
        return [f"{name}: {rust}" for p in self.params for name, rust in p.packed]

    @property
    def item_args(self) -> str:
        return ", ".join([*(p.item for p in self.params), *(["0", "0", "0"] if self.no_out else [])])

    @property
    def call_args(self) -> str:
        return ", ".join(name for p in self.params for name, _ in p.packed)


@dataclass(frozen=True)
class RustStream:
    handle: str  # wasm-bindgen class holding the kernel iterator
    rust_type: str
    item_to_js: str  # expression of `item`
    result_method: str | None
    result: Output | None
    marker: str = ""


@dataclass(frozen=True)
class RustProperty:
    js_name: str
    getter: str
    setter: str | None
    output: Output
    setter_param: RawParam | None
    setter_prelude: tuple[str, ...]
    setter_value: str
    marker: str = ""


@dataclass(frozen=True)
class RustClass:
    marker: str
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
                 owner: str | None = None, origin: str = "") -> RustCallable:
        scope = DimScope(integers={a.name: a.type.base for a in function.args if a.type.is_integer})
        params: list[RawParam] = []
        prelude: list[str] = []
        kernel_args = []
        spans: list[tuple[str, str]] = []
        fn_label = function.name if owner is None else (owner if function.name == "constructor"
                                                        else f"{owner}.{function.name}")
        ordered = prelude_order(function.args)
        inputs = {a.name: self.marshal.input(fn_label, a, scope) for a in ordered}
        for arg in function.args:
            params += inputs[arg.name].raw
            kernel_args.append(inputs[arg.name].kernel_expr)
            spans += [(arg.name, span) for span in inputs[arg.name].spans]
        for arg in ordered:
            prelude += inputs[arg.name].prelude
        target = kernel_path or f"{KERNEL}::{function.rust_path}"
        call = f"{target}({', '.join(kernel_args)})"
        output = self.marshal.output(function.returns, scope)
        out = None
        if function.returns_array and not function.stream:
            params += [RawParam(name, "u32", js)
                       for name, js in zip(array_triple("out"), js_triple("out"), strict=True)]
            out = self._out(function, fn_label, target, kernel_args, spans, scope)
        prefix = f"{snake_case(owner)}_" if owner else ""
        return RustCallable(function.name, snake_case(function.name), doc_lines(function), tuple(params),
                            tuple(prelude), call, output, receiver, f"{prefix}{snake_case(function.name)}_call",
                            fn_label, out, origin, function.infallible)

    def _out(self, function: Function, label: str, target: str, kernel_args: list[str],
             spans: list[tuple[str, str]], scope: DimScope) -> RustOut:
        element = function.returns.base
        inputs = ", ".join(f'("{name}", resident::span({span}))' for name, span in spans)
        resolve = (f'let out = resident::optional_output::<{element}>("{label}", "out", out, out_offset, out_len, '
                   f"&[{inputs}])?;")
        expected, formula = None, ""
        if function.returns.is_tensor:
            dims = function.returns.shape
            product = expr.parse(" * ".join(dims))
            expected = rust_length(product, lambda var: scope.bound[var][0], lambda _: "usize")
            formula = " × ".join(dims)
        elif function.returns_length is not None:
            expected = rust_length(function.returns_length, lambda var: _length_variable(var, scope),
                                   lambda var: self._integer_type(function, var, scope))
            formula = expr.render(function.returns_length, lambda var: var)
        into_call = None
        if function.into:
            into_target = target.rsplit(".", 1)[0] + f".{function.into}" if target.startswith("inner.") \
                else f"{KERNEL}::{function.into}"
            into_call = f"{into_target}({', '.join([*kernel_args, 'out'])})"
        return RustOut(element, resolve, expected, formula, into_call)

    def _integer_type(self, function: Function, name: str, scope: DimScope) -> str:
        """The integer type of a name in `returns_length` (see `_length_variable`)."""
        if name in scope.bound:
            return "usize"
        if "." in name:
            arg_name, field_name = name.split(".")
            arg = next(a for a in function.args if a.name == arg_name)
            return next(f.type.base for f in self.spec.struct(arg.type.base).fields if f.name == field_name)
        return scope.integers[name]

    def functions(self) -> list[RustCallable]:
        return [self.callable(f, origin=f"function[{i}]") for i, f in enumerate(self.spec.functions)]

    def function_batches(self, functions: list[RustCallable]) -> list[RustBatch]:
        """The batch variants of the package functions (`functions` as `functions()` made them, in spec order)."""
        return [self.batch(f, single) for f, single in zip(self.spec.functions, functions, strict=True)
                if f.batch_name]

    def batch(self, function: Function, single: RustCallable) -> RustBatch:
        """Items never take `{ out }`: its parameters are 0 (absent) for every item."""
        params = single.params[:-3] if single.out else single.params
        rust_name = snake_case(function.batch_name or "")
        call_fn = f"{single.call_fn.removesuffix(f'{single.rust_name}_call')}{rust_name}_call"
        return RustBatch(function.batch_name or "", rust_name, single, tuple(_pack(p) for p in params),
                         _jsvalue_of(single.value_type), call_fn, bool(single.out))

    # --- classes ----------------------------------------------------------------------

    def classes(self) -> list[RustClass]:
        return [self.klass(c, f"class[{i}]") for i, c in enumerate(self.spec.classes)]

    def klass(self, klass: Class, origin: str) -> RustClass:
        inner = f"{KERNEL}::{klass.rust_path}"
        constructor = self.callable(klass.constructor, kernel_path=f"{inner}::{klass.constructor.rust_path}",
                                    owner=klass.name, origin=f"{origin}.constructor")
        receiver = f"inner: &mut {inner}"
        methods = []
        streams = {}
        for index, method in enumerate(klass.methods):
            single = self.callable(method, receiver=receiver, kernel_path=f"inner.{method.rust_path}",
                                   owner=klass.name, origin=f"{origin}.method[{index}]")
            if method.stream:
                stream = method.stream
                handle = f"{klass.name}{method.name[0].upper()}{method.name[1:]}Handle"
                streams[method.name] = RustStream(
                    handle, f"{KERNEL}::{stream.rust_type}", self.marshal.to_jsvalue(stream.item, "item"),
                    stream.result_rust if stream.result else None,
                    self.marshal.output(stream.result) if stream.result else None,
                    marker(f"{origin}.method[{index}].stream", f"{klass.name}.{method.name}"))
                stream_output = Output(f"Option<{handle}>", f"Some({handle} {{ inner: value }})", "value", "")
                single = dataclasses.replace(single, output=stream_output)
            methods.append(single)
        batches = [self.batch(m, single) for m, single in zip(klass.methods, methods, strict=True)
                   if m.batch_name]
        properties = [self.property(klass, p, f"{origin}.property[{i}]") for i, p in enumerate(klass.properties)]
        return RustClass(marker(origin, klass.name), klass.name, klass.handle, inner, klass.doc, constructor,
                         tuple(methods), tuple(batches), streams, tuple(properties))

    def property(self, klass: Class, prop: Property, origin: str) -> RustProperty:
        output = self.marshal.output(prop.arg.type.required)
        getter_expr = re.sub(r"\bvalue\b", f"self.inner.{prop.getter}()", output.rust_convert)
        setter_param = None
        prelude: tuple[str, ...] = ()
        value = "value"
        if not prop.readonly:
            required = dataclasses.replace(prop.arg, type=prop.arg.type.required, default=None)
            setter_input = self.marshal.input(setter_label(klass, prop), required, DimScope())
            setter_param = setter_input.raw[0]
            prelude = setter_input.prelude
            value = setter_input.kernel_expr
        return RustProperty(prop.name, prop.getter, None if prop.readonly else prop.setter,
                            Output(output.rust_type, getter_expr, output.js_convert, output.ts),
                            setter_param, prelude, value, marker(origin, f"{klass.name}.{prop.name}"))

    # --- structs and enums --------------------------------------------------------------

    def struct_converters(self) -> list[tuple[Struct, str, list[str]]]:
        """`fn x_to_js(value: kernel::X) -> JsValue` for every struct a result may contain."""
        needed = self._output_structs()
        return [(s, marker(f"struct[{i}]", s.name), self._field_conversions(s, f"struct[{i}]"))
                for i, s in enumerate(self.spec.structs) if s.name in needed]

    def _field_conversions(self, struct: Struct, origin: str) -> list[tuple[str, str]]:
        """Each field's marker and conversion (a field of another Rust type than declared
        fails to compile at its own marker, so the error names the field)."""
        index = {f.name: i for i, f in enumerate(struct.fields)}
        return [(marker(f"{origin}.fields[{index[f.name]}]", struct.name),
                 self.marshal.to_jsvalue(f.type, f"value.{f.rust_name}")) for f in struct.rust_fields]

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


def prelude_order(args: tuple[Arg, ...]) -> list[Arg]:
    """The order the wrapper checks arguments in: scalars first (array lengths are
    expressions over them), then arrays another length refers to (`len(re)`), then
    the rest, in spec order."""
    referenced = {expr.length_of(name) for a in args if a.length is not None for name in expr.variables(a.length)}
    return sorted(args, key=lambda a: (a.type.kind != "scalar", a.name not in referenced))


def _length_variable(name: str, scope: DimScope) -> str:
    """The wrapper's variable for a name in `returns_length`: a tensor dimension bound by the
    call, a struct argument's field (`matrix.rows` is the unpacked `matrix_rows`) or an argument."""
    if name in scope.bound:
        return scope.bound[name][0]
    return "_".join(map(snake_case, name.split(".")))


def _pack(param: RawParam) -> BatchParam:
    """The column of one raw parameter (arrays cross as handle, offset and length
    columns: the arrays themselves are resident or in the facade's scratch arena)
    and, for optional ones, a presence column. Every column is checked against
    the item count first, so a malformed batch is an error, never a trap."""
    name, rust = param.name, param.rust
    optional = rust.startswith("Option<")
    inner = rust[len("Option<"):-1] if optional else rust
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


def marker(origin: str, name: str) -> str:
    """A comment naming where in kernel.toml the next generated item comes from: a
    compiler error below it is reported there (see pipeline/diagnostics.py)."""
    return f"// From kernel.toml: {origin} (`{name}`)" if origin else ""


def error_arm(kind: ErrorKind, error_type: str, index: int) -> dict[str, object]:
    """The match arm of `kernel_error` for an error variant. A variant without
    `fields` matches whatever its shape (`{ .. }` also matches unit and tuple
    variants); a tuple variant binds its positional fields. Each field reaches
    JavaScript through a conversion of its declared type, so a Rust field of
    another type is a compile error located in kernel.toml."""
    variant = f"{KERNEL}::{error_type}::{kind.name}"
    bindings = [f"field{f.name}" if kind.positional else f.rust_name for f in kind.fields]
    if not kind.fields:
        pattern = f"{variant} {{ .. }}"
    elif kind.positional:
        pattern = f"{variant}({', '.join(bindings)})"
    else:
        pattern = f"{variant} {{ {', '.join(bindings)} }}"
    details = [(marker(f"error[{index}].fields" + (f"[{f.name}]" if kind.positional else f".{f.name}"),
                       kind.name), declared_jsvalue(f.type, binding))
               for f, binding in zip(kind.fields, bindings, strict=True)]
    return {"pattern": pattern, "code": kind.code, "details": details,
            "marker": marker(f"error[{index}]", kind.name)}


def declared_jsvalue(type_ref: TypeRef, value: str) -> str:
    """A JsValue of a scalar `value` whose Rust type must be what the spec declared."""
    if type_ref.base == "string":
        return f"declared_text(&{value})"
    return f"JsValue::from(declared::<{type_ref.base}>({value}))"


def resident_used(text: str) -> set[str]:
    """Which functions of the `resident` module the wrappers call (only those are emitted)."""
    used = {name for name in ("input", "optional_input", "optional_output") if f"resident::{name}::<" in text}
    return used | {"input"} if "optional_input" in used else used


def checks_used(text: str) -> set[str]:
    """Which helpers of the `check` module the generated code calls (only those are
    emitted, so the crate has no dead code)."""
    helpers = ("length", "min_length", "all_finite", "finite", "at_least", "at_most", "greater_than", "less_than",
               "tensor", "dim", "column")
    return {helper for helper in helpers if f"check::{helper}(" in text}
