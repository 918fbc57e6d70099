"""The one door to the outside world: every external command runs through `run`.

Argument lists only (never a shell), the command echoed with --verbose, output
captured and its tail attached to the error on failure, a hint saying what to
do. Ctrl-C escalates interrupt -> terminate -> kill so no child outlives us.
Unit tests replace `_spawn` to forbid real processes (tests/unit/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import ui
from .errors import CommandFailed, ToolMissing

TAIL_LINES = 40


@dataclass(frozen=True)
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def which(tool: str, *, hint: str | None = None, path: str | None = None) -> str:
    """Absolute path of `tool`, or ToolMissing with a fix."""
    found = shutil.which(tool, path=path)
    if not found:
        raise ToolMissing(
            f"`{tool}` was not found on PATH",
            hint=hint or "run `wasmforge toolchain install`, then `wasmforge doctor`",
        )
    return found


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    hint: str | None = None,
    check: bool = True,
    timeout: float | None = None,
    stdin_text: str | None = None,
) -> Completed:
    """Run a command to completion, capturing its output.

    `env` entries are added to (not substituted for) the current environment;
    a value of "" removes the variable.
    """
    args = tuple(str(a) for a in argv)
    ui.detail("+ " + " ".join(args) + (f"   (in {cwd})" if cwd else ""))
    started = time.monotonic()
    try:
        returncode, out, err = _spawn(args, cwd, _merged_env(env), timeout, stdin_text)
    except FileNotFoundError as exc:
        raise ToolMissing(f"cannot run `{args[0]}`: {exc.strerror}", hint=hint) from exc
    result = Completed(args, returncode, out, err, time.monotonic() - started)
    ui.detail(f"  exit {returncode} after {result.seconds:.1f}s")
    if check and returncode != 0:
        raise CommandFailed(args, returncode, output_tail(out, err), hint=hint)
    return result


def output_tail(stdout: str, stderr: str, lines: int = TAIL_LINES) -> str:
    """The last lines of a failed command's output, stderr preferred."""
    text = stderr if stderr.strip() else stdout
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _merged_env(extra: Mapping[str, str] | None) -> dict[str, str]:
    merged = dict(os.environ)
    for key, value in (extra or {}).items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _spawn(
    args: tuple[str, ...],
    cwd: Path | None,
    env: dict[str, str],
    timeout: float | None,
    stdin_text: str | None,
) -> tuple[int, str, str]:
    process = subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,  # our Ctrl-C handling reaches the whole process group
    )
    try:
        out, err = process.communicate(stdin_text, timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        out, err = process.communicate()
        return 124, out, err + f"\n(timed out after {timeout:.0f}s)"
    except BaseException:
        _stop(process)
        raise
    return process.returncode, out, err


def _stop(process: subprocess.Popen[str]) -> None:
    """Interrupt, then terminate, then kill the child's whole process group."""
    for sig, grace in ((signal.SIGINT, 3.0), (signal.SIGTERM, 3.0), (signal.SIGKILL, None)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        if grace is None:
            process.wait()
            return
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
