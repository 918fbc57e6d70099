"""The compile cache: rustc run through sccache, when the spec or the environment asks.

sccache (crates.io; installed on first use like wasm-pack) keeps compiled crates on local
disk by default and in any of its remote backends — Redis, S3, GCS, Azure, GitHub Actions'
cache, WebDAV — configured the way sccache documents (SCCACHE_REDIS_ENDPOINT, SCCACHE_BUCKET,
SCCACHE_GCS_BUCKET, SCCACHE_GHA_ENABLED, …), which is how a team or a CI fleet shares one.
A cached crate is the same bytes rustc would write, so the cache is not part of the build
fingerprint and modules stay byte-identical with it on or off.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError
from ..kernelspec.model import CACHES, KernelSpec
from ..toolchain.tools import sccache

ENV = "WASMFORGE_CACHE"


def chosen(spec: KernelSpec) -> str:
    """WASMFORGE_CACHE, else `[build] cache`."""
    value = os.environ.get(ENV, "").strip() or spec.build.cache
    if value not in CACHES:
        raise UsageError(f"{ENV}={value} is not a cache wasmforge knows", hint=f"use {' or '.join(CACHES)}")
    return value


def rustc_wrapper(spec: KernelSpec) -> Path | None:
    """The program cargo runs rustc through (RUSTC_WRAPPER), or None without a cache."""
    return sccache() if chosen(spec) == "sccache" else None
