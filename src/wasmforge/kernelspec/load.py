"""Read kernel.toml into a KernelSpec, or raise SpecError listing every problem.

Two passes: the structure against the declared schema (kernelspec/schema.py: unknown
keys, kinds, required keys), then the meaning (identifiers, types, references,
constraints, examples) — here and in kernelspec/semantics.py. Nothing is written
anywhere, whatever the outcome.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from ..errors import SpecError, SpecProblem, UsageError
from ..settings import TARGETS
from . import names
from .locate import find_line, index_lines
from .model import CACHES, BuildOptions, KernelSpec, NpmOptions, Package, SizeBudget
from .schema import ROOT, SIZE_BUDGET, WASM_OPT_LEVELS, Key, Table
from .units import parse_size, size_problem
from .types import toml_kind

SPEC_FILE = "kernel.toml"


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
    return Loader(file, text).load(data)


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


class Loader:
    """Collects problems; the meaning of each section is built in kernelspec/semantics.py."""

    def __init__(self, file: Path, text: str) -> None:
        self.file = file
        self.lines = index_lines(text)
        self.problems: list[SpecProblem] = []

    def problem(self, path: str, message: str, fix: str | None = None) -> None:
        self.problems.append(SpecProblem(path, message, fix, find_line(self.lines, path)))

    def raise_if_problems(self) -> None:
        if self.problems:
            raise SpecError(self.file, self.problems)

    def load(self, data: dict[str, Any]) -> KernelSpec:
        self.check_table(data, ROOT, "")
        self.raise_if_problems()
        from .semantics import build_spec  # the second pass lives in its own module

        spec = build_spec(self, data)
        self.raise_if_problems()
        assert spec is not None
        return spec

    # --- pass 1: structure -----------------------------------------------------------

    def check_table(self, data: Any, table: Table, path: str, dotted: str = "") -> None:
        """`dotted` is the table's full name, e.g. `function.args`."""
        if not isinstance(data, dict):
            self.problem(path, f"expected a table, got {toml_kind(data)}",
                         f"write it as [[{dotted}]]" if table.array else f"write it as [{dotted}]")
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
            self.problem(path, f"expected an array of tables, got {toml_kind(value)}",
                         f"write each entry as [[{dotted}]]")
            return
        for index, item in enumerate(value):
            self.check_table(item, child, f"{path}[{index}]", dotted)

    # --- sections that need no type registry ------------------------------------------

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
        if level is not False and level not in WASM_OPT_LEVELS:
            self.problem("build.wasm_opt", f"unknown wasm-opt level `{level}`",
                         suggest(str(level), WASM_OPT_LEVELS) or "use O0…O4, Os, Oz or false")
        if raw.get("cache", "none") not in CACHES:
            self.problem("build.cache", f"unknown cache `{raw['cache']}`", 'use "sccache" or "none"')
        features = tuple(raw.get("features", []))
        simd = raw.get("simd_feature")
        if simd is not None and simd in features:
            self.problem("build.simd_feature", f"`{simd}` is also in build.features, so the baseline would use it",
                         "remove it from build.features")
        threads = raw.get("threads_feature")
        if threads is not None and threads in features:
            self.problem("build.threads_feature", f"`{threads}` is also in build.features, so every module "
                         "would use it", "remove it from build.features")
        if threads is not None and threads == simd:
            self.problem("build.threads_feature", f"`{threads}` is also build.simd_feature",
                         "name the kernel's rayon feature (e.g. \"parallel\")")
        return BuildOptions(tuple(t for t in TARGETS if t in targets), profile, level or None, features, simd,
                            raw.get("memory_stats", True), self.size_budget(raw.get("size_budget", {})),
                            raw.get("cache", "none"), threads)

    def size_budget(self, raw: dict[str, Any]) -> SizeBudget:
        limits: dict[str, int | None] = {}
        for key in SIZE_BUDGET.keys:
            value = raw.get(key.name, key.default)
            problem = size_problem(value)
            if problem:
                self.problem(f"build.size_budget.{key.name}", problem,
                             'write bytes (500000), a size with its unit ("500 KB", "1.5 MiB") or false')
            limits[key.name] = None if problem else parse_size(value)
        return SizeBudget(**limits)

    def build_npm(self, raw: dict[str, Any], package_name: str) -> NpmOptions:
        pascal = names.pascal_case(package_name) or "Kernel"
        global_name = raw.get("global", pascal)
        error_base = raw.get("error_base", f"{pascal}Error")
        if not names.JS_IDENTIFIER.match(global_name) or global_name in names.JS_RESERVED:
            self.problem("npm.global", f"`{global_name}` is not a usable JS global name", "use PascalCase letters")
        if not names.PASCAL.match(error_base):
            self.problem("npm.error_base", f"`{error_base}` is not a class name", "use PascalCase, e.g. SolverError")
        sources = tuple(raw.get("extra_sources", []))
        for index, source in enumerate(sources):
            path = self.file.parent / source
            if not source.endswith(".ts") or source.endswith(".d.ts"):
                self.problem(f"npm.extra_sources[{index}]", f"`{source}` is not a TypeScript module",
                             "list .ts files (not .d.ts)")
            elif not path.is_file():
                self.problem(f"npm.extra_sources[{index}]", f"{path} does not exist",
                             "paths are relative to kernel.toml")
        stems = [Path(s).stem for s in sources]
        if len(set(stems)) != len(stems):
            self.problem("npm.extra_sources", "two extra sources share a file name", "rename one of them")
        return NpmOptions(global_name, error_base, sources, bool(raw.get("workers", False)))

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


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key




def _kind_problem(key: Key, value: Any) -> str | None:
    ok = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "string-array": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "string-table": isinstance(value, dict) and all(isinstance(v, str) for v in value.values()),
        "string-table-or-array": (isinstance(value, dict) and all(isinstance(v, str) for v in value.values()))
        or (isinstance(value, list) and all(isinstance(v, str) for v in value)),
        "value": True,
        "value-table": isinstance(value, dict),
        "integer-or-string": isinstance(value, int | str) and not isinstance(value, bool),
        "string-or-false": isinstance(value, str) or value is False,
        "size-or-false": isinstance(value, str | int) and value is not True,
    }[key.kind]
    if ok:
        return None
    wanted = {
        "string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
        "string-array": "an array of strings", "string-table": "a table of strings",
        "string-table-or-array": "a table of strings (named fields) or an array of strings (positional fields)",
        "value-table": "a table", "integer-or-string": "an integer or an expression string",
        "string-or-false": "a string or false",
        "size-or-false": 'a size (bytes, or text like "500 KB") or false',
    }[key.kind]
    return f"`{key.name}` must be {wanted}, got {toml_kind(value)}"
