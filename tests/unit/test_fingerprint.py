from __future__ import annotations

from pathlib import Path

from wasmforge.build import fingerprint


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
