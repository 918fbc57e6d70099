"""A CiReport as JUnit XML, the format every CI system reads.

One <testsuite> for the toolchain (a testcase per tool) and one per kernel:
a testcase per stage (spec, build, pack) and one per verification check,
classname `<package>.<target>` and name `<subject> · <check>`, so CI systems
group the checks by target. Stages that did not run are <skipped/>.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ..verify import Check
from .run import CiReport, KernelResult


def write_junit(report: CiReport, file: Path) -> None:
    root = ET.Element("testsuites", name="wasmforge ci")
    _doctor_suite(root, report)
    for kernel in report.kernels:
        _kernel_suite(root, kernel)
    _count(root)
    ET.indent(root)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")


def _doctor_suite(root: ET.Element, report: CiReport) -> None:
    suite = ET.SubElement(root, "testsuite", name="wasmforge.doctor")
    for status in report.doctor:
        case = ET.SubElement(suite, "testcase", classname="wasmforge.doctor", name=status.name)
        if not status.ok:
            failure = ET.SubElement(case, "failure", message=status.note or "missing", type="ToolMissing")
            failure.text = f"fix: {status.fix}"


def _kernel_suite(root: ET.Element, kernel: KernelResult) -> None:
    package = kernel.package or str(kernel.kernel)
    suite = ET.SubElement(root, "testsuite", name=package)
    for name, stage in kernel.stages.items():
        if name == "verify":
            _checks(suite, kernel.checks, package)
            if kernel.checks:
                continue  # the checks are the verify stage's testcases
        if name == "consumers" and kernel.consumers:
            _consumers(suite, kernel, package)
            continue
        case = ET.SubElement(suite, "testcase", classname=package, name=name, time=f"{stage.seconds:.3f}")
        if stage.ok is None:
            ET.SubElement(case, "skipped", message="an earlier stage failed")
        elif not stage.ok:
            failure = ET.SubElement(case, "failure", message=stage.detail.splitlines()[0] if stage.detail else name)
            failure.text = stage.detail


def _consumers(suite: ET.Element, kernel: KernelResult, package: str) -> None:
    """A testcase per consumer (it bundled, loaded, compiled or linted), then its spec checks."""
    for cell in kernel.consumers:
        case = ET.SubElement(suite, "testcase", classname=f"{package}.consumers", name=cell.name,
                             time=f"{cell.seconds:.3f}")
        if not cell.ran:
            failure = ET.SubElement(case, "failure", message=cell.detail.splitlines()[0] if cell.detail else "failed")
            failure.text = cell.detail
        elif cell.detail:
            ET.SubElement(case, "system-out").text = cell.detail
        _checks(suite, list(cell.checks), package)


def _checks(suite: ET.Element, checks: list[Check], package: str) -> None:
    for check in checks:
        case = ET.SubElement(suite, "testcase", classname=f"{package}.{check.target}",
                             name=f"{check.subject} · {check.name}")
        if not check.ok:
            failure = ET.SubElement(case, "failure", message=check.detail or "failed")
            failure.text = check.detail
        elif check.detail:
            ET.SubElement(case, "system-out").text = check.detail


def _count(root: ET.Element) -> None:
    totals = {"tests": 0, "failures": 0, "skipped": 0, "time": 0.0}
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        counts = {"tests": len(cases),
                  "failures": sum(1 for c in cases if c.find("failure") is not None),
                  "skipped": sum(1 for c in cases if c.find("skipped") is not None),
                  "time": sum(float(c.get("time", "0")) for c in cases)}
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failures"]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts["skipped"]))
        suite.set("time", f"{counts['time']:.3f}")
        for key in totals:
            totals[key] += counts[key]
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", "0")
    root.set("skipped", str(totals["skipped"]))
    root.set("time", f"{totals['time']:.3f}")
