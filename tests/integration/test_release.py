"""`wasmforge release` on a real git repository with a real kernel: the whole
release, its refusals, and its atomicity — a fault injected after each step
in turn (failure, Ctrl-C, SIGKILL) leaves the repository byte-identical."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.integration.conftest import build, copy_kernel, run_wasmforge

IDENTITY = {"GIT_AUTHOR_NAME": "Release Bot", "GIT_AUTHOR_EMAIL": "bot@example.com",
            "GIT_COMMITTER_NAME": "Release Bot", "GIT_COMMITTER_EMAIL": "bot@example.com",
            "SOURCE_DATE_EPOCH": "1795089600"}  # 2026-11-19 12:00 UTC, so the changelog date is known
RELEASE_DATE = "2026-11-19"
STEPS = ["bump", "changelog", "build", "pack", "commit", "tag", "publish"]


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                            env={**os.environ, **IDENTITY})
    assert result.returncode == 0, result.stderr
    return result.stdout


def release(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_wasmforge("release", *args, cwd=repo / "kernel",
                         env={**IDENTITY, "npm_config_dry_run": "true", **(env or {})})


def snapshot(repo: Path) -> dict[str, object]:
    """Everything a release could change: refs, staged content, status, every
    file's bytes (pkg/ included; cargo's target/ is scratch and left out)."""
    files = {}
    for path in sorted(repo.rglob("*")):
        parts = path.relative_to(repo).parts
        if path.is_file() and ".git" not in parts and "target" not in parts:
            files["/".join(parts)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"refs": git(repo, "for-each-ref"), "head": git(repo, "rev-parse", "HEAD"),
            "index": git(repo, "ls-files", "--stage"), "status": git(repo, "status", "--porcelain", "--ignored"),
            "files": files}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with one kernel at 0.3.0 (tagged v0.3.0), two commits after
    the tag, and a built pkg/ (so a failed release must restore a package)."""
    repo = tmp_path_factory.mktemp("release-template") / "repo"
    kernel = copy_kernel(REPO / "tests" / "fixtures" / "all-types", repo / "kernel")
    (repo / ".gitignore").write_text("target/\npkg/\n*.tgz\nCargo.lock\n")
    (kernel / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Bigint support\n\n"
                                         "## [0.3.0] - 2026-01-01\n\n### Added\n\n- First release\n")
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "feat: the all-types kernel")
    git(repo, "tag", "v0.3.0")
    with (kernel / "src" / "lib.rs").open("a") as source:
        source.write("\n// Overflow is reported, not wrapped.\n")
    git(repo, "commit", "--quiet", "--all", "--message", "fix: report overflow")
    (repo / "NOTES.md").write_text("outside the kernel\n")
    git(repo, "add", "NOTES.md")
    git(repo, "commit", "--quiet", "--message", "docs: notes outside the kernel")
    build(kernel)
    return repo


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(template, copy, symlinks=True)
    return copy


