"""Compile from a canonical place, so builds are byte-reproducible.

Cargo derives every crate's metadata hash from its package id, which for a
path dependency holds the absolute path; rustc's symbol hashes and the order
of functions in the module follow from it. `--remap-path-prefix` cannot
change that, so two checkouts in different places would produce different
(equally correct) modules. Instead the kernel crate and the generated crate
are mirrored to `<build root>/<package>/` — by default
/tmp/wasmforge-builds, the same path on every machine — and compiled there.

Mirroring writes only files whose content changed (with a fresh mtime, so
cargo never mistakes new content for old) and removes files that went away.
A lock file serialises builds of the same package from different checkouts.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tomllib
from collections.abc import Iterator
from pathlib import Path


SKIPPED = {"target", "pkg", "node_modules", ".git", "releases"}


def has_path_dependencies(crate_dir: Path) -> bool:
    """A kernel with relative path dependencies cannot be moved: it is built in place."""
    manifest = tomllib.loads((crate_dir / "Cargo.toml").read_text("utf-8"))
    tables = [manifest.get("dependencies", {})] + [
        target.get("dependencies", {}) for target in manifest.get("target", {}).values()]
    return any(isinstance(dep, dict) and "path" in dep for table in tables for dep in table.values())


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_tree(source: Path) -> dict[str, bytes]:
    """The files of `source` (build outputs excluded), by relative path: what `mirror_files` writes."""
    return {path.relative_to(source).as_posix(): path.read_bytes() for path in source_files(source)}


def mirror_files(files: dict[str, bytes], destination: Path, keep: frozenset[str] = frozenset({"target"})) -> None:
    """Write `files` under `destination`, touching only what changed; delete the rest
    (top-level names in `keep` excepted)."""
    destination.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        write_if_changed(destination / relative, content)
    for path in sorted(destination.rglob("*"), reverse=True):
        relative = path.relative_to(destination)
        if relative.parts[0] in keep or relative.as_posix() == ".lock":
            continue
        if path.is_file() and relative.as_posix() not in files:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            os.rmdir(path)


def write_if_changed(path: Path, content: bytes) -> None:
    """One mirrored file: written only when its content changed (see the module docstring)."""
    if not (path.is_file() and path.read_bytes() == content):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def source_files(root: Path) -> list[Path]:
    """The kernel's own files, sorted: what is mirrored into a build and fingerprinted."""
    return sorted(p for p in root.rglob("*")
                  if p.is_file() and not set(p.relative_to(root).parts) & SKIPPED)
