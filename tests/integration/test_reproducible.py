"""Byte-reproducible builds: two builds of the same sources, from two different
checkout paths (one with a space) and two clean cargo target directories, with
the user's own RUSTFLAGS set, give identical .wasm files and identical npm
tarballs (so a release manifest can be checked); RUSTFLAGS are part of what a
build is, so changing them rebuilds."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.conftest import REPO
from tests.integration.conftest import copy_kernel, run_wasmforge


def digests(directory: Path, pattern: str) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob(pattern))}


# The user's own flags: they must neither be lost nor make the path remapping lose out.
USER_FLAGS = {"RUSTFLAGS": "-C debug-assertions=off"}


def clean_build_and_pack(checkout: Path, target_dir: Path) -> tuple[Path, dict[str, str], dict[str, str]]:
    kernel = copy_kernel(REPO / "tests" / "fixtures" / "objects", checkout / "objects")
    env = {"CARGO_TARGET_DIR": str(target_dir), **USER_FLAGS}
    built = run_wasmforge("build", str(kernel), "--all-targets", "--no-verify", "--force", env=env)
    assert built.returncode == 0, built.stderr[-3000:]
    packed = run_wasmforge("ci", str(kernel), "--pack-dir", str(checkout / "dist"), env=env)
    assert packed.returncode == 0, packed.stderr[-3000:]
    return kernel, digests(kernel / "pkg", "*.wasm"), digests(checkout / "dist", "*.tgz")


def test_two_clean_builds_from_different_checkouts_are_byte_identical(tmp_path: Path) -> None:
    _, wasm_a, tarballs_a = clean_build_and_pack(tmp_path / "checkout-a", tmp_path / "target-a")
    kernel, wasm_b, tarballs_b = clean_build_and_pack(tmp_path / "else where" / "deeper" / "checkout b",
                                                      tmp_path / "target-b")
    assert set(wasm_a) == {"objects_bg.wasm", "simd/objects_bg.wasm"}
    assert wasm_a == wasm_b
    assert len(tarballs_a) == 1
    assert list(tarballs_a.values()) == list(tarballs_b.values())

    def up_to_date(flags: str) -> bool:
        result = run_wasmforge("build", str(kernel), "--all-targets", "--no-verify", "--json",
                               env={"CARGO_TARGET_DIR": str(tmp_path / "target-b"), "RUSTFLAGS": flags})
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout)[0]["up_to_date"]

    assert up_to_date(USER_FLAGS["RUSTFLAGS"])
    assert not up_to_date("-C debug-assertions=off -C overflow-checks=off")
