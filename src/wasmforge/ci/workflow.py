"""`wasmforge ci init github`: the workflow file that runs wasmforge in GitHub Actions."""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from ..errors import UsageError
from ..kernelspec.load import SPEC_FILE
from ..render.templates import environment

WORKFLOW = Path(".github") / "workflows" / "wasmforge.yml"
PROVIDERS = ("github",)


def render_workflow(install: str, branch: str, kernels: list[str]) -> str:
    """`kernels`: the kernel directories, relative to the repository root (one CI job each)."""
    template = environment().get_template("ci/github-workflow.yml.jinja")
    return template.render(wasmforge_version=__version__, install=install, branch=branch, kernels=kernels)


def kernels_of(root: Path) -> list[str]:
    """The repository's kernels, as the workflow names them: `.` or `kernels/<name>`."""
    if (root / SPEC_FILE).is_file():
        return ["."]
    found = sorted(path.parent.relative_to(root).as_posix() for path in root.glob(f"kernels/*/{SPEC_FILE}"))
    if not found:
        raise UsageError(f"no {SPEC_FILE} in {root} and no kernels/*/{SPEC_FILE} below it",
                         hint="run `wasmforge ci init` at the root of the repository that holds the kernels")
    return found


def write_workflow(root: Path, provider: str, install: str, branch: str, force: bool) -> Path:
    if provider not in PROVIDERS:
        raise UsageError(f"unknown CI provider `{provider}`", hint=f"choose from {', '.join(PROVIDERS)}")
    kernels = kernels_of(root)
    target = root / WORKFLOW
    if target.exists() and not force:
        raise UsageError(f"{target} already exists", hint="pass --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_workflow(install, branch, kernels))
    return target
