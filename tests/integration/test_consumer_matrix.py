"""`wasmforge verify --consumers` on both bundled kernels: every consumer —
Chromium, esbuild, webpack, Vite, Node, tsc, publint, arethetypeswrong — runs
for real and passes; and a broken package is reported, cell by cell, with the
tool's own message."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.integration.conftest import Built, run_wasmforge

LINT = {"publint", "attw"}
TYPESCRIPT = {f"ts{version}-{mode}" for version in (5, 7) for mode in ("node16", "nodenext", "bundler")}
RUNNING = {"node-cjs", "node-esm", "chromium-web-esm", "chromium-no-modules", "esbuild-node", "esbuild-node-esm",
           "esbuild-browser", "esbuild-browser-esm", "webpack-node", "webpack-web", "vite-build", "vite-dev",
           "deno", "bun-esm", "bun-cjs", "workerd",
           # Both bundled kernels have a threaded module: the web page served with COOP and COEP.
           "chromium-web-esm-isolated"}


def consumer_matrix(kernel: Path, env: dict[str, str] | None = None) -> tuple[int, dict, str]:
    result = run_wasmforge("verify", str(kernel), "--consumers", "--json", env=env)
    assert result.stdout.strip(), f"no JSON report (exit {result.returncode}):\n{result.stderr[-3000:]}"
    return result.returncode, json.loads(result.stdout), result.stderr


@pytest.mark.parametrize("kernel", ["solver", "attention"])
def test_every_consumer_passes_on_the_bundled_kernels(kernel: str, request: pytest.FixtureRequest) -> None:
    built: Built = request.getfixturevalue(kernel)
    # As CI runs it: CI=… (and FORCE_COLOR) make tools colour their output.
    code, report, stderr = consumer_matrix(built.kernel, env={"CI": "true", "FORCE_COLOR": "1"})
    cells = report["consumers"]
    assert set(cells) == LINT | TYPESCRIPT | RUNNING
    failed = {name: cell["detail"] for name, cell in cells.items() if not cell["ok"]}
    assert not failed and code == 0, f"{failed}\n{stderr[-3000:]}"
    for name in RUNNING:  # each ran the spec's cases and reported them back
        assert cells[name]["checks"] > 20 and cells[name]["failed"] == 0, (name, cells[name])
    assert cells["publint"]["detail"] == "All good!"
    assert cells["attw"]["detail"].startswith("no problems")
    for name in TYPESCRIPT:
        assert "the wrong file fails as it must (TS2322, TS2345)" in cells[name]["detail"]
    # The whole matrix is well inside the budget of three minutes per kernel.
    assert sum(cell["seconds"] for cell in cells.values()) < 180


def test_a_broken_package_fails_in_each_consumer_with_the_tools_message(objects: Built, tmp_path: Path) -> None:
    kernel = tmp_path / "objects"
    shutil.copytree(objects.kernel, kernel, ignore=shutil.ignore_patterns("target"))
    (kernel / "pkg" / "wasm-inline.js").unlink()  # the bundler entry's module is gone
    code, report, stderr = consumer_matrix(kernel)
    assert code == 5, stderr
    cells = report["consumers"]
    assert not report["ok"]
    for bundle in ("esbuild-node", "esbuild-browser", "webpack-web", "vite-build"):
        assert not cells[bundle]["ok"] and "wasm-inline.js" in cells[bundle]["detail"], cells[bundle]
    assert "Could not resolve" in cells["esbuild-browser"]["detail"]
    # The Node and browser entries do not use it, and still pass.
    for fine in ("node-cjs", "node-esm", "chromium-web-esm", "chromium-no-modules"):
        assert cells[fine]["ok"], cells[fine]
    assert "failed for" in stderr
