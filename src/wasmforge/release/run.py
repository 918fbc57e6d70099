"""`wasmforge release <version>`: plan everything, then run it under a journal.

`plan_release` checks every precondition and computes every edit (as text)
without changing anything: `--dry-run` prints that plan and its diffs. Then
`run_release` executes the steps in order — bump, changelog, build, pack,
commit, tag, publish — each recorded in the journal before it changes
anything, so a failure, Ctrl-C or SIGTERM rolls everything back, and a kill
is rolled back by the next run (release/journal.py).

WASMFORGE_RELEASE_FAULT=<step>[:fail|:interrupt|:kill] makes the release fail,
interrupt itself or SIGKILL itself right after <step> did its work: how the
tests prove that every step rolls back (docs/cli.md).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import proc, ui
from ..pipeline.freshness import build_kernel
from ..pipeline.plan import BuildRequest
from ..pipeline.workdir import workdir
from ..errors import InjectedFault, Interrupted, ToolMissing, UsageError, VerificationFailed
from ..settings import TARGETS
from ..kernelspec.load import SPEC_FILE, load_spec
from ..kernelspec.model import KernelSpec
from ..toolchain import tools
from ..toolchain.tools import Toolchain
from . import changelog, semver
from .artifacts import MANIFEST, SUMS, write_release
from .edits import FileEdit, bump_package_json, bump_toml
from .git import Repo, find_repo, git_dir_of
from .journal import JOURNAL_FILE, Journal, recover

STEPS = ("bump", "changelog", "build", "pack", "commit", "tag", "publish")
FAULT_ENV = "WASMFORGE_RELEASE_FAULT"
CHANGELOG_FILE = "CHANGELOG.md"


@dataclass(frozen=True)
class ReleaseOptions:
    version: semver.Version
    git: bool = True
    allow_dirty: bool = False
    publish: bool = False


@dataclass
class KernelRelease:
    spec: KernelSpec
    current: semver.Version
    version: str
    bumps: list[FileEdit]
    changelog: FileEdit
    changelog_entries: int
    tag: str | None
    previous_tag: str | None

    @property
    def edits(self) -> list[FileEdit]:
        return [*self.bumps, self.changelog]

    @property
    def release_dir(self) -> Path:
        return self.spec.root / "releases" / self.version


@dataclass
class ReleasePlan:
    options: ReleaseOptions
    kernels: list[KernelRelease]
    repo: Repo | None
    journal_dir: Path
    manifests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def steps(self) -> list[str]:
        skipped = set() if self.repo else {"commit", "tag"}
        if not self.options.publish:
            skipped.add("publish")
        return [step for step in STEPS if step not in skipped]

    @property
    def commit_message(self) -> str:
        names = ", ".join(k.spec.package.name for k in self.kernels)
        return f"release: {names} {self.options.version}"

    def describe(self) -> list[str]:
        version = self.options.version
        lines = []
        for kernel in self.kernels:
            lines.append(f"{kernel.spec.package.name} ({kernel.spec.root}): {kernel.current} -> {version}")
        root = self.repo.root if self.repo else Path.cwd()
        titles = {
            "bump": "the version in " + ", ".join(
                _relative(e.path, root) for k in self.kernels for e in k.bumps)
            + " (the generated Cargo.toml and package.json follow in the build)",
            "changelog": "a [" + str(version) + "] section in " + ", ".join(
                f"{_relative(k.changelog.path, root)} ({k.changelog_entries} commit(s) since "
                f"{k.previous_tag or 'the first commit'})" for k in self.kernels),
            "build": f"{', '.join(TARGETS)}, from clean, verified",
            "pack": "the tarball into " + ", ".join(
                f"{_relative(k.release_dir, root)}/ with {SUMS} and {MANIFEST}" for k in self.kernels),
            "commit": repr(self.commit_message),
            "tag": "annotated " + ", ".join(k.tag or "" for k in self.kernels),
            "publish": "npm publish " + ", ".join(f"{k.spec.package.name}@{version}" for k in self.kernels),
        }
        lines += [f"{number}. {step}: {titles[step]}" for number, step in enumerate(self.steps, start=1)]
        return lines

    def diffs(self) -> str:
        root = self.repo.root if self.repo else Path.cwd()
        return "".join(edit.diff(root) for kernel in self.kernels for edit in kernel.edits)


def _relative(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


# === planning: every check, no change ======================================================

def pending_journals(kernel_dirs: list[Path]) -> list[Path]:
    """Journals a killed release left behind."""
    return [directory for directory in _journal_dirs(kernel_dirs) if (directory / JOURNAL_FILE).exists()]


def recover_pending(kernel_dirs: list[Path]) -> list[str]:
    """Roll back a release that was killed; returns what was restored (empty if none)."""
    restored: list[str] = []
    for directory in pending_journals(kernel_dirs):
        restored += recover(directory) or []
    return restored


def _journal_dirs(kernel_dirs: list[Path]) -> list[Path]:
    git_dir = git_dir_of(kernel_dirs[0])
    return ([git_journal(git_dir)] if git_dir else []) + [workdir_journal(path) for path in kernel_dirs]


def git_journal(git_dir: Path) -> Path:
    return git_dir / "wasmforge-release"


def workdir_journal(kernel_dir: Path) -> Path:
    return kernel_dir.resolve() / "target" / "wasmforge" / "release-journal"


def plan_release(kernel_dirs: list[Path], options: ReleaseOptions) -> ReleasePlan:
    specs = [load_spec(path) for path in kernel_dirs]
    repo = _repo_for(specs, options)
    several = repo is not None and _kernel_count(repo) > 1
    kernels = [_plan_kernel(spec, options, repo, several) for spec in specs]
    _check_doctor()
    journal_dir = git_journal(repo.git_dir) if repo else workdir_journal(specs[0].root)
    return ReleasePlan(options, kernels, repo, journal_dir)


def _repo_for(specs: list[KernelSpec], options: ReleaseOptions) -> Repo | None:
    if not options.git:
        return None
    repo = find_repo(specs[0].root)
    for spec in specs:
        if not spec.root.resolve().is_relative_to(repo.root):
            raise UsageError(f"{spec.root} is not in the repository at {repo.root}",
                             hint="release kernels of one repository at a time")
    if not options.allow_dirty:
        dirty = repo.dirty_paths()
        if dirty:
            shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
            raise UsageError(f"the git tree at {repo.root} has uncommitted changes: {shown}",
                             hint="commit or stash them first, or pass --allow-dirty")
    return repo


def _kernel_count(repo: Repo) -> int:
    listed = repo.out("ls-files", "--", f":(glob)**/{SPEC_FILE}", SPEC_FILE)
    return len([line for line in listed.splitlines() if line.strip()])


def _plan_kernel(spec: KernelSpec, options: ReleaseOptions, repo: Repo | None, several: bool) -> KernelRelease:
    version = str(options.version)
    current = semver.parse(spec.package.version)
    if not options.version > current:
        raise UsageError(f"{spec.file}: version {version} is not greater than the current {current}",
                         hint=f"choose a version above {current}, e.g. {_next_patch(current)}")
    release_dir = spec.root / "releases" / version
    if release_dir.exists():
        raise UsageError(f"{release_dir} already exists: {version} was released before",
                         hint="choose a new version (or delete that directory if the release was abandoned)")
    tag = None
    previous = None
    subjects: list[str] = []
    if repo is not None:
        prefix = f"{spec.root.name}-v" if several else "v"
        tag = f"{prefix}{version}"
        if repo.tag_exists(tag):
            raise UsageError(f"tag {tag} already exists", hint="choose a new version")
        previous = _previous_tag(repo, prefix, options.version)
        subjects = repo.subjects_since(previous, spec.root)
    log_file = spec.root / CHANGELOG_FILE
    before = log_file.read_text() if log_file.exists() else None
    log = FileEdit(log_file, before, changelog.updated(before, version, _release_date(), subjects))
    return KernelRelease(spec, current, version, _version_edits(spec, version), log, len(subjects), tag, previous)


def _next_patch(version: semver.Version) -> str:
    if version.is_prerelease:
        return f"{version.major}.{version.minor}.{version.patch}"
    return f"{version.major}.{version.minor}.{version.patch + 1}"


def _previous_tag(repo: Repo, prefix: str, new: semver.Version) -> str | None:
    versions = []
    for tag in repo.tags(f"{prefix}*"):
        text = tag[len(prefix):]
        if semver.is_valid(text) and semver.parse(text) < new:
            versions.append((semver.parse(text), tag))
    return max(versions)[1] if versions else None


def _version_edits(spec: KernelSpec, version: str) -> list[FileEdit]:
    """kernel.toml, and the Cargo.toml/package.json the user keeps next to it."""
    edits = []
    candidates: list[tuple[Path, Callable[[str], str | None]]] = [
        (spec.file, lambda text: bump_toml(text, "package", version, spec.file)),
    ]
    for cargo in dict.fromkeys([spec.root / "Cargo.toml", spec.crate_dir / "Cargo.toml"]):
        candidates.append((cargo, lambda text, file=cargo: bump_toml(text, "package", version, file)))
    package_json = spec.root / "package.json"
    candidates.append((package_json, lambda text: bump_package_json(text, version, package_json)))
    for path, bump in candidates:
        if not path.is_file():
            continue
        before = path.read_text()
        after = bump(before)
        if after is not None and after != before:
            edits.append(FileEdit(path, before, after))
    return edits


def _release_date() -> str:
    # SOURCE_DATE_EPOCH, when set, makes the changelog reproducible too.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.date().isoformat()


def _check_doctor() -> None:
    missing = [status for status in tools.inspect(probe=True) if not status.ok]
    if missing:
        raise ToolMissing("`wasmforge doctor` is not green: " + "; ".join(
            f"{s.name}: {s.note}" for s in missing), hint="run `wasmforge toolchain install`")


# === running: every change journaled first ==================================================

@dataclass
class _Context:
    plan: ReleasePlan
    toolchain: Toolchain
    journal: Journal


def run_release(plan: ReleasePlan, toolchain: Toolchain) -> list[dict[str, Any]]:
    journal = Journal.begin(plan.journal_dir, plan.repo)
    context = _Context(plan, toolchain, journal)
    try:
        with _sigterm_interrupts():
            for step in plan.steps:
                ui.step(f"release: {step}")
                RUNNERS[step](context)
                _fault_point(step)
    except BaseException as exc:
        restored = journal.rollback()
        ui.warn(f"the release was rolled back ({len(restored)} change(s) undone): the repository and "
                "every output are as they were")
        if isinstance(exc, KeyboardInterrupt):
            raise Interrupted("release interrupted; everything it had changed was restored") from exc
        raise
    journal.finish()
    return plan.manifests


def _bump(context: _Context) -> None:
    for kernel in context.plan.kernels:
        for edit in kernel.bumps:
            _write(context.journal, edit)


def _changelog(context: _Context) -> None:
    for kernel in context.plan.kernels:
        _write(context.journal, kernel.changelog)


def _write(journal: Journal, edit: FileEdit) -> None:
    journal.protect(edit.path)
    edit.path.write_text(edit.after)
    ui.info(f"wrote {edit.path}")


def _build(context: _Context) -> None:
    request = BuildRequest(targets=TARGETS, verify=True, force=True)
    for kernel in context.plan.kernels:
        spec = load_spec(kernel.spec.root)  # re-read: the version changed
        dirs = workdir(spec)
        context.journal.protect(dirs.pkg)
        context.journal.protect(dirs.state_file)
        build_kernel(spec, request, context.toolchain)
        kernel.spec = spec


def _pack(context: _Context) -> None:
    for kernel in context.plan.kernels:
        context.journal.protect(kernel.release_dir)
        options = BuildRequest(targets=TARGETS).describe(kernel.spec)
        manifest = write_release(context.toolchain, kernel.spec, workdir(kernel.spec).pkg, kernel.release_dir,
                                 kernel.tag, options)
        context.plan.manifests.append(manifest)
        ui.info(f"{kernel.release_dir}: {manifest['tarball']['file']} sha256 {manifest['tarball']['sha256']}")


def _commit(context: _Context) -> None:
    repo = context.plan.repo
    assert repo is not None
    paths = [edit.path for kernel in context.plan.kernels for edit in kernel.edits]
    paths += [kernel.release_dir / name for kernel in context.plan.kernels for name in (MANIFEST, SUMS)]
    # Forced: the manifest and checksums are meant to be committed even where a
    # .gitignore keeps releases/ out; the tarball itself never is.
    repo.git("add", "--force", "--", *(str(p) for p in paths))
    commit = repo.commit(context.plan.commit_message)
    ui.info(f"committed {commit[:12]}")


def _tag(context: _Context) -> None:
    repo = context.plan.repo
    assert repo is not None
    for kernel in context.plan.kernels:
        assert kernel.tag
        context.journal.will_tag(kernel.tag)
        repo.tag(kernel.tag, f"{kernel.spec.package.name} {kernel.version}")
        ui.info(f"tagged {kernel.tag}")


def _publish(context: _Context) -> None:
    for kernel, manifest in zip(context.plan.kernels, context.plan.manifests, strict=True):
        tarball = kernel.release_dir / manifest["tarball"]["file"]
        _npm_publish(context.toolchain, kernel.spec, tarball, context.plan.options.version.is_prerelease)


RUNNERS: dict[str, Callable[[_Context], None]] = {
    "bump": _bump, "changelog": _changelog, "build": _build, "pack": _pack,
    "commit": _commit, "tag": _tag, "publish": _publish,
}


def _fault_point(step: str) -> None:
    requested = os.environ.get(FAULT_ENV, "")
    target, _, mode = requested.partition(":")
    if target != step:
        return
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "interrupt":
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(10)  # the signal's KeyboardInterrupt ends the sleep at once
    raise InjectedFault(f"fault injected after the {step} step ({FAULT_ENV}={requested})")


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (CI cancelling a job) rolls back like Ctrl-C does."""
    def interrupt(_number: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# === a release made elsewhere, rebuilt from its tag (CI) =======================================

def release_from_tag(tag: str, kernel_dirs: list[Path], toolchain: Toolchain, publish: bool) -> dict[str, Any]:
    """Rebuild the release `tag` points at, prove the tarball is byte-identical to
    the one its committed manifest describes, and publish it if asked."""
    spec, version = _tagged_kernel(tag, kernel_dirs)
    repo = find_repo(spec.root)
    tagged = repo.git("rev-parse", "--verify", "--quiet", f"{tag}^{{commit}}", check=False).stdout.strip()
    if not tagged:
        raise UsageError(f"there is no tag {tag}", hint="fetch tags (`git fetch --tags`) or check the name")
    if repo.head() != tagged:
        raise UsageError(f"HEAD is not at {tag}", hint=f"check out the tag first: `git checkout {tag}`")
    if spec.package.version != version:
        raise UsageError(f"{spec.file} says version {spec.package.version}, the tag says {version}")
    release_dir = spec.root / "releases" / version
    try:
        recorded = json.loads((release_dir / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise UsageError(f"{release_dir / MANIFEST} is missing", hint=f"{tag} was not made by `wasmforge "
                         "release`") from exc
    build_kernel(spec, BuildRequest(targets=TARGETS, verify=True, force=True), toolchain)
    with tempfile.TemporaryDirectory(prefix="wasmforge-release-") as scratch:
        options = BuildRequest(targets=TARGETS).describe(spec)
        rebuilt = write_release(toolchain, spec, workdir(spec).pkg, Path(scratch), tag, options)
        _check_reproduced(recorded, rebuilt, tag)
        tarball = release_dir / rebuilt["tarball"]["file"]
        shutil.copyfile(Path(scratch) / rebuilt["tarball"]["file"], tarball)
    ui.success(f"{tag}: rebuilt from clean, byte-identical to its manifest (sha256 {recorded['tarball']['sha256']})")
    if publish:
        _npm_publish(toolchain, spec, tarball, semver.parse(version).is_prerelease)
    return rebuilt


def _tagged_kernel(tag: str, kernel_dirs: list[Path]) -> tuple[KernelSpec, str]:
    specs = [load_spec(path) for path in kernel_dirs]
    if tag.startswith("v") and semver.is_valid(tag[1:]):
        if len(specs) != 1:
            raise UsageError(f"tag {tag} names no kernel, and there are {len(specs)}",
                             hint="pass the kernel directory: `wasmforge release --from-tag TAG KERNEL_DIR`")
        return specs[0], tag[1:]
    for index in range(len(tag)):
        if tag.startswith("-v", index) and semver.is_valid(tag[index + 2:]):
            name = tag[:index]
            for spec in specs:
                if spec.root.name == name:
                    return spec, tag[index + 2:]
            raise UsageError(f"tag {tag} names kernel `{name}`, which is not among "
                             + ", ".join(spec.root.name for spec in specs))
    raise UsageError(f"`{tag}` is not a release tag", hint="release tags are v<version> or <kernel>-v<version>")


def _check_reproduced(recorded: dict[str, Any], rebuilt: dict[str, Any], tag: str) -> None:
    differences = [key for key in ("tarball", "wasm") if recorded.get(key) != rebuilt.get(key)]
    if differences:
        raise VerificationFailed(
            f"{tag} does not rebuild byte-identically: the {' and '.join(differences)} differ from the "
            f"committed manifest (recorded tarball sha256 {recorded['tarball']['sha256']}, "
            f"rebuilt {rebuilt['tarball']['sha256']}; recorded toolchain {recorded.get('toolchain')}, "
            f"this one {rebuilt['toolchain']})",
            hint="build with the toolchain the manifest records (`wasmforge doctor` shows yours)")


def _npm_publish(toolchain: Toolchain, spec: KernelSpec, tarball: Path, prerelease: bool) -> None:
    node = toolchain.node
    # npm refuses to publish a pre-release as `latest` without an explicit tag.
    dist_tag = ["--tag", "next"] if prerelease else []
    proc.run(node.npm("publish", str(tarball), *dist_tag), cwd=spec.root, env=node.env(),
             hint="npm publish failed (log in with `npm login`, or set an auth token in .npmrc)")
    ui.info(f"published {spec.package.name}@{spec.package.version}")
