"""`wasmforge new NAME` from an empty directory: every template's kernel passes
its own `cargo test`, then `wasmforge build NAME --all-targets` builds and
verifies it green at once, and its generated crate passes clippy."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.integration.conftest import assert_clippy_clean, run_wasmforge
from wasmforge.scaffold import TEMPLATES
from wasmforge.kernelspec.load import load_spec


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_new_kernel_builds_green_at_once(template: str, tmp_path: Path) -> None:
    created = run_wasmforge("new", "demo", "--template", template, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert "wasmforge build demo --all-targets" in created.stderr

    tested = subprocess.run(["cargo", "test", "--quiet", "--manifest-path", "demo/Cargo.toml"], cwd=tmp_path,
                            capture_output=True, text=True,
                            env={**os.environ, "CARGO_TARGET_DIR": str(tmp_path / "native")})
    assert tested.returncode == 0, tested.stdout + tested.stderr

    built = run_wasmforge("build", "demo", "--all-targets", "--json", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    [report] = json.loads(built.stdout)
    verification = report["verification"]
    assert verification["ok"] and {c["target"] for c in verification["checks"]} == {
        "wasm", "bundler", "nodejs", "web", "no-modules"}
    # Every example of the spec ran on every target, the error examples included.
    examples = [e for f in load_spec(tmp_path / "demo").all_functions for e in f.examples]
    assert any(e.error for e in examples)
    for target in ("bundler", "nodejs", "web", "no-modules"):
        ran = {c["check"] for c in verification["checks"] if c["target"] == target}
        assert {e.doc for e in examples} <= ran, target
    assert (tmp_path / "demo" / "pkg" / "package.json").is_file()
    assert_clippy_clean(tmp_path / "demo")
