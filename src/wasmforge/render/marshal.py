"""How each kind of value crosses the JS ⇄ wasm boundary, on both sides.

An argument of any spec type becomes
  * JS statements in the facade: type checks (plain-object shapes, enum
    members, live class instances), and for every typed array a hand-over
    through the facade's heap (api.js), in one pass: each array is taken — as
    it is when it is resident in the module's memory already (a
    `ResidentArray`, or a view of one), else copied into the heap's scratch
    arena, which grows and takes them all again when a copy does not fit —
    and crosses as a (handle, offset, length) triple;
  * raw parameters of the Rust wrapper, plus Rust statements that turn the
    triples back into slices (checked against the table of live resident
    arrays), apply defaults, check the spec's constraints, convert enums,
    check and bind tensor dimensions and build structs — ending in the
    expression passed to the kernel.
A result travels back the other way: a Rust conversion to what wasm-bindgen
can return, then a JS conversion to the public value (plain objects for
structs, `{data, shape}` for tensors). An array result may instead be written
into the caller's `{ out }`, placed like an argument.

Structs are flattened field by field; results that are structs cross as an
array of field values (no js-sys, no serde), rebuilt into objects in JS.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from ..kernelspec import expr
from ..kernelspec.model import Arg, Class, KernelSpec, Property, Struct
from ..kernelspec.names import snake_case
from ..kernelspec.types import TypeRef

KERNEL = "kernel"
# Element tags shared by the Rust `resident` module and the facade (api.js ELEMENT_TYPES).
ELEMENT_TAGS = {"u8": "U8", "i32": "I32", "u32": "U32", "f32": "F32", "f64": "F64"}


@dataclass(frozen=True)
class RawParam:
    name: str  # Rust parameter name
    rust: str  # Rust type
    js: str  # JS expression producing the value, in the facade's scope


@dataclass
class DimScope:
    """What one call has bound so far: tensor dimensions (name -> (Rust variable, JS
    expression, where)), the integer types of its arguments (for length expressions)
    and the facade heap's slots of its arrays."""

    bound: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    integers: dict[str, str] = field(default_factory=dict)
    slots: int = 0  # the heap's slots for this call's arrays (numbered per batch item: `slot_base + n`)
    slot_base: str = ""

    def next_slot(self) -> str:
        number = self.slots
        self.slots += 1
        return f"{self.slot_base} + {number}" if self.slot_base else str(number)


@dataclass(frozen=True)
class Input:
    raw: tuple[RawParam, ...]
    prelude: tuple[str, ...]  # Rust statements before the kernel call
    kernel_expr: str  # what the kernel receives
    js_checks: tuple[str, ...]  # facade statements: the JS types (typed arrays are checked when taken)
    js_place: tuple[str, ...] = ()  # facade statements after the checks: taking the arrays (`heap.take`)
    spans: tuple[str, ...] = ()  # Rust slices of array inputs, which an `out` must not overlap
    js_retake: tuple[str, ...] = ()  # js_place as assignments, for when the heap's arena had to grow


# The facade's name for a raw result before conversion. snake_case, so it can never
# collide with an argument name (spec names are camelCase): `const value = f(value)`
# would be a TDZ ReferenceError for an argument called `value`.
RAW_RESULT = "raw_result"


@dataclass(frozen=True)
class Output:
    rust_type: str  # what the wrapper returns to wasm-bindgen
    rust_convert: str  # Rust expression converting the kernel's `value`
    js_convert: str  # JS expression converting the raw result, named RAW_RESULT
    ts: str

    def rust_map(self, call: str) -> str:
        """`call` (a Result from the kernel) mapped to the wrapper's return type."""
        if self.rust_convert == "value":
            return f"{call}.map_err(kernel_error)"
        return f"{call}.map({closure('value', self.rust_convert)}).map_err(kernel_error)"


def setter_label(klass: Class, prop: Property) -> str:
    """How a property's setter names itself in InvalidArgument (`Smoother.alpha =`), on
    both sides of the boundary: the message then reads "Smoother.alpha must be …"
    rather than as a call."""
    return f"{klass.name}.{prop.name} ="


def array_triple(rust: str) -> tuple[str, str, str]:
    """Rust parameter names of an array crossing as (handle, offset, length)."""
    return rust, f"{rust}_offset", f"{rust}_len"


