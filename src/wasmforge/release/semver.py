"""Semantic Versioning 2.0.0: parsing and precedence (https://semver.org).

Pre-releases sort before their release (1.0.0-rc.1 < 1.0.0), identifiers
compare numerically when both are numbers, numbers sort before words, a
longer list of identifiers wins a tie; build metadata (+...) never affects
precedence, so 1.0.0+a and 1.0.0+b are the same version for `release`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..errors import UsageError
from ..kernelspec.names import SEMVER as _SEMVER


@functools.total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def _key(self) -> tuple[object, ...]:
        # A release sorts after all of its pre-releases: (1,) > (0, ...).
        pre = (0, tuple(_identifier_key(p) for p in self.prerelease)) if self.prerelease else (1,)
        return (self.major, self.minor, self.patch, pre)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    @property
    def is_prerelease(self) -> bool:
        return bool(self.prerelease)


def _identifier_key(identifier: str) -> tuple[int, int, str]:
    # Numeric identifiers have lower precedence than alphanumeric ones.
    return (0, int(identifier), "") if identifier.isdigit() else (1, 0, identifier)


def parse(text: str) -> Version:
    match = _SEMVER.match(text.strip())
    if not match:
        raise UsageError(
            f"`{text}` is not a semantic version",
            hint="use MAJOR.MINOR.PATCH with an optional -prerelease and +build, e.g. 1.2.0 or 2.0.0-rc.1",
        )
    major, minor, patch, pre, build = match.groups()
    return Version(int(major), int(minor), int(patch),
                   tuple(pre.split(".")) if pre else (), tuple(build.split(".")) if build else ())


def is_valid(text: str) -> bool:
    return bool(_SEMVER.match(text))
