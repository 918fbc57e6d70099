"""Where a kernel's build puts things.

Everything intermediate lives under KERNEL_DIR/target/wasmforge/ (ignored by
git like any cargo target dir); the finished package is KERNEL_DIR/pkg/, and
is only ever replaced whole, by a rename, after the new one is complete.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..settings import build_root
from ..kernelspec.model import KernelSpec


@dataclass(frozen=True)
class WorkDir:
    kernel_dir: Path
    ident: str = ""

    @property
    def root(self) -> Path:
        return self.kernel_dir / "target" / "wasmforge"

    @property
    def crate(self) -> Path:
        return self.root / "crate"

    @property
    def npm(self) -> Path:
        return self.root / "npm"

    @property
    def bindgen(self) -> Path:
        return self.root / "bindgen"

    @property
    def stage(self) -> Path:
        """The package being assembled; renamed to pkg/ when complete and verified."""
        return self.root / "stage"

    @property
    def state_file(self) -> Path:
        return self.root / "last-build.json"

    @property
    def canonical(self) -> Path:
        """Where the crate is compiled (pipeline/sources.py)."""
        return build_root() / self.ident

    @property
    def cargo_target(self) -> Path:
        """One cargo target directory for every kernel of the build root: what kernels share
        (wasm-bindgen and its dependency tree) compiles once; cargo locks it between builds."""
        configured = os.environ.get("CARGO_TARGET_DIR")
        return Path(configured).resolve() if configured else build_root() / "target"

    @property
    def pkg(self) -> Path:
        return self.kernel_dir / "pkg"


def workdir(spec: KernelSpec) -> WorkDir:
    return WorkDir(spec.root, spec.ident)
