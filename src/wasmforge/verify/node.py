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
from ..spec.model import KernelSpec
from ..toolchain.tools import Toolchain
from .cases import Case, cases_for
from .compare import mismatch
from .report import Check

HARNESS = Path(__file__).with_name("harness.mjs")


def pack(toolchain: Toolchain, package_dir: Path, destination: Path) -> Path:
    """`npm pack` into `destination`; returns the tarball."""
    destination.mkdir(parents=True, exist_ok=True)
    result = proc.run(
        toolchain.node.npm("pack", "--json", "--ignore-scripts", "--pack-destination", str(destination)),
        cwd=package_dir, env=toolchain.node.env(),
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
        cwd=project, env=toolchain.node.env(),
    )


def verify_in_node(toolchain: Toolchain, spec: KernelSpec, package_dir: Path) -> list[Check]:
    cases = cases_for(spec)
    with tempfile.TemporaryDirectory(prefix="wasmforge-verify-") as tmp:
        root = Path(tmp)
        tarball = pack(toolchain, package_dir, root / "tarball")
        project = root / "project"
        install(toolchain, tarball, project)
        shutil.copyfile(HARNESS, project / HARNESS.name)
        plan_file = project / "plan.json"
        plan_file.write_text(json.dumps(_plan(spec, cases)))
        # One Node process per target, two at a time: isolated, and quicker.
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = pool.map(lambda t: _run_harness(toolchain, project, t, plan_file), spec.build.targets)
            return [check for target, outcome in zip(spec.build.targets, outcomes, strict=True)
                    for check in judge(target, cases, outcome)]


def _plan(spec: KernelSpec, cases: list[Case]) -> dict[str, Any]:
    return {
        "packageName": spec.package.name,
        "wasmFile": f"{spec.ident}_bg.wasm",
        "globalName": spec.npm.global_name,
        "errorBase": spec.npm.error_base,
        "cases": [case.as_json() for case in cases],
    }


def _run_harness(toolchain: Toolchain, project: Path, target: str, plan_file: Path) -> dict[str, Any]:
    argv = [str(toolchain.node.node), "--experimental-wasm-modules", "--no-warnings",
            str(project / HARNESS.name), target, str(plan_file)]
    result = proc.run(argv, cwd=project, check=False, timeout=300)
    try:
        outcome = json.loads(result.stdout)
    except ValueError:
        raise VerificationFailed(
            f"the {target} harness printed no result (exit {result.returncode}):\n"
            + proc.output_tail(result.stdout, result.stderr)
        ) from None
    return outcome


def judge(target: str, cases: list[Case], outcome: dict[str, Any]) -> list[Check]:
    """Compare the harness's outcomes with what the spec expects."""
    if "fatal" in outcome:
        return [Check(target, "package", "loads", False, outcome["fatal"].splitlines()[0])]
    results = {result["id"]: result for result in outcome["results"]}
    checks = [Check(target, "package", "loads", True)]
    if "init/before" in results:
        checks.append(_judge_error(target, "package", "NotInitialized before init()", results["init/before"],
                                   "NotInitialized"))
    for case in cases:
        result = results.get(case.id)
        if result is None:
            checks.append(Check(target, case.function, case.label, False, "no result from the harness"))
        elif case.expect_error:
            checks.append(_judge_error(target, case.function, case.label, result, case.expect_error))
        else:
            checks.append(_judge_value(target, case, result))
    return checks


def _judge_error(target: str, subject: str, label: str, result: dict[str, Any], expected: str) -> Check:
    thrown = result.get("threw")
    if thrown is None:
        return Check(target, subject, label, False, f"expected {expected}, but the call returned")
    if thrown["isTrap"]:
        return Check(target, subject, label, False, f"wasm trap instead of {expected}: {thrown['message']}")
    ok = thrown["name"] == expected and thrown["isBase"] and thrown["isExpectedClass"]
    detail = f"{thrown['name']} ({thrown['code']}): {thrown['message']}"
    if not ok:
        detail = f"expected {expected}, got {detail}"
    return Check(target, subject, label, ok, detail)


def _judge_value(target: str, case: Case, result: dict[str, Any]) -> Check:
    if "threw" in result:
        thrown = result["threw"]
        return Check(target, case.function, case.label, False,
                     f"threw {thrown['name']}: {thrown['message']}")
    assert case.returns is not None
    if case.returns.is_void:
        return Check(target, case.function, case.label, True)
    problem = mismatch(result["returned"], case.expect, case.returns, case.tolerance)
    return Check(target, case.function, case.label, problem is None, problem or "")
