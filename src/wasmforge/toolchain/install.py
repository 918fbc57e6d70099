"""`wasmforge toolchain install`: make `wasmforge doctor` green, offline.

Plan, then run: `plan()` checks what is already there and returns the steps
with a `needed` flag; `run()` executes the needed ones in order. Every step is
idempotent and a second run of the whole command only does the checks.
Only registries are used: Debian packages, crates.io (`cargo install
--locked`), npm (`npm ci` against our lock file). Nothing downloads a binary.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .. import proc, ui
from ..errors import CommandFailed, ToolMissing
from ..settings import cargo_tools_root, npm_tools_dir, pins, resource_path
from . import rust, tools
from .node import find_node

NPM_STAMP = ".wasmforge-lock-sha256"


@dataclass(frozen=True)
class InstallStep:
    name: str
    description: str
    needed: bool
    action: Callable[[], None]


# Installed only when asked for: a native wasm-opt (built from C++, ~6 minutes) speeds up every
# release build's wasm-opt ~7x; without it binaryen.js, from the npm tools, does the same job.
OPTIONAL = (*tools.OPTIONAL_TOOLS, "wasm-opt")


def plan(*, optional: tuple[str, ...] = ()) -> list[list[InstallStep]]:
    """The steps, in lanes that can run at the same time: each lane's steps in order. Debian's
    packages share one lane (apt holds a lock); cargo's compile, npm's download and the std
    build are independent. The optional tools (wasm-pack, which only `--backend wasm-pack` and
    the build benchmark run; sccache, the compile cache) are installed when first used unless
    asked for here."""
    use_existing_rust = _rustup_default_has_wasm32()
    system = [*([] if use_existing_rust else _debian_rust_steps()), _chromium_step()]
    cargo_tools = [_wasm_bindgen_step(), *(_optional_step(tool) for tool in tools.OPTIONAL_TOOLS if tool in optional)]
    lanes = [system, cargo_tools, [_npm_tools_step()]]
    if "wasm-opt" in optional:  # the longest compile of all: a lane of its own
        lanes.append([_native_wasm_opt_step()])
    return lanes


def run(lanes: list[list[InstallStep]]) -> None:
    """Run the needed steps, the lanes side by side; the first failure is raised once the
    other lanes have finished what they were doing."""
    for lane in lanes:
        for step in lane:
            if not step.needed:
                ui.info(f"{step.name}: already in place")
    busy = [[step for step in lane if step.needed] for lane in lanes]
    busy = [lane for lane in busy if lane]
    if len(busy) <= 1:
        for step in busy[0] if busy else []:
            _run_step(step)
        return
    with ThreadPoolExecutor(max_workers=len(busy)) as pool:
        for future in [pool.submit(_run_lane, lane) for lane in busy]:
            future.result()


def _run_lane(lane: list[InstallStep]) -> None:
    for step in lane:
        with ui.labelled(step.name):
            _run_step(step)


def _run_step(step: InstallStep) -> None:
    ui.step(step.description)
    with ui.status(step.description):
        step.action()


def install_optional(tool: str) -> None:
    """An optional tool on first use, saying why and how long."""
    step = _optional_step(tool)
    ui.info(f"{tool} is needed here and not installed: {step.description}, once")
    _run_step(step)


# --- Rust ----------------------------------------------------------------------

def _rustup_default_has_wasm32() -> bool:
    found = rust.find_wasm_toolchain()
    return found is not None and not found.env


def _debian_rust_steps() -> list[InstallStep]:
    packages = pins().debian_packages
    name = pins().rust_toolchain
    return [
        InstallStep(
            "debian-rust",
            f"apt-get install {' '.join(packages)}",
            not _debian_packages_installed(packages),
            lambda: _apt_install(packages),
        ),
        InstallStep(
            "wasm32-std",
            "build the wasm32 standard library from Debian's vendored source (~1 min)",
            not (rust.debian_rust_installed() and rust.debian_std_current()),
            rust.build_debian_std,
        ),
        InstallStep(
            "wasm32-std-threads",
            "build a second wasm32 standard library, with atomics, for threaded modules (~30 s)",
            not (rust.debian_rust_installed() and rust.threads_std_current()),
            rust.build_threads_std,
        ),
        InstallStep(
            "rustup-link",
            f"rustup toolchain link {name} {pins().rust_sysroot} (default toolchain unchanged)",
            not _rustup_has_toolchain(name),
            lambda: proc.run(["rustup", "toolchain", "link", name, str(pins().rust_sysroot)],
                             hint="is rustup installed?"),
        ),
    ]


def _debian_packages_installed(packages: tuple[str, ...]) -> bool:
    if not shutil.which("dpkg-query"):
        return False
    result = proc.run(["dpkg-query", "-W", "-f=${Package} ${Status}\n", *packages], check=False)
    installed = {line.split()[0] for line in result.stdout.splitlines() if "install ok installed" in line}
    return installed.issuperset(packages)


def _apt_install(packages: tuple[str, ...]) -> None:
    install = ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", *packages]
    try:
        rust.privileged(install)
    except CommandFailed:
        # A fresh machine may have empty package lists.
        rust.privileged(["apt-get", "update", "-q"])
        rust.privileged(install)


def _rustup_has_toolchain(name: str) -> bool:
    if not shutil.which("rustup"):
        return False
    listed = proc.run(["rustup", "toolchain", "list"], check=False).stdout
    return any(line.split()[0] == name for line in listed.splitlines() if line.strip())


# --- cargo-installed tools ---------------------------------------------------------

def _wasm_bindgen_step() -> InstallStep:
    version = pins().wasm_bindgen
    return InstallStep(
        "wasm-bindgen-cli",
        f"cargo install --locked wasm-bindgen-cli --version ={version} (a few minutes)",
        not tools.wasm_bindgen_status().ok,
        lambda: _cargo_install("wasm-bindgen-cli", version),
    )


def _optional_step(tool: str) -> InstallStep:
    """wasm-pack or sccache (see tools.OPTIONAL_TOOLS): each is a crate of its own name."""
    version = {"wasm-pack": pins().wasm_pack, "sccache": pins().sccache}[tool]
    return InstallStep(
        tool,
        f"cargo install --locked {tool} --version ={version} (a few minutes)",
        tools.installed_optional(tool) is None,
        lambda: _cargo_install(tool, version),
    )


def _native_wasm_opt_step() -> InstallStep:
    version = pins().wasm_opt_crate
    return InstallStep(
        "wasm-opt",
        f"cargo install --locked wasm-opt --version ={version}: binaryen's C++ built natively (about 6 minutes)",
        tools.native_wasm_opt() is None,
        lambda: _cargo_install("wasm-opt", version),
    )


def _cargo_install(crate: str, version: str) -> None:
    # Built with the machine's default host toolchain: these are host tools.
    proc.run(
        ["cargo", "install", "--locked", crate, "--version", f"={version}",
         "--root", str(cargo_tools_root())],
        env={"RUSTUP_TOOLCHAIN": ""},
        hint="crates.io must be reachable; a build script may need Debian's libssl-dev and pkg-config",
    )


# --- npm-installed tools -------------------------------------------------------------

def _npm_tools_step() -> InstallStep:
    return InstallStep(
        "npm-tools",
        "npm ci from wasmforge's lock file: wasm-opt (binaryen), TypeScript, Prettier, and the consumer matrix's "
        "bundlers, linters and playwright-core",
        not _npm_tools_current(),
        _npm_ci,
    )


def _lock_digest() -> str:
    lock = resource_path("npm-tools", "package-lock.json").read_bytes()
    manifest = resource_path("npm-tools", "package.json").read_bytes()
    return hashlib.sha256(manifest + b"\0" + lock).hexdigest()


def _npm_tools_current() -> bool:
    stamp = npm_tools_dir() / NPM_STAMP
    return stamp.is_file() and stamp.read_text().strip() == _lock_digest()


def _npm_ci() -> None:
    node = find_node()
    if node is None:
        raise ToolMissing("no Node.js to run npm with", hint="reinstall wasmforge")
    target = npm_tools_dir()
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(resource_path("npm-tools", name), target / name)
    # No install scripts: nothing downloads a binary (playwright-core drives the
    # system's Chromium; esbuild's binary is an ordinary npm dependency).
    proc.run(node.npm("ci", "--no-audit", "--no-fund", "--ignore-scripts"), cwd=target,
             env={**node.env(), "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}, hint="the npm registry must be reachable")
    (target / NPM_STAMP).write_text(_lock_digest() + "\n")


# --- a browser for the consumer matrix -------------------------------------------------

def _chromium_step() -> InstallStep:
    return InstallStep(
        "chromium",
        "apt-get install chromium (Debian's; the browser consumers of `verify --consumers`)",
        tools.chromium_path() is None,
        _install_chromium,
    )


def _install_chromium() -> None:
    if not shutil.which("apt-get"):
        raise ToolMissing("no Chromium, and no apt-get to install Debian's",
                          hint="install Chromium or Chrome, or point WASMFORGE_CHROMIUM at one")
    _apt_install(("chromium",))
