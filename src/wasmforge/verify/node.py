"""Node.js verification from the packed tarball.

`npm pack` the package, install the tarball into a throwaway project, then
for each target start Node with the harness, which loads the package the way
that target is loaded and runs the cases. Outcomes are judged here.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .. import proc
from ..errors import VerificationFailed
from ..kernelspec.model import KernelSpec
from ..toolchain.tools import Toolchain
from .cases import Case, cases_for
from .compare import mismatch
from .report import Check

HARNESS = Path(__file__).with_name("harness.mjs")
CASE_RUNNER = Path(__file__).with_name("cases.mjs")  # shared with the consumer matrix


def _really(toolchain: Toolchain) -> dict[str, str]:
    """npm's environment for packing and installing: verification must really do
    both, even where npm_config_dry_run is set (as for `release --publish` tests)."""
    return {**toolchain.node.env(), "npm_config_dry_run": "", "NPM_CONFIG_DRY_RUN": ""}


def pack(toolchain: Toolchain, package_dir: Path, destination: Path) -> Path:
    """`npm pack` into `destination`; returns the tarball."""
    destination.mkdir(parents=True, exist_ok=True)
    result = proc.run(
        toolchain.node.npm("pack", "--json", "--ignore-scripts", "--pack-destination", str(destination)),
        cwd=package_dir, env=_really(toolchain),
    )
    info = json.loads(result.stdout)
    return destination / info[0]["filename"]


def install(toolchain: Toolchain, tarball: Path, project: Path) -> None:
    project.mkdir(parents=True, exist_ok=True)
    (project / "package.json").write_text(
        json.dumps({"name": "wasmforge-verify", "private": True, "type": "module"}) + "\n"
    )
    proc.run(
        toolchain.node.npm("install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock",
                           "--prefer-offline", str(tarball)),
        cwd=project, env=_really(toolchain),
    )


def verify_in_node(toolchain: Toolchain, spec: KernelSpec, package_dir: Path) -> list[Check]:
    cases = cases_for(spec)
    simd = spec.build.simd_feature is not None
    with tempfile.TemporaryDirectory(prefix="wasmforge-verify-") as tmp:
        root = Path(tmp)
        tarball = pack(toolchain, package_dir, root / "tarball")
        project = root / "project"
        install(toolchain, tarball, project)
        for script in (HARNESS, CASE_RUNNER):
            shutil.copyfile(script, project / script.name)
        plan_file = project / "plan.json"
        plan_file.write_text(json.dumps(plan_for(spec, cases)))
        # With a SIMD build, every target runs twice: as it loads (SIMD, since
        # Node supports it) and forced onto the baseline module.
        runs = [(t, False) for t in spec.build.targets] + ([(t, True) for t in spec.build.targets] if simd else [])
        # One Node process per run, two at a time: isolated, and quicker.
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = pool.map(lambda run: _run_harness(toolchain, project, run[0], plan_file, run[1]), runs)
            return [check for (target, baseline), outcome in zip(runs, outcomes, strict=True)
                    for check in Judge(spec, cases, target + (" (baseline)" if baseline else ""),
                                       simd and not baseline).judge(outcome)]


def plan_for(spec: KernelSpec, cases: list[Case]) -> dict[str, Any]:
    return {
        "packageName": spec.package.name,
        "wasmFile": f"{spec.ident}_bg.wasm",
        "simdWasmFile": f"simd/{spec.ident}_bg.wasm" if spec.build.simd_feature else None,
        "globalName": spec.npm.global_name,
        "errorBase": spec.npm.error_base,
        "cases": [case.as_json() for case in cases],
    }


def _run_harness(toolchain: Toolchain, project: Path, target: str, plan_file: Path, baseline: bool) -> dict[str, Any]:
    argv = [str(toolchain.node.node), str(project / HARNESS.name), target, str(plan_file)]
    if baseline:
        argv.append("--baseline")
    result = proc.run(argv, cwd=project, check=False, timeout=600)
    try:
        outcome = json.loads(result.stdout)
    except ValueError:
        raise VerificationFailed(
            f"the {target} harness printed no result (exit {result.returncode}):\n"
            + proc.output_tail(result.stdout, result.stderr)
        ) from None
    return outcome


class Judge:
    """Compares a harness's outcomes for one target with what the spec expects."""

    def __init__(self, spec: KernelSpec, cases: list[Case], target: str, expect_simd: bool) -> None:
        self.spec = spec
        self.cases = cases
        self.target = target
        self.expect_simd = expect_simd

    def judge(self, outcome: dict[str, Any]) -> list[Check]:
        if "fatal" in outcome:
            return [Check(self.target, "package", "loads", False, outcome["fatal"].splitlines()[0])]
        results = {result["id"]: result for result in outcome["results"]}
        checks = [Check(self.target, "package", "loads", True)]
        if "init/before" in results:
            checks.append(self.error_check("package", "NotInitialized before init()", results["init/before"],
                                           "NotInitialized"))
        if "features" in results:
            checks.append(self.features_check(results["features"]))
        for case in self.cases:
            result = results.get(case.id)
            if result is None:
                checks.append(Check(self.target, case.subject, case.label, False, "no result from the harness"))
            elif case.kind == "batch":
                checks.append(self.batch_check(case, result))
            elif case.expect.flat:
                checks.append(self.flat_check(case, result))
            elif case.expect.same_as:
                checks.append(self.twin_check(case, result, results.get(case.expect.same_as)))
            elif case.expect.error:
                checks.append(self.error_check(case.subject, case.label, result, case.expect.error))
            else:
                checks.append(self.value_check(case, result))
        return checks

    def twin_check(self, case: Case, result: dict[str, Any], original: dict[str, Any] | None) -> Check:
        """The example's expectation, and exactly the outcome of the copy path."""
        expect = case.expect
        problem = error_problem(result, expect.error) if expect.error else self.value_problem(expect, result)
        if problem is None:
            problem = twin_problem(result, original)
        return Check(self.target, case.subject, case.label, problem is None, problem or "same as the copy path")

    def flat_check(self, case: Case, result: dict[str, Any]) -> Check:
        if "threw" in result:
            return Check(self.target, case.subject, case.label, False, f"threw {result['threw']['message']}")
        before, after = result["returned"]["before"], result["returned"]["after"]
        grew = [key for key in ("used", "capacity")
                if not isinstance(before.get(key), dict) and before.get(key) != after.get(key)]
        detail = f"used {before.get('used')} → {after.get('used')}, capacity {before.get('capacity')} → " \
                 f"{after.get('capacity')} bytes"
        return Check(self.target, case.subject, case.label, not grew, detail)

    def features_check(self, result: dict[str, Any]) -> Check:
        features = result.get("returned", {})
        ok = features.get("simd") is self.expect_simd and features.get("parallel") is False
        return Check(self.target, "package", "features() is truthful", ok,
                     f"features() = {features}, expected simd={self.expect_simd}")

    def error_check(self, subject: str, label: str, result: dict[str, Any], expected: str) -> Check:
        problem = error_problem(result, expected)
        thrown = result.get("threw") or {}
        detail = problem or f"{thrown.get('name')} ({thrown.get('code')}): {thrown.get('message')}"
        return Check(self.target, subject, label, problem is None, detail)

    def value_check(self, case: Case, result: dict[str, Any]) -> Check:
        problem = self.value_problem(case.expect, result)
        return Check(self.target, case.subject, case.label, problem is None, problem or "")

    def value_problem(self, expect: Any, result: dict[str, Any]) -> str | None:
        if "threw" in result:
            thrown = result["threw"]
            return f"threw {thrown['name']}: {thrown['message']}"
        if expect.error:
            return error_problem(result, expect.error)
        if expect.type is None or expect.type.is_void or expect.type.kind == "class":
            return None
        return mismatch(result["returned"], expect.value, expect.type, expect.tolerance, self.spec)

    def batch_check(self, case: Case, result: dict[str, Any]) -> Check:
        if "threw" in result:
            return Check(self.target, case.subject, case.label, False, f"threw {result['threw']['message']}")
        outcomes = result.get("batch", [])
        if len(outcomes) != len(case.items):
            return Check(self.target, case.subject, case.label, False,
                         f"expected {len(case.items)} results, got {len(outcomes)}")
        for index, (expect, outcome) in enumerate(zip(case.items, outcomes, strict=True)):
            problem = error_problem(outcome, expect.error) if expect.error else self.value_problem(expect, outcome)
            if problem:
                return Check(self.target, case.subject, case.label, False, f"item {index}: {problem}")
        return Check(self.target, case.subject, case.label, True, f"{len(outcomes)} items")