def js_triple(rust: str) -> tuple[str, str, str]:
    """The facade's locals holding a placed array's (handle, offset, length). They
    contain `_`, which camelCase spec names never do, so they cannot shadow an argument."""
    return f"{rust}_handle", f"{rust}_offset", f"{rust}_length"


def take_statements(rust: str, taking: str) -> tuple[str, str]:
    """Taking one array, as the call first does it (`let x_handle = heap.take(…), x_offset =
    heap.offset, …;`) and again after the arena grew (the same as assignments; see Heap.grow
    in api.js)."""
    handle, offset, length = js_triple(rust)
    return (f"let {handle} = {taking}, {offset} = heap.offset, {length} = heap.length;",
            f"{handle} = {taking}; {offset} = heap.offset; {length} = heap.length;")


class Marshal:
    def __init__(self, spec: KernelSpec) -> None:
        self.spec = spec

    # === inputs ======================================================================

    def input(self, fn: str, arg: Arg, scope: DimScope, *, js_name: str | None = None,
              label: str | None = None) -> Input:
        """`js_name`: the JS expression holding the value (default: the argument's name);
        `label`: JS expression naming it in error messages (default: its name, quoted)."""
        js_value = js_name or arg.name
        js_label = label or f"'{arg.name}'"
        kind = arg.type.kind
        if kind == "struct":
            return self._struct_input(fn, arg, scope, js_value, js_label)
        if kind == "tensor":
            return self._tensor_input(fn, arg, scope, js_value, js_label)
        if kind == "class":
            return self._class_input(fn, arg, js_value, js_label)
        if kind == "array":
            return self._array_input(fn, arg, scope, arg.rust_name, arg.name, js_value, js_label, owned=False)
        return self._leaf_input(fn, arg, arg.rust_name, arg.name, js_value, js_label, owned=False)

    def _leaf_input(self, fn: str, arg: Arg, rust: str, path: str, js_value: str, js_label: str,
                    *, owned: bool, names: dict[str, str] | None = None, integers: dict[str, str] | None = None
                    ) -> Input:
        """Scalars, strings and enums: one raw parameter each."""
        type_ref = arg.type
        raw_type = "String" if type_ref.kind == "enum" or type_ref.base == "string" else type_ref.base
        raw = RawParam(rust, f"Option<{raw_type}>" if type_ref.optional else raw_type, js_value)
        prelude = [*self._default(arg, rust), *rust_checks(fn, arg, rust, path, names or {}, integers or {})]
        if type_ref.kind == "enum":
            prelude.append(self._enum_parse(fn, arg, rust, path))
        kernel = rust if owned or type_ref.kind == "enum" else kernel_borrow(arg.kernel_type, rust)
        return Input((raw,), tuple(prelude), kernel, tuple(js_type_checks(self.spec, arg.type, js_value, fn, js_label)))

    def _array_input(self, fn: str, arg: Arg, scope: DimScope, rust: str, path: str, js_value: str,
                     js_label: str, *, owned: bool, names: dict[str, str] | None = None,
                     integers: dict[str, str] | None = None, place_value: str | None = None) -> Input:
        """A typed array: taken by the facade's heap as a (handle, offset, length) triple,
        resolved to a slice in Rust. `place_value`: the JS value taken, when not `js_value`
        (an optional tensor's data)."""
        type_ref = arg.type
        handle, offset, length = array_triple(rust)
        js_handle, js_offset, js_length = js_triple(rust)
        raw = (RawParam(handle, "u32", js_handle), RawParam(offset, "u32", js_offset),
               RawParam(length, "u32", js_length))
        resolve = "optional_input" if type_ref.optional else "input"
        prelude = [f'let {rust} = resident::{resolve}::<{type_ref.base}>("{fn}", "{path}", {handle}, {offset}, '
                   f'{length})?;',
                   *self._default(arg, rust),
                   *rust_checks(fn, arg, rust, path, names or {}, scope.integers if integers is None else integers)]
        tag = ELEMENT_TAGS[type_ref.base]
        slot = scope.next_slot()
        take = "takeOptional" if type_ref.optional else "take"
        taking = f"heap.{take}({slot}, {place_value or js_value}, {tag}, '{fn}', {js_label})"
        if owned:
            kernel = f"{rust}.map(<[{type_ref.base}]>::to_vec)" if arg.kernel_type.optional else f"{rust}.to_vec()"
        else:
            kernel = rust
        span = () if arg.kernel_type.optional else (rust,)
        take, retake = take_statements(rust, taking)
        return Input(raw, tuple(prelude), kernel, (), (take,), span, (retake,))

    def _default(self, arg: Arg, rust: str) -> list[str]:
        if not arg.has_default:
            return []
        if arg.type.kind == "enum":
            value = f'"{arg.default}".to_string()'
        elif arg.type.array:
            value = "&[" + ", ".join(scalar_literal(v, arg.type.base) for v in arg.default) + "]"
        else:
            value = literal(arg.default, arg.type.required)
        method = f"unwrap_or_else(|| {value})" if arg.type.base == "string" or arg.type.kind == "enum" \
            else f"unwrap_or({value})"
        return [f"let {rust} = {rust}.{method};"]

    def _enum_parse(self, fn: str, arg: Arg, rust: str, path: str) -> str:
        parse = f"parse_{snake_case(arg.type.base)}"
        if arg.kernel_type.optional:
            return f'let {rust} = {rust}.map(|value| {parse}("{fn}", "{path}", &value)).transpose()?;'
        return f'let {rust} = {parse}("{fn}", "{path}", &{rust})?;'

    def _struct_input(self, fn: str, arg: Arg, scope: DimScope, js_value: str, js_label: str) -> Input:
        struct = self.spec.struct(arg.type.base)
        source = f"({js_value} ?? {{}})" if arg.type.optional else js_value
        parts = self.struct_fields(fn, struct, scope, arg.rust_name, arg.name, source, js_label)
        checks = [*js_type_checks(self.spec, arg.type, js_value, fn, js_label), *parts.js_checks]
        return Input(parts.raw, parts.prelude, arg.rust_name, tuple(checks), parts.js_place, parts.spans,
                     parts.js_retake)

    def struct_fields(self, fn: str, struct: Struct, scope: DimScope, rust: str, path: str, js_source: str,
                      js_label: str) -> Input:
        """Raw parameters and statements building `let {rust} = kernel::Struct { … };`
        (the Input's kernel expression is `rust`)."""
        raw: list[RawParam] = []
        prelude: list[str] = []
        js_checks: list[str] = []
        js_place: list[str] = []
        js_retake: list[str] = []
        spans: list[str] = []
        names = {f.name: f"{rust}_{f.rust_name}" for f in struct.rust_fields}
        integers = {f.name: f.type.base for f in struct.rust_fields if f.type.is_integer}
        assignments = []
        for f in struct.rust_fields:
            field_rust, field_path, field_js = names[f.name], f"{path}.{f.name}", f"{js_source}.{f.name}"
            if f.type.kind == "struct":
                part = self.struct_fields(fn, self.spec.struct(f.type.base), scope, field_rust, field_path,
                                          field_js, _field_label(js_label, f.name))
                value = field_rust
            elif f.type.array:
                part = self._array_input(fn, f, scope, field_rust, field_path, field_js,
                                         _field_label(js_label, f.name), owned=not struct.borrow, names=names,
                                         integers=integers)
                value = part.kernel_expr
            else:
                part = self._leaf_input(fn, f, field_rust, field_path, field_js, "''", owned=not struct.borrow,
                                        names=names, integers=integers)
                value = part.kernel_expr
            raw += part.raw
            prelude += part.prelude
            if f.type.kind == "struct":
                js_checks += part.js_checks  # check<Struct>() checks this struct's own scalar fields
            js_place += part.js_place
            js_retake += part.js_retake
            spans += part.spans
            assignments.append(f.rust_name if value == f.rust_name else f"{f.rust_name}: {value}")
        prelude.append(f"let {rust} = {KERNEL}::{struct.rust_path} {{ {', '.join(assignments)} }};")
        return Input(tuple(raw), tuple(prelude), rust, tuple(js_checks), tuple(js_place), tuple(spans),
                     tuple(js_retake))

    def _tensor_input(self, fn: str, arg: Arg, scope: DimScope, js_value: str, js_label: str) -> Input:
        rust, type_ref = arg.rust_name, arg.type
        optional = type_ref.optional
        absent = f"{js_value} === undefined || {js_value} === null"
        data = Arg(f"{arg.name}.data", TypeRef("array", type_ref.base, optional), arg.doc)
        array = self._array_input(fn, data, scope, f"{rust}_data", f"{arg.name}.data", f"{js_value}.data",
                                  _field_label(js_label, "data"), owned=False,
                                  place_value=f"{absent} ? undefined : {js_value}.data" if optional else None)
        dims_raw = tuple(RawParam(f"{rust}_d{i}", "u32", f"{absent} ? 0 : {js_value}.shape[{i}]" if optional
                                  else f"{js_value}.shape[{i}]") for i in range(len(type_ref.shape)))
        dims = ", ".join(f'"{d}"' for d in type_ref.shape)
        shape = f"[{', '.join(p.name for p in dims_raw)}]"
        where = f'"{fn}", "{arg.name}"'
        prelude = list(array.prelude)
        if optional:
            prelude.append(f"let {rust}_dims = match {rust}_data {{ Some(data) => "
                           f"Some(check::tensor({where}, data.len(), {shape}, &[{dims}])?), None => None }};")
            binds = [self._bind_dim(fn, arg, i, d, f"dims[{i}]", scope, bind=False)
                     for i, d in enumerate(type_ref.shape)]
            binds = [b for b in binds if b]
            if binds:
                prelude += [f"if let Some(dims) = {rust}_dims {{", *(f"    {b}" for b in binds), "}"]
            kernel = f"{rust}_data.zip({rust}_dims)"
        else:
            prelude.append(f"let {rust}_dims = check::tensor({where}, {rust}_data.len(), {shape}, &[{dims}])?;")
            for i, d in enumerate(type_ref.shape):
                statement = self._bind_dim(fn, arg, i, d, f"{rust}_dims[{i}]", scope, bind=True, js_value=js_value)
                if statement:
                    prelude.append(statement)
            kernel = f"({rust}_data, {rust}_dims)"
        js_checks = js_type_checks(self.spec, type_ref, js_value, fn, js_label)
        return Input((*array.raw, *dims_raw), tuple(prelude), kernel, tuple(js_checks), array.js_place, array.spans,
                     array.js_retake)

    def _bind_dim(self, fn: str, arg: Arg, index: int, dim: str, value: str, scope: DimScope,
                  *, bind: bool, js_value: str = "") -> str | None:
        here = f"{arg.name}.shape[{index}]"
        if dim.isdigit():
            return f'check::dim("{fn}", "{here}", "{dim}", {value}, {dim}, "the spec")?;'
        if dim in scope.bound:
            variable, _, where = scope.bound[dim]
            return f'check::dim("{fn}", "{here}", "{dim}", {value}, {variable}, "{where}")?;'
        if bind:
            # Later tensors compare against this tensor's dimension directly.
            scope.bound[dim] = (value, f"{js_value}.shape[{index}]", here)
        return None

    def _class_input(self, fn: str, arg: Arg, js_value: str, js_label: str) -> Input:
        klass = self.spec.klass(arg.type.base)
        raw = RawParam(arg.rust_name, f"&{klass.handle}", f"handleOf({klass.name}, {js_value}, '{fn}', {js_label})")
        return Input((raw,), (), f"&{arg.rust_name}.inner", ())

    # === outputs ======================================================================

    def output(self, type_ref: TypeRef, scope: DimScope | None = None) -> Output:
        ts = type_ref.ts
        if type_ref.is_void:
            return Output("()", "value", RAW_RESULT, "void")
        if type_ref.kind == "struct":
            helper = f"{snake_case(type_ref.base)}_to_js"
            convert = f"value.map_or(JsValue::UNDEFINED, {helper})" if type_ref.optional else f"{helper}(value)"
            js = f"from{type_ref.base}({RAW_RESULT})"
            if type_ref.optional:
                js = f"{RAW_RESULT} === undefined ? undefined : {js}"
            return Output("JsValue", convert, js, ts)
        if type_ref.kind == "enum":
            to_str = f"{snake_case(type_ref.base)}_str"
            if type_ref.optional:
                return Output("Option<String>", f"value.map(|v| {to_str}(&v).to_string())", RAW_RESULT, ts)
            return Output("String", f"{to_str}(&value).to_string()", RAW_RESULT, ts)
        if type_ref.is_tensor:
            shape = ", ".join(self._dim_js(d, scope) for d in type_ref.shape)
            js = f"{{ data: {RAW_RESULT}, shape: [{shape}] }}"
            if type_ref.optional:
                js = f"{RAW_RESULT} === undefined ? undefined : {js}"
            inner = f"Vec<{type_ref.base}>"
            return Output(f"Option<{inner}>" if type_ref.optional else inner, "value", js, ts)
        owned = "String" if type_ref.base == "string" else f"Vec<{type_ref.base}>" if type_ref.array else type_ref.base
        return Output(f"Option<{owned}>" if type_ref.optional else owned, "value", RAW_RESULT, ts)

    def _dim_js(self, dim: str, scope: DimScope | None) -> str:
        if dim.isdigit():
            return dim
        assert scope is not None and dim in scope.bound, dim
        return f"Number({scope.bound[dim][1]})"

    def to_jsvalue(self, type_ref: TypeRef, value: str) -> str:
        """A Rust expression turning a kernel value into one JsValue (struct fields, batches)."""
        if type_ref.optional:
            inner = self.to_jsvalue(type_ref.required, "v")
            return f"{value}.map_or(JsValue::UNDEFINED, {closure('v', inner)})"
        if type_ref.kind == "struct":
            return f"{snake_case(type_ref.base)}_to_js({value})"
        if type_ref.kind == "enum":
            return f"JsValue::from_str({snake_case(type_ref.base)}_str(&{value}))"
        if type_ref.is_void:
            return "JsValue::UNDEFINED"
        if type_ref.base == "string":
            return f"declared_text(&{value})"
        rust = f"Vec<{type_ref.base}>" if type_ref.array else type_ref.base
        # The declared type, spelled out: a kernel field of another type is a compile error
        # (located in kernel.toml), not a silent conversion the .d.ts would lie about.
        return f"JsValue::from(declared::<{rust}>({value}))"

    def from_raw_js(self, type_ref: TypeRef, value: str) -> str:
        """A JS expression rebuilding a public value from one raw JsValue (struct fields)."""
        if type_ref.kind == "struct":
            converted = f"from{type_ref.base}({value})"
            return f"({value} === undefined ? undefined : {converted})" if type_ref.optional else converted
        return value


