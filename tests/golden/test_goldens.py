"""Golden trees: the rendered crate and npm sources of the fixture kernel,
reviewed like code. After an intended template change, regenerate with
`pytest tests/golden --update-goldens` and review the diff."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from wasmforge.render.context import crate_files, npm_files
from wasmforge.spec.load import load_spec

FIXTURES = REPO / "tests" / "fixtures"


def rendered(fixture: Path) -> dict[str, str]:
    spec = load_spec(fixture)
    crate = crate_files(spec, fixture / "target" / "wasmforge" / "crate")
    return {**{f"crate/{k}": v for k, v in crate.items()}, **{f"npm/{k}": v for k, v in npm_files(spec).items()}}


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
