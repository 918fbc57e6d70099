"""Golden trees: the rendered crate and npm sources of the fixture kernels and
the generated GitHub workflow, reviewed like code. After an intended template change, regenerate with
`pytest tests/golden --update-goldens` and review the diff."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from wasmforge.ci.workflow import render_workflow
from wasmforge.pipeline.format import rendered_crate, rendered_npm
from wasmforge.toolchain import tools
from wasmforge.kernelspec.load import load_spec

FIXTURES = REPO / "tests" / "fixtures"


def rendered(fixture: Path) -> dict[str, str]:
    """The files as a build writes them: rendered, then formatted (rustfmt, Prettier)."""
    spec = load_spec(fixture)
    toolchain = tools.resolve()
    crate = rendered_crate(spec, fixture / "target" / "wasmforge" / "crate", toolchain)
    npm = rendered_npm(spec, toolchain)
    return {**{f"crate/{k}": v for k, v in crate.items()}, **{f"npm/{k}": v for k, v in npm.items()}}


@pytest.mark.parametrize("name", ["all-types", "objects"])
def test_rendered_tree_matches_goldens(name: str, request: pytest.FixtureRequest) -> None:
    files = rendered(FIXTURES / name)
    expected_dir = Path(__file__).parent / "expected" / name
    if request.config.getoption("--update-goldens"):
        for relative, text in files.items():
            (expected_dir / relative).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / relative).write_text(text)
        for stale in {p.relative_to(expected_dir).as_posix() for p in expected_dir.rglob("*") if p.is_file()} - set(files):
            (expected_dir / stale).unlink()
    on_disk = {p.relative_to(expected_dir).as_posix(): p.read_text() for p in expected_dir.rglob("*") if p.is_file()}
    assert sorted(on_disk) == sorted(files), "file list changed: run with --update-goldens and review"
    for relative, text in files.items():
        assert text == on_disk[relative], f"{relative} differs from its golden: run with --update-goldens and review"


WORKFLOW_GOLDEN = Path(__file__).parent / "expected" / "workflow" / "wasmforge.yml"


def test_github_workflow_matches_its_golden(request: pytest.FixtureRequest) -> None:
    text = render_workflow(install="wasmforge==0.1.0", branch="main",
                           kernels=["kernels/attention", "kernels/sublinear-solver"])
    if request.config.getoption("--update-goldens"):
        WORKFLOW_GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        WORKFLOW_GOLDEN.write_text(text)
    assert text == WORKFLOW_GOLDEN.read_text(), "the workflow differs from its golden: --update-goldens and review"


def test_github_workflow_is_valid_yaml_that_runs_ci_and_releases_tags() -> None:
    workflow = yaml.safe_load(render_workflow(install="wasmforge==0.1.0", branch="trunk", kernels=["."]))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as a boolean
    assert triggers["push"] == {"branches": ["trunk"], "tags": ["v*", "*-v*"]}
    assert "pull_request" in triggers
    ci, release = workflow["jobs"]["ci"], workflow["jobs"]["release"]
    ci_commands = "\n".join(step.get("run", "") for step in ci["steps"])
    assert "python -m pip install wasmforge==0.1.0" in ci_commands
    assert "wasmforge toolchain install" in ci_commands
    assert 'wasmforge ci "${{ matrix.kernel }}" --junit reports/junit.xml --json reports/wasmforge.json ' \
           "--pack-dir dist" in ci_commands
    assert ci["strategy"]["matrix"]["kernel"] == ["."] and ci["env"]["WASMFORGE_CACHE"] == "sccache"
    upload = next(step for step in ci["steps"] if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()"
    assert release["needs"] == "ci" and release["if"] == "startsWith(github.ref, 'refs/tags/')"
    release_commands = "\n".join(step.get("run", "") for step in release["steps"])
    assert 'wasmforge release --from-tag "$GITHUB_REF_NAME" --publish' in release_commands
    assert release["steps"][-1]["env"]["NODE_AUTH_TOKEN"] == "${{ secrets.NPM_TOKEN }}"


CODE_SUFFIXES = (".rs", ".js", ".cjs", ".ts", ".cts")


@pytest.mark.parametrize("kernel", ["tests/fixtures/all-types", "tests/fixtures/objects", "tests/fixtures/imaging",
                                    "kernels/sublinear-solver", "kernels/attention"])
def test_generated_code_reads_like_hand_written(kernel: str) -> None:
    """Formatted by rustfmt and Prettier, comments folded: no line of code or
    documentation is wider than the formatters' 100 columns."""
    files = rendered(REPO / kernel)
    wide = [(name, line) for name, text in files.items() if name.endswith(CODE_SUFFIXES)
            for line in text.splitlines() if len(line) > 100]
    assert not wide, wide[:5]