# === Rust helpers shared by arguments and fields ===========================================

def closure(variable: str, body: str) -> str:
    """`|v| f(v)` is just `f` (clippy::redundant_closure)."""
    if body.endswith(f"({variable})") and "(" not in body[: -len(variable) - 2]:
        return body[: -len(variable) - 2]
    return f"|{variable}| {body}"


def kernel_borrow(type_ref: TypeRef, name: str) -> str:
    """How the wrapper lends an owned parameter (a string) to the kernel."""
    if type_ref.base == "string":
        return f"{name}.as_deref()" if type_ref.optional else f"&{name}"
    return name


def _field_label(js_label: str, name: str) -> str:
    """The JS expression naming field `name` of the value labelled `js_label` in errors."""
    if js_label.startswith("'") and js_label.endswith("'"):
        return f"'{js_label[1:-1]}.{name}'"
    if js_label.startswith("`") and js_label.endswith("`"):
        return f"`{js_label[1:-1]}.{name}`"
    return f"`${{{js_label}}}.{name}`"


def rust_checks(fn: str, arg: Arg, rust: str, path: str, names: dict[str, str], integers: dict[str, str]
                ) -> list[str]:
    """Statements enforcing the spec's constraints on a leaf value. `names` maps
    sibling names (struct fields) to their Rust variables and `integers` sibling names
    to their integer types, for length expressions."""
    optional = arg.kernel_type.optional
    name = "value" if optional else rust
    borrowed = name if optional or arg.type.array else f"&{name}"  # arrays arrive as slices already
    where = f'"{fn}", "{path}"'
    checks = []
    if arg.length is not None:
        expected = rust_length(arg.length, lambda var: _length_name(var, names),
                               lambda var: "usize" if expr.length_of(var) else integers.get(var, "i128"))
        checks.append(f'check::length({where}, {name}.len(), {expected}, "{arg.length_text}")?;')
    if arg.min_length is not None:
        checks.append(f"check::min_length({where}, {name}.len(), {arg.min_length})?;")
    if arg.finite:
        checks.append(f"check::all_finite({where}, {borrowed})?;" if arg.type.array
                      else f"check::finite({where}, {name})?;")
    if arg.minimum is not None:
        checks.append(f"check::at_least({where}, {name}, {scalar_literal(arg.minimum, arg.type.base)})?;")
    if arg.maximum is not None:
        checks.append(f"check::at_most({where}, {name}, {scalar_literal(arg.maximum, arg.type.base)})?;")
    if arg.above is not None:
        checks.append(f"check::greater_than({where}, {name}, {scalar_literal(arg.above, arg.type.base)})?;")
    if arg.below is not None:
        checks.append(f"check::less_than({where}, {name}, {scalar_literal(arg.below, arg.type.base)})?;")
    if not (optional and checks):
        return checks
    source = f"{rust}.as_ref()" if arg.type.base == "string" else rust
    return [f"if let Some(value) = {source} {{", *(f"    {c}" for c in checks), "}"]


