"""Run wasm-bindgen once per target on the one compiled module, or (the
wasm-pack backend) let wasm-pack build each target the way users do today."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from .. import proc
from ..errors import BuildFailed
from ..toolchain.tools import Toolchain, wasm_pack


def run_bindgen(toolchain: Toolchain, wasm: Path, target: str, out_dir: Path, ident: str, *, release: bool) -> Path:
    """wasm-bindgen for one target into `out_dir`; returns the directory."""
    shutil.rmtree(out_dir, ignore_errors=True)
    argv = [
        str(toolchain.wasm_bindgen), "--target", target, "--out-dir", str(out_dir),
        "--out-name", ident, "--no-typescript", str(wasm),
    ]
    if not release:
        argv[1:1] = ["--debug", "--keep-debug"]
    proc.run(argv, hint="wasm-bindgen and the crate's wasm-bindgen dependency must be the same version")
    return out_dir


def run_wasm_pack(
    toolchain: Toolchain, crate_dir: Path, target: str, out_dir: Path, ident: str, target_dir: Path,
    *, release: bool, cargo_env: dict[str, str], features: tuple[str, ...] = (),
) -> Path:
    """`wasm-pack build` for one target. --mode no-install and our wasm-bindgen
    first on PATH: wasm-pack never downloads anything."""
    shutil.rmtree(out_dir, ignore_errors=True)
    argv = [
        str(wasm_pack()), "--log-level", "warn", "build", str(crate_dir), "--target", target,
        "--out-dir", str(out_dir), "--out-name", ident, "--mode", "no-install", "--no-typescript",
        "--no-pack", "--release" if release else "--dev",
    ]
    if features:
        argv += ["--", "--features", ",".join(features)]
    env = {**cargo_env, "PATH": toolchain.path_with_tools(), "CARGO_TARGET_DIR": str(target_dir),
           "WASM_PACK_CACHE": str(target_dir / "wasm-pack-cache")}
    proc.run(argv, env=env, hint="wasm-pack --mode no-install needs our wasm-bindgen on PATH")
    return out_dir


def shared_module(out_dirs: dict[str, Path], ident: str) -> Path:
    """The `<ident>_bg.wasm` all targets share; an error if wasm-bindgen made them differ."""
    digests = {target: _sha256(out / f"{ident}_bg.wasm") for target, out in out_dirs.items()}
    if len(set(digests.values())) != 1:
        listing = ", ".join(f"{t}={d[:12]}" for t, d in digests.items())
        raise BuildFailed(
            f"wasm-bindgen produced different modules per target ({listing}); "
            "the single-package layout needs one shared module",
            hint="use the wasm-bindgen version wasmforge pins (`wasmforge doctor`)",
        )
    first = next(iter(out_dirs.values()))
    return first / f"{ident}_bg.wasm"


def check_shared_glue(baseline: Path, simd: Path) -> None:
    """The web and no-modules glue of the baseline build also loads the SIMD
    module (it is handed the module at init()): wasm-bindgen must have written
    the same glue for both builds."""
    if simd.read_text("utf-8") != baseline.read_text("utf-8"):
        raise BuildFailed(
            f"wasm-bindgen wrote different {baseline.parent.name} glue for the SIMD build; "
            "one glue file must be able to load both modules",
            hint="the kernel's simd feature must not change the exported API",
        )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
