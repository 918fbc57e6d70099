"""Where templates come from and how they are rendered.

In a checkout the templates sit at the repository root (templates/crate,
templates/npm); in an installed wheel they are packaged as wasmforge/templates
(pyproject's force-include). Both resolve through `template_root()`, so an
installed wasmforge renders exactly what a checkout renders.
"""

from __future__ import annotations

import functools
import hashlib
import json
import textwrap
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

from ..errors import ToolMissing
from ..kernelspec.names import pascal_case, snake_case

GLUE_PLACEHOLDER = "/* @wasmforge:no-modules-glue */"
HELPERS_PLACEHOLDER = "/* @wasmforge:helpers */"


def template_root() -> Path:
    packaged = Path(str(resources.files("wasmforge").joinpath("templates")))
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "templates"
    if checkout.is_dir():
        return checkout
    raise ToolMissing("wasmforge's templates are missing (a broken installation)", hint="reinstall wasmforge")


@functools.cache
def environment() -> jinja2.Environment:
    import jinja2  # only where something is rendered: the build fingerprint hashes these files without it

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_root())),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["toml_string"] = _toml_string
    env.filters["git_url"] = _git_url
    env.filters["toml_array"] = lambda items: "[" + ", ".join(_toml_string(i) for i in items) + "]"
    env.filters["json"] = lambda value: json.dumps(value, ensure_ascii=False)
    env.filters["json_block"] = _json_block
    env.filters["snake"] = snake_case
    env.filters["pascal"] = pascal_case
    env.filters["fold"] = fold
    env.filters["worker_params"] = _worker_params
    return env


def fold(lines: Iterable[str], width: int) -> list[str]:
    """Documentation lines folded at `width` characters (code formatters leave comments alone)."""
    return [part for line in lines for part in (textwrap.wrap(line, width, break_long_words=False,
                                                             break_on_hyphens=False) or [""])]


def render(template: str, /, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def templates_digest() -> str:
    """Hash of the templates a build renders (crate/, npm/): part of its input fingerprint."""
    digest = hashlib.sha256()
    root = template_root()
    built_from = [p for folder in ("crate", "npm") for p in (root / folder).rglob("*") if p.is_file()]
    for path in sorted(built_from):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _json_block(value: Any, indent: int) -> str:
    """Pretty JSON whose continuation lines are indented by `indent` spaces."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + " " * indent)


def _git_url(url: str) -> str:
    """npm's canonical form of a repository URL (what `npm pkg fix` writes)."""
    if url.startswith(("http://", "https://")):
        return f"git+{url.removesuffix('/')}" + ("" if url.endswith(".git") else ".git")
    return url


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _worker_params(params: list[str]) -> str:
    """TypeScript parameters of an init factory (`initSolver(config)`) whose first parameter
    also takes init()'s worker options (`npm.workers`)."""
    if not params:
        return ""
    name, _, type_ = params[0].partition(": ")
    type_ = f"({type_})" if "|" in type_ else type_
    return ", ".join([f"{name}: {type_} & WorkerPoolOptions", *params[1:]])
