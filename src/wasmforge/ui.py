"""The one output door.

Human-facing status goes to stderr through the functions here; machine-readable
results go to stdout through `emit_json`. Nothing else in wasmforge prints.
In CI (the CI or GITHUB_ACTIONS variables) colours and spinners are switched off
so logs stay readable.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

_in_ci = bool(os.environ.get("CI") or os.environ.get("GITHUB_ACTIONS"))
console = Console(stderr=True, highlight=False, no_color=_in_ci or None)
if not console.is_terminal:
    # Logs and pipes are read later, often wide: do not fold tables at 80 columns.
    console.width = 160
_verbose = False


def set_verbose(verbose: bool) -> None:
    global _verbose
    _verbose = verbose


def is_verbose() -> bool:
    return _verbose


def step(message: str) -> None:
    """A new stage of work starts."""
    console.print(f"[bold cyan]==>[/] {escape(message)}")


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
    if _in_ci or not console.is_terminal:
        yield
        return
    with console.status(f"    {escape(message)}"):
        yield


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    grid = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        grid.add_column(escape(column), overflow="fold")
    for row in rows:
        grid.add_row(*(escape(str(cell)) for cell in row))
    console.print(grid)


def short_path(path: str) -> str:
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if path.startswith(home + os.sep) else path


def emit_json(payload: Any) -> None:
    """Machine-readable output: stdout, one JSON document."""
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=False) + "\n")
    sys.stdout.flush()
