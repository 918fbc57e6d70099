"""The threaded module: the kernel's rayon code on shared memory (`[build] threads_feature`).

It is compiled by a cargo run of its own: against a second wasm32 std, built with atomics by
`toolchain install` into a sysroot of ours (toolchain/rust.py), with the atomics target
features and a shared, imported memory — and so into a target directory of its own, where
those flags do not invalidate the other modules' artifacts. The linker exports the TLS
symbols wasm-bindgen's thread support needs to give each thread its own statics and stack.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ToolMissing
from ..settings import threads_sysroot
from ..toolchain.rust import THREADS_TARGET_FEATURES, rlib_names, threads_std_current

# The most a threaded module's memory may grow to: a shared memory declares its maximum up
# front (engines reserve it as address space, not as memory). 2 GiB, as Emscripten's default.
MAX_MEMORY = 2 * 1024 * 1024 * 1024
TLS_EXPORTS = ("__wasm_init_tls", "__tls_size", "__tls_align", "__tls_base")


def rustflags() -> tuple[str, ...]:
    """rustc's flags for the threaded module's crates (cargo gives them to wasm32 crates only:
    proc macros and build scripts still use the host's std)."""
    links = ["--shared-memory", "--import-memory", f"--max-memory={MAX_MEMORY}",
             *(f"--export={symbol}" for symbol in TLS_EXPORTS)]
    return (f"--sysroot={threads_sysroot()}", f"-Ctarget-feature={THREADS_TARGET_FEATURES}",
            *(f"-Clink-arg={link}" for link in links))


def require_std() -> None:
    if not threads_std_current():
        raise ToolMissing("the wasm32 std with atomics (for the threaded module) is not built",
                          hint="run `wasmforge toolchain install`")


def std_stamp() -> str:
    """Names of the atomics std's rlibs: part of the threaded target directory's stamp."""
    return rlib_names(threads_sysroot())


def target_dir(cargo_target: Path) -> Path:
    return cargo_target.with_name(cargo_target.name + "-threads")


def cargo_features(simd: bool) -> tuple[str, ...]:
    return ("simd", "threads") if simd else ("threads",)
