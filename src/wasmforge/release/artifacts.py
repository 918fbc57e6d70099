"""What a release leaves in KERNEL_DIR/releases/<version>/.

  <name>-<version>.tgz   the packed package (npm pack: sorted entries, fixed
                         mtimes and modes, so byte-reproducible)
  SHA256SUMS             `sha256sum -c SHA256SUMS` checks the tarball
  manifest.json          package, version, toolchain versions, and the sha256
                         and size of every .wasm and of the tarball

manifest.json and SHA256SUMS are committed; the tarball is a build output.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

from .. import __version__, proc
from ..kernelspec.model import KernelSpec
from ..toolchain.tools import Toolchain
from ..operations import pack

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_release(toolchain: Toolchain, spec: KernelSpec, pkg: Path, release_dir: Path, tag: str | None,
                  build_options: str) -> dict[str, Any]:
    """Pack `pkg` into `release_dir` with its checksums and manifest; returns the manifest."""
    release_dir.mkdir(parents=True, exist_ok=True)
    tarball = pack(toolchain, pkg, release_dir)
    manifest = {
        "package": spec.package.name,
        "version": spec.package.version,
        "tag": tag,
        "tarball": {"file": tarball.file.name, "sha256": tarball.sha256, "size": tarball.size},
        "wasm": _wasm_in_tarball(tarball.file.read_bytes()),
        "build": build_options,
        "toolchain": toolchain_versions(toolchain),
    }
    (release_dir / SUMS).write_text(f"{tarball.sha256}  {tarball.file.name}\n")
    (release_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _wasm_in_tarball(data: bytes) -> list[dict[str, Any]]:
    """Every .wasm as shipped (read from the tarball itself, not from pkg/)."""
    modules = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in sorted(archive.getmembers(), key=lambda m: m.name):
            if member.isfile() and member.name.endswith(".wasm"):
                extracted = archive.extractfile(member)
                assert extracted is not None
                content = extracted.read()
                path = member.name.removeprefix("package/")
                modules.append({"path": path, "sha256": sha256(content), "size": len(content)})
    return modules


def toolchain_versions(toolchain: Toolchain) -> dict[str, str]:
    """What built the release: with the sources, what decides its bytes."""
    return {
        "wasmforge": __version__,
        "rustc": toolchain.rust.rustc_version,
        "wasm-bindgen": toolchain.wasm_bindgen_version,
        "wasm-opt": toolchain.wasm_opt_version,
        "node": proc.run([str(toolchain.node.node), "--version"]).stdout.strip(),
    }
