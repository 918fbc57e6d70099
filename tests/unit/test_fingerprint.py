from __future__ import annotations

from pathlib import Path

import pytest

from wasmforge.pipeline import fingerprint
from wasmforge.pipeline.fingerprint import input_digest


def test_any_input_change_changes_the_digest(kernel_dir: Path) -> None:
    (kernel_dir / "src").mkdir()
    (kernel_dir / "src" / "lib.rs").write_text("pub fn f() {}\n")
    spec = kernel_dir / "kernel.toml"
    first = fingerprint.input_digest(spec, kernel_dir, "rustc 1", "targets=web")
    assert fingerprint.input_digest(spec, kernel_dir, "rustc 1", "targets=web") == first
    assert fingerprint.input_digest(spec, kernel_dir, "rustc 2", "targets=web") != first
    assert fingerprint.input_digest(spec, kernel_dir, "rustc 1", "targets=nodejs") != first
    (kernel_dir / "src" / "lib.rs").write_text("pub fn g() {}\n")
    assert fingerprint.input_digest(spec, kernel_dir, "rustc 1", "targets=web") != first


def test_build_outputs_do_not_count_as_inputs(kernel_dir: Path) -> None:
    spec = kernel_dir / "kernel.toml"
    first = fingerprint.input_digest(spec, kernel_dir, "t", "o")
    for output in ("target/x", "pkg/y", "node_modules/z"):
        (kernel_dir / output).parent.mkdir(parents=True, exist_ok=True)
        (kernel_dir / output).write_text("built")
    assert fingerprint.input_digest(spec, kernel_dir, "t", "o") == first


def test_up_to_date_only_while_the_package_is_untouched(tmp_path: Path, kernel_dir: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.js").write_text("x")
    key = fingerprint.input_digest(kernel_dir / "kernel.toml", kernel_dir, "t", "o")
    state = tmp_path / "state.json"
    assert not fingerprint.is_up_to_date(state, key, package)
    fingerprint.record(state, key, package, {"sizes": []})
    assert fingerprint.is_up_to_date(state, key, package)
    (package / "a.js").write_text("edited")
    assert not fingerprint.is_up_to_date(state, key, package)


def test_user_rustflags_are_kept_before_the_path_remapping(monkeypatch: pytest.MonkeyPatch) -> None:
    from wasmforge.pipeline import cargo

    class Fake:
        def cargo_env(self) -> dict[str, str]:
            return {"RUSTUP_TOOLCHAIN": "wasmforge"}

    for variable in ("CARGO_ENCODED_RUSTFLAGS", "RUSTFLAGS", "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS", "-Ctarget-only")
    assert cargo.user_rustflags() == ["-Ctarget-only"]
    monkeypatch.setenv("RUSTFLAGS", "-C debug-assertions=off")  # cargo prefers it to the target's variable
    assert cargo.user_rustflags() == ["-C", "debug-assertions=off"]
    env = cargo.build_env(Fake(), {Path("/a checkout/kernel"): "/kernel"})  # type: ignore[arg-type]
    assert env["CARGO_ENCODED_RUSTFLAGS"].split("\x1f") == [
        "-C", "debug-assertions=off", "--remap-path-prefix=/a checkout/kernel=/kernel"]
    monkeypatch.setenv("CARGO_ENCODED_RUSTFLAGS", "-Cone\x1f-Ctwo words")  # and this to both
    assert cargo.user_rustflags() == ["-Cone", "-Ctwo words"]


def test_rustflags_change_the_fingerprint(tmp_path: Path) -> None:
    from tests.conftest import write_kernel

    kernel = write_kernel(tmp_path / "k")
    (kernel / "src").mkdir()
    (kernel / "src" / "lib.rs").write_text("")
    plain = input_digest(kernel / "kernel.toml", kernel, "tc", "opts")
    flagged = input_digest(kernel / "kernel.toml", kernel, "tc", "opts", rustflags=("-Ctarget-cpu=mvp",))
    assert plain.digest != flagged.digest
