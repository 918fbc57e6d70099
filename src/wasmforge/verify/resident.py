"""Verification cases for resident arrays, derived from the spec's examples.

Every example that passes typed arrays runs again with each array resident in
the module's memory (a `ResidentArray`), and again with each passed as a view
of one (`resident.array`); an example with an array result runs once more
with `{ out }`. These twins must give the very outcome of the copy path, bit
for bit. One call of the package (the first example with arrays that
succeeds) is then used to probe safety: a freed array, a view outside every
resident array, a view detached by memory growth, an `out` overlapping an
input, a resident array surviving memory growth, and flat memory over many
calls.

Arrays travel in the plan as `{"$typed": …}` values (see cases.Encoder); a
twin wraps each in `{"$resident": …}` (with `"as"` and other flags), which the
case runner (cases.mjs) turns into the real thing.
"""

from __future__ import annotations

import copy
from typing import Any

from ..kernelspec.model import Function
from ..kernelspec.types import TypeRef

# Calls of the flatness probe: the "memory stays flat over 100 000 calls".
FLAT_CALLS = 100_000
UNDEFINED = {"$undefined": True}


def has_arrays(value: Any) -> bool:
    if isinstance(value, dict):
        return "$typed" in value or any(has_arrays(v) for v in value.values())
    if isinstance(value, list):
        return any(has_arrays(v) for v in value)
    return False


def residents(value: Any, **flags: Any) -> Any:
    """`value` (plan encoding) with every typed array made resident."""
    if isinstance(value, dict):
        if "$typed" in value:
            return {"$resident": value, **flags}
        return {key: residents(item, **flags) for key, item in value.items()}
    if isinstance(value, list):
        return [residents(item, **flags) for item in value]
    return value


def first_array(value: Any, wrap: Any) -> tuple[Any, bool]:
    """`value` with its first typed array replaced by `wrap(array)`; whether one was found."""
    if isinstance(value, dict):
        if "$typed" in value:
            return wrap(value), True
        result = {}
        found = False
        for key, item in value.items():
            if not found:
                item, found = first_array(item, wrap)
            result[key] = item
        return result, found
    if isinstance(value, list):
        items = []
        found = False
        for item in value:
            if not found:
                item, found = first_array(item, wrap)
            items.append(item)
        return items, found
    return value, False


def out_option(function: Function, args: list[Any], result: Any) -> list[Any]:
    """`args` padded to every argument, then `{ out }` sized for `result` (an example's expect)."""
    returns: TypeRef = function.returns
    length = len(result["data"]) if returns.is_tensor else len(result)
    out = {"$resident": {"$typed": returns.typed_array, "values": [0] * length}}
    return [*args, *[UNDEFINED] * (len(function.args) - len(args)), {"out": out}]


def aliased_out(function: Function, args: list[Any]) -> list[Any] | None:
    """Every array resident, with `out` the first input of the result's element type; None if there is none."""
    wanted = function.returns.typed_array
    marked = {"done": False}

    def tag(value: Any) -> Any:
        if isinstance(value, dict):
            if "$typed" in value:
                if not marked["done"] and value["$typed"] == wanted:
                    marked["done"] = True
                    return {"$resident": value, "id": "aliased"}
                return {"$resident": value}
            return {key: tag(item) for key, item in value.items()}
        if isinstance(value, list):
            return [tag(item) for item in value]
        return value

    tagged = tag(copy.deepcopy(args))
    if not marked["done"]:
        return None
    padded = [*tagged, *[UNDEFINED] * (len(function.args) - len(tagged))]
    return [*padded, {"out": {"$residentRef": "aliased"}}]
