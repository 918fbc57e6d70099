"""Every expected failure is one of these classes, each with its own exit code.

Only the CLI entry point turns them into exit codes (see cli.py); library code
raises them and never calls sys.exit. The codes are part of the documented CLI
contract (docs/cli.md): scripts and CI systems rely on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceLocation:
    """Where in the user's files a failure comes from (for editors and CI annotations)."""

    file: Path
    line: int | None
    message: str


class WasmforgeError(Exception):
    """Base class: a message that says what happened and, when known, what to do.
    Never raised itself: every failure is one of the subclasses below, each with a
    documented exit code (a test checks every class and every `raise` of the package)."""

    exit_code = 1
    annotated = False  # True when each problem was already annotated for CI where it happened

    def __init__(self, message: str, *, hint: str | None = None,
                 locations: Sequence[SourceLocation] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.locations = tuple(locations)

    def render(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  fix: {self.hint}"


@dataclass(frozen=True)
class SpecProblem:
    """One problem found in a kernel spec, located as precisely as we can."""

    path: str  # TOML path, e.g. "function[0].args[1].type"
    message: str
    fix: str | None = None
    line: int | None = None

    def render(self, file: Path | None) -> str:
        where = str(file) if file else "<spec>"
        if self.line:
            where += f":{self.line}"
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        return f"{text}\n  fix: {self.fix}" if self.fix else text


class SpecError(WasmforgeError):
    """The kernel spec (kernel.toml) is malformed. Nothing has been written."""

    exit_code = 2

    def __init__(self, file: Path | None, problems: Sequence[SpecProblem]) -> None:
        self.file = file
        self.problems = tuple(problems)
        count = len(self.problems)
        header = f"invalid kernel spec ({count} problem{'s' if count != 1 else ''})"
        body = "\n".join(p.render(file) for p in self.problems)
        locations = [SourceLocation(file, p.line, f"{p.path}: {p.message}" + (f" (fix: {p.fix})" if p.fix else ""))
                     for p in self.problems] if file else []
        super().__init__(f"{header}\n{body}", locations=locations)


class UsageError(WasmforgeError):
    """The command line or the working directory does not make sense."""

    exit_code = 2


class ToolMissing(WasmforgeError):
    """A tool the pipeline needs is not installed (or is the wrong version)."""

    exit_code = 3


class CommandFailed(WasmforgeError):
    """An external command (cargo, wasm-bindgen, wasm-opt, npm, node…) failed."""

    exit_code = 4

    def __init__(
        self,
        argv: Sequence[str],
        returncode: int,
        output_tail: str,
        *,
        hint: str | None = None,
        locations: Sequence[SourceLocation] = (),
    ) -> None:
        self.argv = tuple(argv)
        self.returncode = returncode
        self.output_tail = output_tail
        shown = " ".join(self.argv)
        message = f"command failed with exit status {returncode}: {shown}"
        if output_tail.strip():
            message += "\n" + _indent(output_tail.rstrip())
        super().__init__(message, hint=hint, locations=locations)


class BuildFailed(WasmforgeError):
    """The build could not make a usable package from what the tools produced (an
    output wasmforge cannot use, a module it cannot read, a helper that imports
    another file). Exit 4, like a failed command: the build failed."""

    exit_code = 4


class KernelMismatch(BuildFailed):
    """The generated bindings do not compile against the kernel's Rust: kernel.toml
    declares a type, a variant's shape or a signature the kernel does not have. Each
    problem is located at its kernel.toml line; rustc's own messages follow."""

    def __init__(self, spec_file: Path, locations: Sequence[SourceLocation], compiler_output: str) -> None:
        count = len(locations)
        header = f"{spec_file.name} does not match the kernel's Rust ({count} problem{'s' if count != 1 else ''})"
        body = "\n".join(f"{location.file}:{location.line}: {location.message}" for location in locations)
        super().__init__(f"{header}\n{body}\nthe Rust compiler said:\n{_indent(compiler_output.rstrip())}",
                         hint="declare the type, shape or signature the Rust has (docs/spec.md), or change the Rust",
                         locations=locations)


class WasmDecodeError(BuildFailed):
    """A .wasm file that wasmforge's feature scanner cannot read."""


class InjectedFault(WasmforgeError):
    """A failure requested through WASMFORGE_RELEASE_FAULT (tests of `release` only)."""

    exit_code = 4


class VerificationFailed(WasmforgeError):
    """The built package does not do what its spec says."""

    exit_code = 5

    def __init__(self, message: str, *, hint: str | None = None, locations: Sequence[SourceLocation] = (),
                 checks: Sequence[object] = ()) -> None:
        super().__init__(message, hint=hint, locations=locations)
        self.checks = tuple(checks)  # every check of the verification, passed and failed (for reports)


class SizeBudgetExceeded(WasmforgeError):
    """A module or an entry of the new package is larger than [build.size_budget]
    allows. Exit 5, like a failed verification: the package was built but is not
    what the spec asks for, and pkg/ was left as it was."""

    exit_code = 5

    def __init__(self, spec_file: Path, locations: Sequence[SourceLocation], hint: str) -> None:
        count = len(locations)
        header = f"{count} size{'s' if count != 1 else ''} over the budget of {spec_file.name}; pkg/ was left as it was"
        body = "\n".join(f"{location.file}{f':{location.line}' if location.line else ''}: {location.message}"
                         for location in locations)
        super().__init__(f"{header}\n{body}", hint=hint, locations=locations)


class CiFailed(WasmforgeError):
    """`wasmforge ci` found failures; each was reported (and annotated) where it
    happened. The exit code is that of the first failure."""

    annotated = True

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Interrupted(WasmforgeError):
    """The user pressed Ctrl-C; whatever was under way has been rolled back."""

    exit_code = 130


def _indent(text: str, prefix: str = "  | ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())
