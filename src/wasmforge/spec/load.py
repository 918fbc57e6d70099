"""Read kernel.toml into a KernelSpec, or raise SpecError listing every problem.

Two passes: the structure against the declared schema (spec/schema.py: unknown
keys, kinds, required keys), then the meaning (identifiers, types, references,
constraints, examples). Nothing is written anywhere, whatever the outcome.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from pathlib import Path
from typing import Any

from ..errors import SpecError, SpecProblem, UsageError
from ..settings import TARGETS
from . import expr, names
from .locate import find_line, index_lines
from .model import (
    Arg, BuildOptions, ErrorField, ErrorKind, Example, Function, KernelSpec, NpmOptions, Package,
    builtin_errors,
)
from .schema import ROOT, SPEC_VERSION, Key, Table
from .types import TypeParseError, TypeRef, all_type_names

SPEC_FILE = "kernel.toml"

# Spellings people reach for, mapped to ours.
TYPE_ALIASES = {
    "float": "f32", "float32": "f32", "double": "f64", "float64": "f64", "number": "f64",
    "int": "i32", "int32": "i32", "uint": "u32", "uint32": "u32", "usize": "u32", "isize": "i32",
    "int64": "i64", "uint64": "u64", "bigint": "i64", "boolean": "bool", "str": "string",
    "String": "string", "&str": "string", "Float32Array": "f32[]", "Float64Array": "f64[]",
    "Int32Array": "i32[]", "Uint32Array": "u32[]", "Uint8Array": "u8[]", "Vec<f64>": "f64[]",
    "Vec<f32>": "f32[]", "&[f64]": "f64[]", "&[f32]": "f32[]", "bytes": "u8[]",
}


def spec_path(location: Path) -> Path:
    """kernel.toml itself, or the kernel.toml inside a directory."""
    path = location / SPEC_FILE if location.is_dir() else location
    if not path.is_file():
        raise UsageError(
            f"no kernel spec at {path}",
            hint=f"pass a kernel directory containing {SPEC_FILE} (see docs/spec.md)",
        )
    return path


def load_spec(location: Path) -> KernelSpec:
    file = spec_path(location).resolve()
    text = file.read_text("utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(file, [_syntax_problem(exc)]) from None
    return _Loader(file, text).load(data)


def _syntax_problem(exc: tomllib.TOMLDecodeError) -> SpecProblem:
    message = str(exc)
    line = None
    if "(at line " in message:
        tail = message.rsplit("(at line ", 1)[1]
        line = int(tail.split(",")[0].rstrip(")"))
        message = message.rsplit(" (at line ", 1)[0]
    return SpecProblem("", f"not valid TOML: {message}", "fix the TOML syntax at that line", line)


def suggest(word: str, options: list[str] | tuple[str, ...]) -> str | None:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


class _Loader:
    def __init__(self, file: Path, text: str) -> None:
        self.file = file
        self.lines = index_lines(text)
        self.problems: list[SpecProblem] = []
        self.untyped: set[int] = set()  # ids of stand-in types for unparsable type strings

    def problem(self, path: str, message: str, fix: str | None = None) -> None:
        self.problems.append(SpecProblem(path, message, fix, find_line(self.lines, path)))

    def raise_if_problems(self) -> None:
        if self.problems:
            raise SpecError(self.file, self.problems)

    def load(self, data: dict[str, Any]) -> KernelSpec:
        self.check_table(data, ROOT, "")
        self.raise_if_problems()
        spec = self.build(data)
        self.raise_if_problems()
        assert spec is not None
        return spec

    # --- pass 1: structure ---------------------------------------------------------

    def check_table(self, data: Any, table: Table, path: str, dotted: str = "") -> None:
        """`dotted` is the table's full name, e.g. `function.args`."""
        if not isinstance(data, dict):
            self.problem(path, f"expected a table, got {_kind(data)}",
                         f"write it as [{table.name}]" if not table.array else f"write it as [[{table.name}]]")
            return
        for key, value in data.items():
            self.check_entry(table, key, value, _join(path, key), dotted)
        for key in table.keys:
            if key.required and key.name not in data:
                self.problem(path or table.name, f"missing required key `{key.name}`",
                             f"add {key.name} = … ({key.doc})")
        for child in table.children:
            if child.required and child.name not in data:
                self.problem(child.name, f"missing required table [{child.name}]", f"add a [{child.name}] table")

    def check_entry(self, table: Table, key: str, value: Any, path: str, dotted: str) -> None:
        child = table.child(key)
        if child is not None:
            self.check_child(child, value, path, _join(dotted, child.name))
            return
        declared = table.key(key)
        if declared is None:
            header = f"[[{dotted}]]" if table.array else f"[{dotted}]"
            where = header if dotted else "the top level"
            self.problem(path, f"unknown key `{key}` in {where}",
                         suggest(key, table.names()) or f"allowed keys: {', '.join(table.names())}")
            return
        problem = _kind_problem(declared, value)
        if problem:
            self.problem(path, problem, f"{declared.name}: {declared.doc}")

    def check_child(self, child: Table, value: Any, path: str, dotted: str) -> None:
        if not child.array:
            self.check_table(value, child, path, dotted)
            return
        if not isinstance(value, list):
            self.problem(path, f"expected an array of tables, got {_kind(value)}",
                         f"write each entry as [[{dotted}]]")
            return
        for index, item in enumerate(value):
            self.check_table(item, child, f"{path}[{index}]", dotted)

    # --- pass 2: meaning -------------------------------------------------------------

    def build(self, data: dict[str, Any]) -> KernelSpec | None:
        version = data.get("spec_version", SPEC_VERSION)
        if version != SPEC_VERSION:
            self.problem("spec_version", f"this wasmforge reads spec version {SPEC_VERSION}, not {version}",
                         f"set spec_version = {SPEC_VERSION}")
        package = self.build_package(data["package"])
        build = self.build_options(data.get("build", {}))
        npm = self.build_npm(data.get("npm", {}), package.name)
        errors = builtin_errors() + self.build_errors(data.get("error", []), npm)
        functions = self.build_functions(data.get("function", []), errors)
        crate_dir, crate_package = self.build_crate(data["package"])
        error_type = data["package"].get("error_type", "KernelError")
        if not names.PASCAL.match(error_type):
            self.problem("package.error_type", f"`{error_type}` is not a Rust type name", "use PascalCase")
        if self.problems:
            return None
        return KernelSpec(self.file, package, build, npm, errors, functions, crate_dir, crate_package,
                          error_type)

    def build_package(self, raw: dict[str, Any]) -> Package:
        name, version = raw["name"], raw["version"]
        if not names.NPM_NAME.match(name):
            self.problem("package.name", f"`{name}` is not a valid npm package name",
                         "use lowercase letters, digits, '-', '.', '_' (optionally @scope/name)")
        if not names.SEMVER.match(version):
            self.problem("package.version", f"`{version}` is not a semantic version", "write it like 1.2.3")
        return Package(name, version, raw["description"], raw.get("license", "MIT"),
                       raw.get("repository"), raw.get("homepage"), tuple(raw.get("keywords", [])))

    def build_options(self, raw: dict[str, Any]) -> BuildOptions:
        targets = tuple(raw.get("targets", TARGETS))
        for index, target in enumerate(targets):
            if target not in TARGETS:
                self.problem(f"build.targets[{index}]", f"unknown target `{target}`",
                             suggest(target, TARGETS) or f"choose from {', '.join(TARGETS)}")
        if not targets or len(set(targets)) != len(targets):
            self.problem("build.targets", "targets must be a non-empty list without repeats",
                         f'e.g. targets = ["{TARGETS[0]}", "{TARGETS[1]}"]')
        profile = raw.get("profile", "size")
        if profile not in ("size", "speed"):
            self.problem("build.profile", f"unknown profile `{profile}`", 'use "size" or "speed"')
        level = raw.get("wasm_opt", "Oz" if profile == "size" else "O3")
        if level is not False and level not in ROOT.child("build").key("wasm_opt").choices:  # type: ignore[union-attr]
            self.problem("build.wasm_opt", f"unknown wasm-opt level `{level}`",
                         suggest(str(level), ("O0", "O1", "O2", "O3", "O4", "Os", "Oz"))
                         or "use O0…O4, Os, Oz or false")
        return BuildOptions(tuple(t for t in TARGETS if t in targets), profile, level or None,
                            tuple(raw.get("features", [])))

    def build_npm(self, raw: dict[str, Any], package_name: str) -> NpmOptions:
        pascal = names.pascal_case(package_name) or "Kernel"
        global_name = raw.get("global", pascal)
        error_base = raw.get("error_base", f"{pascal}Error")
        if not names.JS_IDENTIFIER.match(global_name) or global_name in names.JS_RESERVED:
            self.problem("npm.global", f"`{global_name}` is not a usable JS global name", "use PascalCase letters")
        if not names.PASCAL.match(error_base):
            self.problem("npm.error_base", f"`{error_base}` is not a class name", "use PascalCase, e.g. SolverError")
        return NpmOptions(global_name, error_base)

    def build_crate(self, raw: dict[str, Any]) -> tuple[Path, str]:
        crate_dir = (self.file.parent / raw.get("crate", ".")).resolve()
        manifest = crate_dir / "Cargo.toml"
        if not manifest.is_file():
            self.problem("package.crate", f"no Cargo.toml in {crate_dir}",
                         "the kernel's plain Rust code is a library crate: add Cargo.toml and src/lib.rs")
            return crate_dir, ""
        try:
            cargo = tomllib.loads(manifest.read_text("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            self.problem("package.crate", f"{manifest} is not valid TOML: {exc}", "fix the kernel's Cargo.toml")
            return crate_dir, ""
        crate_types = cargo.get("lib", {}).get("crate-type", ["rlib"])
        if "rlib" not in crate_types and "lib" not in crate_types:
            self.problem("package.crate", f"{manifest} builds crate types {crate_types}, which cannot be a dependency",
                         'remove [lib] crate-type (wasmforge generates the cdylib) or add "rlib"')
        return crate_dir, cargo.get("package", {}).get("name", "")

    # --- errors ------------------------------------------------------------------------

    def build_errors(self, raw: list[dict[str, Any]], npm: NpmOptions) -> tuple[ErrorKind, ...]:
        taken = {e.name for e in builtin_errors()} | {npm.error_base}
        codes = {e.code for e in builtin_errors()}
        kinds = []
        for index, item in enumerate(raw):
            path = f"error[{index}]"
            kind = self.build_error(item, path)
            if kind.name in taken:
                self.problem(f"{path}.name", f"error name `{kind.name}` is already used",
                             "built-in errors are InvalidArgument, NotInitialized, InternalError; pick another name")
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
        for field_name, type_text in item.get("fields", {}).items():
            field_path = f"{path}.fields.{field_name}"
            if not names.CAMEL.match(field_name) or names.snake_case(field_name) in names.RUST_KEYWORDS:
                self.problem(field_path, f"`{field_name}` is not a usable field name", "use camelCase, not a keyword")
            type_ref = self.parse_type(type_text, field_path)
            if type_ref and (type_ref.array or type_ref.optional):
                self.problem(field_path, "error fields must be scalar types", "use bool, i32, u32, f32, f64, i64, u64 or string")
            fields.append(ErrorField(field_name, type_ref or TypeRef("string")))
        return ErrorKind(name, code, item["doc"], tuple(fields))

    # --- functions ---------------------------------------------------------------------

    def build_functions(self, raw: list[dict[str, Any]], errors: tuple[ErrorKind, ...]) -> tuple[Function, ...]:
        seen: dict[str, int] = {}
        functions = []
        for index, item in enumerate(raw):
            path = f"function[{index}]"
            name = item["name"]
            if name in seen:
                self.problem(f"{path}.name", f"duplicate function `{name}` (also function[{seen[name]}])",
                             "rename one of them")
            seen.setdefault(name, index)
            functions.append(self.build_function(item, path, errors))
        if not functions:
            self.problem("function", "the spec declares no functions", "add at least one [[function]]")
        return tuple(functions)

    def build_function(self, item: dict[str, Any], path: str, errors: tuple[ErrorKind, ...]) -> Function:
        name = item["name"]
        self.check_identifier(name, f"{path}.name", "function")
        rust_path = item.get("rust", names.snake_case(name))
        if not all(part.isidentifier() and part not in names.RUST_KEYWORDS for part in rust_path.split("::")):
            self.problem(f"{path}.rust", f"`{rust_path}` is not a Rust path", "e.g. cg::solve_dense")
        returns = self.parse_type(item.get("returns", "void"), f"{path}.returns", allow_void=True)
        if returns is None:
            returns = TypeRef("void")
            self.untyped.add(id(returns))
        error_names = [e.name for e in errors]
        for index, error_name in enumerate(item.get("errors", [])):
            if error_name not in error_names:
                self.problem(f"{path}.errors[{index}]", f"unknown error `{error_name}`",
                             suggest(error_name, error_names) or "declare it with [[error]]")
        args = self.build_args(item.get("args", []), path)
        function = Function(name, rust_path, item["doc"], args, returns,
                            tuple(item.get("errors", [])), ())
        examples = tuple(
            self.build_example(example, f"{path}.example[{index}]", function)
            for index, example in enumerate(item.get("example", []))
        )
        return Function(function.name, function.rust_path, function.doc, function.args, function.returns,
                        function.errors, examples)

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

    def parse_type(self, text: str, path: str, *, allow_void: bool = False) -> TypeRef | None:
        try:
            return TypeRef.parse(text, allow_void=allow_void)
        except TypeParseError as exc:
            options = all_type_names() + (["void"] if allow_void else [])
            alias = TYPE_ALIASES.get(text.rstrip("?"))
            fix = f"did you mean `{alias}{'?' if text.endswith('?') else ''}`?" if alias else suggest(text, options)
            self.problem(path, str(exc), fix or f"types are: {', '.join(all_type_names()[:13])} (add ? for optional)")
            return None

    # --- arguments ---------------------------------------------------------------------

    def build_args(self, raw: list[dict[str, Any]], function_path: str) -> tuple[Arg, ...]:
        args: list[Arg] = []
        seen_optional = False
        for index, item in enumerate(raw):
            path = f"{function_path}.args[{index}]"
            arg = self.build_arg(item, path)
            if any(a.name == arg.name for a in args):
                self.problem(f"{path}.name", f"duplicate argument `{arg.name}`", "rename one of them")
            if arg.type.optional:
                seen_optional = True
            elif seen_optional:
                self.problem(path, f"required argument `{arg.name}` follows an optional one",
                             "move optional and defaulted arguments to the end")
            args.append(arg)
        for index, arg in enumerate(args):
            if arg.length is not None:
                self.check_length_refs(arg, args, f"{function_path}.args[{index}].length")
        return tuple(args)

    def build_arg(self, item: dict[str, Any], path: str) -> Arg:
        name = item["name"]
        self.check_identifier(name, f"{path}.name", "argument")
        parsed = self.parse_type(item["type"], f"{path}.type")
        # An unparsable type is reported once: the stand-in keeps its optionality
        # and is not checked further, so no follow-on errors are reported.
        type_ref = parsed or TypeRef("f64", False, item["type"].endswith("?"))
        if parsed is None:
            self.untyped.add(id(type_ref))
        default = item.get("default")
        if default is not None:
            problem = type_ref.required.check_value(default)
            if problem:
                self.problem(f"{path}.default", f"default does not fit {type_ref}: {problem}", "fix the default value")
            type_ref = TypeRef(type_ref.base, type_ref.array, True)
        if parsed is not None:
            self.check_constraints(item, type_ref, path)
        length = self.parse_length(item.get("length"), f"{path}.length")
        return Arg(name, type_ref, item["doc"], default, item.get("min"), item.get("max"), length,
                   item.get("min_length"), item.get("finite", False))

    def check_constraints(self, item: dict[str, Any], type_ref: TypeRef, path: str) -> None:
        for key in ("min", "max"):
            if key in item and not type_ref.is_numeric_scalar:
                self.problem(f"{path}.{key}", f"`{key}` applies to numeric scalars, not {type_ref}",
                             "use min_length for typed arrays" if type_ref.array else f"remove {key}")
        if "min" in item and "max" in item and item["min"] > item["max"]:
            self.problem(f"{path}.min", f"min ({item['min']}) is greater than max ({item['max']})", "swap them")
        for key in ("length", "min_length"):
            if key in item and not type_ref.array:
                self.problem(f"{path}.{key}", f"`{key}` applies to typed arrays, not {type_ref}", f"remove {key}")
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

    def check_length_refs(self, arg: Arg, args: list[Arg], path: str) -> None:
        integer_args = [a.name for a in args if a.type.is_integer and not a.kernel_type.optional]
        assert arg.length is not None
        for name in expr.variables(arg.length):
            if name not in integer_args:
                self.problem(path, f"`{name}` in the length of `{arg.name}` is not a required integer argument",
                             suggest(name, integer_args) or "refer to u32/i32 arguments of the same function")

    # --- examples ----------------------------------------------------------------------

    def build_example(self, item: dict[str, Any], path: str, function: Function) -> Example:
        values = item.get("args", {})
        for name, value in values.items():
            if not any(a.name == name for a in function.args):
                self.problem(f"{path}.args.{name}", f"`{function.name}` has no argument `{name}`",
                             suggest(name, [a.name for a in function.args]) or "remove it")
                continue
            arg_type = function.arg(name).type
            problem = None if id(arg_type) in self.untyped else arg_type.required.check_value(value)
            if problem:
                self.problem(f"{path}.args.{name}", problem, f"give a value of type {function.arg(name).type}")
        for arg in function.args:
            if not arg.type.optional and arg.name not in values:
                self.problem(f"{path}.args", f"missing argument `{arg.name}`", f"add {arg.name} = … to args")
        self.check_example_outcome(item, path, function)
        tolerance = float(item.get("tolerance", 0.0))
        if tolerance < 0 or math.isnan(tolerance):
            self.problem(f"{path}.tolerance", "tolerance must be >= 0", "e.g. tolerance = 1e-9")
        return Example(tuple(values.items()), item.get("expect"), item.get("error"), tolerance, item.get("doc"))

    def check_example_outcome(self, item: dict[str, Any], path: str, function: Function) -> None:
        if id(function.returns) in self.untyped:
            return
        if "error" in item:
            if "expect" in item:
                self.problem(path, "an example has either `expect` or `error`, not both", "remove one")
            allowed = [*function.errors, "InvalidArgument"]
            if item["error"] not in allowed:
                self.problem(f"{path}.error", f"`{item['error']}` is not among the errors `{function.name}` raises",
                             suggest(item["error"], allowed) or f"add it to errors = [...] of {function.name}")
            return
        if function.returns.is_void:
            if "expect" in item:
                self.problem(f"{path}.expect", f"`{function.name}` returns nothing", "remove expect")
            return
        if "expect" not in item:
            self.problem(path, "missing `expect` (or `error`)", "add the expected result")
            return
        problem = function.returns.required.check_value(item["expect"])
        if problem:
            self.problem(f"{path}.expect", problem, f"give a value of type {function.returns}")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


def _kind_problem(key: Key, value: Any) -> str | None:
    ok = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "string-array": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "string-table": isinstance(value, dict) and all(isinstance(v, str) for v in value.values()),
        "value": True,
        "value-table": isinstance(value, dict),
        "integer-or-string": isinstance(value, int | str) and not isinstance(value, bool),
        "string-or-false": isinstance(value, str) or value is False,
    }[key.kind]
    if ok:
        return None
    wanted = {
        "string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
        "string-array": "an array of strings", "string-table": "a table of strings",
        "value-table": "a table", "integer-or-string": "an integer or an expression string",
        "string-or-false": "a string or false",
    }[key.kind]
    return f"`{key.name}` must be {wanted}, got {_kind(value)}"


def _camel(name: str) -> str:
    parts = [p for p in name.replace("-", "_").split("_") if p]
    if not parts:
        return ""
    return parts[0][:1].lower() + parts[0][1:] + "".join(p[:1].upper() + p[1:] for p in parts[1:])
