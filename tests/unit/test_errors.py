"""Every failure maps to an exit code docs/cli.md documents: each error class has
one, and no `raise` in the package raises the bare base class or an exception
that would escape as a traceback."""

from __future__ import annotations

import ast
import inspect
import re

from tests.conftest import REPO
from wasmforge import errors

SOURCE = REPO / "src" / "wasmforge"
# Raised only to be caught where they are raised (the spec loader turns them into spec problems),
# or marking an impossible state.
INTERNAL = {"ExprError", "TypeParseError", "AssertionError", "KeyboardInterrupt"}


def documented_codes() -> set[int]:
    text = (REPO / "docs" / "cli.md").read_text()
    table = text[text.index("## Exit codes"):].split("\n## ", 1)[0]
    return {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)}


def error_classes() -> list[type[errors.WasmforgeError]]:
    return [cls for _, cls in inspect.getmembers(errors, inspect.isclass)
            if issubclass(cls, errors.WasmforgeError) and cls is not errors.WasmforgeError]


def test_every_error_class_has_a_documented_exit_code() -> None:
    codes = documented_codes()
    assert {0, 2, 3, 4, 5, 130} <= codes
    for cls in error_classes():
        if cls is errors.CiFailed:
            continue  # exits with the code of the first failure it reports
        assert cls.exit_code in codes, f"{cls.__name__} exits {cls.exit_code}, which docs/cli.md does not list"


def _raised_names(tree: ast.AST) -> list[tuple[str, int]]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name):
                names.append((target.id, node.lineno))
    return names


def test_every_raise_is_a_documented_failure() -> None:
    known = {cls.__name__ for cls in error_classes()}
    problems = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for name, line in _raised_names(tree):
            if name not in known and name not in INTERNAL:
                problems.append(f"{path.relative_to(REPO)}:{line}: raise {name}")
    assert not problems, "raise one of wasmforge.errors' classes instead:\n" + "\n".join(problems)


def test_error_classes_live_in_errors_py() -> None:
    stray = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef) and node.name not in INTERNAL and any(
                    isinstance(base, ast.Name) and (base.id.endswith("Error") or base.id == "Exception")
                    for base in node.bases):
                stray.append(f"{path.relative_to(REPO)}: class {node.name}")
    assert not stray, "\n".join(stray)


def test_internal_exceptions_never_leave_their_module() -> None:
    # ExprError and TypeParseError are caught by the spec loader, which reports spec problems.
    semantics = (SOURCE / "kernelspec" / "semantics.py").read_text()
    assert "except TypeParseError" in semantics and "except expr.ExprError" in semantics