def _length_name(name: str, names: dict[str, str]) -> str:
    """The Rust expression of a name in a length: a variable, or `x.len()` for `len(x)`."""
    target = expr.length_of(name)
    if target is not None:
        return f"{names.get(target, snake_case(target))}.len()"
    return names.get(name, snake_case(name))


def rust_length(tree: expr.Expr, variable: Callable[[str], str], base: Callable[[str], str]) -> str:
    """The i128 a length expression evaluates to in the wrapper. `base(name)` is each
    variable's integer type (`usize` for a tensor dimension, at most 32 bits). The
    arithmetic is done in the narrowest type no value can overflow — u64 or i64 rather
    than i128, since wasm has no 128-bit multiply (it calls a helper), and this runs on
    every call."""
    if isinstance(tree, expr.Num):
        return str(tree.value)
    names = expr.variables(tree)
    small = all(base(name) in ("u32", "i32", "usize") for name in names)
    unsigned = all(base(name) in ("u32", "usize") for name in names) and "-" not in expr.render(tree, str)
    bound = expr.magnitude_bound(tree, 2**32 - 1)
    if small and unsigned and bound < 2**64:
        wide = "u64"
    elif small and bound < 2**63:
        wide = "i64"
    else:
        wide = "i128"

    def convert(name: str) -> str:
        return f"({variable(name)} as {wide})" if base(name) == "usize" else f"{wide}::from({variable(name)})"

    text = expr.render(tree, convert)
    if isinstance(tree, expr.Var) and text.startswith("("):
        text = text[1:-1]  # a lone cast needs no parentheses (rustc's unused_parens)
    return text if wide == "i128" else f"i128::from({text})"


