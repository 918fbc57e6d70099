"""View models for the npm side: the JS facade (templates/npm/api.js.jinja),
the TypeScript declarations and the README."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from ..kernelspec import expr
from ..kernelspec.model import Arg, Class, ErrorKind, Example, Function, KernelSpec, Struct
from ..kernelspec.names import snake_case
from ..kernelspec.types import TypeRef
from .marshal import (
    ELEMENT_TAGS, RAW_RESULT, DimScope, Marshal, RawParam, js_triple, js_type_checks, setter_label, take_statements,
)

OUT_DOC = ("`{ out }`: a ResidentArray (or a typed array) of the result's element type and length to write "
           "the result into instead of allocating it; the result is then `out`'s array.")
SIGNAL_DOC = ("`{ signal }`: an AbortSignal; aborting it stops the stream between two chunks (in a worker too) "
              "and rejects the pending step with the signal's reason.")
BATCH_COLUMN = {"f32": "Float32Array", "f64": "Float64Array", "i32": "Int32Array", "u32": "Uint32Array",
                "u8": "Uint8Array", "i64": "BigInt64Array", "u64": "BigUint64Array", "bool": "Uint8Array"}


@dataclass(frozen=True)
class JsBatch:
    name: str
    label: str  # name in error messages: "solveBatch" or "Solver.solveBatch"
    arg_names: tuple[str, ...]
    required: tuple[str, ...]
    checks: tuple[str, ...]  # with `item`-scoped names and labels `items[i].x`
    place: tuple[str, ...]  # taking an item's arrays (`heap.take`)
    slots: int  # the heap's slots per item (item `index` uses `index * slots + n`)
    raw_args: tuple[str, ...]  # per raw parameter, in order
    layout: str  # JSON: [[kind, TypedArray name, optional], ...]
    convert: str  # JS expression of RAW_RESULT
    ts_item: str  # "{ matrix: Matrix; vector: Float64Array }"


@dataclass(frozen=True)
class JsStream:
    item_convert: str  # JS expression of RAW_RESULT
    result_convert: str | None
    ts_item: str
    ts_result: str
    events: str | None
    progress: dict[str, str] | None


@dataclass(frozen=True)
class JsOut:
    """The `{ out }` option of an array result."""

    tag: str  # element tag constant, e.g. F64
    ts: str  # what it may be in TypeScript


@dataclass(frozen=True)
class JsCallable:
    name: str
    label: str  # name in error messages: "solve" or "SublinearSolver.solve"
    params: tuple[str, ...]
    checks: tuple[str, ...]  # type checks (typed arrays are checked when taken)
    place: tuple[str, ...]  # after the checks: taking every array (`heap.take`)
    retake: tuple[str, ...]  # taking them again, as assignments, after the heap's arena grew
    raw_args: tuple[str, ...]
    convert: str  # JS expression of RAW_RESULT (the raw result)
    ts_params: tuple[str, ...]
    ts_return: str
    doc: str
    param_docs: tuple[tuple[str, str], ...]
    throws: tuple[str, ...]
    jsdoc: tuple[str, ...]
    async_name: str | None = None
    batch: JsBatch | None = None
    stream: JsStream | None = None
    out: JsOut | None = None
    positional_plan: str | None = None  # JS object literal for positionalArgs() (the flat call form)
    positional_ts: tuple[str, ...] = ()  # the flat call form's parameters, for its overload
    mutates: bool = False  # replayed by the workers' copies of the instance (`mutates`)
    aliases: tuple[str, ...] = ()  # other names of the method

    @property
    def convert_is_identity(self) -> bool:
        return self.convert == RAW_RESULT

    @property
    def uses_scratch(self) -> bool:
        return bool(self.place)

    @property
    def call_params(self) -> tuple[str, ...]:
        """The JS parameters: the spec's arguments, then `options` for an array result (`{ out }`)
        or a stream (`{ signal }`)."""
        return (*self.params, "options") if self.out or self.stream else self.params


@dataclass(frozen=True)
class JsProperty:
    name: str
    label: str
    getter: str
    setter: str | None
    convert: str  # JS expression of RAW_RESULT
    checks: tuple[str, ...]
    ts: str
    doc: str
    aliases: tuple[str, ...] = ()  # other names of the property
    setters: tuple[str, ...] = ()  # methods that set it

    @property
    def convert_is_identity(self) -> bool:
        return self.convert == RAW_RESULT


@dataclass(frozen=True)
class JsClass:
    name: str
    handle: str
    doc: str
    constructor: JsCallable
    properties: tuple[JsProperty, ...]
    methods: tuple[JsCallable, ...]
    events: bool
    init_name: str | None
    singleton_name: str | None
    create_name: str | None  # synchronous factory on the namespace object
    aliases: tuple[str, ...]  # other names it is exported under

    @property
    def settable(self) -> list[str]:
        """The properties a program can set: a worker acting for an instance copies them."""
        return [prop.name for prop in self.properties if prop.setter]


@dataclass(frozen=True)
class JsError:
    name: str
    code: str
    doc: str
    fields: tuple[str, ...]
    ts_details: str


@dataclass(frozen=True)
class JsViewArray:
    """A typed-array field of a struct view."""

    name: str  # the field
    snake: str
    pascal: str
    setter_snake: str
    element: str  # spec element type, e.g. f64
    typed_array: str
    length: str  # JS expression over the view's parameters
    doc: str


@dataclass(frozen=True)
class JsStructView:
    name: str
    doc: str
    struct: str
    params: tuple[tuple[str, str], ...]  # (name, doc) of the constructor parameters
    arrays: tuple[JsViewArray, ...]
    single: JsViewArray | None  # the only array field, which `length` describes

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.params)


@dataclass(frozen=True)
class JsStruct:
    name: str
    doc: str
    keys: tuple[str, ...]
    required: tuple[str, ...]
    checks: tuple[str, ...]  # on `value`, labels relative to `label`
    from_raw: str  # object literal built from the raw array `raw`
    ts_fields: tuple[tuple[str, str, str], ...]  # (name with ?, type, doc)
    view: JsStructView | None = None
    accepts_resident: bool = False  # arguments take it as AcceptsResident<name>


class JsView:
    def __init__(self, spec: KernelSpec) -> None:
        self.spec = spec
        self.marshal = Marshal(spec)

    # --- callables ------------------------------------------------------------------

    def callable(self, function: Function, owner: Class | None = None) -> JsCallable:
        label = function.name if owner is None else (owner.name if function.name == "constructor"
                                                     else f"{owner.name}.{function.name}")
        scope = DimScope()
        ordered = sorted(function.args, key=lambda a: a.type.kind != "scalar")
        inputs = {a.name: self.marshal.input(label, a, scope) for a in ordered}
        checks = [c for a in function.args for c in inputs[a.name].js_checks]
        place = [c for a in function.args for c in inputs[a.name].js_place]
        retake = [c for a in function.args for c in inputs[a.name].js_retake]
        raw_args = [p.js for a in function.args for p in inputs[a.name].raw]
        output = self.marshal.output(function.returns, scope) if function.returns.kind != "class" else None
        out = None
        if function.returns_array and not function.stream:
            tag = ELEMENT_TAGS[function.returns.base]
            out = JsOut(tag, self.input_ts(TypeRef("array", function.returns.base)))
            slot = scope.next_slot()
            checks.append(f"const out = outOption(options, '{label}');")
            taking = f"heap.takeOut({slot}, out, {tag}, '{label}')"
            take, again = take_statements("out", taking)
            place.append(take)
            retake.append(again)
            raw_args += list(js_triple("out"))
        ts_return = function.returns.ts if output else owner.name if owner else "void"
        if function.stream:
            ts_return = f"AsyncGenerator<{function.stream.item.base}, " \
                        f"{function.stream.result.ts if function.stream.result else 'void'}, undefined>"
        ts_params = [self.ts_param(a) for a in function.args]
        if out:
            ts_params.append(f"options?: {{ out?: {out.ts} }}")
        if function.stream:
            checks.append(f"const signal = signalOption(options, '{label}');")
            ts_params.append("options?: { signal?: AbortSignalLike }")
        plan, positional_ts = self._positional(function, ts_params) if function.positional else (None, ())
        return JsCallable(
            name=function.name, label=label, params=tuple(a.name for a in function.args),
            checks=tuple(checks), place=tuple(place), retake=tuple(retake), raw_args=tuple(raw_args),
            convert=output.js_convert if output else RAW_RESULT, ts_params=tuple(ts_params), ts_return=ts_return,
            doc=_escape(function.doc.strip()),
            param_docs=tuple((a.name, _escape(a.doc) + constraint_text(a)) for a in function.args)
            + ((("options", OUT_DOC),) if out else ()) + ((("options", SIGNAL_DOC),) if function.stream else ()),
            throws=(*function.errors, "InvalidArgument"), jsdoc=tuple(self._jsdoc(function, owner)),
            async_name=function.async_name,
            batch=self._batch(function, label) if function.batch_name else None,
            stream=self._stream(function) if function.stream else None, out=out,
            positional_plan=plan, positional_ts=positional_ts, mutates=function.mutates,
            aliases=function.aliases,
        )

    def _positional(self, function: Function, ts_params: list[str]) -> tuple[str, tuple[str, ...]]:
        """The flat call form (`positional_shape(s)`): the plan positionalArgs() follows, and the
        parameters of its TypeScript overload. Dimensions are names, or numbers for literal sizes."""
        def dims(arg: Arg) -> list[str | int]:
            return [int(d) if d.isdigit() else d for d in arg.type.shape]

        each = function.positional == ("*",)
        leading = function.leading_tensors
        rest = list(function.args[len(leading):])
        shape_ts = "readonly number[] | Uint32Array"
        plan = {
            "shape": None if each else list(function.positional),
            "names": [a.name for a in leading],
            "required": [dims(a) for a in leading],
            "rest": [dims(a) if a.type.is_tensor else None for a in rest],
        }
        flat = [f"{a.name}: {self.input_ts(TypeRef('array', a.type.base))}" for a in leading]
        shapes = [f"{a.name}Shape: {shape_ts}" for a in leading] if each else [f"shape: {shape_ts}"]
        later = [f"{a.name}?: {self.input_ts(TypeRef('array', a.type.base))} | null" if a.type.is_tensor
                 else self.ts_param(a) for a in rest]
        options = ts_params[len(function.args):]  # `options` of an array result
        return json.dumps(plan, separators=(", ", ": ")), (*flat, *shapes, *later, *options)

    def _batch(self, function: Function, label: str) -> JsBatch:
        owner_prefix = label.rsplit(".", 1)[0] + "." if "." in label else ""
        fn = f"{owner_prefix}{function.batch_name}"
        checks = []
        place = []
        raw: list[RawParam] = []
        scope = DimScope(slot_base="slot")
        for arg in function.args:
            item_input = self.marshal.input(fn, arg, scope, js_name=arg.name,
                                            label=f"`items[${{index}}].{arg.name}`")
            checks += item_input.js_checks
            place += [line.replace("let ", "const ", 1) for line in item_input.js_place]
            raw += item_input.raw
        layout = [[_column_kind(p.rust), _column_array(p.rust), p.rust.startswith("Option<")] for p in raw]
        ts_item = "{ " + "; ".join(f"{a.name}{'?' if a.type.optional else ''}: {self.input_ts(a.type.required)}"
                                   for a in function.args) + " }"
        output = self.marshal.output(function.returns, scope)
        return JsBatch(function.batch_name or "", fn, tuple(a.name for a in function.args),
                       tuple(a.name for a in function.args if not a.type.optional), tuple(checks), tuple(place),
                       scope.slots, tuple(p.js for p in raw), json.dumps(layout), output.js_convert, ts_item)

    def _stream(self, function: Function) -> JsStream:
        stream = function.stream
        assert stream is not None
        item = self.marshal.output(stream.item)
        result = self.marshal.output(stream.result) if stream.result else None
        progress = None
        if stream.progress:
            p = stream.progress
            progress = {"iteration": p.iteration, "measure": p.measure, "target": p.target, "limit": p.limit}
        return JsStream(item.js_convert, result.js_convert if result else None, stream.item.base,
                        stream.result.ts if stream.result else "void", stream.events, progress)

    def functions(self) -> list[JsCallable]:
        return [self.callable(f) for f in self.spec.functions]

    # --- classes ----------------------------------------------------------------------

    def classes(self) -> list[JsClass]:
        return [self.klass(c) for c in self.spec.classes]

    def klass(self, klass: Class) -> JsClass:
        properties = []
        for prop in klass.properties:
            label = f"{klass.name}.{prop.name}"
            output = self.marshal.output(prop.arg.type.required)
            checks = js_type_checks(self.spec, prop.arg.type.required, "value", setter_label(klass, prop),
                                    f"'{prop.name}'")
            properties.append(JsProperty(prop.name, label, f"get_{prop.getter}",
                                         None if prop.readonly else prop.setter, output.js_convert, tuple(checks),
                                         prop.arg.type.required.ts, _escape(prop.arg.doc) + constraint_text(prop.arg),
                                         prop.aliases, prop.setters))
        return JsClass(klass.name, klass.handle, _escape(klass.doc.strip()), self.callable(klass.constructor, klass),
                       tuple(properties), tuple(self.callable(m, klass) for m in klass.methods), klass.emits_events,
                       klass.init_name, klass.singleton_name, klass.create_name, klass.aliases)

    # --- structs, enums, errors ---------------------------------------------------------

    def structs(self) -> list[JsStruct]:
        return [self.struct(s) for s in self.spec.structs]

    def struct(self, struct: Struct) -> JsStruct:
        checks = []
        for f in struct.fields:
            checks += js_type_checks(self.spec, f.type, f"value.{f.name}", "fn", f"`${{label}}.{f.name}`")
        # `fn` is the checking function's parameter, not a literal function name.
        checks = [c.replace("'fn'", "fn") for c in checks]
        positions = {f.name: i for i, f in enumerate(struct.rust_fields)}
        entries = ", ".join(
            f"{f.name}: Date.now()" if f.name in struct.clock_fields
            else f"{f.name}: {self.marshal.from_raw_js(f.type, f'raw[{positions[f.name]}]')}"
            for f in struct.fields)
        # As declared: resident fields are what AcceptsResident<Struct> adds for arguments, so
        # code that reads a field of its own object (`m.data.length`) sees the declared type.
        ts_fields = tuple((f.name + ("?" if f.type.optional else ""), f.type.required.ts,
                           _escape(f.doc) + constraint_text(f)) for f in struct.fields)
        return JsStruct(struct.name, _escape(struct.doc), tuple(f.name for f in struct.fields),
                        tuple(f.name for f in struct.fields if not f.type.optional), tuple(checks),
                        f"{{ {entries} }}", ts_fields, self.view(struct) if struct.view else None,
                        self._takes_resident(struct.name))

    def view(self, struct: Struct) -> JsStructView:
        view = struct.view
        assert view is not None
        fields = {f.name: f for f in struct.fields}
        arrays = []
        for name, length in view.lengths:
            field = fields[name]
            arrays.append(JsViewArray(
                name, snake_case(name), name[:1].upper() + name[1:], f"set_{snake_case(name)}",
                field.type.base, field.type.typed_array, expr.render(length, lambda var: var),
                _escape(field.doc)))
        params = tuple((p, _escape(fields[p].doc) if p in fields else f"Length of the arrays sized by `{p}`.")
                       for p in view.params)
        single = arrays[0] if len(arrays) == 1 else None
        return JsStructView(view.name, _escape(view.doc), struct.name, params, tuple(arrays), single)

    def errors(self) -> list[JsError]:
        return [error(kind) for kind in self.spec.errors]

    # --- TypeScript of inputs ----------------------------------------------------------------

    def ts_param(self, arg: Arg) -> str:
        if arg.type.optional:
            return f"{arg.name}?: {self.input_ts(arg.type.required)}"
        return f"{arg.name}: {self.input_ts(arg.type)}"

    def input_ts(self, type_ref: TypeRef) -> str:
        """What an argument of `type_ref` may be: typed arrays may be resident, structs their view."""
        if type_ref.array:
            inner = f"{type_ref.typed_array} | ResidentArray<{type_ref.typed_array}>"
        elif type_ref.is_tensor:
            inner = f"Tensor<{type_ref.typed_array} | ResidentArray<{type_ref.typed_array}>>"
        elif type_ref.kind == "struct" and self._takes_resident(type_ref.base):
            struct = self.spec.struct(type_ref.base)
            inner = f"AcceptsResident<{type_ref.base}>"
            if struct.view:
                inner += f" | {struct.view.name}"
        else:
            return type_ref.ts
        return f"{inner} | undefined" if type_ref.optional else inner

    def _takes_resident(self, name: str) -> bool:
        """An argument struct with typed-array fields: they may be resident (AcceptsResident)."""
        struct = self.spec.struct(name)
        return self.input_only(struct) and any(f.type.array for f in struct.fields)

    def input_only(self, struct: Struct) -> bool:
        """A struct never produced by the package: its interface describes inputs only."""
        return struct.name not in _produced_structs(self.spec)

    # --- documentation --------------------------------------------------------------------

    def _jsdoc(self, function: Function, owner: Class | None) -> list[str]:
        lines = [*_escape(function.doc.strip()).splitlines(), ""]
        for arg in function.args:
            lines.append(f"@param {arg.name} - {_escape(arg.doc)}{constraint_text(arg)}")
        if function.returns_array and not function.stream:
            lines.append(f"@param options - {OUT_DOC}")
        if not function.returns.is_void and function.returns.kind != "class":
            lines.append(f"@returns {function.returns.ts}")
        for name in function.errors:
            lines.append(f"@throws {{@link {name}}}")
        lines.append("@throws {@link InvalidArgument} when an argument breaks the constraints above.")
        if owner is not None and function.name != "constructor":
            lines.append("@throws {@link Disposed} after `dispose()`.")
        for example in function.examples:
            lines += ["@example", *self._example_lines(function, example, owner)]
        return lines

    def _example_lines(self, function: Function, example: Example, owner: Class | None) -> list[str]:
        """The example as TypeScript, its outcome as a comment line after the call (the
        formatter lays the call out; see pipeline/prettier.mjs)."""
        lines = ["```ts"]
        if example.doc:
            lines.append(f"// {_escape(example.doc)}")
        lines.append(f"{self.call_expression(function, example, owner)};")
        outcome = self.outcome_text(function, example)
        if outcome:
            lines.append(f"// {outcome}")
        return [*lines, "```"]

    def outcome_text(self, function: Function, example: Example) -> str:
        if example.error:
            return f"throws {example.error}"
        produced = function.stream.result if function.stream else function.returns
        if produced is None or produced.is_void or produced.kind == "class":
            return ""
        return "→ " + self.literal(example.expect, produced.required)

    def resident_example(self) -> dict[str, list[str]] | None:
        """`imports` and JavaScript `lines` showing the first example with typed arrays done
        with resident arrays (and `{ out }` for an array result); None when none passes arrays."""
        for owner, function in [(None, f) for f in self.spec.functions] + \
                [(c, m) for c in self.spec.classes for m in c.methods if not m.stream]:
            for example in function.examples:
                if example.error is None and any(self._has_array(a.type) and example.has_arg(a.name)
                                                 for a in function.args):
                    imports = ["alloc", owner.name if owner else function.name]
                    return {"imports": imports, "lines": self._resident_lines(function, example, owner)}
        return None

    def _has_array(self, type_ref: TypeRef) -> bool:
        if type_ref.array or type_ref.is_tensor:
            return True
        if type_ref.kind != "struct":
            return False
        return any(self._has_array(f.type) for f in self.spec.struct(type_ref.base).fields)

    def _resident_lines(self, function: Function, example: Example, owner: Class | None) -> list[str]:
        lines: list[str] = []

        def resident(name: str, type_ref: TypeRef, values: list[Any]) -> str:
            numbers = ", ".join(_number(v) for v in values)
            note = "" if lines else " // zeroed, in the module's memory"
            lines.append(f"const {name} = alloc('{type_ref.base}', {len(values)});{note}")
            lines.append(f"{name}.set([{numbers}]);")
            return name

        def value(name: str, type_ref: TypeRef, raw: Any) -> str:
            if type_ref.array:
                return resident(name, type_ref, raw)
            if type_ref.is_tensor:
                data = resident(name, TypeRef("array", type_ref.base), raw["data"])
                return f"{{ data: {data}, shape: [{', '.join(str(d) for d in raw['shape'])}] }}"
            if type_ref.kind == "struct":
                fields = self.spec.struct(type_ref.base).fields
                parts = [f"{f.name}: {value(name + f.name[:1].upper() + f.name[1:], f.type.required, raw[f.name])}"
                         for f in fields if f.name in raw]
                return "{ " + ", ".join(parts) + " }"
            return self.literal(raw, type_ref)

        args = [value(a.name, a.type.required, example.arg(a.name)) if example.has_arg(a.name) else "undefined"
                for a in function.args]
        if function.returns_array:
            produced = example.expect["data"] if function.returns.is_tensor else example.expect
            lines.append(f"const out = alloc('{function.returns.base}', {len(produced)});")
            args += ["undefined"] * (len(function.args) - len(args)) + ["{ out }"]
        while args and args[-1] == "undefined":
            args.pop()
        target = function.name
        if owner is not None:
            instance = self.literal(dict(example.new or ()), TypeRef("class", owner.name))
            lines.append(f"const {owner.name[:1].lower() + owner.name[1:]} = {instance};")
            target = f"{owner.name[:1].lower() + owner.name[1:]}.{function.name}"
        result = "out.array" if function.returns_array else "result"
        call = f"{target}({', '.join(args)})"
        if function.returns_array:
            lines.append(f"{call}; // fills out: {result} → {self.outcome_text(function, example).removeprefix('→ ')}")
        else:
            lines.append(f"const result = {call}; // {self.outcome_text(function, example)}")
        return lines

    def call_expression(self, function: Function, example: Example, owner: Class | None = None) -> str:
        values = [self.literal(example.arg(a.name), a.type.required) if example.has_arg(a.name) else "undefined"
                  for a in function.args]
        while values and values[-1] == "undefined":
            values.pop()
        args = ", ".join(values)
        if owner is None:
            return f"{function.name}({args})"
        if function.name == "constructor":
            return f"new {owner.name}({args})"
        instance = self.literal(dict(example.new or ()), TypeRef("class", owner.name))
        call = f"{instance}.{function.name}({args})"
        return f"for await (const step of {call}) console.log(step)" if function.stream else call

    def literal(self, value: Any, type_ref: TypeRef) -> str:
        """JavaScript source for a TOML value of the given type."""
        if type_ref.array:
            return f"new {type_ref.typed_array}([{', '.join(_number(v) for v in value)}])"
        if type_ref.is_tensor:
            data = f"new {type_ref.typed_array}([{', '.join(_number(v) for v in value['data'])}])"
            return f"{{ data: {data}, shape: [{', '.join(str(d) for d in value['shape'])}] }}"
        if type_ref.kind == "struct":
            fields = self.spec.struct(type_ref.base).fields
            parts = [f"{f.name}: {self.literal(value[f.name], f.type.required)}" for f in fields if f.name in value]
            return "{ " + ", ".join(parts) + " }" if parts else "{}"
        if type_ref.kind == "class":
            ctor = self.spec.klass(type_ref.base).constructor
            args = [self.literal(value.get(a.name), a.type.required) if a.name in value else "undefined"
                    for a in ctor.args]
            while args and args[-1] == "undefined":
                args.pop()
            return f"new {type_ref.base}({', '.join(args)})"
        if type_ref.kind == "enum" or type_ref.base == "string":
            return json.dumps(value, ensure_ascii=False).replace('"', "'")
        if type_ref.base in ("i64", "u64"):
            return f"{int(value)}n"
        if type_ref.base == "bool":
            return "true" if value else "false"
        return _number(value)




def _produced_structs(spec: KernelSpec) -> set[str]:
    """Structs that reach JavaScript as results (directly or inside another)."""
    types = [f.returns for f in spec.all_functions]
    types += [p.arg.type for c in spec.classes for p in c.properties]
    types += [t for c in spec.classes for m in c.methods if m.stream for t in (m.stream.item, m.stream.result) if t]
    produced: set[str] = set()
    pending = [t.base for t in types if t.kind == "struct"]
    while pending:
        name = pending.pop()
        if name not in produced:
            produced.add(name)
            pending += [f.type.base for f in spec.struct(name).fields if f.type.kind == "struct"]
    return produced


def error(kind: ErrorKind) -> JsError:
    details = "{ " + "; ".join(f"{f.name}: {f.type.ts}" for f in kind.fields) + " }" if kind.fields else \
        "Record<string, never>"
    return JsError(kind.name, kind.code, kind.doc, tuple(f.name for f in kind.fields), details)


def constraint_text(arg: Arg) -> str:
    notes = []
    if arg.type.is_tensor:
        notes.append(f"shape [{', '.join(arg.type.shape)}]")
    if arg.length_text is not None:
        notes.append(f"length `{arg.length_text}`")
    if arg.min_length is not None:
        notes.append(f"length at least {arg.min_length}")
    if arg.minimum is not None:
        notes.append(f"at least {arg.minimum}")
    if arg.maximum is not None:
        notes.append(f"at most {arg.maximum}")
    if arg.above is not None:
        notes.append(f"greater than {arg.above}")
    if arg.below is not None:
        notes.append(f"less than {arg.below}")
    if arg.finite:
        notes.append("finite")
    if arg.has_default:
        default = json.dumps(arg.default) if isinstance(arg.default, str) else _number(arg.default) \
            if isinstance(arg.default, int | float) and not isinstance(arg.default, bool) else json.dumps(arg.default)
        notes.append(f"default `{default}`")
    return f" ({'; '.join(notes)})" if notes else ""


def _column_kind(rust: str) -> str:
    inner = rust[len("Option<"):-1] if rust.startswith("Option<") else rust
    if inner.startswith("Vec<"):
        return "arrays"
    return "bools" if inner == "bool" else "values"


def _column_array(rust: str) -> str:
    inner = rust[len("Option<"):-1] if rust.startswith("Option<") else rust
    element = inner[4:-1] if inner.startswith("Vec<") else inner
    return BATCH_COLUMN[element]


def _number(value: Any) -> str:
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)


def _escape(text: str) -> str:
    """Keep documentation text from closing the surrounding comment."""
    return text.replace("*/", "*\u2215")

