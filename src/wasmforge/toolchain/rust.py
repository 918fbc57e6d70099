"""A Rust toolchain that can compile for wasm32-unknown-unknown, found or made.

Preferred: the rustup default toolchain when it already has the wasm32 target.
Otherwise Debian's rustc-web, whose vendored standard-library source lets us
build the wasm32 std offline; that toolchain is linked into rustup under a name
of ours and selected per process with RUSTUP_TOOLCHAIN, so the machine's
default toolchain never changes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .. import proc
from ..errors import CommandFailed, ToolMissing
from ..settings import WASM_TARGET, pins, std_build_dir, threads_std_build_dir, threads_sysroot

STD_STAMP = ".wasmforge-std"

# A program that needs allocation, formatting and the linker: if it compiles to
# wasm32, the std is usable.
_PROBE_PROGRAM = """
#[no_mangle]
pub extern "C" fn probe(n: u32) -> u32 {
    let v: Vec<String> = (0..n).map(|i| format!("{i}")).collect();
    v.iter().map(|s| s.len() as u32).sum()
}
"""


@dataclass(frozen=True)
class RustToolchain:
    label: str  # human name: "rustup default (stable-…)" or "wasmforge (Debian rustc-web)"
    env: dict[str, str] = field(default_factory=dict)  # e.g. {"RUSTUP_TOOLCHAIN": "wasmforge"}
    rustc_version: str = ""  # first line of `rustc -vV`
    rustc_verbose: str = ""  # all of `rustc -vV`: part of the build fingerprint
    sysroot: Path = Path()

    @property
    def wasm32_lib_dir(self) -> Path:
        return wasm32_lib_dir(self.sysroot)


def wasm32_lib_dir(sysroot: Path) -> Path:
    return sysroot / "lib" / "rustlib" / WASM_TARGET / "lib"


def _has_wasm32_std_at(sysroot: Path) -> bool:
    return any(wasm32_lib_dir(sysroot).glob("libstd-*.rlib"))


def find_wasm_toolchain() -> RustToolchain | None:
    """The first toolchain whose sysroot holds a wasm32 std, or None. The candidates are
    looked at concurrently: this is on every build's path, no-op builds included."""
    candidates = _candidates()
    with ThreadPoolExecutor(max_workers=len(candidates)) as pool:
        described = list(pool.map(lambda candidate: _describe(*candidate), candidates))
    return next((toolchain for toolchain in described if toolchain), None)


def _candidates() -> list[tuple[str, dict[str, str]]]:
    name = pins().rust_toolchain
    # An explicit RUSTUP_TOOLCHAIN in the caller's environment is not ours to
    # override for the "default" candidate, so it is left as it is.
    return [("default", {}), (name, {"RUSTUP_TOOLCHAIN": name})]


def _describe(label: str, env: dict[str, str]) -> RustToolchain | None:
    """The candidate toolchain, if it has a wasm32 std. Its sysroot first (a linked
    toolchain's is its directory in the rustup home, no process needed), and `rustc -vV`
    only for a sysroot with a wasm32 std: each rustc start costs 15-30 ms."""
    if not shutil.which("rustc"):
        return None
    try:
        sysroot = _linked_sysroot(env) or Path(proc.run(["rustc", "--print", "sysroot"], env=env).stdout.strip())
        if not _has_wasm32_std_at(sysroot):
            return None
        verbose = proc.run(["rustc", "-vV"], env=env).stdout
    except (CommandFailed, ToolMissing):
        return None
    first = verbose.splitlines()[0] if verbose else "rustc (unknown)"
    shown = "rustup default" if not env else f"`{label}` (RUSTUP_TOOLCHAIN)"
    return RustToolchain(shown, env, first, verbose, sysroot)


