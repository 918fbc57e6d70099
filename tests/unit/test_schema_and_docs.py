"""The committed JSON schema is current, validates the bundled kernels, and
every key is documented in docs/spec.md."""

from __future__ import annotations

import json
import tomllib

import jsonschema
import pytest

from tests.conftest import REPO
from wasmforge.kernelspec.schema import all_key_paths, json_schema

SCHEMA_FILE = REPO / "docs" / "kernel.schema.json"


def test_committed_schema_is_current() -> None:
    committed = json.loads(SCHEMA_FILE.read_text())
    assert committed == json_schema(), "regenerate with: wasmforge schema -o docs/kernel.schema.json"


@pytest.mark.parametrize("spec_file", sorted(REPO.glob("kernels/*/kernel.toml")), ids=lambda p: p.parent.name)
def test_bundled_kernels_validate_against_the_schema(spec_file) -> None:  # noqa: ANN001
    jsonschema.validate(tomllib.loads(spec_file.read_text()), json_schema())


def test_schema_rejects_unknown_keys() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"package": {"name": "x", "version": "1.0.0", "description": "d", "nmae": 1}},
                            json_schema())


def test_every_key_is_documented() -> None:
    text = (REPO / "docs" / "spec.md").read_text()
    missing = [path for path in all_key_paths() if f"`{path}`" not in text]
    assert not missing, f"document these keys in docs/spec.md: {missing}"