def literal(value: object, type_ref: TypeRef) -> str:
    if type_ref.array:
        return "vec![" + ", ".join(scalar_literal(v, type_ref.base) for v in value) + "]"  # type: ignore[union-attr]
    return scalar_literal(value, type_ref.base)


def scalar_literal(value: object, base: str) -> str:
    if base == "bool":
        return "true" if value else "false"
    if base == "string":
        escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}".to_string()'
    if base in ("f32", "f64"):
        number = float(value)  # type: ignore[arg-type]
        if math.isinf(number):
            return f"{base}::{'INFINITY' if number > 0 else 'NEG_INFINITY'}"
        return f"{number!r}_{base}"
    return f"{int(value)}_{base}"  # type: ignore[call-overload]


# === JS checks ====================================================================================

def js_type_checks(spec: KernelSpec, type_ref: TypeRef, value: str, fn: str, label: str) -> list[str]:
    """Facade statements checking the JS type of `value` (labelled by the JS expression `label`)."""
    call = _js_check_call(type_ref.required, value, fn, label)
    if call is None:
        return []
    if type_ref.optional:
        return [f"if ({value} !== undefined && {value} !== null) {call}"]
    return [call]


def _js_check_call(type_ref: TypeRef, value: str, fn: str, label: str) -> str | None:
    """Typed arrays (and tensors' data) are checked when the facade's heap takes them (`heap.need`)."""
    if type_ref.kind == "scalar":
        return f"check.{type_ref.base}({value}, '{fn}', {label});"
    if type_ref.kind == "tensor":
        return f"check.tensor({len(type_ref.shape)}, {value}, '{fn}', {label});"
    if type_ref.kind in ("struct", "enum"):
        return f"check{type_ref.base}({value}, '{fn}', {label});"
    return None  # class instances are checked when their handle is taken

