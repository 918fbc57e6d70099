"""Compiler errors in the generated crate, reported where the user can fix them.

The generated `src/lib.rs` is wasmforge's code: an error rustc finds there
comes from the spec (a declared type the kernel does not have, a variant of
another shape) or from the kernel's signatures. Every generated item is
preceded by a marker, `// From kernel.toml: function[1] (`solve`)` (see
render/rust.py `marker`); an error below a marker is reported at that entry's
line of kernel.toml, with the declared and the actual type when rustc names
them, instead of at a line of a file the user never wrote.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import SourceLocation
from ..kernelspec.locate import find_line, index_lines

_MARKER = re.compile(r"^\s*// From kernel\.toml: (\S+) \(`([^`]*)`\)")
# How rustc names the two types of a declared-type mismatch (see `Declared` and
# `declared_text` in the generated crate), newest wording first.
_DECLARED = (
    re.compile(r"the trait `Declared<(?P<declared>[^`]+)>` is not implemented for `(?P<actual>[^`]+)`"),
    re.compile(r"the trait bound `(?P<actual>[^`:]+): Declared<(?P<declared>[^`]+)>` is not satisfied"),
)
_TEXT = (
    re.compile(r"the trait `AsRef<str>` is not implemented for `(?P<actual>[^`]+)`"),
    re.compile(r"the trait bound `(?P<actual>[^`:]+): AsRef<str>` is not satisfied"),
)
_EXPECTED_FOUND = re.compile(r"expected `[^`]+`, found `[^`]+`")
_ARROW = re.compile(r"--> src/lib\.rs:(\d+):\d+")


@dataclass(frozen=True)
class Origin:
    path: str  # TOML path, e.g. "error[2].fields.expected"
    name: str  # the entry it belongs to, e.g. "DimensionMismatch"


def origin_of(generated: list[str], line: int) -> Origin | None:
    """The spec entry the generated code at 1-based `line` comes from: the nearest marker above it."""
    for number in range(min(line, len(generated)), 0, -1):
        if match := _MARKER.match(generated[number - 1]):
            return Origin(match.group(1), match.group(2))
    return None


def mismatch(rendered: str) -> str | None:
    """What rustc's message says about the two types, in the spec's terms."""
    for pattern in _DECLARED:
        if found := pattern.search(rendered):
            return f"declared `{found['declared']}`, the kernel has `{found['actual']}`"
    for pattern in _TEXT:
        if found := pattern.search(rendered):
            return f"declared `string`, the kernel has `{found['actual']}`"
    pairs = list(dict.fromkeys(_EXPECTED_FOUND.findall(rendered)))
    return "; ".join(pairs) or None


@dataclass(frozen=True)
class Generated:
    """The generated lib.rs (as compiled) and the spec it was rendered from."""

    file: Path
    spec_file: Path

    @functools.cached_property
    def lines(self) -> list[str]:
        return self.file.read_text("utf-8").splitlines() if self.file.is_file() else []

    @functools.cached_property
    def _spec_index(self) -> dict[str, int]:
        return index_lines(self.spec_file.read_text("utf-8"))

    def spec_line(self, origin: Origin) -> int | None:
        return find_line(self._spec_index, origin.path)

    def locate(self, location: SourceLocation, rendered: str) -> SourceLocation:
        """`location` moved from the generated lib.rs to kernel.toml, when it is there."""
        if location.file != self.file or location.line is None:
            return location
        origin = origin_of(self.lines, location.line)
        if origin is None:
            return location
        message = f"{origin.path} (`{origin.name}`): {mismatch(rendered) or location.message}"
        return replace(location, file=self.spec_file, line=self.spec_line(origin), message=message)

    def annotate(self, output: str) -> str:
        """rustc's output with each `--> src/lib.rs:N:C` saying which spec entry line N comes from."""

        def note(match: re.Match[str]) -> str:
            origin = origin_of(self.lines, int(match.group(1)))
            if origin is None:
                return match.group(0)
            where = f"{self.spec_file.name}:{self.spec_line(origin)}"
            return f"{match.group(0)} (generated from {where}, {origin.path} `{origin.name}`)"

        return _ARROW.sub(note, output)