def twin_problem(result: dict[str, Any], original: dict[str, Any] | None) -> str | None:
    """None when two outcomes are identical: the same value bit for bit (JSON numbers are
    the shortest round-tripping spelling of the double), or the same error and details."""
    if original is None:
        return "the copy-path case has no result"
    if "threw" in result or "threw" in original:
        mine, theirs = result.get("threw") or {}, original.get("threw") or {}
        same = all(mine.get(key) == theirs.get(key) for key in ("name", "code", "details")) and bool(mine)
        return None if same else f"threw {mine.get('name')} where the copy path gave {theirs.get('name', 'a value')}"
    if result.get("returned") != original.get("returned"):
        return "differs from the copy path: " \
               f"{json.dumps(result.get('returned'))[:120]} vs {json.dumps(original.get('returned'))[:120]}"
    return None


def error_problem(result: dict[str, Any], expected: str) -> str | None:
    """None when the call threw `expected`, an instance of its class and of the base."""
    thrown = result.get("threw")
    if thrown is None:
        return f"expected {expected}, but the call returned"
    if thrown["isTrap"]:
        return f"wasm trap instead of {expected}: {thrown['message']}"
    if thrown["name"] == expected and thrown["isBase"] and thrown["isOwnClass"]:
        return None
    return f"expected {expected}, got {thrown['name']} ({thrown.get('code')}): {thrown['message']}"


def judge(target: str, cases: list[Case], outcome: dict[str, Any], spec: KernelSpec | None = None) -> list[Check]:
    """Judge one target's outcomes (see Judge)."""
    return Judge(spec, cases, target, False).judge(outcome)  # type: ignore[arg-type]
