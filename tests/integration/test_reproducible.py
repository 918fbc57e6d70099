"""Byte-reproducible builds: two builds of the same sources, from two different
checkout paths and two clean cargo target directories, give identical .wasm
files and identical npm tarballs (so a release manifest can be checked)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.conftest import REPO
from tests.integration.conftest import copy_kernel, run_wasmforge


def digests(directory: Path, pattern: str) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob(pattern))}


def clean_build_and_pack(checkout: Path, target_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    kernel = copy_kernel(REPO / "tests" / "fixtures" / "objects", checkout / "objects")
    built = run_wasmforge("build", str(kernel), "--all-targets", "--no-verify", "--force",
                          env={"CARGO_TARGET_DIR": str(target_dir)})
    assert built.returncode == 0, built.stderr[-3000:]
    packed = run_wasmforge("ci", str(kernel), "--pack-dir", str(checkout / "dist"))
    assert packed.returncode == 0, packed.stderr[-3000:]
    return digests(kernel / "pkg", "*.wasm"), digests(checkout / "dist", "*.tgz")


def test_two_clean_builds_from_different_checkouts_are_byte_identical(tmp_path: Path) -> None:
    first = clean_build_and_pack(tmp_path / "checkout-a", tmp_path / "target-a")
    second = clean_build_and_pack(tmp_path / "elsewhere" / "deeper" / "checkout-b", tmp_path / "target-b")
    wasm_a, tarballs_a = first
    wasm_b, tarballs_b = second
    assert set(wasm_a) == {"objects_bg.wasm", "simd/objects_bg.wasm"}
    assert wasm_a == wasm_b
    assert len(tarballs_a) == 1
    assert list(tarballs_a.values()) == list(tarballs_b.values())
