"""`wasmforge new`: names are checked as npm and crate names with a fix, nothing
is ever overwritten, and every template renders a spec that loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmforge import cli
from wasmforge.errors import UsageError
from wasmforge.scaffold import TEMPLATES, check_name, plan_new, write_new
from wasmforge.kernelspec.load import load_spec


@pytest.mark.parametrize("name", ["demo", "image-filters", "fft_adapter", "k2"])
def test_usable_names(name: str) -> None:
    check_name(name)


@pytest.mark.parametrize(("name", "fix"), [
    ("My Kernel", "e.g. `wasmforge new my-kernel`"),
    ("Demo", "e.g. `wasmforge new demo`"),
    ("2d-blur", "e.g. `wasmforge new d-blur`"),
    ("@scope/demo", "e.g. `wasmforge new scope-demo`"),
    ("fs", "e.g. `wasmforge new fs-kernel`"),
    ("match", "e.g. `wasmforge new match-kernel`"),
    ("std", "e.g. `wasmforge new std-kernel`"),
    ("trailing-", "e.g. `wasmforge new trailing`"),
    ("x" * 65, "e.g. `wasmforge new " + "x" * 64 + "`"),
])
def test_unusable_names_get_a_fix(name: str, fix: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_name(name)
    assert f"`{name}` cannot name a kernel" in caught.value.message
    assert caught.value.hint == fix


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_is_a_kernel_whose_spec_loads(template: str, tmp_path: Path) -> None:
    kernel = plan_new("demo", tmp_path, template)
    write_new(kernel)
    spec = load_spec(tmp_path / "demo")
    assert spec.package.name == "demo" and spec.crate_package == "demo"
    examples = [e for f in spec.all_functions for e in f.examples]
    assert any(e.error for e in examples) and any(not e.error for e in examples)
    assert "#[cfg(test)]" in (tmp_path / "demo" / "src" / "lib.rs").read_text()


def test_new_refuses_to_overwrite_and_writes_nothing_for_a_bad_name(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "notes.txt").write_text("mine")
    for argv in (["new", "demo"], ["new", "Bad Name"], ["new", "other", "--template", "nope"]):
        monkeypatch.setattr("sys.argv", ["wasmforge", *argv])
        with pytest.raises(SystemExit) as exited:
            cli.main()
        assert exited.value.code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]
    assert [p.name for p in (tmp_path / "demo").iterdir()] == ["notes.txt"]
    assert "already exists; nothing was written" in capsys.readouterr().err


def test_new_prints_the_next_three_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["wasmforge", "new", "demo", "--template", "class"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 0
    err = capsys.readouterr().err
    for command in ("cargo test --manifest-path demo/Cargo.toml", "wasmforge build demo --all-targets",
                    "wasmforge verify demo --consumers"):
        assert command in err
