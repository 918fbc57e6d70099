"""The one output door.

Human-facing status goes to stderr through the functions here; machine-readable
results go to stdout through `emit_json`. Nothing else in wasmforge prints.
In CI (the CI or GITHUB_ACTIONS variables) colours and spinners are switched off
so logs stay readable. Under GitHub Actions, `group` folds log sections and
`annotate` turns errors into annotations on the user's files: both are
workflow commands, which the runner reads from stdout.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

_in_ci = bool(os.environ.get("CI") or os.environ.get("GITHUB_ACTIONS"))
console = Console(stderr=True, highlight=False, no_color=_in_ci or None)
if not sys.stderr.isatty() and not os.environ.get("COLUMNS"):
    # Logs and pipes are read later, often wide: do not fold tables at 80 columns.
    # (Not console.is_terminal: FORCE_COLOR, common in CI logs, makes that true.)
    console.width = 160
_verbose = False


def set_verbose(verbose: bool) -> None:
    global _verbose
    _verbose = verbose


# Kernels built at once (`wasmforge build --jobs`) print side by side: each thread's
# step lines carry the name of what it works on.
_context = threading.local()


@contextlib.contextmanager
def labelled(label: str | None) -> Iterator[None]:
    """Prefix this thread's step lines with `[label]` (None: no prefix)."""
    previous = getattr(_context, "label", None)
    _context.label = label
    try:
        yield
    finally:
        _context.label = previous


def current_label() -> str | None:
    """This thread's label (see `labelled`): threads it starts take it along."""
    return getattr(_context, "label", None)


def step(message: str) -> None:
    """A new stage of work starts."""
    label = current_label()
    prefix = escape(f"[{label}] ") if label else ""
    console.print(f"[bold cyan]==>[/] {prefix}{escape(message)}")


def info(message: str) -> None:
    console.print(f"    {escape(message)}")


def detail(message: str) -> None:
    """Shown with --verbose only (echoed commands, timings)."""
    if _verbose:
        console.print(f"[dim]    {escape(message)}[/]")


def success(message: str) -> None:
    console.print(f"[bold green]ok[/] {escape(message)}")


def warn(message: str) -> None:
    console.print(f"[bold yellow]warning:[/] {escape(message)}")


def error(message: str) -> None:
    console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)


@contextlib.contextmanager
def status(message: str) -> Iterator[None]:
    """A spinner while a long command runs (interactive terminals only: in CI
    and logs the step line printed before is enough)."""
    # One live display at a time: threads building other kernels show their step lines only.
    if _in_ci or not console.is_terminal or threading.current_thread() is not threading.main_thread():
        yield
        return
    with console.status(f"    {escape(message)}"):
        yield


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    grid = Table(title=title, title_justify="left", show_lines=False)
    for index, column in enumerate(columns):
        # The first column names the row: never broken mid-word (rich shrinks the others).
        grid.add_column(escape(column), overflow="fold", no_wrap=index == 0)
    for row in rows:
        grid.add_row(*(escape(str(cell)) for cell in row))
    console.print(grid)


def short_path(path: str) -> str:
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if path.startswith(home + os.sep) else path


# --- GitHub Actions workflow commands --------------------------------------------------

def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


@contextlib.contextmanager
def group(title: str) -> Iterator[None]:
    """A foldable section of the log under GitHub Actions; a step line elsewhere."""
    if not in_github_actions():
        step(title)
        yield
        return
    _workflow_command("group", title)
    try:
        yield
    finally:
        _workflow_command("endgroup")


def annotate(message: str, file: Path | None = None, line: int | None = None, title: str | None = None) -> None:
    """An error annotation on `file` (at `line`) under GitHub Actions; nothing elsewhere."""
    if not in_github_actions():
        return
    properties = {}
    if file is not None:
        workspace = os.environ.get("GITHUB_WORKSPACE") or os.getcwd()
        properties["file"] = os.path.relpath(file, workspace)
        if line:
            properties["line"] = str(line)
    if title:
        properties["title"] = title
    _workflow_command("error", message, properties)


def annotate_error(error: Any, title: str) -> None:
    """A WasmforgeError as annotations: one per located problem, else one for the error."""
    for location in error.locations:
        annotate(location.message, location.file, location.line, title)
    if not error.locations:
        annotate(error.render(), title=title)


def _workflow_command(name: str, message: str = "", properties: dict[str, str] | None = None) -> None:
    # Escaping as in @actions/core (command.ts): data escapes % CR LF; properties also : and ,.
    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    listed = ",".join(f"{key}={prop(value)}" for key, value in (properties or {}).items())
    console.file.flush()
    sys.stdout.write(f"::{name}{' ' + listed if listed else ''}::{data(message)}\n")
    sys.stdout.flush()


def emit_text(text: str) -> None:
    """A document for the user to read or pipe (diffs, generated files): stdout."""
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    sys.stdout.flush()


def emit_json(payload: Any) -> None:
    """Machine-readable output: stdout, one JSON document."""
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=False) + "\n")
    sys.stdout.flush()
