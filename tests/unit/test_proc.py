"""The subprocess door's error paths, with the process layer faked."""

from __future__ import annotations

import pytest

from wasmforge import proc
from wasmforge.errors import CommandFailed, ToolMissing


def fake_spawn(returncode: int, out: str = "", err: str = ""):
    def spawn(args, cwd, env, timeout, stdin_text):  # noqa: ANN001, ANN202 - mirrors proc._spawn
        spawn.seen = (args, env)
        return returncode, out, err
    return spawn


def test_failure_carries_argv_status_output_tail_and_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = "\n".join(f"line {i}" for i in range(100))
    monkeypatch.setattr(proc, "_spawn", fake_spawn(101, "", lines))
    with pytest.raises(CommandFailed) as caught:
        proc.run(["cargo", "build"], hint="read the compiler's messages")
    error = caught.value
    assert error.argv == ("cargo", "build") and error.returncode == 101
    assert error.output_tail.splitlines() == [f"line {i}" for i in range(60, 100)]
    assert error.exit_code == 4
    assert "fix: read the compiler's messages" in error.render()


def test_stdout_tail_is_used_when_stderr_is_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proc, "_spawn", fake_spawn(1, "only stdout", ""))
    with pytest.raises(CommandFailed) as caught:
        proc.run(["node", "x.js"])
    assert caught.value.output_tail == "only stdout"


def test_unchecked_run_returns_the_status(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proc, "_spawn", fake_spawn(3, "out", "err"))
    result = proc.run(["tool"], check=False)
    assert (result.returncode, result.stdout, result.stderr) == (3, "out", "err")


def test_missing_executable_is_a_missing_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    def spawn(*args: object) -> None:
        raise FileNotFoundError(2, "No such file or directory")
    monkeypatch.setattr(proc, "_spawn", spawn)
    with pytest.raises(ToolMissing) as caught:
        proc.run(["wasm-bindgen", "--version"], hint="run `wasmforge toolchain install`")
    assert caught.value.exit_code == 3


def test_env_entries_are_added_and_empty_ones_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    spawn = fake_spawn(0)
    monkeypatch.setattr(proc, "_spawn", spawn)
    monkeypatch.setenv("RUSTUP_TOOLCHAIN", "stable")
    proc.run(["cargo"], env={"RUSTUP_TOOLCHAIN": "", "EXTRA": "1"})
    env = spawn.seen[1]
    assert "RUSTUP_TOOLCHAIN" not in env and env["EXTRA"] == "1" and "PATH" in env


def test_which_explains_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ToolMissing) as caught:
        proc.which("definitely-not-a-tool-xyz", path="")
    assert "wasmforge toolchain install" in caught.value.render()
