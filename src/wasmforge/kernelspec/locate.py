"""Find the line of a TOML path such as `function[1].args[0].type`.

TOML parsers do not keep positions, so we scan the text for table headers and
`key =` lines. Keys inside inline tables are not indexed; their nearest
enclosing located path is reported instead.
"""

from __future__ import annotations

import re

_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def index_lines(text: str) -> dict[str, int]:
    """Map every header and key path in `text` to its 1-based line number."""
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}
    latest: dict[str, str] = {}  # dotted name -> indexed path of its latest entry
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _ARRAY_HEADER.match(line):
            current = _array_path(match.group(1), counts, latest)
        elif match := _TABLE_HEADER.match(line):
            current = _table_path(match.group(1), latest)
        elif match := _KEY.match(line):
            key = match.group(1)
            path = f"{current}.{key}" if current else key
            lines.setdefault(path, number)
            continue
        else:
            continue
        lines.setdefault(current, number)
    return lines


def _parent_path(parts: list[str], latest: dict[str, str]) -> str:
    if len(parts) == 1:
        return ""
    dotted = ".".join(parts[:-1])
    return latest.get(dotted, dotted)


def _array_path(name: str, counts: dict[str, int], latest: dict[str, str]) -> str:
    parts = name.split(".")
    parent = _parent_path(parts, latest)
    counter_key = f"{parent}/{parts[-1]}"
    index = counts.get(counter_key, 0)
    counts[counter_key] = index + 1
    path = f"{parent}.{parts[-1]}[{index}]" if parent else f"{parts[-1]}[{index}]"
    latest[name] = path
    return path


def _table_path(name: str, latest: dict[str, str]) -> str:
    parts = name.split(".")
    parent = _parent_path(parts, latest)
    path = f"{parent}.{parts[-1]}" if parent else parts[-1]
    latest[name] = path
    return path


def find_line(index: dict[str, int], path: str) -> int | None:
    """The line of `path`, or of its nearest located ancestor."""
    candidate = path
    while candidate:
        if candidate in index:
            return index[candidate]
        candidate = _strip_last(candidate)
    return None


def _strip_last(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path.rsplit(".", 1)[0] if "." in path else ""
