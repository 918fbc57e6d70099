"""`wasmforge ci` as a CI system runs it: reports for machines, groups and
annotations for GitHub Actions, every failing kernel reported, the right exit
code; and `wasmforge ci init github`."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

from tests.conftest import REPO
from tests.integration.conftest import copy_kernel, run_wasmforge

GITHUB = {"GITHUB_ACTIONS": "true"}


def test_a_green_run_writes_junit_json_groups_and_the_tarball(tmp_path: Path) -> None:
    kernel = copy_kernel(REPO / "tests" / "fixtures" / "all-types", tmp_path / "all-types")
    result = run_wasmforge("ci", str(kernel), "--junit", "out/junit.xml", "--json", "out/ci.json",
                           cwd=tmp_path, env={**GITHUB, "GITHUB_WORKSPACE": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    groups = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert groups[:2] == ["::group::doctor", "::endgroup::"]
    assert "::group::build: @wasmforge-test/all-types" in groups and "::group::pack: @wasmforge-test/all-types" in groups
    assert not any(line.startswith("::error") for line in groups)

    report = json.loads((tmp_path / "out" / "ci.json").read_text())
    [entry] = report["kernels"]
    assert report["ok"] and entry["ok"]
    assert [(s["name"], s["ok"]) for s in entry["stages"]] == [
        ("spec", True), ("build", True), ("verify", True), ("consumers", True), ("pack", True)]
    assert len(entry["consumers"]) == 24 and all(cell["ok"] for cell in entry["consumers"].values())
    assert entry["sizes"] and entry["timings"]
    tarball = Path(entry["tarball"]["file"])
    assert tarball.parent == tmp_path / "dist"
    assert entry["tarball"]["sha256"] == hashlib.sha256(tarball.read_bytes()).hexdigest()

    suites = ET.parse(tmp_path / "out" / "junit.xml").getroot()
    assert suites.get("failures") == "0"
    cases = [(case.get("classname"), case.get("name")) for case in suites.iter("testcase")]
    for check in entry["checks"]:
        assert (f"@wasmforge-test/all-types.{check['target']}", f"{check['subject']} · {check['check']}") in cases
    for cell in entry["consumers"]:
        assert ("@wasmforge-test/all-types.consumers", cell) in cases
    doctor = [name for classname, name in cases if classname == "wasmforge.doctor"]
    assert {"chromium", "consumer tools", "wasm-bindgen"} <= set(doctor)
    consumer_checks = sum(cell["checks"] for cell in entry["consumers"].values())
    assert int(suites.get("tests")) == len(cases) == (len(doctor) + 3 + len(entry["checks"]) + len(entry["consumers"])
                                                      + consumer_checks)


def test_every_failing_kernel_is_reported_and_annotated(tmp_path: Path) -> None:
    fixture = REPO / "tests" / "fixtures" / "all-types"
    broken_rust = copy_kernel(fixture, tmp_path / "broken-rust")
    with (broken_rust / "src" / "lib.rs").open("a") as source:
        source.write('\npub fn broken() -> u32 {\n    "not a number"\n}\n')
    rust_line = len((broken_rust / "src" / "lib.rs").read_text().splitlines()) - 1
    bad_spec = copy_kernel(fixture, tmp_path / "bad-spec")
    spec_text = (bad_spec / "kernel.toml").read_text()
    (bad_spec / "kernel.toml").write_text(spec_text.replace('name = "scale"', 'name = "scale"\nbogus = 1', 1))
    spec_line = (bad_spec / "kernel.toml").read_text().splitlines().index("bogus = 1") + 1
    result = run_wasmforge("ci", "broken-rust", "bad-spec", "--junit", "junit.xml", cwd=tmp_path,
                           env={**GITHUB, "GITHUB_WORKSPACE": str(tmp_path)})
    assert result.returncode == 4, result.stderr  # the first failure: the compiler's
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert any(line.startswith(f"::error file=broken-rust/src/lib.rs,line={rust_line},") and "mismatched types" in line
               for line in errors), errors
    assert any(line.startswith(f"::error file=bad-spec/kernel.toml,line={spec_line},") and "unknown key `bogus`" in line
               for line in errors), errors
    suites = ET.parse(tmp_path / "junit.xml").getroot()
    failed = {(case.get("classname"), case.get("name")) for case in suites.iter("testcase")
              if case.find("failure") is not None}
    assert failed == {("@wasmforge-test/all-types", "build"), ("bad-spec", "spec")}
    skipped = {case.get("name") for case in suites.iter("testcase") if case.find("skipped") is not None}
    assert skipped == {"verify", "consumers", "pack", "build"}
    assert "ci failed" in result.stderr


def test_a_verification_failure_exits_5_and_points_at_the_function(tmp_path: Path) -> None:
    kernel = copy_kernel(REPO / "tests" / "fixtures" / "all-types", tmp_path / "all-types")
    spec = kernel / "kernel.toml"
    text = spec.read_text()
    assert text.count("expect = 1026\n") == 1
    spec.write_text(text.replace("expect = 1026\n", "expect = 1027\n"))
    result = run_wasmforge("ci", str(kernel), "--json", "ci.json", cwd=tmp_path,
                           env={**GITHUB, "GITHUB_WORKSPACE": str(tmp_path)})
    assert result.returncode == 5, result.stderr
    report = json.loads((tmp_path / "ci.json").read_text())
    stages = {s["name"]: s["ok"] for s in report["kernels"][0]["stages"]}
    assert stages == {"spec": True, "build": True, "verify": False, "consumers": None, "pack": None}
    failed = [c for c in report["kernels"][0]["checks"] if not c["ok"]]
    assert failed and all(c["subject"] == failed[0]["subject"] for c in failed)
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error file=all-types/kernel.toml,line=")]
    assert errors, result.stdout


def test_init_github_writes_a_workflow_once(tmp_path: Path) -> None:
    nothing = run_wasmforge("ci", "init", "github", cwd=tmp_path)
    assert nothing.returncode == 2 and "no kernel.toml" in nothing.stderr
    (tmp_path / "kernels").mkdir()
    for name in ("b-kernel", "a-kernel"):
        assert run_wasmforge("new", name, cwd=tmp_path / "kernels").returncode == 0
    result = run_wasmforge("ci", "init", "github", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    workflow = yaml.safe_load((tmp_path / ".github" / "workflows" / "wasmforge.yml").read_text())
    assert set(workflow["jobs"]) == {"ci", "release"}
    # One job per kernel, each compiling through the shared compile cache.
    ci = workflow["jobs"]["ci"]
    assert ci["strategy"]["matrix"]["kernel"] == ["kernels/a-kernel", "kernels/b-kernel"]
    assert ci["env"]["WASMFORGE_CACHE"] == "sccache"
    assert any("--with sccache" in step.get("run", "") for step in ci["steps"])
    again = run_wasmforge("ci", "init", "github", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr and "--force" in again.stderr
    assert run_wasmforge("ci", "init", "github", "--force", cwd=tmp_path).returncode == 0
    unknown = run_wasmforge("ci", "init", "gitlab", cwd=tmp_path)
    assert unknown.returncode == 2 and "unknown CI provider `gitlab`" in unknown.stderr
