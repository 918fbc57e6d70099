"""The pure parts of `wasmforge release`: semver, version edits, the changelog."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from wasmforge.errors import UsageError
from wasmforge.release import changelog, semver
from wasmforge.release.edits import bump_package_json, bump_toml

# --- semver ---------------------------------------------------------------------------------

# semver.org §11's example, in increasing precedence.
ORDERED = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
           "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0"]


def test_precedence_follows_the_specification() -> None:
    versions = [semver.parse(text) for text in ORDERED]
    for lower, higher in zip(versions, versions[1:]):
        assert lower < higher, (lower, higher)
    assert sorted(reversed(versions)) == versions


def test_build_metadata_does_not_count() -> None:
    assert semver.parse("1.0.0+build.1") == semver.parse("1.0.0+build.2")
    assert not semver.parse("1.0.0+later") > semver.parse("1.0.0")
    assert str(semver.parse("1.2.3-rc.1+sha.5114f85")) == "1.2.3-rc.1+sha.5114f85"


@pytest.mark.parametrize("text", ["1", "1.2", "1.2.3.4", "01.2.3", "1.2.3-", "1.2.3-01", "1.2.3+", "v1.2.3",
                                  "1.2.3-a..b", "latest", ""])
def test_invalid_versions_are_refused_with_a_fix(text: str) -> None:
    assert not semver.is_valid(text)
    with pytest.raises(UsageError) as raised:
        semver.parse(text)
    assert "MAJOR.MINOR.PATCH" in (raised.value.hint or "")


# --- version edits keep everything else -------------------------------------------------------

KERNEL_TOML = """\
# The solver's spec. Comments stay where they are.
schema = 1

[package]
name    = "solver"        # aligned on purpose
version = '0.1.0'         # single quotes, trailing comment
description = "CG"

[build]
profile = "speed"  # not "size"
"""

CARGO_TOML = """\
[package]
name = "solver-kernel"
version = "0.1.0" # bumped by wasmforge release
edition = "2021"

[dependencies]
# none

[workspace.package]
version = "9.9.9"
"""

PACKAGE_JSON = """{
    "name":    "helpers",
    "private": true,
    "dependencies": { "version": "1.0.0" },
    "files": ["version", "dist"],
    "version":"0.1.0",
    "scripts": {"version": "echo 'not this one'"}
}
"""


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_toml_bump_changes_only_the_version_line() -> None:
    after = bump_toml(KERNEL_TOML, "package", "0.2.0", Path("kernel.toml"))
    assert after is not None
    assert changed_lines(KERNEL_TOML, after) == [
        "-version = '0.1.0'         # single quotes, trailing comment",
        '+version = "0.2.0"         # single quotes, trailing comment',
    ]


def test_cargo_bump_touches_the_package_table_only() -> None:
    after = bump_toml(CARGO_TOML, "package", "1.0.0-rc.1", Path("Cargo.toml"))
    assert after is not None
    assert changed_lines(CARGO_TOML, after) == [
        '-version = "0.1.0" # bumped by wasmforge release',
        '+version = "1.0.0-rc.1" # bumped by wasmforge release',
    ]


def test_inherited_versions_are_left_alone() -> None:
    text = '[package]\nname = "k"\nversion.workspace = true\n'
    assert bump_toml(text, "package", "1.0.0", Path("Cargo.toml")) is None


def test_package_json_bump_replaces_the_top_level_version_token_only() -> None:
    after = bump_package_json(PACKAGE_JSON, "0.2.0", Path("package.json"))
    assert after is not None
    assert changed_lines(PACKAGE_JSON, after) == ['-    "version":"0.1.0",', '+    "version":"0.2.0",']
    assert json.loads(after)["scripts"]["version"] == "echo 'not this one'"


def test_package_json_without_a_version_is_left_alone() -> None:
    assert bump_package_json('{"name": "x"}', "1.0.0", Path("package.json")) is None


# --- changelog --------------------------------------------------------------------------------

def test_a_new_changelog_follows_keep_a_changelog() -> None:
    text = changelog.updated(None, "0.2.0", "2026-11-21",
                             ["feat(solver): add CSR input", "fix: reject NaN", "chore: bump deps",
                              "Tune the SIMD loop", "feat!: rename solve to solveDense"])
    assert text.startswith("# Changelog\n")
    assert "[Keep a Changelog](https://keepachangelog.com/en/1.1.0/)" in text
    section = text.split("## [0.2.0] - 2026-11-21\n", 1)[1]
    assert section == ("\n### Added\n\n- Add CSR input\n- **Breaking:** Rename solve to solveDense\n\n"
                       "### Changed\n\n- Tune the SIMD loop\n\n### Fixed\n\n- Reject NaN\n")
    assert "bump deps" not in text  # housekeeping is not for users
    assert text.index("## [Unreleased]") < text.index("## [0.2.0]")


def test_unreleased_entries_move_into_the_release_and_history_stays() -> None:
    existing = ("# Changelog\n\n## [Unreleased]\n\n### Removed\n\n- The v0 API\n\n"
                "## [0.1.0] - 2026-01-01\n\n### Added\n\n- First release\n")
    text = changelog.updated(existing, "0.2.0", "2026-11-21", ["fix: overflow"])
    assert text == ("# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2026-11-21\n\n### Removed\n\n- The v0 API\n\n"
                    "### Fixed\n\n- Overflow\n\n## [0.1.0] - 2026-01-01\n\n### Added\n\n- First release\n")


def test_a_release_without_changes_says_so() -> None:
    text = changelog.updated(None, "0.2.1", "2026-11-21", [])
    assert text.endswith("## [0.2.1] - 2026-11-21\n\n### Changed\n\n- No notable changes.\n")
