"""The real pipeline on the bundled solver kernel: one compile, four targets,
one package, verified; no-op rebuilds; failures that leave pkg/ alone."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from tests.conftest import REPO
from tests.integration.conftest import Built, build, copy_kernel, run_wasmforge, tree_digest


def test_one_package_serves_all_four_targets(solver: Built) -> None:
    report = solver.report
    assert report["targets"] == ["bundler", "nodejs", "web", "no-modules"]
    wasm_files = sorted(p.name for p in solver.pkg.glob("*.wasm"))
    assert wasm_files == ["sublinear_time_solver_bg.wasm"]
    manifest = json.loads((solver.pkg / "package.json").read_text())
    assert set(manifest["exports"]) >= {".", "./web", "./no-modules", "./bundler", "./node"}
    shipped = sorted(str(p.relative_to(solver.pkg)) for p in solver.pkg.rglob("*") if p.is_file())
    assert sorted(manifest["files"] + ["package.json"]) == shipped
    verification = report["verification"]
    assert verification["ok"]
    # The solver ships a SIMD module next to the baseline one: "wasm (simd)" is wasmtime on the
    # SIMD module; each target runs once as loaded (SIMD, Node has it) and once forced to baseline.
    targets_checked = {c["target"] for c in verification["checks"]}
    targets = ("bundler", "nodejs", "web", "no-modules")
    assert targets_checked == {"wasm", "wasm (simd)", *targets, *(f"{t} (baseline)" for t in targets)}


def test_compiled_once_and_bound_per_target(solver: Built) -> None:
    steps = list(solver.report["timings"])
    # One cargo run for both code variants (baseline, SIMD: pipeline/workspace.py), never once per
    # target; the threaded module (build.threads_feature) has a cargo run of its own (another std).
    assert [s for s in steps if s.startswith("compile")] == ["compile", "compile:threads"]
    # Bound once per wasm-bindgen target; bundlers and Node.js are served by the web glue (the
    # threaded module: only the web glue, its workers' own).
    assert sorted(s for s in steps if s.startswith("bindgen")) == [
        "bindgen:no-modules", "bindgen:simd:no-modules", "bindgen:simd:web", "bindgen:threads:web", "bindgen:web"]
    assert solver.report["simd_wasm_features"] == [*solver.report["wasm_features"], "simd"]
    # The SIMD module names the kernel's files as the baseline does, not by the workspace's
    # renamed copies (kernel-simd/…): the same strings in both, which the compressor finds twice.
    baseline = next(solver.pkg.glob("*_bg.wasm")).read_bytes()
    simd = next((solver.pkg / "simd").glob("*_bg.wasm")).read_bytes()
    assert b"kernel/src/solver.rs" in baseline and b"kernel/src/solver.rs" in simd
    assert b"-simd/" not in simd


def test_wasm_opt_is_told_the_features_in_use_and_shrinks_the_module(solver: Built) -> None:
    assert "sign-ext" in solver.report["wasm_features"]
    for row in solver.report["sizes"]:
        assert 0 < row["gzip"] < row["raw"]
        if row["kind"] == "module":
            assert row["raw"] < row["before_opt"]


def test_second_build_does_no_work(solver: Built) -> None:
    started = time.monotonic()
    result = run_wasmforge("build", str(solver.kernel), "--all-targets", "--json")
    assert result.returncode == 0
    [report] = json.loads(result.stdout)
    assert report["up_to_date"] is True
    assert "up to date" in result.stderr and "nothing to do" in result.stderr
    assert time.monotonic() - started < 30  # generous: this only guards against a silent full rebuild


def test_verify_command_reports_a_table_and_json(solver: Built) -> None:
    result = run_wasmforge("verify", str(solver.kernel), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and len(report["checks"]) > 30
    human = run_wasmforge("verify", str(solver.kernel))
    assert "verification (passed/total per target" in human.stderr
    # Both tables fit a 100-column terminal: rich folds nothing mid-word there.
    narrow = run_wasmforge("verify", str(solver.kernel), env={"COLUMNS": "100", "TERM": "dumb"})
    assert max(len(line) for line in narrow.stderr.splitlines() if line.startswith(("│", "┃"))) <= 100
    assert "all" in human.stderr and "checks passed" in human.stderr


def test_failed_compile_leaves_the_previous_package(solver: Built) -> None:
    before = tree_digest(solver.pkg)
    source = solver.kernel / "src" / "dense.rs"
    original = source.read_text()
    source.write_text(original + "\npub fn broken( {\n")
    try:
        result = run_wasmforge("build", str(solver.kernel), "--all-targets")
    finally:
        source.write_text(original)
    assert result.returncode == 4, result.stderr
    assert "command failed" in result.stderr and "cargo build" in result.stderr
    # An error in the kernel's own code points at the user's file, not at the build root's copy,
    # and once, though the workspace compiles the kernel twice (its SIMD copy: pipeline/workspace.py).
    assert f"--> {source}:" in result.stderr
    pointers = [line.strip() for line in result.stderr.splitlines() if line.strip().startswith("--> ")]
    assert len(pointers) == len(set(pointers)), pointers
    assert "--> kernel" not in result.stderr and "--> /build/" not in result.stderr
    assert tree_digest(solver.pkg) == before


def test_failed_verification_leaves_the_previous_package(solver: Built) -> None:
    before = tree_digest(solver.pkg)
    spec = solver.kernel / "kernel.toml"
    original = spec.read_text()
    spec.write_text(original.replace("expect = [1, 1, 1, 1]", "expect = [1, 1, 1, 2]"))
    try:
        result = run_wasmforge("build", str(solver.kernel), "--all-targets")
    finally:
        spec.write_text(original)
    assert result.returncode == 5, result.stderr
    assert "element 3: expected 2" in result.stderr
    assert "was left as it was" in result.stderr
    assert tree_digest(solver.pkg) == before


def test_over_budget_exits_5_names_the_file_and_leaves_the_previous_package(solver: Built) -> None:
    before = tree_digest(solver.pkg)
    spec = solver.kernel / "kernel.toml"
    original = spec.read_text()
    spec.write_text(original + '\n[build.size_budget]\nmodule = "60 KB"\nentry_gzip = false\n')
    try:
        result = run_wasmforge("build", str(solver.kernel), "--all-targets")
    finally:
        spec.write_text(original)
    assert result.returncode == 5, result.stderr
    budget_line = len(original.splitlines()) + 3
    assert f"kernel.toml:{budget_line}" in result.stderr
    assert "sublinear_time_solver_bg.wasm is" in result.stderr and "over build.size_budget.module = 60 KB by" in result.stderr
    assert 'profile = "size"' in result.stderr  # what usually helps
    assert tree_digest(solver.pkg) == before


def test_a_package_edited_by_hand_is_rebuilt(solver: Built) -> None:
    readme = solver.pkg / "README.md"
    original = readme.read_text()
    readme.write_text("edited\n")
    rebuilt = build(solver.kernel, "--all-targets", "--no-verify")
    assert "up_to_date" not in rebuilt.report or rebuilt.report["up_to_date"] is False
    assert readme.read_text() == original


def test_a_bad_spec_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    kernel = copy_kernel(REPO / "kernels" / "sublinear-solver", tmp_path / "k")
    spec = kernel / "kernel.toml"
    spec.write_text(spec.read_text().replace('type = "u32?"', 'type = "uint32?"'))
    result = run_wasmforge("build", str(kernel))
    assert result.returncode == 2
    assert "function[0].args[5].type: unknown type `uint32?`" in result.stderr
    assert "did you mean `u32?`?" in result.stderr
    assert not (kernel / "target").exists() and not (kernel / "pkg").exists()


def test_missing_tools_exit_3_with_a_fix(tmp_path: Path) -> None:
    import os
    import sys

    bare_path = os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"])
    env = {"WASMFORGE_HOME": str(tmp_path / "empty-home"), "PATH": bare_path}
    result = run_wasmforge("build", str(REPO / "kernels" / "sublinear-solver"), "--no-verify", env=env)
    assert result.returncode == 3, result.stderr
    assert "wasm-bindgen" in result.stderr and "wasmforge toolchain install" in result.stderr
    doctor = run_wasmforge("doctor", env=env)
    assert doctor.returncode == 3 and "MISSING" in doctor.stderr


def test_wasm_pack_backend_assembles_the_same_single_package(tmp_path: Path) -> None:
    kernel = copy_kernel(REPO / "kernels" / "sublinear-solver", tmp_path / "sublinear-solver")
    built = build(kernel, "--backend", "wasm-pack", "--all-targets")
    assert built.report["verification"]["ok"]
    assert [s for s in built.report["timings"] if s.startswith("wasm-pack")] == [
        "wasm-pack:web", "wasm-pack:no-modules", "wasm-pack:simd:web", "wasm-pack:simd:no-modules"]
    assert sorted(p.name for p in built.pkg.glob("*.wasm")) == ["sublinear_time_solver_bg.wasm"]
    # wasm-pack's SIMD compile (`--features simd`) rewrote the crate's cdylib file, which the
    # crate's feature-less build also names its output: the next build must not take that file
    # for the baseline module (cargo.forget_cdylibs), or verification finds features() lying.
    again = build(kernel, "--all-targets", "--force")
    assert again.report["verification"]["ok"]


def test_every_type_of_the_spec_round_trips_on_every_target(all_types: Built) -> None:
    verification = all_types.report["verification"]
    assert verification["ok"], [c for c in verification["checks"] if not c["ok"]]
    functions = {c["subject"] for c in verification["checks"]} - {"module", "package"}
    assert len(functions) == 10


def test_build_at_the_repo_root_finds_every_kernel() -> None:
    result = run_wasmforge("build", "--print-plan", cwd=REPO)
    assert result.returncode == 0
    for kernel in sorted(REPO.glob("kernels/*/kernel.toml")):
        assert f"plan for {kernel.parent}" in result.stderr


def test_kernels_share_the_target_directory_and_build_two_at_a_time(tmp_path: Path) -> None:
    # Two kernels of one repository: the second reuses every dependency the first compiled,
    # and `--jobs 2` builds them side by side, each step line naming its kernel.
    for name in ("k-one", "k-two"):
        assert run_wasmforge("new", name, cwd=tmp_path).returncode == 0
    env = {"WASMFORGE_BUILD_ROOT": str(tmp_path / "root"), "CARGO_TARGET_DIR": ""}
    first = run_wasmforge("-v", "build", "k-one", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    compiled_first = re.search(r"cargo: (\d+) crates compiled, (\d+) up to date", first.stderr)
    assert compiled_first and int(compiled_first[1]) > 5  # wasm-bindgen and its dependency tree
    both = run_wasmforge("-v", "build", "k-one", "k-two", "--jobs", "2", cwd=tmp_path, env=env)
    assert both.returncode == 0, both.stderr
    reuse = re.search(r"cargo: (\d+) crates compiled, (\d+) up to date", both.stderr)
    # Compiled: k-two's own crate and its generated bindings; everything else came from k-one's build.
    assert reuse and int(reuse[1]) == 2 and int(reuse[2]) == int(compiled_first[1]) - 2
    assert "==> [k-two] cargo build" in both.stderr and "is up to date" in both.stderr
    assert (tmp_path / "root" / "target").is_dir() and (tmp_path / "k-two" / "pkg" / "package.json").is_file()
    bad = run_wasmforge("build", "k-one", "k-two", "--jobs", "0", cwd=tmp_path, env=env)
    assert bad.returncode == 2 and "--jobs must be at least 1" in bad.stderr