def _linked_sysroot(env: dict[str, str]) -> Path | None:
    """The sysroot of a toolchain `rustup toolchain link` made: its link in the rustup home."""
    name = env.get("RUSTUP_TOOLCHAIN")
    home = Path(os.environ.get("RUSTUP_HOME") or Path.home() / ".rustup")
    link = home / "toolchains" / name if name else None
    return link.resolve() if link is not None and link.is_symlink() else None


def has_wasm32_std(toolchain: RustToolchain) -> bool:
    return _has_wasm32_std_at(toolchain.sysroot)


def std_fingerprint(toolchain: RustToolchain) -> str:
    """Names of the wasm32 std rlibs: they change whenever the std is rebuilt,
    which cargo's own fingerprints do not notice (see pipeline/cargo.py)."""
    return rlib_names(toolchain.sysroot)


def rlib_names(sysroot: Path) -> str:
    return " ".join(sorted(p.name for p in wasm32_lib_dir(sysroot).glob("*.rlib")))


def probe_std(toolchain: RustToolchain) -> str | None:
    """Compile a small program for wasm32. None when it works, else the error."""
    with tempfile.TemporaryDirectory(prefix="wasmforge-probe-") as tmp:
        try:
            proc.run(
                [
                    "rustc", "--edition", "2021", "--target", WASM_TARGET,
                    "--crate-type", "cdylib", "-C", "panic=abort", "-O",
                    "-o", str(Path(tmp) / "probe.wasm"), "-",
                ],
                env=toolchain.env,
                stdin_text=_PROBE_PROGRAM,
                cwd=Path(tmp),
            )
        except (CommandFailed, ToolMissing) as exc:
            return exc.message.splitlines()[-1]
    return None


# --- building the wasm32 std from Debian's vendored source --------------------

def debian_rustc() -> Path:
    return pins().rust_sysroot / "bin" / "rustc"


def debian_rust_installed() -> bool:
    library = pins().library_source
    return debian_rustc().is_file() and (library / "vendor").is_dir()


def debian_std_current() -> bool:
    """The wasm32 std under Debian's sysroot exists and was built by this rustc."""
    return _std_built_by_debian_rustc(pins().rust_sysroot)


def _std_built_by_debian_rustc(sysroot: Path) -> bool:
    lib_dir = wasm32_lib_dir(sysroot)
    stamp = lib_dir / STD_STAMP
    if not (stamp.is_file() and _has_wasm32_std_at(sysroot)):
        return False
    return stamp.read_text() == _debian_rustc_version()


def _debian_rustc_version() -> str:
    return proc.run([str(debian_rustc()), "-vV"]).stdout


def build_debian_std() -> None:
    """Build std for wasm32 with Debian's cargo/rustc and install it into the sysroot.

    `-Cembed-bitcode=yes` matters: cargo builds rlibs without bitcode unless the
    profile uses LTO, and the generated crates link with LTO.
    """
    workdir = std_build_dir()
    _compile_std(workdir, "-Cembed-bitcode=yes")
    _install_rlibs(_built_rlibs(workdir))


# What the threaded modules' code is compiled with (pipeline/threads.py): the std must match.
THREADS_TARGET_FEATURES = "+atomics,+bulk-memory,+mutable-globals"


def threads_std_current() -> bool:
    """Our sysroot holds a wasm32 std with atomics built by this rustc."""
    return _std_built_by_debian_rustc(threads_sysroot())


def build_threads_std() -> None:
    """Build a second wasm32 std, with atomics (shared memory for wasm threads), into a sysroot
    of ours: the system's std stays single-threaded, and only the threaded modules' compiles
    point rustc at this one (`--sysroot`). Its host half is a link to the toolchain's, where
    rustc finds the linker."""
    workdir = threads_std_build_dir()
    _compile_std(workdir, f"-Cembed-bitcode=yes -Ctarget-feature={THREADS_TARGET_FEATURES}")
    sysroot = threads_sysroot()
    lib_dir = wasm32_lib_dir(sysroot)
    if lib_dir.exists():
        shutil.rmtree(lib_dir)
    lib_dir.mkdir(parents=True)
    for rlib in _built_rlibs(workdir):
        shutil.copy2(rlib, lib_dir / rlib.name)
    host = sysroot / "lib" / "rustlib" / _host_triple()
    host.unlink(missing_ok=True)
    host.symlink_to(pins().rust_sysroot / "lib" / "rustlib" / _host_triple())
    (lib_dir / STD_STAMP).write_text(_debian_rustc_version())


