"""Golden trees: the rendered crate and npm sources of the fixture kernel,
reviewed like code. After an intended template change, regenerate with
`pytest tests/golden --update-goldens` and review the diff."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from wasmforge.render.context import crate_files, npm_files
from wasmforge.spec.load import load_spec

FIXTURE = REPO / "tests" / "fixtures" / "all-types"
EXPECTED = Path(__file__).parent / "expected" / "all-types"


def rendered() -> dict[str, str]:
    spec = load_spec(FIXTURE)
    crate = crate_files(spec, FIXTURE / "target" / "wasmforge" / "crate")
    return {**{f"crate/{k}": v for k, v in crate.items()}, **{f"npm/{k}": v for k, v in npm_files(spec).items()}}


def test_rendered_tree_matches_goldens(request: pytest.FixtureRequest) -> None:
    files = rendered()
    if request.config.getoption("--update-goldens"):
        for relative, text in files.items():
            (EXPECTED / relative).parent.mkdir(parents=True, exist_ok=True)
            (EXPECTED / relative).write_text(text)
        for stale in {p.relative_to(EXPECTED).as_posix() for p in EXPECTED.rglob("*") if p.is_file()} - set(files):
            (EXPECTED / stale).unlink()
    on_disk = {p.relative_to(EXPECTED).as_posix(): p.read_text() for p in EXPECTED.rglob("*") if p.is_file()}
    assert sorted(on_disk) == sorted(files), "file list changed: run with --update-goldens and review"
    for relative, text in files.items():
        assert text == on_disk[relative], f"{relative} differs from its golden: run with --update-goldens and review"
