"""The command line surface: help on every command, version, exit codes."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from wasmforge import __version__, cli

COMMANDS = [[], ["doctor"], ["toolchain"], ["toolchain", "install"], ["render"], ["build"], ["verify"], ["schema"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "wasmforge")
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(cli.app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_version() -> None:
    result = CliRunner().invoke(cli.app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"wasmforge {__version__}"


def run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr("sys.argv", ["wasmforge", *args])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    return int(exited.value.code or 0)


def test_unknown_target_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, kernel_dir, capsys) -> None:  # noqa: ANN001
    assert run_main(monkeypatch, "build", str(kernel_dir), "--target", "deno") == 2
    assert "unknown target `deno`" in capsys.readouterr().err


def test_conflicting_target_options(monkeypatch: pytest.MonkeyPatch, kernel_dir, capsys) -> None:  # noqa: ANN001
    assert run_main(monkeypatch, "build", str(kernel_dir), "--all-targets", "--target", "web") == 2


def test_print_plan_needs_no_toolchain(monkeypatch: pytest.MonkeyPatch, kernel_dir, capsys) -> None:  # noqa: ANN001
    assert run_main(monkeypatch, "build", str(kernel_dir), "--print-plan") == 0
    err = capsys.readouterr().err
    assert "cargo build --release --target wasm32-unknown-unknown, once" in err
    assert "wasm-bindgen --target no-modules" in err


def test_no_kernel_here(monkeypatch: pytest.MonkeyPatch, tmp_path, capsys) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    assert run_main(monkeypatch, "build") == 2
    assert "no kernel.toml here" in capsys.readouterr().err


def test_schema_goes_to_stdout(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # noqa: ANN001
    assert run_main(monkeypatch, "schema") == 0
    assert '"title": "wasmforge kernel spec (kernel.toml)"' in capsys.readouterr().out