def _host_triple() -> str:
    for line in _debian_rustc_version().splitlines():
        if line.startswith("host: "):
            return line.removeprefix("host: ").strip()
    raise CommandFailed([str(debian_rustc()), "-vV"], 0, "no `host:` line", hint="is Debian's rustc installed?")


def _compile_std(workdir: Path, rustflags: str) -> None:
    """`cargo -Zbuild-std` on a throwaway crate: the wasm32 std's rlibs, from Debian's source."""
    _write_std_crate(workdir)
    sysroot = pins().rust_sysroot
    env = {
        "RUSTC": str(debian_rustc()),
        "RUSTC_BOOTSTRAP": "1",
        "RUSTFLAGS": rustflags,
        "RUSTUP_TOOLCHAIN": "",
        "CARGO_TARGET_DIR": "",
        "PATH": f"{sysroot / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    proc.run(
        [str(sysroot / "bin" / "cargo"), "build", "--release", "--quiet",
         "-Zbuild-std=std,panic_abort", "--target", WASM_TARGET],
        cwd=workdir,
        env=env,
        hint="check that Debian's rust-web-src package is installed completely",
    )


def _write_std_crate(workdir: Path) -> None:
    (workdir / "src").mkdir(parents=True, exist_ok=True)
    (workdir / ".cargo").mkdir(exist_ok=True)
    (workdir / "src" / "lib.rs").write_text("// Throwaway crate: only its std matters.\n")
    (workdir / "Cargo.toml").write_text(
        '[package]\nname = "wasmforge-std-builder"\nversion = "0.0.0"\nedition = "2021"\n\n'
        '[profile.release]\npanic = "abort"\n'
    )
    vendor = pins().library_source / "vendor"
    (workdir / ".cargo" / "config.toml").write_text(
        '[source.crates-io]\nreplace-with = "debian-vendored-std"\n\n'
        f'[source.debian-vendored-std]\ndirectory = "{vendor}"\n'
    )


def _built_rlibs(workdir: Path) -> list[Path]:
    """The std's rlibs `_compile_std` built in `workdir` (not the throwaway crate's own)."""
    deps = workdir / "target" / WASM_TARGET / "release" / "deps"
    return [rlib for rlib in deps.glob("lib*.rlib") if not rlib.name.startswith("libwasmforge_std_builder-")]


def _install_rlibs(rlibs: list[Path]) -> None:
    target_dir = wasm32_lib_dir(pins().rust_sysroot)
    staging = Path(tempfile.mkdtemp(prefix="wasmforge-std-"))
    for rlib in rlibs:
        shutil.copy2(rlib, staging / rlib.name)
    (staging / STD_STAMP).write_text(_debian_rustc_version())
    privileged(["mkdir", "-p", str(target_dir)])
    privileged(["find", str(target_dir), "-maxdepth", "1", "-name", "*.rlib", "-delete"])
    privileged(["cp", "-p", *(str(p) for p in sorted(staging.iterdir())), str(target_dir)])
    shutil.rmtree(staging, ignore_errors=True)


def privileged(argv: list[str]) -> None:
    """Run a command that writes system locations, through sudo when not root."""
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            raise ToolMissing(
                f"`{' '.join(argv)}` needs root and sudo is not available",
                hint="run `wasmforge toolchain install` as root once",
            )
        argv = ["sudo", "-n", *argv]
    proc.run(argv, hint="this step needs root: run `wasmforge toolchain install` as root once")
