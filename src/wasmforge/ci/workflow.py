"""`wasmforge ci init github`: the workflow file that runs wasmforge in GitHub Actions."""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from ..errors import UsageError
from ..render.templates import environment

WORKFLOW = Path(".github") / "workflows" / "wasmforge.yml"
PROVIDERS = ("github",)


def render_workflow(install: str, branch: str) -> str:
    template = environment().get_template("ci/github-workflow.yml.jinja")
    return template.render(wasmforge_version=__version__, install=install, branch=branch)


def write_workflow(root: Path, provider: str, install: str, branch: str, force: bool) -> Path:
    if provider not in PROVIDERS:
        raise UsageError(f"unknown CI provider `{provider}`", hint=f"choose from {', '.join(PROVIDERS)}")
    target = root / WORKFLOW
    if target.exists() and not force:
        raise UsageError(f"{target} already exists", hint="pass --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_workflow(install, branch))
    return target
