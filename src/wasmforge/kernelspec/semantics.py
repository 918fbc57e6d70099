"""Pass two of loading: the meaning of a structurally valid spec.

Builds the model (kernelspec/model.py) and reports, through the Loader, every
problem it finds: bad identifiers, unknown types and references, constraints
on the wrong type, examples that do not fit, features used where they cannot
work (a class inside a batch, a tensor inside a struct…), name collisions.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from . import expr, names
from .load import Loader, suggest
from .model import (
    Arg, Class, Enum, ErrorField, ErrorKind, Example, Function, KernelSpec, Namespace, Progress, Property, Stream,
    Struct, StructView, builtin_errors,
)
from .schema import SPEC_VERSION
from .types import (
    TypeParseError, TypeRef, all_type_names, check_array_value, check_scalar_value, toml_kind,
)

# Spellings people reach for, mapped to ours.
TYPE_ALIASES = {
    "float": "f32", "float32": "f32", "double": "f64", "float64": "f64", "number": "f64",
    "int": "i32", "int32": "i32", "uint": "u32", "uint32": "u32", "usize": "u32", "isize": "i32",
    "int64": "i64", "uint64": "u64", "bigint": "i64", "boolean": "bool", "str": "string",
    "String": "string", "&str": "string", "Float32Array": "f32[]", "Float64Array": "f64[]",
    "Int32Array": "i32[]", "Uint32Array": "u32[]", "Uint8Array": "u8[]", "Vec<f64>": "f64[]",
    "Vec<f32>": "f32[]", "&[f64]": "f64[]", "&[f32]": "f32[]", "bytes": "u8[]",
}
RESERVED_MEMBERS = frozenset({"dispose", "constructor", "free", "toString", "valueOf"})


def build_spec(loader: Loader, data: dict[str, Any]) -> KernelSpec | None:
    return _Builder(loader, data).build()


class _Builder:
    def __init__(self, loader: Loader, data: dict[str, Any]) -> None:
        self.loader = loader
        self.data = data
        self.named: dict[str, str] = {}  # struct/enum/class name -> kind
        self.untyped: set[int] = set()  # ids of stand-ins for unparsable types (no follow-on errors)
        self.structs: dict[str, Struct] = {}
        self.enums: dict[str, Enum] = {}
        self.class_ctors: dict[str, Function] = {}
        self.errors: tuple[ErrorKind, ...] = ()

    def problem(self, path: str, message: str, fix: str | None = None) -> None:
        self.loader.problem(path, message, fix)

    # --- the whole spec ------------------------------------------------------------

    def build(self) -> KernelSpec | None:
        data = self.data
        version = data.get("spec_version", SPEC_VERSION)
        if version != SPEC_VERSION:
            self.problem("spec_version", f"this wasmforge reads spec version {SPEC_VERSION}, not {version}",
                         f"set spec_version = {SPEC_VERSION}")
        package = self.loader.build_package(data["package"])
        build = self.loader.build_options(data.get("build", {}))
        npm = self.loader.build_npm(data.get("npm", {}), package.name)
        if npm.workers and "bundler" in build.targets and "no-modules" not in build.targets:
            # The bundler entry's workers run the no-modules script (pipeline/assemble.py).
            self.problem("npm.workers", "workers from the bundler entry are started from the no-modules script, "
                         "and the spec does not build that target", 'add "no-modules" to build.targets')
        if build.threads_feature is not None and not npm.workers:
            # Threads run in the workers only: a browser's main thread may not wait on shared memory.
            self.problem("build.threads_feature", "the threaded module runs in the workers of init({ workers, "
                         "threads }), and the spec has none", "set workers = true in [npm]")
        self.register_names()
        self.errors = builtin_errors() + self.build_errors(data.get("error", []), npm.error_base)
        enums = [self.build_enum(item, f"enum[{i}]") for i, item in enumerate(data.get("enum", []))]
        self.enums = {e.name: e for e in enums}
        structs = [self.build_struct(item, f"struct[{i}]") for i, item in enumerate(data.get("struct", []))]
        self.structs = {s.name: s for s in structs}
        self.check_struct_cycles()
        self.declare_constructors()
        functions = self.build_functions(data.get("function", []))
        classes = [self.build_class(item, f"class[{i}]") for i, item in enumerate(data.get("class", []))]
        if not functions and not classes:
            self.problem("function", "the spec declares no functions and no classes",
                         "add a [[function]] or a [[class]]")
        crate_dir, crate_package = self.loader.build_crate(data["package"])
        error_type = data["package"].get("error_type", "KernelError")
        if not names.PASCAL.match(error_type):
            self.problem("package.error_type", f"`{error_type}` is not a Rust type name", "use PascalCase")
        namespace = self.build_namespace(data.get("namespace"), classes)
        self.check_package_names(functions, classes, enums, structs)
        self.check_borrowed_results(functions, classes)
        if self.loader.problems:
            return None
        return KernelSpec(self.loader.file, package, build, npm, self.errors, tuple(functions), crate_dir,
                          crate_package, error_type, tuple(structs), tuple(enums), tuple(classes), namespace)

    def build_namespace(self, item: dict[str, Any] | None, classes: list[Class]) -> Namespace | None:
        """`[namespace]`, and the classes' `create` factories that live on it."""
        factories = [(i, c.create_name) for i, c in enumerate(classes) if c.create_name]
        if item is None:
            for i, _ in factories:
                self.problem(f"class[{i}].create", "a `create` factory lives on the namespace object, and the "
                             "spec has none", "add a [namespace] table (name, class, doc)")
            return None
        namespace = Namespace(item["name"], item["class"], item["doc"], item.get("memory_usage"))
        members = [("init", "namespace"), *((name, f"class[{i}].create") for i, name in factories)]
        if namespace.memory_usage:
            members.append((namespace.memory_usage, "namespace.memory_usage"))
        member_names = [name for name, _ in members]
        for name, path in [*members[1:], (namespace.name, "namespace.name")]:
            if not names.CAMEL.match(name):
                self.problem(path, f"`{name}` is not a camelCase name", f"e.g. `{_camel(name) or name.lower()}`")
            elif member_names.count(name) > 1:
                self.problem(path, f"`{name}` names two members of the namespace object", "rename one of them")
        if not names.PASCAL.match(namespace.class_name):
            self.problem("namespace.class", f"`{namespace.class_name}` is not a PascalCase name",
                         f"e.g. `{names.pascal_case(namespace.class_name)}`")
        return namespace

    def register_names(self) -> None:
        """Struct, enum and class names first: types may refer to any of them."""
        for kind in ("struct", "enum", "class"):
            for index, item in enumerate(self.data.get(kind, [])):
                name, path = item["name"], f"{kind}[{index}].name"
                if not names.PASCAL.match(name):
                    self.problem(path, f"`{name}` is not a PascalCase name", f"e.g. `{names.pascal_case(name)}`")
                elif name in self.named:
                    self.problem(path, f"`{name}` is already a {self.named[name]}", "rename one of them")
                elif name in names.SCALAR_NAMES or name in names.GENERATED_CLASSES:
                    self.problem(path, f"`{name}` is a built-in type name", "rename it")
                self.named.setdefault(name, kind)

    def check_package_names(self, functions: list[Function], classes: list[Class], enums: list[Enum],
                            structs: list[Struct]) -> None:
        """Everything exported at package level must have a distinct name."""
        seen: dict[str, str] = {e.name: "an error class" for e in self.errors}
        seen[self.data.get("npm", {}).get("error_base", "")] = "the error base class"
        exported = [(f.name, f"function[{i}].name", "a function") for i, f in enumerate(functions)]
        for i, f in enumerate(functions):
            exported += [(n, f"function[{i}]", "a variant") for n in (f.async_name, f.batch_name) if n]
        for i, c in enumerate(classes):
            exported.append((c.name, f"class[{i}].name", "a class"))
            exported += [(alias, f"class[{i}].aliases", "a class alias") for alias in c.aliases]
            exported += [(n, f"class[{i}]", "a class factory") for n in (c.init_name, c.singleton_name) if n]
        namespace = self.data.get("namespace")
        if namespace:
            exported += [(namespace["name"], "namespace.name", "the namespace object"),
                         (namespace["class"], "namespace.class", "the namespace class")]
        exported += [(e.name, "enum", "an enum") for e in enums]
        exported += [(s.name, "struct", "a struct") for s in structs]
        exported += [(s.view.name, f"struct[{i}].view.name", "a view") for i, s in enumerate(structs) if s.view]
        for name, path, what in exported:
            if name in seen and seen[name] != what or name in names.GENERATED_CLASSES or name == "features":
                self.problem(path, f"`{name}` is exported twice (as {what} and as {seen.get(name, 'a helper')})",
                             "rename one of them")
            seen[name] = what

    def check_borrowed_results(self, functions: list[Function], classes: list[Class]) -> None:
        """A struct that borrows its arrays can only travel into the kernel."""
        produced: list[tuple[TypeRef | None, str]] = [(f.returns, f"function[{i}].returns")
                                                      for i, f in enumerate(functions)]
        for i, klass in enumerate(classes):
            for j, method in enumerate(klass.methods):
                produced.append((method.returns, f"class[{i}].method[{j}].returns"))
                if method.stream:
                    produced += [(method.stream.item, f"class[{i}].method[{j}].stream.item"),
                                 (method.stream.result, f"class[{i}].method[{j}].stream.result")]
            produced += [(p.arg.type, f"class[{i}].property[{j}].type") for j, p in enumerate(klass.properties)]
        for type_ref, path in produced:
            borrowed = self._borrowed_inside(type_ref.base, set()) if type_ref and type_ref.kind == "struct" else None
            if borrowed:
                self.problem(path, f"{borrowed} borrows its data (borrow = true), so it cannot be a result",
                             f"set borrow = false on {borrowed}, or return another struct")

    def _borrowed_inside(self, name: str, seen: set[str]) -> str | None:
        struct = self.structs.get(name)
        if struct is None or name in seen:
            return None
        if struct.borrow:
            return name
        for field in struct.fields:
            if field.type.kind == "struct":
                found = self._borrowed_inside(field.type.base, seen | {name})
                if found:
                    return found
        return None

    # --- types ------------------------------------------------------------------------

    def parse_type(self, text: str, path: str, *, allow_void: bool = False) -> TypeRef | None:
        try:
            return TypeRef.parse(text, self.named, allow_void=allow_void)
        except TypeParseError as exc:
            options = all_type_names() + list(self.named) + (["void"] if allow_void else [])
            alias = TYPE_ALIASES.get(text.rstrip("?"))
            fix = f"did you mean `{alias}{'?' if text.endswith('?') else ''}`?" if alias else suggest(text, options)
            self.problem(path, str(exc), fix or f"types are scalars ({', '.join(all_type_names()[:8])}), "
                                               "typed arrays like f64[], tensors like f32[batch, dim], and the "
                                               "spec's structs, enums and classes; add ? for optional")
            return None

    def stand_in(self, text: str) -> TypeRef:
        """A type for an unparsable type string that triggers no further checks."""
        placeholder = TypeRef("scalar", "f64", text.strip().endswith("?"))
        self.untyped.add(id(placeholder))
        return placeholder

    def is_untyped(self, type_ref: TypeRef) -> bool:
        return id(type_ref) in self.untyped

    # --- errors -------------------------------------------------------------------------

    def build_errors(self, raw: list[dict[str, Any]], error_base: str) -> tuple[ErrorKind, ...]:
        taken = {e.name for e in builtin_errors()} | {error_base}
        codes = {e.code for e in builtin_errors()}
        kinds = []
        for index, item in enumerate(raw):
            path = f"error[{index}]"
            kind = self.build_error(item, path)
            if kind.name in taken:
                self.problem(f"{path}.name", f"error name `{kind.name}` is already used",
                             "built-in errors are InvalidArgument, NotInitialized, Disposed, InternalError; "
                             "pick another name")
            if kind.code in codes:
                self.problem(f"{path}.code", f"error code `{kind.code}` is already used", "pick a unique code")
            taken.add(kind.name)
            codes.add(kind.code)
            kinds.append(kind)
        return tuple(kinds)

    def build_error(self, item: dict[str, Any], path: str) -> ErrorKind:
        name = item["name"]
        if not names.PASCAL.match(name):
            self.problem(f"{path}.name", f"`{name}` is not a PascalCase name", "e.g. DimensionMismatch")
        code = item.get("code", names.screaming_case(name))
        if not names.SCREAMING.match(code):
            self.problem(f"{path}.code", f"`{code}` is not SCREAMING_CASE", "e.g. DIMENSION_MISMATCH")
        fields = []
        declared = item.get("fields", {})
        positional = isinstance(declared, list)
        entries = [(str(index), f"{path}.fields[{index}]", text) for index, text in enumerate(declared)] \
            if positional else [(key, f"{path}.fields.{key}", text) for key, text in declared.items()]
        for field_name, field_path, type_text in entries:
            if not positional and (not names.CAMEL.match(field_name)
                                   or names.snake_case(field_name) in names.RUST_KEYWORDS):
                self.problem(field_path, f"`{field_name}` is not a usable field name", "use camelCase, not a keyword")
            type_ref = self.parse_type(type_text, field_path)
            if type_ref and (not type_ref.is_scalar or type_ref.optional):
                self.problem(field_path, "error fields must be scalar types",
                             "use bool, i32, u32, f32, f64, i64, u64 or string")
            fields.append(ErrorField(field_name, type_ref or TypeRef("scalar", "string")))
        return ErrorKind(name, code, item["doc"], tuple(fields), positional=positional and bool(fields))

    # --- enums and structs ----------------------------------------------------------------

    def build_enum(self, item: dict[str, Any], path: str) -> Enum:
        values = tuple(item["values"])
        if not values:
            self.problem(f"{path}.values", "an enum needs at least one value", 'e.g. values = ["causal", "none"]')
        variants: dict[str, str] = {}
        for index, value in enumerate(values):
            variant = names.pascal_case(value)
            if not names.PASCAL.match(variant or "_"):
                self.problem(f"{path}.values[{index}]", f"`{value}` does not make a Rust variant name",
                             "use letters, digits, '-' or '_', starting with a letter")
            elif variant in variants:
                self.problem(f"{path}.values[{index}]",
                             f"`{value}` and `{variants[variant]}` both become the variant {variant}", "rename one")
            variants.setdefault(variant, value)
        return Enum(item["name"], item["doc"], item.get("rust", item["name"]), values)

    def build_struct(self, item: dict[str, Any], path: str) -> Struct:
        raw_fields = item.get("fields", [])
        clock = tuple(f["name"] for f in raw_fields if f.get("js_clock"))
        for index, raw in enumerate(raw_fields):
            if raw.get("js_clock") and raw.get("type") != "f64":
                self.problem(f"{path}.fields[{index}].type", "a js_clock field holds Date.now(): its type is f64",
                             'set type = "f64"')
        fields = self.build_args([{k: v for k, v in f.items() if k != "js_clock"} for f in raw_fields], path,
                                 what="field", list_key="fields")
        for index, field in enumerate(fields):
            if field.type.kind in ("tensor", "class"):
                self.problem(f"{path}.fields[{index}].type", f"a struct field cannot be a {field.type.kind}",
                             "pass tensors and class instances as arguments")
        if not fields:
            self.problem(f"{path}.fields", "a struct needs at least one field", "add [[struct.fields]]")
        view = self.build_view(item["view"], f"{path}.view", item["name"], fields) if "view" in item else None
        return Struct(item["name"], item["doc"], item.get("rust", item["name"]), fields, clock,
                      item.get("borrow", False), view)

    def build_view(self, raw: dict[str, Any], path: str, struct: str, fields: tuple[Arg, ...]) -> StructView:
        """`[struct.view]`: every field a required integer or a typed array, every array with a length."""
        name = raw["name"]
        if not names.PASCAL.match(name):
            self.problem(f"{path}.name", f"`{name}` is not a PascalCase name", f"e.g. `{names.pascal_case(name)}`")
        elif name in self.named or name in names.GENERATED_CLASSES:
            self.problem(f"{path}.name", f"`{name}` is already a type name", "rename the view")
        for index, field in enumerate(fields):
            if not (field.type.array or field.type.is_integer) or field.type.optional:
                self.problem(f"{path}", f"field `{field.name}` ({field.type}) cannot live in a view: views hold "
                             "typed arrays and required integers", f"drop [struct.view] from {struct}, or change "
                             f"fields[{index}]")
        scalars = [f.name for f in fields if not f.type.array]
        arrays = {f.name: f for f in fields if f.type.array}
        declared = dict(raw.get("lengths", {}))
        lengths: list[tuple[str, expr.Expr]] = []
        extra: list[str] = []
        for field_name, field in arrays.items():
            if field.length is not None:
                if field_name in declared:
                    self.problem(f"{path}.lengths.{field_name}", f"`{field_name}` already has length = "
                                 f"\"{field.length_text}\"", "remove it from lengths")
                lengths.append((field_name, field.length))
                continue
            if field_name not in declared:
                self.problem(f"{path}.lengths", f"the view cannot size `{field_name}`: it has no length",
                             f'add lengths = {{ {field_name} = "…" }}, e.g. "nnz"')
                continue
            parsed = self.parse_length(declared[field_name], f"{path}.lengths.{field_name}")
            if parsed is None:
                continue
            for variable in expr.variables(parsed):
                if variable in arrays or (variable not in scalars and not names.CAMEL.match(variable)):
                    self.problem(f"{path}.lengths.{field_name}", f"`{variable}` cannot be a length",
                                 "use integer fields of the struct or a new camelCase name")
                elif variable not in scalars and variable not in extra:
                    extra.append(variable)
            lengths.append((field_name, parsed))
        for field_name in declared:
            if field_name not in arrays:
                self.problem(f"{path}.lengths.{field_name}", f"`{field_name}` is not a typed-array field of {struct}",
                             suggest(field_name, list(arrays)) or "remove it")
        if not arrays:
            self.problem(path, f"{struct} has no typed-array field to keep resident", "remove [struct.view]")
        doc = raw.get("doc") or (f"A {struct} whose arrays live in the module's memory: fill them through "
                                 "their views and pass it wherever a " + struct + " is taken, with no copy.")
        return StructView(name, doc, (*scalars, *extra), tuple(lengths))
    def _has_clock(self, name: str, seen: set[str]) -> bool:
        struct = self.structs.get(name)
        if struct is None or name in seen:
            return False
        return bool(struct.clock_fields) or any(
            f.type.kind == "struct" and self._has_clock(f.type.base, seen | {name}) for f in struct.fields)

    def check_struct_cycles(self) -> None:
        def reaches(start: str, current: str, seen: set[str]) -> bool:
            for field in self.structs[current].fields:
                if field.type.kind != "struct" or field.type.base not in self.structs:
                    continue
                if field.type.base == start or (field.type.base not in seen and
                                                reaches(start, field.type.base, seen | {field.type.base})):
                    return True
            return False

        for index, name in enumerate(self.structs):
            if reaches(name, name, {name}):
                self.problem(f"struct[{index}]", f"struct `{name}` contains itself", "break the cycle")

    # --- argument lists ----------------------------------------------------------------------

    def build_args(self, raw: list[dict[str, Any]], owner_path: str, *, what: str = "argument",
                   list_key: str = "args") -> tuple[Arg, ...]:
        args: list[Arg] = []
        seen_optional = False
        for index, item in enumerate(raw):
            path = f"{owner_path}.{list_key}[{index}]"
            arg = self.build_arg(item, path, what)
            if any(a.name == arg.name for a in args):
                self.problem(f"{path}.name", f"duplicate {what} `{arg.name}`", "rename one of them")
            if what == "argument":
                if arg.type.optional:
                    seen_optional = True
                elif seen_optional:
                    self.problem(path, f"required argument `{arg.name}` follows an optional one",
                                 "move optional and defaulted arguments to the end")
            args.append(arg)
        for index, arg in enumerate(args):
            if arg.length is not None:
                self.check_length_refs(arg, args, f"{owner_path}.{list_key}[{index}].length", what)
        return tuple(args)

    def build_arg(self, item: dict[str, Any], path: str, what: str) -> Arg:
        name = item["name"]
        self.check_identifier(name, f"{path}.name", what)
        parsed = self.parse_type(item["type"], f"{path}.type")
        type_ref = parsed or self.stand_in(item["type"])
        default = item.get("default")
        if default is not None and parsed is not None:
            if not (parsed.is_scalar or parsed.array or parsed.kind == "enum"):
                self.problem(f"{path}.default", f"a {parsed.kind} cannot have a default", "remove default")
            else:
                problem = self.value_problem(parsed.required, default)
                if problem:
                    self.problem(f"{path}.default", f"default does not fit {parsed}: {problem}",
                                 "fix the default value")
            type_ref = TypeRef(type_ref.kind, type_ref.base, True, type_ref.shape)
            self.untyped.discard(id(parsed))
        if parsed is not None:
            self.check_constraints(item, type_ref, path)
        if parsed is not None and parsed.kind == "struct" and parsed.optional and parsed.base in self.structs:
            if not self.structs[parsed.base].all_optional:
                self.problem(f"{path}.type", f"an optional {parsed.base} needs every field optional or defaulted",
                             "make the argument required, or give the fields defaults")
        length = self.parse_length(item.get("length"), f"{path}.length")
        return Arg(name, type_ref, item["doc"], default, item.get("min"), item.get("max"), length,
                   item.get("min_length"), item.get("finite", False), item.get("gt"), item.get("lt"))

    def check_identifier(self, name: str, path: str, what: str) -> None:
        if not names.CAMEL.match(name):
            fix = f"use camelCase, e.g. `{_camel(name)}`" if _camel(name) else "use camelCase"
            self.problem(path, f"`{name}` is not a valid {what} name", fix)
        elif name in names.JS_RESERVED or name in names.GENERATED_NAMES:
            self.problem(path, f"`{name}` is reserved in JavaScript or by the generated package",
                         f"rename it, e.g. `{name}Value`")
        elif names.snake_case(name) in names.RUST_KEYWORDS:
            self.problem(path, f"`{name}` becomes the Rust keyword `{names.snake_case(name)}`",
                         f"rename it, e.g. `{name}Value`")

    def check_constraints(self, item: dict[str, Any], type_ref: TypeRef, path: str) -> None:
        for key in ("min", "max", "gt", "lt"):
            if key in item and not type_ref.is_numeric_scalar:
                self.problem(f"{path}.{key}", f"`{key}` applies to numeric scalars, not {type_ref}",
                             "use min_length for typed arrays" if type_ref.array else f"remove {key}")
        if "min" in item and "max" in item and item["min"] > item["max"]:
            self.problem(f"{path}.min", f"min ({item['min']}) is greater than max ({item['max']})", "swap them")
        for low, high in (("gt", "lt"), ("gt", "max"), ("min", "lt")):
            if low in item and high in item and item[low] >= item[high]:
                self.problem(f"{path}.{low}", f"no value is above {low} = {item[low]} and below {high} = "
                             f"{item[high]}", "widen the bounds")
        for key in ("length", "min_length"):
            if key in item and not type_ref.array:
                fix = "a tensor's shape already fixes its length" if type_ref.is_tensor else f"remove {key}"
                self.problem(f"{path}.{key}", f"`{key}` applies to typed arrays, not {type_ref}", fix)
        if item.get("finite") and type_ref.base not in ("f32", "f64"):
            self.problem(f"{path}.finite", f"`finite` applies to float types, not {type_ref}", "remove finite")
        if item.get("min_length", 0) < 0:
            self.problem(f"{path}.min_length", "min_length cannot be negative", "use 0 or more")

    def parse_length(self, value: int | str | None, path: str) -> expr.Expr | None:
        if value is None:
            return None
        if isinstance(value, int):
            if value < 0:
                self.problem(path, "length cannot be negative", "use 0 or more")
            return expr.Num(value)
        try:
            return expr.parse(value)
        except expr.ExprError as exc:
            self.problem(path, f"bad length expression: {exc}", 'e.g. length = "rows * cols"')
            return None

    def check_length_refs(self, arg: Arg, args: list[Arg], path: str, what: str) -> None:
        """Names in a length: required integers of the same owner, or `len(x)` of another
        required typed array (for a struct field, one declared before it)."""
        integers = [a.name for a in args if a.type.is_integer and not a.kernel_type.optional]
        position = args.index(arg)
        arrays = [a.name for index, a in enumerate(args) if a.type.array and not a.kernel_type.optional
                  and a.name != arg.name and (what != "field" or index < position)]
        assert arg.length is not None
        for name in expr.variables(arg.length):
            target = expr.length_of(name)
            if target is not None:
                if target not in arrays:
                    earlier = " declared before it" if what == "field" else ""
                    self.problem(path, f"`{name}` in the length of `{arg.name}` does not name another required "
                                 f"typed-array {what}{earlier}",
                                 suggest(target, arrays) or f"e.g. `len(x)` for a typed-array {what} `x`")
            elif name not in integers:
                self.problem(path, f"`{name}` in the length of `{arg.name}` is not a required integer {what}",
                             suggest(name, integers) or f"refer to u32/i32 {what}s of the same owner, or `len(x)`")

    # --- callables: functions, methods, constructors ------------------------------------------

    def build_functions(self, raw: list[dict[str, Any]]) -> list[Function]:
        seen: dict[str, int] = {}
        functions = []
        for index, item in enumerate(raw):
            path = f"function[{index}]"
            name = item["name"]
            if name in seen:
                self.problem(f"{path}.name", f"duplicate function `{name}` (also function[{seen[name]}])",
                             "rename one of them")
            seen.setdefault(name, index)
            functions.append(self.build_callable(item, path, owner=None))
        return functions

    def build_callable(self, item: dict[str, Any], path: str, owner: str | None,
                       *, name: str | None = None, returns: str | None = None) -> Function:
        name = name or item["name"]
        if returns is None:
            self.check_identifier(name, f"{path}.name", "method" if owner else "function")
        rust_path = item.get("rust", names.snake_case(name) if returns is None else "new")
        if not all(part.isidentifier() and part not in names.RUST_KEYWORDS for part in rust_path.split("::")):
            self.problem(f"{path}.rust", f"`{rust_path}` is not a Rust path", "e.g. cg::solve_dense")
        result = self.build_returns(item, path, returns)
        self.check_error_refs(item.get("errors", []), path)
        args = self.build_args(item.get("args", []), path)
        self.check_arg_kinds(args, path)
        self.check_tensor_dims(args, result, path)
        stream = self.build_stream(item["stream"], f"{path}.stream", owner) if "stream" in item else None
        function = Function(name, rust_path, item["doc"], args, result, tuple(item.get("errors", [])), (),
                            item.get("async"), item.get("batch"), stream, item.get("infallible", False),
                            item.get("into"), self.parse_length(item.get("returns_length"), f"{path}.returns_length"))
        function = dataclasses.replace(function, positional=self.build_positional(item, function, path),
                                       mutates=bool(item.get("mutates", False)),
                                       aliases=self.member_aliases(item, path))
        self.check_output_options(function, item, path)
        if function.infallible and (function.errors or stream):
            self.problem(f"{path}.infallible", "an infallible function raises no kernel errors and returns no stream",
                         "remove `errors`/`stream`, or `infallible`")
        self.check_variants(function, path)
        examples = tuple(self.build_example(ex, f"{path}.example[{i}]", function, owner)
                         for i, ex in enumerate(item.get("example", [])))
        return dataclasses.replace(function, examples=examples)

    def build_positional(self, item: dict[str, Any], function: Function, path: str) -> tuple[str, ...]:
        """`positional_shape` / `positional_shapes`: the flat-array call form (seed 001's signatures)."""
        shape, each = item.get("positional_shape"), item.get("positional_shapes", False)
        if shape is None and not each:
            return ()
        key = f"{path}.positional_shape" if shape is not None else f"{path}.positional_shapes"
        if shape is not None and each:
            self.problem(key, "`positional_shape` and `positional_shapes` describe two different call forms",
                         "keep one of them")
            return ()
        if not function.leading_tensors:
            self.problem(key, "the flat-array call form needs leading tensor arguments", "remove the key, or put "
                         "the required tensor arguments first")
            return ()
        if each:
            return ("*",)
        # An entry may stand for several dimensions of one size: "seqQ=seqK" (seed 001's [batch, seq, dim]).
        listed = {name for entry in shape for name in entry.split("=")}
        dimensions = {d for arg in function.args if arg.type.is_tensor for d in arg.type.shape if not d.isdigit()}
        unknown = sorted(listed - dimensions)
        if unknown:
            self.problem(key, f"{', '.join(unknown)} {'is not a dimension' if len(unknown) == 1 else 'are not dimensions'}"
                         " of the tensor arguments", f"use their names: {sorted(dimensions)}")
        missing = list(dict.fromkeys(d for arg in function.args if arg.type.is_tensor for d in arg.type.shape
                                     if not d.isdigit() and d not in listed))
        if missing:
            self.problem(key, f"the tensor arguments have dimensions ({', '.join(missing)}) the shape array does "
                         "not hold", f"add them: {[*shape, *missing]}")
        return tuple(shape)

    def build_returns(self, item: dict[str, Any], path: str, fixed: str | None) -> TypeRef:
        if fixed is not None:
            return TypeRef("class", fixed)
        returns = self.parse_type(item.get("returns", "void"), f"{path}.returns", allow_void=True)
        if returns is None:
            return self.stand_in("void")
        if returns.kind == "class":
            self.problem(f"{path}.returns", "functions cannot return class instances (yet)",
                         "return a struct, or construct the class in JavaScript")
        return returns

    def check_output_options(self, function: Function, item: dict[str, Any], path: str) -> None:
        """`returns_length` and `into` describe a typed-array (or tensor) result, which then takes `{ out }`."""
        if self.is_untyped(function.returns):
            return
        if "returns_length" in item:
            if not function.returns.array:
                self.problem(f"{path}.returns_length", f"returns_length applies to typed-array results, not "
                             f"{function.returns}", "a tensor's shape already fixes its length"
                             if function.returns.is_tensor else "remove returns_length")
            elif function.returns_length is not None:
                integers = [a.name for a in function.args if a.type.is_integer and not a.kernel_type.optional]
                integers += [f"{a.name}.{f.name}" for a in function.args
                             if a.type.kind == "struct" and not a.type.optional and a.type.base in self.structs
                             for f in self.structs[a.type.base].fields if f.type.is_integer and not f.type.optional]
                integers += [d for a in function.args if a.type.is_tensor and not a.type.optional
                             for d in a.type.shape if not d.isdigit()]
                for variable in expr.variables(function.returns_length):
                    if variable not in integers:
                        self.problem(f"{path}.returns_length", f"`{variable}` is not a required integer argument, "
                                     "integer field of a struct argument or dimension of a tensor argument",
                                     suggest(variable, integers) or "refer to u32/i32 arguments, e.g. `rows` or "
                                     "`matrix.rows`")
        if "into" in item:
            rust_path = item["into"]
            if not all(part.isidentifier() and part not in names.RUST_KEYWORDS for part in rust_path.split("::")):
                self.problem(f"{path}.into", f"`{rust_path}` is not a Rust path", "e.g. solve_into")
            if not function.returns_array:
                self.problem(f"{path}.into", f"`into` needs a typed-array or tensor result, not {function.returns}",
                             "remove into")
            elif function.returns.array and "returns_length" not in item:
                self.problem(f"{path}.into", "an `into` variant needs the result's length up front",
                             'add returns_length = "…" (an expression over integer arguments)')
            if function.stream:
                self.problem(f"{path}.into", "a stream has no `{ out }`", "remove into")
        if function.returns_array and not function.stream:
            for index, arg in enumerate(function.args):
                if arg.name == "options" or arg.rust_name in names.OUT_PARAMS:
                    self.problem(f"{path}.args[{index}].name", f"`{arg.name}` is reserved: array results take "
                                 "`{ out }` in a final `options` argument", f"rename it, e.g. `{arg.name}Value`")

    def check_error_refs(self, error_names: list[str], path: str) -> None:
        known = [e.name for e in self.errors]
        for index, error_name in enumerate(error_names):
            if error_name not in known:
                self.problem(f"{path}.errors[{index}]", f"unknown error `{error_name}`",
                             suggest(error_name, known) or "declare it with [[error]]")

    def check_arg_kinds(self, args: tuple[Arg, ...], path: str) -> None:
        for index, arg in enumerate(args):
            if arg.type.kind == "struct" and self._has_clock(arg.type.base, set()):
                self.problem(f"{path}.args[{index}].type",
                             f"{arg.type.base} has a js_clock field, so it can only be a result", "use another struct")
            if arg.type.kind == "class" and arg.type.optional:
                self.problem(f"{path}.args[{index}].type", "class instances cannot be optional arguments",
                             "make it required")

    def check_tensor_dims(self, args: tuple[Arg, ...], result: TypeRef, path: str) -> None:
        bound = {d for a in args if a.type.is_tensor and not a.type.optional for d in a.type.shape}
        for arg_index, arg in enumerate(args):
            if arg.type.is_tensor and arg.type.optional:
                loose = [d for d in arg.type.shape if not d.isdigit() and d not in bound]
                if loose:
                    self.problem(f"{path}.args[{arg_index}].type",
                                 f"dimension `{loose[0]}` of optional `{arg.name}` appears in no required tensor",
                                 "name dimensions that required tensors fix")
        if result.is_tensor:
            loose = [d for d in result.shape if not d.isdigit() and d not in bound]
            if loose:
                self.problem(f"{path}.returns", f"the result's dimension `{loose[0]}` appears in no tensor argument",
                             "the result's shape is computed from the arguments' shapes")

    def check_variants(self, function: Function, path: str) -> None:
        for key, variant in (("async", function.async_name), ("batch", function.batch_name)):
            if variant is None:
                continue
            self.check_identifier(variant, f"{path}.{key}", f"{key} variant")
            if variant == function.name:
                self.problem(f"{path}.{key}", f"the {key} variant needs its own name", f"e.g. `{function.name}{key.title()}`")
        if function.batch_name:
            for index, arg in enumerate(function.args):
                if not (_batchable(arg.type, self.structs) or arg.type.is_tensor):
                    self.problem(f"{path}.args[{index}].type",
                                 f"`{arg.name}` ({arg.type}) cannot be packed into a batch",
                                 "batch arguments are numbers, booleans, typed arrays, tensors and structs of those")
            if function.returns.is_tensor:
                self.problem(f"{path}.returns", "a batch variant cannot return tensors (each item has its own shape)",
                             "return a typed array, or drop the batch variant")
        if function.stream and (function.batch_name or function.async_name):
            self.problem(path, "a stream method is already asynchronous", "remove async/batch")

    # --- streams -------------------------------------------------------------------------------

    def build_stream(self, raw: dict[str, Any], path: str, owner: str | None) -> Stream | None:
        if owner is None:
            self.problem(path, "streams are methods of a [[class]]", "move the function into a class")
        item = self.parse_type(raw["item"], f"{path}.item")
        if item is not None and item.kind != "struct":
            self.problem(f"{path}.item", f"a stream yields structs, not {item}", "declare the step as a [[struct]]")
        result = self.parse_type(raw["result"], f"{path}.result") if "result" in raw else None
        if result is not None and result.kind in ("class", "tensor"):
            self.problem(f"{path}.result", f"a stream result cannot be a {result.kind}", "use an array or a struct")
        progress = None
        if "progress" in raw and item is not None and item.base in self.structs:
            progress = self.build_progress(raw["progress"], f"{path}.progress", self.structs[item.base])
        return Stream(raw["rust"], item or self.stand_in("f64"), result, raw.get("result_rust", "result"),
                      progress, raw.get("events"))

    def build_progress(self, raw: dict[str, Any], path: str, item: Struct) -> Progress:
        numeric = [f.name for f in item.fields if f.type.is_numeric_scalar and not f.type.optional]
        for key in ("iteration", "measure"):
            if raw[key] not in numeric:
                self.problem(f"{path}.{key}", f"`{raw[key]}` is not a numeric field of {item.name}",
                             suggest(raw[key], numeric) or f"numeric fields: {', '.join(numeric)}")
        return Progress(raw["iteration"], raw["measure"], raw["target"], raw["limit"])

    # --- classes -----------------------------------------------------------------------------------

    def declare_constructors(self) -> None:
        """Constructor argument lists first: examples may build instances of any class.
        Problems in them are reported once, when the class itself is built."""
        reported = len(self.loader.problems)
        for index, item in enumerate(self.data.get("class", [])):
            path = f"class[{index}].constructor"
            raw = item.get("constructor", {"doc": f"Create a {item['name']}."})
            self.class_ctors[item["name"]] = Function(
                "constructor", raw.get("rust", "new"), raw.get("doc", ""),
                self.build_args(raw.get("args", []), path), TypeRef("class", item["name"]),
                tuple(raw.get("errors", [])), ())
        del self.loader.problems[reported:]

    def build_class(self, item: dict[str, Any], path: str) -> Class:
        name = item["name"]
        raw_ctor = item.get("constructor", {"doc": f"Create a {name}."})
        constructor = self.build_callable({**raw_ctor, "name": "constructor"}, f"{path}.constructor", name,
                                          name="constructor", returns=name)
        properties = tuple(self.build_property(p, f"{path}.property[{i}]")
                           for i, p in enumerate(item.get("property", [])))
        methods = tuple(self.build_callable(m, f"{path}.method[{i}]", name)
                        for i, m in enumerate(item.get("method", [])))
        klass = Class(name, item["doc"], item.get("rust", name), constructor, properties, methods,
                      item.get("init"), item.get("singleton"), item.get("create"), tuple(item.get("aliases", [])))
        for alias in klass.aliases:
            if not names.PASCAL.match(alias):
                self.problem(f"{path}.aliases", f"`{alias}` is not a PascalCase name", f"e.g. `{names.pascal_case(alias)}`")
        self.check_members(klass, path)
        return klass

    def member_aliases(self, item: dict[str, Any], path: str) -> tuple[str, ...]:
        """`aliases` of a method or property: any JS identifiers (the seeds use snake_case)."""
        aliases = tuple(item.get("aliases", []))
        for alias in aliases:
            if not names.JS_IDENTIFIER.match(alias) or alias in names.JS_RESERVED:
                self.problem(f"{path}.aliases", f"`{alias}` is not a JavaScript identifier", "e.g. `num_parameters`")
        return aliases

    def build_property(self, item: dict[str, Any], path: str) -> Property:
        arg = self.build_arg({k: v for k, v in item.items() if k not in ("readonly", "aliases", "setters")}, path,
                             "property")
        if arg.type.kind in ("class", "tensor"):
            self.problem(f"{path}.type", f"a property cannot be a {arg.type.kind}", "use a method")
        elif arg.type.kind in ("array", "struct") and not item.get("readonly", False):
            self.problem(f"{path}.readonly", f"a writable property takes a scalar, a string or an enum, not "
                         f"{arg.type}", "set readonly = true and add a method that sets it")
        setters = self.member_aliases({"aliases": item.get("setters", [])}, f"{path}.setters")
        if setters and item.get("readonly", False):
            self.problem(f"{path}.setters", "a readonly property has no setter to call", "remove `setters`, or readonly")
        return Property(arg, item.get("readonly", False), self.member_aliases(item, path), setters)

    def check_members(self, klass: Class, path: str) -> None:
        seen: dict[str, str] = {}
        members = [(p.name, f"{path}.property[{i}].name") for i, p in enumerate(klass.properties)]
        members += [(alias, f"{path}.property[{i}].aliases") for i, p in enumerate(klass.properties)
                    for alias in (*p.aliases, *p.setters)]
        for i, method in enumerate(klass.methods):
            members.append((method.name, f"{path}.method[{i}].name"))
            members += [(alias, f"{path}.method[{i}].aliases") for alias in method.aliases]
            members += [(n, f"{path}.method[{i}]") for n in (method.async_name, method.batch_name) if n]
            if method.stream and method.stream.events:
                members.append((method.stream.events, f"{path}.method[{i}].stream.events"))
        for member, member_path in members:
            if member in seen:
                self.problem(member_path, f"`{klass.name}` already has a member `{member}`", "rename one of them")
            elif member in RESERVED_MEMBERS or member in ("addEventListener", "removeEventListener", "dispatchEvent"):
                self.problem(member_path, f"`{member}` is reserved on generated classes", "rename it")
            seen[member] = member_path
        properties = {p.name: p for p in klass.properties}
        for i, method in enumerate(klass.methods):
            progress = method.stream.progress if method.stream else None
            if progress is None:
                continue
            for key in ("target", "limit"):
                prop = properties.get(getattr(progress, key))
                if prop is None or not prop.arg.type.is_numeric_scalar:
                    self.problem(f"{path}.method[{i}].stream.progress.{key}",
                                 f"`{getattr(progress, key)}` is not a numeric property of {klass.name}",
                                 suggest(getattr(progress, key), list(properties)) or "declare it as a [[class.property]]")

    # --- examples -----------------------------------------------------------------------------------

    def build_example(self, item: dict[str, Any], path: str, function: Function, owner: str | None) -> Example:
        values = item.get("args", {})
        self.check_call_values(values, function.args, f"{path}.args", function.name)
        new = item.get("new")
        if owner is not None and function.name != "constructor":
            if new is None:
                self.problem(path, "a method example needs `new`: the constructor arguments of its instance",
                             "add new = { … } (an empty table if the constructor takes none)")
            elif owner in self.class_ctors:
                self.check_call_values(new, self.class_ctors[owner].args, f"{path}.new", owner)
        elif new is not None:
            self.problem(f"{path}.new", "only method examples have `new`", "remove it")
        self.check_example_outcome(item, path, function)
        tolerance = float(item.get("tolerance", 0.0))
        if tolerance < 0 or math.isnan(tolerance):
            self.problem(f"{path}.tolerance", "tolerance must be >= 0", "e.g. tolerance = 1e-9")
        return Example(tuple(values.items()), item.get("expect"), item.get("error"), tolerance, item.get("doc"),
                       tuple(new.items()) if new is not None else None)

    def check_call_values(self, values: dict[str, Any], args: tuple[Arg, ...], path: str, callee: str) -> None:
        by_name = {a.name: a for a in args}
        for name, value in values.items():
            arg = by_name.get(name)
            if arg is None:
                self.problem(f"{path}.{name}", f"`{callee}` has no argument `{name}`",
                             suggest(name, list(by_name)) or "remove it")
                continue
            problem = None if self.is_untyped(arg.type) else self.value_problem(arg.type.required, value)
            if problem:
                self.problem(f"{path}.{name}", problem, f"give a value of type {arg.type}")
        for arg in args:
            if not arg.type.optional and arg.name not in values:
                self.problem(path, f"missing argument `{arg.name}`", f"add {arg.name} = … to the table")

    def check_example_outcome(self, item: dict[str, Any], path: str, function: Function) -> None:
        if self.is_untyped(function.returns):
            return
        if "error" in item:
            if "expect" in item:
                self.problem(path, "an example has either `expect` or `error`, not both", "remove one")
            allowed = [*function.errors, "InvalidArgument"]
            if item["error"] not in allowed:
                self.problem(f"{path}.error", f"`{item['error']}` is not among the errors `{function.name}` raises",
                             suggest(item["error"], allowed) or f"add it to errors = [...] of {function.name}")
            return
        outcome = function.stream.result if function.stream else function.returns
        if outcome is None or outcome.is_void or outcome.kind == "class":
            if "expect" in item:
                self.problem(f"{path}.expect", f"`{function.name}` produces no value to compare", "remove expect")
            return
        if "expect" not in item:
            self.problem(path, "missing `expect` (or `error`)", "add the expected result")
            return
        problem = self.value_problem(outcome.required, item["expect"])
        if problem:
            self.problem(f"{path}.expect", problem, f"give a value of type {outcome}")

    def value_problem(self, type_ref: TypeRef, value: Any) -> str | None:
        """None when a TOML value fits `type_ref` (recursively for structs and tensors)."""
        if type_ref.is_scalar:
            return check_scalar_value(type_ref.base, value)
        if type_ref.array:
            return check_array_value(type_ref.base, value)
        if type_ref.is_tensor:
            return self.tensor_value_problem(type_ref, value)
        if type_ref.kind == "enum":
            enum = self.enums.get(type_ref.base)
            if enum and value not in enum.values:
                return f"expected one of {', '.join(map(repr, enum.values))}, got {value!r}"
            return None
        if not isinstance(value, dict):
            return f"expected a table for {type_ref.base}, got {toml_kind(value)}"
        if type_ref.kind == "struct" and type_ref.base in self.structs:
            return self.table_problem(value, self.structs[type_ref.base].fields, type_ref.base)
        if type_ref.kind == "class" and type_ref.base in self.class_ctors:
            return self.table_problem(value, self.class_ctors[type_ref.base].args, f"new {type_ref.base}")
        return None

    def tensor_value_problem(self, type_ref: TypeRef, value: Any) -> str | None:
        if not isinstance(value, dict) or set(value) != {"data", "shape"}:
            return "expected a table { data = [...], shape = [...] }"
        problem = check_array_value(type_ref.base, value["data"])
        shape = value["shape"]
        if problem:
            return f"data: {problem}"
        if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)):
            return "shape must be an array of non-negative integers"
        if len(shape) != len(type_ref.shape):
            return f"shape {shape} has rank {len(shape)}, but {type_ref} has rank {len(type_ref.shape)}"
        if math.prod(shape) != len(value["data"]):
            return f"data has {len(value['data'])} values, shape {shape} needs {math.prod(shape)}"
        return None

    def table_problem(self, value: dict[str, Any], fields: tuple[Arg, ...], owner: str) -> str | None:
        by_name = {f.name: f for f in fields}
        for key, item in value.items():
            if key not in by_name:
                return f"{owner} has no field `{key}`"
            problem = self.value_problem(by_name[key].type.required, item)
            if problem:
                return f"{key}: {problem}"
        missing = [f.name for f in fields if not f.type.optional and f.name not in value]
        return f"{owner} needs `{missing[0]}`" if missing else None


def _batchable(type_ref: TypeRef, structs: dict[str, Struct]) -> bool:
    if type_ref.is_scalar:
        return type_ref.base != "string"
    if type_ref.array:
        return True
    if type_ref.kind == "struct" and type_ref.base in structs:
        return all(_batchable(f.type, structs) for f in structs[type_ref.base].fields)
    return False


def _camel(name: str) -> str:
    parts = [p for p in name.replace("-", "_").split("_") if p]
    if not parts:
        return ""
    return parts[0][:1].lower() + parts[0][1:] + "".join(p[:1].upper() + p[1:] for p in parts[1:])

