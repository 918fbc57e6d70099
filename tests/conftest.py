"""Shared test helpers. Layers: tests/unit (no processes), tests/golden
(rendered trees, formatted by the real rustfmt and Prettier, compared with
reviewed files), tests/integration (the real toolchain: cargo, wasm-bindgen,
wasm-opt, Node, wasmtime)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

MINIMAL_SPEC = """
[package]
name = "demo-kernel"
version = "1.2.3"
description = "A demo kernel."

[[error]]
name = "Overflow"
doc = "The sum does not fit."
fields = { limit = "f64" }

[[function]]
name = "sumAll"
doc = "Sum of the values."
returns = "f64"
errors = ["Overflow"]

[[function.args]]
name = "values"
type = "f64[]"
doc = "The values."
min_length = 1

[[function.example]]
args = { values = [1, 2, 3] }
expect = 6.0
"""

KERNEL_CARGO = """
[package]
name = "demo-kernel-rs"
version = "1.2.3"
edition = "2021"
"""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/golden/expected from the current templates (review the diff!)")


def write_kernel(root: Path, spec: str = MINIMAL_SPEC, cargo: str = KERNEL_CARGO) -> Path:
    """A kernel directory with kernel.toml and a Cargo.toml (no Rust sources needed to load)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "kernel.toml").write_text(textwrap.dedent(spec).lstrip())
    (root / "Cargo.toml").write_text(textwrap.dedent(cargo).lstrip())
    return root


@pytest.fixture
def kernel_dir(tmp_path: Path) -> Path:
    return write_kernel(tmp_path / "demo")
