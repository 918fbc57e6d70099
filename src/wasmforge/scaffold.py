"""`wasmforge new NAME`: a kernel directory that builds and verifies green at once.

Each template (templates/new/<template>/) is a small real kernel — a function,
a class, or a class with a streaming method — with an error enum that
implements `Display`, unit tests, and a kernel.toml with documentation,
argument constraints and examples, so that the first `wasmforge build` already
checks something. The directory is written whole or not at all, and never over
an existing path.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .render.templates import render
from .kernelspec.names import RUST_KEYWORDS

TEMPLATES = {
    "function": "a moving average over a typed array",
    "class": "an exponentially weighted moving average, as a class",
    "stream": "Newton's method for square roots, as a class with a streaming method",
}

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
_MAX_LENGTH = 64
# Names cargo or npm refuse for a new package: Rust's own crates, and Node's built-in modules
# (npm rejects a package that shadows one).
_RESERVED = frozenset({
    "std", "core", "alloc", "test", "proc_macro", "proc-macro", "build", "deps", "examples", "incremental",
    "node_modules", "favicon.ico", "assert", "buffer", "child_process", "cluster", "console", "constants",
    "crypto", "dgram", "dns", "domain", "events", "fs", "http", "http2", "https", "inspector", "module", "net",
    "os", "path", "perf_hooks", "process", "punycode", "querystring", "readline", "repl", "stream",
    "string_decoder", "sys", "timers", "tls", "trace_events", "tty", "url", "util", "v8", "vm", "wasi",
    "worker_threads", "zlib",
})


@dataclass(frozen=True)
class NewKernel:
    """What `wasmforge new` writes: the directory and its files, by relative path."""

    name: str
    template: str
    directory: Path
    files: dict[str, str]

    def next_commands(self) -> list[str]:
        return [
            f"cargo test --manifest-path {self.name}/Cargo.toml",
            f"wasmforge build {self.name} --all-targets",
            f"wasmforge verify {self.name} --consumers",
        ]


def check_name(name: str) -> None:
    """NAME must be usable as an npm package name and a crate name at once."""
    problem = None
    if not _NAME.match(name):
        problem = ("an npm package and crate name is lowercase letters, digits and single `-` or `_` between "
                   "them, starting with a letter")
    elif len(name) > _MAX_LENGTH:
        problem = f"it is {len(name)} characters long; keep it to {_MAX_LENGTH}"
    elif name in _RESERVED or name.replace("-", "_") in RUST_KEYWORDS:
        problem = "it is reserved: a Rust keyword, one of Rust's own crates or a Node.js built-in module"
    if problem:
        raise UsageError(f"`{name}` cannot name a kernel: {problem}", hint=_suggestion(name))


def _suggestion(name: str) -> str:
    candidate = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    candidate = re.sub(r"^[0-9-]+", "", candidate)[:_MAX_LENGTH].rstrip("-")
    if candidate and _NAME.match(candidate) and candidate not in _RESERVED \
            and candidate.replace("-", "_") not in RUST_KEYWORDS and candidate != name:
        return f"e.g. `wasmforge new {candidate}`"
    return f"e.g. `wasmforge new {(candidate or 'my')[:_MAX_LENGTH - 7]}-kernel`"


def plan_new(name: str, parent: Path, template: str) -> NewKernel:
    """The kernel `wasmforge new` would write; UsageError if NAME or the template is unusable."""
    if template not in TEMPLATES:
        raise UsageError(f"unknown template `{template}`", hint=f"choose from {', '.join(TEMPLATES)}")
    check_name(name)
    directory = parent / name
    if directory.exists() or directory.is_symlink():
        raise UsageError(f"{directory} already exists; nothing was written",
                         hint="choose another name, or move the existing directory away")
    context = {"name": name, "crate": name, "description": f"{name}: {TEMPLATES[template]}."}
    files = {
        "Cargo.toml": render("new/common/Cargo.toml.jinja", **context),
        ".gitignore": render("new/common/gitignore.jinja", **context),
        "README.md": render("new/common/README.md.jinja", **context),
        "kernel.toml": render(f"new/{template}/kernel.toml.jinja", **context),
        "src/lib.rs": render(f"new/{template}/lib.rs.jinja", **context),
    }
    return NewKernel(name, template, directory, files)


def write_new(kernel: NewKernel) -> None:
    """Write the kernel directory whole: into a sibling temporary directory, then one rename."""
    kernel.directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{kernel.name}.", dir=kernel.directory.parent))
    try:
        for relative, text in kernel.files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        os.chmod(staging, 0o777 & ~_umask())
        if kernel.directory.exists():  # created since plan_new looked: never replace it
            raise UsageError(f"{kernel.directory} already exists; nothing was written",
                             hint="choose another name, or move the existing directory away")
        staging.rename(kernel.directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
