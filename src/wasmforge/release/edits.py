"""Version bumps that change the version and nothing else.

TOML files are edited with tomlkit, which keeps comments, key order and
formatting; JSON files by replacing the one string token of the top-level
"version" value in the original text (a JSON library would re-indent the
whole file). Each edit is computed as text first, so `--dry-run` can show
the diff and the release can write every file only after all were computed.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError

from ..errors import UsageError


@dataclass(frozen=True)
class FileEdit:
    path: Path
    before: str | None  # None: the file is created
    after: str

    def diff(self, root: Path) -> str:
        name = str(self.path.relative_to(root)) if self.path.is_relative_to(root) else str(self.path)
        before = (self.before or "").splitlines(keepends=True)
        return "".join(difflib.unified_diff(before, self.after.splitlines(keepends=True),
                                            f"a/{name}", f"b/{name}"))


def bump_toml(text: str, table: str, version: str, file: Path) -> str | None:
    """`text` with `[table].version` set; None when the table has no literal version
    (absent, or inherited with `version.workspace = true`)."""
    try:
        document = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise UsageError(f"{file}: cannot parse: {exc}") from exc
    section = document.get(table)
    if section is None or not isinstance(section.get("version"), str):
        return None
    section["version"] = version
    return tomlkit.dumps(document)


def bump_package_json(text: str, version: str, file: Path) -> str | None:
    """`text` with the top-level "version" string replaced in place; None if it has none."""
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{file}: not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict) or not isinstance(parsed.get("version"), str):
        return None
    start, end = _top_level_value_span(text, "version")
    return text[:start] + json.dumps(version) + text[end:]


def _top_level_value_span(text: str, wanted: str) -> tuple[int, int]:
    """Start and end offsets of the value of top-level key `wanted` (the text is
    valid JSON with an object at the top: json.loads accepted it)."""
    decoder = json.JSONDecoder()
    index = _skip_space(text, _skip_space(text, 0) + 1)  # past "{"
    while text[index] != "}":
        key, index = json.decoder.scanstring(text, index + 1)  # text[index] is the key's quote
        index = _skip_space(text, _skip_space(text, index) + 1)  # past ":"
        _, end = decoder.raw_decode(text, index)
        if key == wanted:
            return index, end
        index = _skip_space(text, end)
        if text[index] == ",":
            index = _skip_space(text, index + 1)
    # Unreachable: json.loads found the key at the top level, so the scan does too.
    raise AssertionError(f"no top-level {wanted!r} although json.loads found one")


def _skip_space(text: str, index: int) -> int:
    while text[index] in " \t\r\n":
        index += 1
    return index
