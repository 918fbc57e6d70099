"""Unit tests never start a process: whatever tries gets an error instead,
so an accidental dependency on an installed tool shows up here, not in CI."""

from __future__ import annotations

import subprocess

import pytest

from wasmforge import proc


class ProcessForbidden(AssertionError):
    pass


def _forbidden(*args: object, **kwargs: object) -> None:
    raise ProcessForbidden(f"unit tests may not start processes: {args[:1]}")


@pytest.fixture(autouse=True)
def no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subprocess, "Popen", _forbidden)
    monkeypatch.setattr(proc, "_spawn", _forbidden)
