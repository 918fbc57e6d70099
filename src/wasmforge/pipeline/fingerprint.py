"""Is the package already built from exactly these inputs?

The fingerprint hashes the spec, the kernel crate's sources, the templates,
wasmforge's own version and code (a checkout changes without a new version),
the toolchain versions and the build options. It is
stored next to the build with a hash of the package it produced, so a second
build with nothing changed does no work, and a package edited by hand (or
deleted) is rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..render.templates import templates_digest
from .sources import source_files


@dataclass(frozen=True)
class BuildKey:
    options: str  # e.g. "targets=bundler,nodejs backend=wasm-bindgen profile=release"
    digest: str


def input_digest(spec_file: Path, crate_dir: Path, toolchain_fingerprint: str, options: str,
                 extra_files: list[Path] | None = None, rustflags: tuple[str, ...] = ()) -> BuildKey:
    """`rustflags`: the user's own flags for rustc (they change the bytes built)."""
    digest = hashlib.sha256()
    for label, value in (("wasmforge", __version__), ("code", code_digest()), ("options", options),
                         ("toolchain", toolchain_fingerprint), ("templates", templates_digest()),
                         ("rustflags", "\x1f".join(rustflags))):
        digest.update(f"{label}\0{value}\0".encode())
    digest.update(b"spec\0" + spec_file.read_bytes())
    for path in source_files(crate_dir):
        digest.update(path.relative_to(crate_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for path in extra_files or []:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return BuildKey(options, digest.hexdigest())


@functools.cache
def code_digest() -> str:
    """Hash of wasmforge's own code and resources: the generated files depend on it too."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".mjs", ".json", ".toml")
                       and "node_modules" not in p.parts):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def tree_digest(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_up_to_date(state_file: Path, key: BuildKey, package: Path) -> bool:
    if not (state_file.is_file() and package.is_dir()):
        return False
    try:
        state = json.loads(state_file.read_text())
    except ValueError:
        return False
    return state.get("inputs") == key.digest and state.get("package") == tree_digest(package)


def record(state_file: Path, key: BuildKey, package: Path, report: dict[str, object]) -> None:
    state = {"inputs": key.digest, "options": key.options, "package": tree_digest(package), "report": report}
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(state, indent=2) + "\n")


def last_report(state_file: Path) -> dict[str, object]:
    try:
        return json.loads(state_file.read_text()).get("report", {})
    except (OSError, ValueError):
        return {}
