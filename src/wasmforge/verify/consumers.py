"""`wasmforge verify --consumers`: the package checked where it is really used.

The matrix itself is JavaScript (verify/consumers/run-matrix.mjs, run with the
pinned tools of `toolchain install`): Node require and import by name;
Chromium loading the web target as an ES module and the no-modules target
from a <script> tag; esbuild, webpack 5 and Vite bundles run in Node or
Chromium; Deno, Bun (import and require) and a wrangler-bundled Worker served
by workerd; tsc --strict under three module resolutions and two compilers;
publint and arethetypeswrong on the tarball. Every consumer that runs code
runs the same verification plan as the Node harness and reports outcomes;
they are judged here against the spec, by the same Judge.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import proc
from ..errors import ToolMissing, VerificationFailed
from ..settings import npm_tools_dir
from ..kernelspec.model import KernelSpec
from ..toolchain.tools import Toolchain, chromium_path
from .cases import cases_for
from .node import Judge, pack, plan_for
from .report import Check
from .typescript import bad_consumer, good_consumer

MATRIX = Path(__file__).parent / "consumers" / "run-matrix.mjs"
TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class Cell:
    """One consumer of the matrix: did it run, how long, and the tool's message."""

    name: str
    ran: bool  # the consumer did its part (bundled, loaded, compiled, linted) without an error of its own
    seconds: float
    detail: str
    checks: tuple[Check, ...] = ()

    @property
    def passed(self) -> bool:
        return self.ran and all(check.ok for check in self.checks)

    @property
    def problem(self) -> str:
        """The first thing that went wrong, in one line."""
        failed = [check for check in self.checks if not check.ok]
        if failed:
            return f"{failed[0].subject} · {failed[0].name}: {failed[0].detail}"
        return self.detail.splitlines()[0] if self.detail else "failed"

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.passed, "ran": self.ran, "seconds": self.seconds, "detail": self.detail,
                "checks": len(self.checks), "failed": sum(not c.ok for c in self.checks)}


def verify_consumers(toolchain: Toolchain, spec: KernelSpec, package_dir: Path) -> list[Cell]:
    cases = cases_for(spec)
    browser = chromium_path()
    if browser is None:
        raise ToolMissing("no Chromium for the browser consumers", hint="run `wasmforge toolchain install`")
    with tempfile.TemporaryDirectory(prefix="wasmforge-consumers-") as tmp:
        root = Path(tmp)
        tarball = pack(toolchain, package_dir, root / "tarball")
        (root / "plan.json").write_text(json.dumps(plan_for(spec, cases)))
        (root / "good.ts").write_text(good_consumer(spec))
        (root / "bad.ts").write_text(bad_consumer(spec))
        argv = [*toolchain.node.script(MATRIX), str(tarball), str(root / "plan.json"), str(root / "work"),
                "--json", "--tools", str(npm_tools_dir()), "--ts-good", str(root / "good.ts"),
                "--ts-bad", str(root / "bad.ts"), "--node", str(toolchain.node.node)]
        result = proc.run(argv, cwd=root, check=False, timeout=TIMEOUT_SECONDS,
                          env={**toolchain.node.env(), "WASMFORGE_CHROMIUM": str(browser),
                               "WASMFORGE_NPM_CLI": _npm_cli(toolchain)})
        try:
            matrix = json.loads(result.stdout)
        except ValueError:
            raise VerificationFailed(f"the consumer matrix printed no result (exit {result.returncode}):\n"
                                     + proc.output_tail(result.stdout, result.stderr)) from None
        finally:
            shutil.rmtree(root / "work", ignore_errors=True)
    expect_simd = spec.build.simd_feature is not None
    return [_cell(spec, cases, name, data, expect_simd) for name, data in matrix.items()]


def _cell(spec: KernelSpec, cases: list, name: str, data: dict[str, Any], expect_simd: bool) -> Cell:
    checks: tuple[Check, ...] = ()
    if data.get("outcome"):
        checks = tuple(Judge(spec, cases, name, expect_simd).judge(data["outcome"]))
    return Cell(name, bool(data["ok"]), float(data.get("seconds", 0)), data.get("detail", ""), checks)


def _npm_cli(toolchain: Toolchain) -> str:
    """npm's CLI script (the consumers install the tarball with it)."""
    npm = toolchain.node.npm_argv
    return npm[-1] if len(npm) > 1 else str(Path(os.path.realpath(npm[0])).parent / "npm-cli.js")