def test_a_release_bumps_builds_packs_commits_and_tags(repo: Path) -> None:
    result = release(repo, "0.4.0", "--json")
    assert result.returncode == 0, result.stderr
    kernel = repo / "kernel"
    [manifest] = json.loads(result.stdout)

    assert git(repo, "log", "-1", "--format=%s").strip() == "release: @wasmforge-test/all-types 0.4.0"
    assert git(repo, "cat-file", "-t", "v0.4.0").strip() == "tag"  # annotated
    assert git(repo, "rev-parse", "v0.4.0^{commit}") == git(repo, "rev-parse", "HEAD")
    assert git(repo, "status", "--porcelain") == ""
    committed = set(git(repo, "show", "--name-only", "--format=", "HEAD").split())
    assert committed == {"kernel/kernel.toml", "kernel/Cargo.toml", "kernel/CHANGELOG.md",
                         "kernel/releases/0.4.0/manifest.json", "kernel/releases/0.4.0/SHA256SUMS"}

    assert 'version = "0.4.0"' in (kernel / "kernel.toml").read_text()
    assert json.loads((kernel / "pkg" / "package.json").read_text())["version"] == "0.4.0"
    log = (kernel / "CHANGELOG.md").read_text()
    assert (f"## [Unreleased]\n\n## [0.4.0] - {RELEASE_DATE}\n\n### Added\n\n- Bigint support\n\n"
            "### Fixed\n\n- Report overflow\n\n## [0.3.0]") in log
    assert "notes outside the kernel" not in log.lower()

    release_dir = kernel / "releases" / "0.4.0"
    tarball = release_dir / manifest["tarball"]["file"]
    data = tarball.read_bytes()
    assert manifest["tarball"] == {"file": "wasmforge-test-all-types-0.4.0.tgz",
                                   "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert (release_dir / "SHA256SUMS").read_text() == f"{manifest['tarball']['sha256']}  {tarball.name}\n"
    check = subprocess.run(["sha256sum", "--check", "SHA256SUMS"], cwd=release_dir, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        packed = json.load(archive.extractfile("package/package.json"))  # type: ignore[arg-type]
    assert packed["version"] == "0.4.0"
    shipped = (kernel / "pkg" / "all_types_bg.wasm").read_bytes()
    assert manifest["wasm"] == [{"path": "all_types_bg.wasm", "sha256": hashlib.sha256(shipped).hexdigest(),
                                 "size": len(shipped)}]
    assert set(manifest["toolchain"]) == {"wasmforge", "rustc", "wasm-bindgen", "wasm-opt", "node"}


def test_publish_runs_npm_publish_last(repo: Path) -> None:
    result = release(repo, "0.4.0-rc.1", "--publish")
    assert result.returncode == 0, result.stderr
    assert "published @wasmforge-test/all-types@0.4.0-rc.1" in result.stderr
    assert git(repo, "tag", "--list", "v0.4.0-rc.1").strip() == "v0.4.0-rc.1"


def test_dry_run_prints_plan_and_diffs_and_changes_nothing(repo: Path) -> None:
    before = snapshot(repo)
    result = release(repo, "1.0.0", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert snapshot(repo) == before
    assert "1. bump:" in result.stderr and "6. tag: annotated v1.0.0" in result.stderr
    assert '-version = "0.3.0"\n+version = "1.0.0"' in result.stdout
    assert f"+## [1.0.0] - {RELEASE_DATE}" in result.stdout


@pytest.mark.parametrize(("arguments", "message", "code"), [
    (["0.3.0"], "is not greater than the current 0.3.0", 2),
    (["0.2.9"], "is not greater than the current 0.3.0", 2),
    (["0.3.0+build.7"], "is not greater than the current 0.3.0", 2),
    (["1.0"], "is not a semantic version", 2),
    (["1.0.0-"], "is not a semantic version", 2),
])
def test_bad_versions_are_refused(repo: Path, arguments: list[str], message: str, code: int) -> None:
    before = snapshot(repo)
    result = release(repo, *arguments)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert snapshot(repo) == before


def test_a_dirty_tree_is_refused_unless_allowed(repo: Path) -> None:
    (repo / "NOTES.md").write_text("edited\n")
    before = snapshot(repo)
    result = release(repo, "0.4.0")
    assert result.returncode == 2
    assert "uncommitted changes: NOTES.md" in result.stderr and "--allow-dirty" in result.stderr
    assert snapshot(repo) == before
    allowed = release(repo, "0.4.0", "--allow-dirty")
    assert allowed.returncode == 0, allowed.stderr
    assert git(repo, "status", "--porcelain") == " M NOTES.md\n"  # the user's change is theirs


def test_an_incomplete_toolchain_is_refused(repo: Path, tmp_path: Path) -> None:
    before = snapshot(repo)
    result = release(repo, "0.4.0", env={"WASMFORGE_NODE": str(tmp_path / "no-such-node")})
    assert result.returncode == 3, result.stderr
    assert "`wasmforge doctor` is not green" in result.stderr
    assert snapshot(repo) == before


def test_an_existing_tag_is_refused(repo: Path) -> None:
    git(repo, "tag", "v0.4.0")
    result = release(repo, "0.4.0")
    assert result.returncode == 2 and "tag v0.4.0 already exists" in result.stderr


def test_tags_are_prefixed_when_the_repository_holds_several_kernels(repo: Path) -> None:
    copy_kernel(REPO / "tests" / "fixtures" / "objects", repo / "objects")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "feat: a second kernel")
    result = release(repo, "0.4.0", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "tag: annotated kernel-v0.4.0" in result.stderr


def test_no_git_releases_without_committing(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    result = release(repo, "0.4.0", "--no-git", "--allow-dirty")
    assert result.returncode == 0, result.stderr
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "tag", "--list", "v0.4.0") == ""
    assert (repo / "kernel" / "releases" / "0.4.0" / "manifest.json").is_file()


@pytest.mark.parametrize("step", STEPS)
def test_a_failure_after_any_step_restores_everything(repo: Path, step: str) -> None:
    before = snapshot(repo)
    result = release(repo, "0.4.0", "--publish", env={"WASMFORGE_RELEASE_FAULT": step})
    assert result.returncode == 4, result.stderr
    assert f"fault injected after the {step} step" in result.stderr
    assert "the release was rolled back" in result.stderr
    assert snapshot(repo) == before


@pytest.mark.parametrize("step", ["bump", "build", "commit", "tag"])
def test_ctrl_c_after_a_step_restores_everything(repo: Path, step: str) -> None:
    before = snapshot(repo)
    result = release(repo, "0.4.0", env={"WASMFORGE_RELEASE_FAULT": f"{step}:interrupt"})
    assert result.returncode == 130, result.stderr
    assert "release interrupted" in result.stderr
    assert snapshot(repo) == before


@pytest.mark.parametrize("step", ["bump", "changelog", "build", "pack", "commit", "tag"])
def test_a_kill_after_a_step_is_rolled_back_by_the_next_run(repo: Path, step: str) -> None:
    before = snapshot(repo)
    killed = release(repo, "0.4.0", env={"WASMFORGE_RELEASE_FAULT": f"{step}:kill"})
    assert killed.returncode == -9
    assert snapshot(repo) != before  # the kill really left changes behind
    recovered = release(repo, "--recover")
    assert recovered.returncode == 0, recovered.stderr
    assert "rolled back a release that was killed" in recovered.stderr
    assert snapshot(repo) == before
    if step == "tag":  # the latest kill point: a real release still runs cleanly afterwards
        again = release(repo, "0.4.0")
        assert again.returncode == 0, again.stderr
