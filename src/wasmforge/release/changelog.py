"""CHANGELOG.md in the Keep a Changelog 1.1.0 format (https://keepachangelog.com).

A release adds `## [<version>] - <date>` right below `## [Unreleased]`. Its
entries are what the Unreleased section held (moved, not copied: Unreleased is
left empty) followed by the subjects of the commits since the previous tag,
sorted into the format's categories by their Conventional Commits type
(`feat:` → Added, `fix:` → Fixed, …; anything else → Changed). Housekeeping
types (chore, ci, test, style) and earlier release commits are left out: a
changelog is for the package's users.
"""

from __future__ import annotations

import re

CATEGORIES = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
_TYPES = {"feat": "Added", "add": "Added", "fix": "Fixed", "bugfix": "Fixed", "remove": "Removed",
          "revert": "Removed", "deprecate": "Deprecated", "security": "Security"}
_HOUSEKEEPING = {"chore", "ci", "test", "tests", "style", "release"}
_CONVENTIONAL = re.compile(r"^(?P<type>[a-zA-Z]+)(?:\([^)]*\))?(?P<breaking>!)?:\s*(?P<text>.+)$")
_UNRELEASED = re.compile(r"^##\s*\[?unreleased\]?\s*$", re.IGNORECASE | re.MULTILINE)
_SECTION = re.compile(r"^##\s", re.MULTILINE)
_CATEGORY = re.compile(r"^###\s*(?P<name>.+?)\s*$")

HEADER = """# Changelog

All notable changes to this project will be documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

## [Unreleased]
"""


def categorize(subject: str) -> tuple[str, str] | None:
    """A commit subject's category and entry text; None for housekeeping."""
    match = _CONVENTIONAL.match(subject.strip())
    if not match:
        return "Changed", subject.strip()
    if match.group("type").lower() in _HOUSEKEEPING:
        return None
    text = match.group("text").strip()
    text = text[0].upper() + text[1:]
    if match.group("breaking"):
        text = f"**Breaking:** {text}"
    return _TYPES.get(match.group("type").lower(), "Changed"), text


def updated(existing: str | None, version: str, date: str, subjects: list[str]) -> str:
    """The changelog text with a section for `version` added."""
    text = existing if existing and existing.strip() else HEADER
    if not _UNRELEASED.search(text):
        text = _insert_unreleased(text)
    heading = _UNRELEASED.search(text)
    assert heading is not None
    body_start = heading.end()
    following = _SECTION.search(text, body_start)
    body_end = following.start() if following else len(text)
    entries = _parse_entries(text[body_start:body_end])
    for subject in subjects:
        sorted_into = categorize(subject)
        if sorted_into is None:
            continue
        category, entry = sorted_into
        if entry not in entries[category]:
            entries[category].append(entry)
    section = _render_section(version, date, entries)
    rest = text[body_end:]
    return f"{text[:body_start].rstrip()}\n\n{section}" + (f"\n{rest.lstrip()}" if rest.strip() else "")


def _insert_unreleased(text: str) -> str:
    first = _SECTION.search(text)
    if first is None:
        return text.rstrip() + "\n\n## [Unreleased]\n"
    return f"{text[:first.start()]}## [Unreleased]\n\n{text[first.start():]}"


def _parse_entries(body: str) -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {category: [] for category in CATEGORIES}
    current = "Changed"
    for line in body.splitlines():
        if match := _CATEGORY.match(line):
            name = match.group("name").capitalize()
            current = name if name in entries else "Changed"
        elif line.lstrip().startswith(("- ", "* ")):
            entries[current].append(line.lstrip()[2:].strip())
        elif line.startswith("  ") and entries[current]:
            entries[current][-1] += " " + line.strip()  # a wrapped entry
    return entries


def _render_section(version: str, date: str, entries: dict[str, list[str]]) -> str:
    lines = [f"## [{version}] - {date}", ""]
    if not any(entries.values()):
        entries = {**entries, "Changed": ["No notable changes."]}
    for category in CATEGORIES:
        if entries[category]:
            lines += [f"### {category}", "", *(f"- {entry}" for entry in entries[category]), ""]
    return "\n".join(lines)
