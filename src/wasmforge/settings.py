"""Pinned versions and well-known locations, read from one place.

Pins live in resources/toolchain.toml; the JavaScript tools wasmforge runs are
pinned by resources/npm-tools/package-lock.json. The tools directory that
wasmforge owns defaults to ~/.wasmforge and moves with WASMFORGE_HOME.
"""

from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


TARGETS: tuple[str, ...] = ("bundler", "nodejs", "web", "no-modules")
WASM_TARGET = "wasm32-unknown-unknown"


@dataclass(frozen=True)
class Pins:
    wasm_bindgen: str
    wasm_pack: str
    sccache: str
    wasm_opt_crate: str
    rust_toolchain: str
    rust_sysroot: Path
    debian_packages: tuple[str, ...]
    library_source: Path
    node_minimum: str


@functools.cache
def pins() -> Pins:
    data = tomllib.loads(resource_text("toolchain.toml"))
    rust = data["rust"]
    return Pins(
        wasm_bindgen=data["wasm-bindgen"]["version"],
        wasm_pack=data["wasm-pack"]["version"],
        sccache=data["sccache"]["version"],
        wasm_opt_crate=data["wasm-opt"]["crate-version"],
        rust_toolchain=rust["toolchain"],
        rust_sysroot=Path(rust["sysroot"]),
        debian_packages=tuple(rust["debian-packages"]),
        library_source=Path(rust["library-source"]),
        node_minimum=data["node"]["minimum"],
    )


def resource_text(name: str) -> str:
    return resources.files("wasmforge").joinpath("resources", name).read_text("utf-8")


def resource_path(*parts: str) -> Path:
    """A resource file as a real path (the package is always installed unzipped)."""
    return Path(str(resources.files("wasmforge").joinpath("resources", *parts)))


def tools_home() -> Path:
    """The directory whose contents wasmforge installs and owns."""
    configured = os.environ.get("WASMFORGE_HOME")
    return Path(configured).expanduser() if configured else Path.home() / ".wasmforge"


def cargo_tools_root() -> Path:
    """`cargo install --root` target for wasm-bindgen-cli and wasm-pack."""
    return tools_home() / "cargo"


def npm_tools_dir() -> Path:
    """Where resources/npm-tools is installed with `npm ci`."""
    return tools_home() / "npm-tools"


def build_root() -> Path:
    """Where kernels are compiled (see pipeline/sources.py): the same absolute path on
    every machine makes builds byte-reproducible. WASMFORGE_BUILD_ROOT moves it."""
    configured = os.environ.get("WASMFORGE_BUILD_ROOT")
    return Path(configured).expanduser() if configured else Path("/tmp/wasmforge-builds")


def std_build_dir() -> Path:
    return tools_home() / "wasm32-std"


def threads_std_build_dir() -> Path:
    return tools_home() / "wasm32-std-threads"


def threads_sysroot() -> Path:
    """A sysroot of ours holding the wasm32 std built with atomics (the threaded modules');
    its host half links to the toolchain's, for the linker (toolchain/rust.py)."""
    return tools_home() / "wasm32-threads-sysroot"
