"""Sizes as people write them in kernel.toml ("500 KB", "1.5 MiB", 500000) and as
wasmforge prints them. KB and MB are decimal (the seed's "500 KB" is 500 000 bytes),
KiB and MiB binary, as npm and the browsers' network panels count."""

from __future__ import annotations

import re

UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "kib": 1024, "mib": 1024**2}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.I)


def size_problem(value: object) -> str | None:
    """What is wrong with a size from kernel.toml, or None when it is one (or false)."""
    if value is False or value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return None if value > 0 else f"a size must be positive, got {value}"
    match = _SIZE.match(str(value))
    if not match or (match.group(2) or "b").lower() not in UNITS:
        return f"`{value}` is not a size"
    return None if float(match.group(1)) > 0 else f"a size must be positive, got `{value}`"


def parse_size(value: object) -> int | None:
    """Bytes for a size `size_problem` accepts; None for false (no limit)."""
    if value is False or value is None:
        return None
    if isinstance(value, int):
        return value
    match = _SIZE.match(str(value))
    assert match is not None, f"unchecked size {value!r}"
    return max(1, int(float(match.group(1)) * UNITS[(match.group(2) or "b").lower()]))


def format_size(size: int) -> str:
    """Bytes below 10 000, else KiB with one decimal: the unit npm pack and DevTools use."""
    return f"{size:,} B" if size < 10_000 else f"{size / 1024:,.1f} KiB"


def _budget_unit(limit: int) -> tuple[str, int] | None:
    for unit, factor in (("MB", 1000**2), ("KB", 1000), ("MiB", 1024**2), ("KiB", 1024)):
        if limit % factor == 0:
            return unit, factor
    return None


def format_budget(limit: int) -> str:
    """A budget in the unit it was most likely written in ("500 KB"), else in bytes."""
    unit = _budget_unit(limit)
    return f"{limit // unit[1]:,} {unit[0]}" if unit else f"{limit:,} B"


def format_against(size: int, limit: int) -> str:
    """`size` in the unit of the budget it is compared with, so the two read alike."""
    unit = _budget_unit(limit)
    if unit is None or size < unit[1]:
        return f"{size:,} B"
    return f"{size / unit[1]:,.1f} {unit[0]}"
